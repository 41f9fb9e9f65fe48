"""PURE: writes of the DevOps API access list (``/v2/organizations/{orgId}/devops-acl``).

The official document gives these no operationId. POST adds addresses (201, 409 when one
is there already), PUT replaces the list (200), PATCH updates one address (200), DELETE
removes the whole list and with it the feature (202); POST, PUT and PATCH answer the
list as it is afterwards (``DevOpsAccessListResponse``). Body entries are
``DevOpsIpAddress`` ``{address, description, enabled}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from bot.astra.http.base import _ORG, _WRITE_OK, ApiRequest, ApiResponse, Endpoint
from bot.astra.http.decode import parse_model
from bot.astra.models.admin import AddressEntry, DevOpsAccessList
from bot.errors import AstraBadRequest


def _entry(a: AddressEntry) -> dict[str, object]:
    return {"address": a.address, "description": a.description, "enabled": a.enabled}


def _some(addresses: Sequence[AddressEntry], what: str) -> list[dict[str, object]]:
    if not addresses:
        raise AstraBadRequest(f"Give at least one address {what}.", status_code=None)
    return [_entry(a) for a in addresses]


def parse_devops_access_list(req: ApiRequest, resp: ApiResponse) -> DevOpsAccessList:
    return parse_model(req, resp, DevOpsAccessList)


_ACL: Final = f"{_ORG}/{{org_id}}/devops-acl"
_ADD: Final = Endpoint(
    "POST",
    _ACL,
    "add_devops_access_list",
    "add {addresses} to the DevOps API access list",
    frozenset({200, 201}),
)
_REPLACE: Final = Endpoint(
    "PUT", _ACL, "replace_devops_access_list", "replace the DevOps API access list"
)
_UPDATE: Final = Endpoint(
    "PATCH", _ACL, "update_devops_access_list", "update `{address}` in the DevOps API access list"
)
delete_devops_access_list: Final = Endpoint(
    "DELETE", _ACL, "delete_devops_access_list", "delete the DevOps API access list", _WRITE_OK
)


def add_devops_access_list(org_id: str, addresses: Sequence[AddressEntry]) -> ApiRequest:
    body = _some(addresses, "to add")
    return _ADD(org_id, json=body, addresses=", ".join(f"`{a.address}`" for a in addresses))


def replace_devops_access_list(org_id: str, addresses: Sequence[AddressEntry]) -> ApiRequest:
    # An empty list is delete_devops_access_list, asked for by name.
    return _REPLACE(org_id, json=_some(addresses, "for the new list"))


def update_devops_access_list(org_id: str, address: AddressEntry) -> ApiRequest:
    return _UPDATE(org_id, json=_entry(address), address=address.address)
