"""PURE: the access-list writes of a database and the organization's view of every list.

``AccessListRequest`` (official document): ``addresses`` of ``AddressRequest`` — address,
enabled and description, all three required — and ``configurations`` with its required
``accessListEnabled``. PUT replaces the whole list, PATCH updates the entries it names,
DELETE without ``addresses`` drops the whole list (the document's summary of
``DeleteAddressesOrAccessListForDatabase``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from bot.astra.http.base import _DB, _WRITE_OK, ApiRequest, ApiResponse, Endpoint
from bot.astra.http.decode import parse_list, parse_model
from bot.astra.models import AccessList
from bot.astra.models.admin import AccessListValidation, AddressEntry
from bot.errors import AstraBadRequest


def access_list_body(
    addresses: Sequence[AddressEntry], enabled: bool | None = None
) -> dict[str, Any]:
    """An ``AccessListRequest``; ``configurations`` only when the list's switch is given."""
    body: dict[str, Any] = {
        "addresses": [
            {"address": a.address, "enabled": a.enabled, "description": a.description}
            for a in addresses
        ]
    }
    if enabled is not None:
        body["configurations"] = {"accessListEnabled": enabled}
    return body


def parse_access_lists(req: ApiRequest, resp: ApiResponse) -> list[AccessList]:
    return parse_list(req, resp, AccessList)


def parse_access_list_validation(req: ApiRequest, resp: ApiResponse) -> AccessListValidation:
    return parse_model(req, resp, AccessListValidation)


def parse_access_list_template(req: ApiRequest, resp: ApiResponse) -> AccessList:
    """The template is an ``AccessListRequest``: an access list without its ids."""
    return parse_model(req, resp, AccessList)


_ACL: Final = f"{_DB}/access-list"
_WRITTEN: Final = frozenset({200, 204})

list_all_access_lists: Final = Endpoint(
    "GET", "/v2/access-lists", "list_all_access_lists", "list the access lists of every database"
)
_REPLACE: Final = Endpoint(
    "PUT", _ACL, "replace_access_list", "replace the access list of database `{db_id}`", _WRITTEN
)
_UPDATE: Final = Endpoint(
    "PATCH", _ACL, "update_access_list", "update the access list of database `{db_id}`", _WRITTEN
)
_CLEAR_SAYS: Final = "delete the whole access list of database `{db_id}`"
clear_access_list: Final = Endpoint("DELETE", _ACL, "clear_access_list", _CLEAR_SAYS, _WRITE_OK)
# The document gives ValidateAccessList no request body, but "validate the structure of an
# access list" needs one: the AccessListRequest that PUT and PATCH take.
_VALIDATE: Final = Endpoint(
    "POST", "/v2/access-list/validate", "validate_access_list", "validate an access list"
)
access_list_template: Final = Endpoint(
    "POST", "/v2/access-list/template", "access_list_template", "get the access-list template"
)


def replace_access_list(
    db_id: str, addresses: Sequence[AddressEntry], enabled: bool | None = None
) -> ApiRequest:
    # An empty PUT would leave the database with no list at all: that is clear_access_list,
    # asked for by name, never the accident of an empty argument.
    if not addresses:
        raise AstraBadRequest("Give at least one address for the new list.", status_code=None)
    return _REPLACE(db_id, json=access_list_body(addresses, enabled))


def update_access_list(
    db_id: str, addresses: Sequence[AddressEntry], enabled: bool | None = None
) -> ApiRequest:
    if not addresses and enabled is None:
        raise AstraBadRequest("Say what to change in the access list.", status_code=None)
    return _UPDATE(db_id, json=access_list_body(addresses, enabled))


def validate_access_list(
    addresses: Sequence[AddressEntry], enabled: bool | None = None
) -> ApiRequest:
    return _VALIDATE(json=access_list_body(addresses, enabled))
