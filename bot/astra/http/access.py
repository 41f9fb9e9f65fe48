"""PURE: requests and answers of access lists: a database's addresses, the DevOps API's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from pydantic import ValidationError

from bot.astra.http.base import _DB, _ORG, _WRITE_OK, ApiRequest, ApiResponse, Endpoint
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


_ACL: Final = f"{_DB}/access-list"

get_access_list: Final = Endpoint(
    "GET", _ACL, "get_access_list", "get the access list of database `{db_id}`"
)
#: "{change}" is "add `a`, `b` to" or "remove `a` from"
_CHANGE: Final = "{change} the access list of database `{db_id}`"
_ADDED: Final = frozenset({200, 201, 204})
_ADD: Final = Endpoint("POST", _ACL, "add_access_list_addresses", _CHANGE, _ADDED)
_DELETE: Final = Endpoint("DELETE", _ACL, "delete_access_list_addresses", _CHANGE, _WRITE_OK)
get_devops_access_list: Final = Endpoint(
    "GET",
    f"{_ORG}/{{org_id}}/devops-acl",
    "get_devops_access_list",
    "get the DevOps API access list",
)


def _named(addresses: Sequence[str]) -> str:
    return ", ".join(f"`{a}`" for a in addresses)


def add_access_list_addresses(db_id: str, addresses: Sequence[tuple[str, str]]) -> ApiRequest:
    # AddressRequest requires address, enabled and description (official spec)
    body = [{"address": a, "enabled": True, "description": d} for a, d in addresses]
    if not body:
        raise AstraBadRequest("Give at least one address to add.", status_code=None)
    return _ADD(db_id, json=body, change=f"add {_named([a for a, _ in addresses])} to")


def delete_access_list_addresses(db_id: str, addresses: Sequence[str]) -> ApiRequest:
    # Without ``addresses`` the API deletes the *whole* list (spec summary): never send that.
    if not addresses:
        raise AstraBadRequest("Give at least one address to remove.", status_code=None)
    params = tuple(("addresses", a) for a in addresses)
    return _DELETE(db_id, params=params, change=f"remove {_named(addresses)} from")
