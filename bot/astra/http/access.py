"""PURE: requests and answers of access lists: a database's addresses, the DevOps API's."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from bot.astra.http.base import ApiRequest, ApiResponse, _db, _seg
from bot.astra.http.decode import decode_json
from bot.astra.http.errors import unreadable
from bot.astra.models import AccessList
from bot.errors import AstraBadRequest


def parse_access_list(req: ApiRequest, resp: ApiResponse) -> AccessList:
    data = decode_json(req, resp)
    if not isinstance(data, dict):
        raise unreadable(req, resp.status, "not an access list")
    try:
        return AccessList.model_validate(data)
    except ValidationError as exc:
        raise unreadable(req, resp.status) from exc


def get_access_list(db_id: str) -> ApiRequest:
    return ApiRequest(
        "GET",
        f"{_db(db_id)}/access-list",
        "get_access_list",
        f"get the access list of database `{db_id}`",
    )


def add_access_list_addresses(db_id: str, addresses: Sequence[tuple[str, str]]) -> ApiRequest:
    # AddressRequest requires address, enabled and description (official spec)
    body = [{"address": a, "enabled": True, "description": d} for a, d in addresses]
    if not body:
        raise AstraBadRequest("Give at least one address to add.", status_code=None)
    return ApiRequest(
        "POST",
        f"{_db(db_id)}/access-list",
        "add_access_list_addresses",
        f"add {', '.join(f'`{a}`' for a, _ in addresses)} to the access list of database `{db_id}`",
        json=body,
        expect=frozenset({200, 201, 204}),
    )


def delete_access_list_addresses(db_id: str, addresses: Sequence[str]) -> ApiRequest:
    # Without ``addresses`` the API deletes the *whole* list (spec summary): never send that.
    if not addresses:
        raise AstraBadRequest("Give at least one address to remove.", status_code=None)
    return ApiRequest(
        "DELETE",
        f"{_db(db_id)}/access-list",
        "delete_access_list_addresses",
        f"remove {', '.join(f'`{a}`' for a in addresses)} from the access list of database "
        f"`{db_id}`",
        params=tuple(("addresses", a) for a in addresses),
        expect=frozenset({200, 202, 204}),
    )


def get_devops_access_list(org_id: str) -> ApiRequest:
    return ApiRequest(
        "GET",
        f"/v2/organizations/{_seg(org_id, 'organization id')}/devops-acl",
        "get_devops_access_list",
        "get the DevOps API access list",
    )
