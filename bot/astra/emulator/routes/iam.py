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
from bot.astra.emulator.routes.common import _ORG, RouteBase, route
from bot.astra.emulator.state import _Client, _iso, _User


class IamRoutes(RouteBase):
    """``/v2/currentOrg``, ``/v2/tokens``, ``/v2/organizations/roles|users``."""

    # ---------------------------------------------------------------- organization

    @route("GET", "/v2/currentOrg")
    async def _current_org(self, request: Request, body: Any) -> Response:
        return JSONResponse({"id": self.config.org_id, "name": self.config.org_name})

    @route("GET", "/v2/tokens")
    @route("GET", "/v2/clientIdSecrets")
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

    @route("POST", "/v2/tokens")
    @route("POST", "/v2/clientIdSecrets")  # generateTokenForClient: the same answer
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

    @route("DELETE", "/v2/clientIdSecrets/{client_id}")
    async def _revoke_token(self, request: Request, body: Any) -> Response:
        client_id = request.path_params["client_id"]
        if self._clients.pop(client_id, None) is None:
            return _error(400, f"No token with client id {client_id} in this organization.")
        return _empty(200)

    # ---------------------------------------------------------------- roles

    @route("GET", f"{_ORG}/roles")
    async def _list_roles(self, request: Request, body: Any) -> Response:
        return JSONResponse([self._render_role(r) for r in self._roles.values()])

    @route("GET", f"{_ORG}/roles/{{role_id}}")
    async def _get_role(self, request: Request, body: Any) -> Response:
        return self._shown(self._roles, request, "role_id", "Role", self._render_role)

    @staticmethod
    def _check_role(body: Any) -> str | None:
        """Why createRole refuses ``body`` (400), or None."""
        if not isinstance(body, dict):
            return "The body must be an object with name and policy."
        name, policy = body.get("name"), body.get("policy")
        if not isinstance(name, str) or not name.strip() or not isinstance(policy, dict):
            return "name and policy are required."
        missing = [k for k in ("description", "actions", "effect", "resources") if k not in policy]
        if missing:
            return f"Missing policy fields: {', '.join(missing)}."
        actions, resources = policy["actions"], policy["resources"]
        if not isinstance(actions, list) or not actions:
            return "policy.actions must be a non-empty array."
        unknown = [a for a in actions if a not in _KNOWN_ACTIONS]
        if unknown:
            return f"Unknown actions: {', '.join(map(str, unknown))}."
        if not isinstance(resources, list) or not all(isinstance(r, str) for r in resources):
            return "policy.resources must be an array of strings."
        return None if policy["effect"] == "allow" else "policy.effect must be allow."

    @route("POST", f"{_ORG}/roles")
    async def _create_role(self, request: Request, body: Any) -> Response:
        refused = self._check_role(body)
        if refused is not None:
            return _error(400, refused)
        name, policy = body["name"], body["policy"]
        actions, resources = policy["actions"], policy["resources"]
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

    @route("DELETE", f"{_ORG}/roles/{{role_id}}")
    async def _delete_role(self, request: Request, body: Any) -> Response:
        return self._removed(self._roles, request, "role_id", "Role")

    # ---------------------------------------------------------------- users

    @route("GET", f"{_ORG}/users")
    async def _list_users(self, request: Request, body: Any) -> Response:
        users = [self._render_user(u) for u in self._users.values()]
        keys = ("OrgID", "OrgName", "Users") if self.config.role_casing == "pascal" else None
        org_id, org_name, listed = keys or ("orgID", "orgName", "users")
        return JSONResponse(
            {org_id: self.config.org_id, org_name: self.config.org_name, listed: users}
        )

    @route("GET", f"{_ORG}/users/{{user_id}}")
    async def _get_user(self, request: Request, body: Any) -> Response:
        return self._shown(self._users, request, "user_id", "User", self._render_user)

    @route("PUT", f"{_ORG}/users")
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

    @route("DELETE", f"{_ORG}/users/{{user_id}}")
    async def _remove_user(self, request: Request, body: Any) -> Response:
        return self._removed(self._users, request, "user_id", "User")

    @route("PUT", f"{_ORG}/users/{{user_id}}/roles")
    async def _set_user_roles(self, request: Request, body: Any) -> Response:
        user = self._found(self._users, request, "user_id", "User")
        if isinstance(user, Response):
            return user
        problem = self._unknown_roles(body.get("roles") if isinstance(body, dict) else None)
        if problem:
            return _error(400, problem)
        user.roles = list(body["roles"])
        return _empty(204)
