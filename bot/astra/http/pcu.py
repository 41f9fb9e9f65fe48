"""PURE: requests and answers of PCU groups: list, types, create, update, delete, park,
unpark, and the datacenters placed in each (official document, tag ``PCU``).

The document declares only 400 and 5XX for these operations (a group that is not found
is a 400); a list may come back ``null`` when there is none (astrapy's
``list_pcu_groups``: "this response can be in fact a JSON list or even a 'null'")."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final

from pydantic import ValidationError

from bot.astra.http.base import ApiRequest, ApiResponse, Endpoint, _cloud, _seg
from bot.astra.http.decode import parse_list
from bot.astra.http.errors import unreadable
from bot.astra.models.pcu import PcuAssociation, PcuGroup, PcuType
from bot.errors import AstraBadRequest, AstraNotFound

_PCUS: Final = "/v2/pcus"
_GROUP: Final = "`{pcu_group_id}`"

#: pcuGet: the groups whose ids the body names; all of the org's when it names none.
_GET: Final = Endpoint("POST", f"{_PCUS}/actions/get", "list_pcu_groups", "list the PCU groups")
#: pcuGetTypes.
_TYPES: Final = Endpoint("POST", f"{_PCUS}/types", "list_pcu_types", "list the PCU types")
#: pcuGroupGetByDatacenterUUID.
get_datacenter_pcu_group: Final = Endpoint(
    "GET",
    f"{_PCUS}/actions/get/{{dc_id}}",
    "get_datacenter_pcu_group",
    "find the PCU group of datacenter `{dc_id}`",
)
#: pcuCreate (201, the created group in a one-element array).
_CREATE: Final = Endpoint(
    "POST", _PCUS, "create_pcu_group", "create PCU group `{title}`", frozenset({201})
)
#: pcuUpdate.
_UPDATE: Final = Endpoint("PUT", _PCUS, "update_pcu_group", f"update PCU group {_GROUP}")
#: pcuDelete.
delete_pcu_group: Final = Endpoint(
    "DELETE", f"{_PCUS}/{{pcu_group_id}}", "delete_pcu_group", f"delete PCU group {_GROUP}"
)
#: pcuGroupPark (200: the parking has started).
park_pcu_group: Final = Endpoint(
    "POST", f"{_PCUS}/park/{{pcu_group_id}}", "park_pcu_group", f"park PCU group {_GROUP}"
)
#: pcuGroupUnpark (200: the unparking has started).
unpark_pcu_group: Final = Endpoint(
    "POST", f"{_PCUS}/unpark/{{pcu_group_id}}", "unpark_pcu_group", f"unpark PCU group {_GROUP}"
)
#: pcuAssociationGet.
list_pcu_associations: Final = Endpoint(
    "GET",
    f"{_PCUS}/association/{{pcu_group_id}}",
    "list_pcu_associations",
    f"list the datacenters of PCU group {_GROUP}",
)
#: pcuAssociationCreate (201).
associate_pcu_datacenter: Final = Endpoint(
    "POST",
    f"{_PCUS}/association/{{pcu_group_id}}/{{dc_id}}",
    "associate_pcu_datacenter",
    f"place datacenter `{{dc_id}}` in PCU group {_GROUP}",
    frozenset({201}),
)
#: pcuAssociationDelete.
dissociate_pcu_datacenter: Final = Endpoint(
    "DELETE",
    f"{_PCUS}/association/{{pcu_group_id}}/{{dc_id}}",
    "dissociate_pcu_datacenter",
    f"take datacenter `{{dc_id}}` out of PCU group {_GROUP}",
)
#: pcuAssociationTransfer (202).
_TRANSFER: Final = Endpoint(
    "POST",
    f"{_PCUS}/association/transfer",
    "transfer_pcu_association",
    "move datacenter `{dc_id}` from PCU group `{source}` to `{target}`",
    frozenset({202}),
)

#: Longest title and description sent (the document sets none; the portal keeps them short).
MAX_TITLE = 100
MAX_DESCRIPTION = 500


def list_pcu_groups(group_ids: Sequence[str] = ()) -> ApiRequest:
    """No ids: every group of the org, asked with ``{}`` exactly as astrapy asks
    (astrapy/admin/admin.py ``list_pcu_groups``: ``payload={}``)."""
    ids = [_id(g, "PCU group id") for g in group_ids]
    return _GET(json={"pcuGroupUUIDs": ids} if ids else {})


def list_pcu_types(provider: str | None = None, region: str | None = None) -> ApiRequest:
    body: dict[str, str] = {}
    if provider is not None:
        body["provider"] = _cloud(provider, "PCU types")
    if region is not None:
        body["region"] = _text(region, "region", 64)
    return _TYPES(json=body)


def _id(value: str, what: str) -> str:
    """An id that goes in a body, checked as the path segment it is elsewhere."""
    _seg(value, what)
    return value.strip()


def _text(value: str, what: str, limit: int) -> str:
    clean = value.strip() if isinstance(value, str) else ""
    if not clean or len(clean) > limit:
        raise AstraBadRequest(f"A {what} has 1 to {limit} characters.", status_code=None)
    return clean


def _sizes(sizes: dict[str, int | None]) -> dict[str, int]:
    """``min``, ``max``, ``reserved`` as given: whole numbers ≥ 0, ``min`` ≤ ``max``."""
    given = {k: v for k, v in sizes.items() if v is not None}
    for name, value in given.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise AstraBadRequest(f"`{name}` must be a whole number ≥ 0.", status_code=None)
    low, high = given.get("min"), given.get("max")
    if low is not None and high is not None and low > high:
        raise AstraBadRequest("`min` must not be more than `max`.", status_code=None)
    return given


def create_pcu_group(
    title: str,
    provider: str,
    region: str,
    *,
    instance_type: str = "standard",
    provision_type: str = "shared",
    min_pcus: int = 1,
    max_pcus: int = 1,
    reserved: int = 0,
    description: str = "",
) -> ApiRequest:
    """The document's body is a one-element array of ``PCUGroupCreateRequest``; the
    defaults are those of a group created in the Astra portal (shared, standard, 1 PCU)."""
    group: dict[str, Any] = {
        "title": _text(title, "PCU group title", MAX_TITLE),
        "cloudProvider": _cloud(provider, "a PCU group").upper(),
        "region": _text(region, "region", 64),
        "instanceType": _text(instance_type, "instance type", 64),
        "provisionType": _text(provision_type, "provision type", 64),
        **_sizes({"min": min_pcus, "max": max_pcus, "reserved": reserved}),
    }
    if description:
        group["description"] = _text(description, "description", MAX_DESCRIPTION)
    return _CREATE(json=[group], title=group["title"])


def update_pcu_group(
    group_id: str,
    *,
    title: str | None = None,
    instance_type: str | None = None,
    provision_type: str | None = None,
    min_pcus: int | None = None,
    max_pcus: int | None = None,
    reserved: int | None = None,
    description: str | None = None,
) -> ApiRequest:
    """Only the fields given are sent, with the group's id (``PCUGroupUpdateRequest``)."""
    group: dict[str, Any] = {"pcuGroupUUID": _id(group_id, "PCU group id")}
    texts = {"title": title, "instanceType": instance_type, "provisionType": provision_type}
    for key, value in texts.items():
        if value is not None:
            group[key] = _text(value, key, MAX_TITLE)
    if description is not None:
        group["description"] = description.strip()[:MAX_DESCRIPTION]
    group.update(_sizes({"min": min_pcus, "max": max_pcus, "reserved": reserved}))
    if len(group) == 1:
        raise AstraBadRequest("Say what to change in the PCU group.", status_code=None)
    return _UPDATE(json=[group], pcu_group_id=group["pcuGroupUUID"])


