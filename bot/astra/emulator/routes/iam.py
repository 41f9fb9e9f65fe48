"""IAM endpoints: the current org, tokens, roles and users."""

from __future__ import annotations

import secrets
import string
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.astra.emulator.catalogue import _EMAIL_RE, _KNOWN_ACTIONS
from bot.astra.emulator.responses import _empty, _error
from bot.astra.emulator.routes.common import RouteBase
from bot.astra.emulator.state import _Client, _iso, _User


class IamRoutes(RouteBase):
    """``/v2/currentOrg``, ``/v2/tokens``, ``/v2/organizations/roles|users``."""

    # ---------------------------------------------------------------- organization

    async def _current_org(self, request: Request, body: Any) -> Response:
        return JSONResponse({"id": self.config.org_id, "name": self.config.org_name})

    async def _list_tokens(self, request: Request, body: Any) -> Response:
        clients = []
        for c in self._clients.values():
            entry: dict[str, Any] = {
                "clientId": c.client_id,
                "roles": list(c.roles),
                "generatedOn": c.generated_on,
                "description": c.description,
            }
            if c.token_expiry:
                entry["tokenExpiry"] = c.token_expiry
            clients.append(entry)  # never the secret nor the token
        return JSONResponse({"clients": clients})

    def _unknown_roles(self, roles: Any) -> str | None:
        if not isinstance(roles, list) or not roles or not all(isinstance(r, str) for r in roles):
            return "roles must be a non-empty array of role ids."
        unknown = [r for r in roles if r not in self._roles]
        if unknown:
            return f"Unknown role ids: {', '.join(unknown)}."
        return None

    async def _create_token(self, request: Request, body: Any) -> Response:
        if not isinstance(body, dict):
            return _error(400, "The body must be an object with roles.")
        problem = self._unknown_roles(body.get("roles"))
        if problem:
            return _error(400, problem)
        expiry = body.get("tokenExpiry")
        if expiry is not None and not isinstance(expiry, str):
            return _error(400, "tokenExpiry must be a date-time string.")
        alphabet = string.ascii_letters + string.digits
        client_id = "".join(secrets.choice(alphabet) for _ in range(24))
        token = f"AstraCS:{client_id}:{secrets.token_hex(32)}"
        client = _Client(
            client_id,
            list(body["roles"]),
            str(body.get("description") or ""),
            _iso(),
            token,
            expiry,
        )
        self._clients[client_id] = client
        answer: dict[str, Any] = {
            "clientId": client_id,
            "orgId": self.config.org_id,
            "secret": secrets.token_urlsafe(48),
            "token": token,
            "generatedOn": client.generated_on,
            "roles": list(client.roles),
        }
        if expiry:
            answer["tokenExpiry"] = expiry
        return JSONResponse(answer)

    async def _revoke_token(self, request: Request, body: Any) -> Response:
        client_id = request.path_params["client_id"]
        if self._clients.pop(client_id, None) is None:
            return _error(400, f"No token with client id {client_id} in this organization.")
        return _empty(200)

    # ---------------------------------------------------------------- roles

    async def _list_roles(self, request: Request, body: Any) -> Response:
        return JSONResponse([self._render_role(r) for r in self._roles.values()])

    async def _get_role(self, request: Request, body: Any) -> Response:
        role = self._roles.get(request.path_params["role_id"])
        if role is None:
            return _error(404, f"Role {request.path_params['role_id']} was not found.")
        return JSONResponse(self._render_role(role))

    async def _create_role(self, request: Request, body: Any) -> Response:
        if not isinstance(body, dict):
            return _error(400, "The body must be an object with name and policy.")
        name, policy = body.get("name"), body.get("policy")
        if not isinstance(name, str) or not name.strip() or not isinstance(policy, dict):
            return _error(400, "name and policy are required.")
        missing = [k for k in ("description", "actions", "effect", "resources") if k not in policy]
        if missing:
            return _error(400, f"Missing policy fields: {', '.join(missing)}.")
        actions, resources = policy["actions"], policy["resources"]
        if not isinstance(actions, list) or not actions:
            return _error(400, "policy.actions must be a non-empty array.")
        unknown = [a for a in actions if a not in _KNOWN_ACTIONS]
        if unknown:
            return _error(400, f"Unknown actions: {', '.join(map(str, unknown))}.")
        if not isinstance(resources, list) or not all(isinstance(r, str) for r in resources):
            return _error(400, "policy.resources must be an array of strings.")
        if policy["effect"] != "allow":
            return _error(400, "policy.effect must be allow.")
        if any(r["name"].lower() == name.strip().lower() for r in self._roles.values()):
            return _error(409, f"A role named {name} already exists.")
        role_id = str(uuid.uuid4())
        role = {
            "id": role_id,
            "name": name.strip(),
            "policy": {
                "description": str(policy["description"]),
                "resources": resources,
                "actions": actions,
                "effect": "allow",
            },
            "last_update_datetime": _iso(),
        }
        self._roles[role_id] = role
        return JSONResponse(self._render_role(role), status_code=201)

    async def _delete_role(self, request: Request, body: Any) -> Response:
        if self._roles.pop(request.path_params["role_id"], None) is None:
            return _error(404, f"Role {request.path_params['role_id']} was not found.")
        return _empty(204)

    # ---------------------------------------------------------------- users

    async def _list_users(self, request: Request, body: Any) -> Response:
        users = [self._render_user(u) for u in self._users.values()]
        if self.config.role_casing == "pascal":
            return JSONResponse(
                {"OrgID": self.config.org_id, "OrgName": self.config.org_name, "Users": users}
            )
        return JSONResponse(
            {"orgID": self.config.org_id, "orgName": self.config.org_name, "users": users}
        )

    async def _get_user(self, request: Request, body: Any) -> Response:
        user = self._users.get(request.path_params["user_id"])
        if user is None:
            return _error(404, f"User {request.path_params['user_id']} was not found.")
        return JSONResponse(self._render_user(user))

    async def _invite_user(self, request: Request, body: Any) -> Response:
        if not isinstance(body, dict):
            return _error(400, "The body must be an object with email, orgID and roles.")
        email = body.get("email")
        if not isinstance(email, str) or not _EMAIL_RE.match(email):
            return _error(400, f"{email} is not an email address.")
        if body.get("orgID") != self.config.org_id:
            return _error(403, "orgID is not the organization of this token.")
        problem = self._unknown_roles(body.get("roles"))
        if problem:
            return _error(400, problem)
        existing = next((u for u in self._users.values() if u.email.lower() == email.lower()), None)
        if existing is not None:
            existing.roles = list(body["roles"])
        else:
            uid = str(uuid.uuid4())
            self._users[uid] = _User(uid, email, "invited", list(body["roles"]))
        return _empty(200)

    async def _remove_user(self, request: Request, body: Any) -> Response:
        if self._users.pop(request.path_params["user_id"], None) is None:
            return _error(404, f"User {request.path_params['user_id']} was not found.")
        return _empty(204)

    async def _set_user_roles(self, request: Request, body: Any) -> Response:
        user = self._users.get(request.path_params["user_id"])
        if user is None:
            return _error(404, f"User {request.path_params['user_id']} was not found.")
        problem = self._unknown_roles(body.get("roles") if isinstance(body, dict) else None)
        if problem:
            return _error(400, problem)
        user.roles = list(body["roles"])
        return _empty(204)
