"""PURE: requests and answers of the organization, its tokens, roles and users."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from bot.astra.http.base import ApiRequest, ApiResponse, _seg
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


def current_org() -> ApiRequest:
    return ApiRequest("GET", "/v2/currentOrg", "current_org", "get the current organization")


def list_tokens() -> ApiRequest:
    return ApiRequest("GET", "/v2/tokens", "list_tokens", "list tokens")


def create_token(roles: Sequence[str], description: str | None = None) -> ApiRequest:
    body: dict[str, Any] = {"roles": list(roles)}
    if description:
        body["description"] = description
    return ApiRequest("POST", "/v2/tokens", "create_token", "create a token", json=body)


def revoke_token(client_id: str) -> ApiRequest:
    # NOTES.md Errata: DELETE /v2/tokens is malformed in the official document
    return ApiRequest(
        "DELETE",
        f"/v2/clientIdSecrets/{_seg(client_id, 'client id')}",
        "revoke_token",
        f"revoke token `{client_id}`",
        expect=frozenset({200, 204}),
    )


def list_roles() -> ApiRequest:
    return ApiRequest("GET", "/v2/organizations/roles", "list_roles", "list roles")


def get_role(role_id: str) -> ApiRequest:
    return ApiRequest(
        "GET",
        f"/v2/organizations/roles/{_seg(role_id, 'role id')}",
        "get_role",
        f"get role `{role_id}`",
    )


def create_role(
    name: str,
    actions: Sequence[str],
    resources: Sequence[str],
    description: str | None = None,
) -> ApiRequest:
    # CreateRoleRequest{name, policy{description, actions, resources, effect}}: all required
    body = {
        "name": name,
        "policy": {
            "description": description or name,
            "actions": list(actions),
            "resources": list(resources),
            "effect": "allow",
        },
    }
    return ApiRequest(
        "POST",
        "/v2/organizations/roles",
        "create_role",
        f"create role `{name}`",
        json=body,
        expect=frozenset({200, 201}),
    )


def delete_role(role_id: str) -> ApiRequest:
    return ApiRequest(
        "DELETE",
        f"/v2/organizations/roles/{_seg(role_id, 'role id')}",
        "delete_role",
        f"delete role `{role_id}`",
        expect=frozenset({200, 204}),
    )


def list_users() -> ApiRequest:
    return ApiRequest("GET", "/v2/organizations/users", "list_users", "list users")


def invite_user(email: str, org_id: str, role_ids: Sequence[str]) -> ApiRequest:
    # UserInvite{email, orgID, roles}
    return ApiRequest(
        "PUT",
        "/v2/organizations/users",
        "invite_user",
        f"invite `{email}`",
        json={"email": email, "orgID": org_id, "roles": list(role_ids)},
        expect=frozenset({200, 201, 204}),
    )


def remove_user(user_id: str) -> ApiRequest:
    return ApiRequest(
        "DELETE",
        f"/v2/organizations/users/{_seg(user_id, 'user id')}",
        "remove_user",
        f"remove user `{user_id}`",
        expect=frozenset({200, 204}),
    )


def set_user_roles(user_id: str, role_ids: Sequence[str]) -> ApiRequest:
    return ApiRequest(
        "PUT",
        f"/v2/organizations/users/{_seg(user_id, 'user id')}/roles",
        "set_user_roles",
        f"set the roles of user `{user_id}`",
        json={"roles": list(role_ids)},
        expect=frozenset({200, 204}),
    )