def transfer_pcu_association(source: str, target: str, dc_id: str) -> ApiRequest:
    src, dst = _id(source, "PCU group id"), _id(target, "PCU group id")
    dc = _id(dc_id, "datacenter id")
    if src == dst:
        raise AstraBadRequest("The datacenter is in that PCU group already.", status_code=None)
    body = {"fromPCUGroupUUID": src, "toPCUGroupUUID": dst, "datacenterUUID": dc}
    return _TRANSFER(json=body, source=src, target=dst, dc_id=dc)


def _listed(req: ApiRequest, resp: ApiResponse) -> Any:
    """The body, ``null`` read as no entries (astrapy: the list "can be … a 'null'")."""
    if resp.body.strip() == b"null":
        return []
    try:
        return json.loads(resp.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise unreadable(req, resp.status, "not JSON") from exc


def _groups(req: ApiRequest, resp: ApiResponse) -> list[PcuGroup]:
    data = _listed(req, resp)
    if not isinstance(data, list):
        raise unreadable(req, resp.status, "not a list")
    try:
        return [PcuGroup.model_validate(entry) for entry in data]
    except ValidationError as exc:
        raise unreadable(req, resp.status) from exc


def parse_pcu_groups(req: ApiRequest, resp: ApiResponse) -> list[PcuGroup]:
    return _groups(req, resp)


def parse_pcu_group(req: ApiRequest, resp: ApiResponse) -> PcuGroup:
    """The one group asked for (pcuGet of one id, pcuCreate): not there is not found."""
    groups = _groups(req, resp)
    if not groups:
        raise AstraNotFound(
            f"Astra did not return the PCU group when asked to {req.operation}.",
            status_code=resp.status,
            operation=req.operation,
        )
    return groups[0]


def parse_pcu_types(req: ApiRequest, resp: ApiResponse) -> list[PcuType]:
    if resp.body.strip() == b"null":
        return []
    return parse_list(req, resp, PcuType)


def parse_pcu_associations(req: ApiRequest, resp: ApiResponse) -> list[PcuAssociation]:
    if resp.body.strip() == b"null":
        return []
    return parse_list(req, resp, PcuAssociation)
