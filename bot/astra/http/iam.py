"""PURE: requests and answers of the organization, its tokens, roles and users."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from pydantic import ValidationError

from bot.astra.http.base import _ORG, ApiRequest, ApiResponse, Endpoint
from bot.astra.http.decode import decode_json, location_id, parse_list, parse_model
from bot.astra.http.errors import unreadable
from bot.astra.models import CreatedToken, Organization, OrganizationUsers, Role, Token, User


def parse_organization(req: ApiRequest, resp: ApiResponse) -> Organization:
    return parse_model(req, resp, Organization)


def parse_tokens(req: ApiRequest, resp: ApiResponse) -> list[Token]:
    """``ClientRoleList`` ``{"clients": [...]}``, or a bare array (fixture IamTokens.json)."""
    return parse_list(req, resp, Token, key="clients")


def parse_created_token(req: ApiRequest, resp: ApiResponse) -> CreatedToken:
    return parse_model(req, resp, CreatedToken)


def parse_roles(req: ApiRequest, resp: ApiResponse) -> list[Role]:
    return parse_list(req, resp, Role, key="roles")


def parse_role(req: ApiRequest, resp: ApiResponse) -> Role:
    return parse_model(req, resp, Role)


def parse_created_role(req: ApiRequest, resp: ApiResponse) -> Role | str:
    """201 with the ``Role`` (spec) — or, failing a body, the id in ``Location``."""
    data = decode_json(req, resp) if resp.body.strip() else None
    if isinstance(data, dict) and data:
        try:
            return Role.model_validate(data)
        except ValidationError as exc:
            raise unreadable(req, resp.status) from exc
    role_id = location_id(resp)
    if role_id is None:
        raise unreadable(req, resp.status, "no body and no Location")
    return role_id


def parse_users(req: ApiRequest, resp: ApiResponse) -> list[User]:
    data = decode_json(req, resp)
    if not isinstance(data, list | dict):
        raise unreadable(req, resp.status, "not a list of users")
    try:
        if isinstance(data, list):
            return [User.model_validate(entry) for entry in data]
        return OrganizationUsers.model_validate(data).users
    except ValidationError as exc:
        raise unreadable(req, resp.status) from exc


_ROLE: Final = f"{_ORG}/roles/{{role_id}}"
_USER: Final = f"{_ORG}/users/{{user_id}}"
_DONE: Final = frozenset({200, 204})

current_org: Final = Endpoint(
    "GET", "/v2/currentOrg", "current_org", "get the current organization"
)
list_tokens: Final = Endpoint("GET", "/v2/tokens", "list_tokens", "list tokens")
_CREATE_TOKEN: Final = Endpoint("POST", "/v2/tokens", "create_token", "create a token")
#: NOTES.md Errata: DELETE /v2/tokens is malformed in the official document
revoke_token: Final = Endpoint(
    "DELETE", "/v2/clientIdSecrets/{client_id}", "revoke_token", "revoke token `{client_id}`", _DONE
)
list_roles: Final = Endpoint("GET", f"{_ORG}/roles", "list_roles", "list roles")
get_role: Final = Endpoint("GET", _ROLE, "get_role", "get role `{role_id}`")
_CREATE_ROLE: Final = Endpoint(
    "POST", f"{_ORG}/roles", "create_role", "create role `{name}`", frozenset({200, 201})
)
delete_role: Final = Endpoint("DELETE", _ROLE, "delete_role", "delete role `{role_id}`", _DONE)
list_users: Final = Endpoint("GET", f"{_ORG}/users", "list_users", "list users")
_INVITE: Final = Endpoint(
    "PUT", f"{_ORG}/users", "invite_user", "invite `{email}`", frozenset({200, 201, 204})
)
remove_user: Final = Endpoint("DELETE", _USER, "remove_user", "remove user `{user_id}`", _DONE)
_SET_ROLES: Final = Endpoint(
    "PUT", f"{_USER}/roles", "set_user_roles", "set the roles of user `{user_id}`", _DONE
)


def create_token(roles: Sequence[str], description: str | None = None) -> ApiRequest:
    body: dict[str, Any] = {"roles": list(roles)}
    if description:
        body["description"] = description
    return _CREATE_TOKEN(json=body)


def create_role(
    name: str,
    actions: Sequence[str],
    resources: Sequence[str],
    description: str | None = None,
) -> ApiRequest:
    # CreateRoleRequest{name, policy{description, actions, resources, effect}}: all required
    policy = {
        "description": description or name,
        "actions": list(actions),
        "resources": list(resources),
        "effect": "allow",
    }
    return _CREATE_ROLE(json={"name": name, "policy": policy}, name=name)


def invite_user(email: str, org_id: str, role_ids: Sequence[str]) -> ApiRequest:
    # UserInvite{email, orgID, roles}
    return _INVITE(json={"email": email, "orgID": org_id, "roles": list(role_ids)}, email=email)


def set_user_roles(user_id: str, role_ids: Sequence[str]) -> ApiRequest:
    return _SET_ROLES(user_id, json={"roles": list(role_ids)})
