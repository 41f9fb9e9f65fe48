"""PCU groups: list, types, create, update, delete, park, unpark, associations.

The document declares only 400 (and 5XX) for the ``PCU`` tag, so every refusal is a 400,
a group or datacenter that is not found too. Statuses are the Java SDK's
``PcuGroupStatusType``; a new group is CREATED (astra-cli's lifecycle test reads CREATED
right after ``pcu create``), then PLACING, INITIALIZING and ACTIVE; park is PARKING then
PARKED, unpark UNPARKING then ACTIVE, over the database durations of the config. Chosen
where the document is silent: only an ACTIVE group parks and only a PARKED one unparks; a
group holding datacenters is not deleted; a datacenter is in at most one group; the PUT
changes only the fields it carries.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.astra.emulator.catalogue import REGIONS, SANDBOX_CLIENT_ID
from bot.astra.emulator.responses import _empty, _error
from bot.astra.emulator.routes.common import RouteBase, given, route
from bot.astra.emulator.state import _iso, _Transition

_PCUS: Final = "/v2/pcus"
_SIZES: Final = ("min", "max", "reserved")
_TEXTS: Final = ("title", "instanceType", "provisionType", "description")
#: park and unpark: the status each starts from, the one it passes through, where it ends.
_FLIPS: Final = {
    "park": ("ACTIVE", "PARKING", "PARKED"),
    "unpark": ("PARKED", "UNPARKING", "ACTIVE"),
}

#: The PCU types offered in every region (invented sizes; the document gives none).
_TYPES: Final = (
    ("standard", 4, "16GiB", "100GiB"),
    ("performance", 8, "32GiB", "200GiB"),
)


@dataclass
class PcuGroupState:
    """One group as the emulator keeps it: its document fields and its timeline."""

    fields: dict[str, Any]
    timeline: list[_Transition] = field(default_factory=list)
    #: datacenter id → its association
    associations: dict[str, dict[str, Any]] = field(default_factory=dict)


def _type_json(name: str, provider: str, region: str) -> dict[str, Any]:
    _, cpus, memory, disk = next(t for t in _TYPES if t[0] == name)
    return {
        "type": name,
        "region": region,
        "provider": provider.lower(),
        "details": {"vCPU": cpus, "memory": memory, "disk_cache": disk},
    }


def _bad_sizes(group: dict[str, Any]) -> str | None:
    for name in _SIZES:
        value = group.get(name)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            return f"{name} must be a whole number ≥ 0."
    if group.get("min", 0) > group.get("max", 0):
        return "min must not be more than max."
    return None


def _one(body: Any) -> dict[str, Any] | str:
    """The single group of a create or update body (an array of exactly one), or why not."""
    if not isinstance(body, list) or len(body) != 1 or not isinstance(body[0], dict):
        return "The body must be an array of exactly one PCU group."
    return body[0]


def _new_group_error(group: dict[str, Any]) -> str | None:
    for key in ("title", "cloudProvider", "region"):
        if not isinstance(group.get(key), str) or not group[key].strip():
            return f"Missing required field: {key}."
    cloud = group["cloudProvider"].upper()
    if not any(c == cloud and r == group["region"] for c, r, *_ in REGIONS):
        return f"Region {group['region']} is not available for {cloud}."
    if group.get("instanceType", "standard") not in {t[0] for t in _TYPES}:
        return f"Invalid instanceType {group.get('instanceType')}."
    return _bad_sizes(group)


def _group(org: PcuRoutes, request: Request) -> tuple[PcuGroupState] | Response:
    """The path's group of the token's org, or the 400 (the document declares no 404)."""
    group_id = request.path_params["pcu_group_id"]
    group = org._pcu(group_id)
    return _error(400, f"PCU group {group_id} was not found.") if group is None else (group,)


def _group_and_dc(org: PcuRoutes, request: Request) -> tuple[PcuGroupState, str] | Response:
    """The path's group and a datacenter of one of the org's databases, or the 400."""
    found = _group(org, request)
    if isinstance(found, Response):
        return found
    dc_id = request.path_params["dc_id"]
    if dc_id not in org._datacenter_ids():
        return _error(400, f"Datacenter {dc_id} was not found.")
    return found[0], dc_id


class PcuRoutes(RouteBase):
    """``/v2/pcus…``."""

    @cached_property
    def pcu_groups(self) -> dict[str, PcuGroupState]:
        """The org's PCU groups by id."""
        return {}

    # ---------------------------------------------------------------- state

    def _pcu(self, group_id: str) -> PcuGroupState | None:
        group = self.pcu_groups.get(group_id)
        if group is not None:
            now = self.now()
            while group.timeline and group.timeline[0].at <= now:
                group.fields["status"] = group.timeline.pop(0).status
        return group

    def _pcu_steps(self, group: PcuGroupState, status: str, *steps: tuple[float, str]) -> None:
        group.fields["status"] = status
        group.fields["updatedAt"] = _iso()
        group.timeline.clear()
        at = self.now()
        for after, nxt in steps:
            at += max(after, 0.0)
            group.timeline.append(_Transition(at, nxt))
        self._pcu(group.fields["uuid"])

    def _pcu_json(self, group: PcuGroupState) -> dict[str, Any]:
        f = group.fields
        return {**f, "pcuType": _type_json(f["instanceType"], f["cloudProvider"], f["region"])}

    def _datacenter_ids(self) -> set[str]:
        return {dc.id for db in self._dbs.values() for dc in db.live_datacenters()}

    # ---------------------------------------------------------------- groups

    @route("POST", f"{_PCUS}/actions/get")
    async def _pcu_get(self, request: Request, body: Any) -> Response:
        if not isinstance(body, dict):
            return _error(400, "The body must be an object.")
        ids = body.get("pcuGroupUUIDs") or list(self.pcu_groups)
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            return _error(400, "pcuGroupUUIDs must be a list of ids.")
        missing = [i for i in ids if i not in self.pcu_groups]
        if missing:
            return _error(400, f"PCU group {missing[0]} was not found.")
        return JSONResponse([self._pcu_json(g) for i in ids if (g := self._pcu(i))])

    @route("POST", f"{_PCUS}/types")
    async def _pcu_types(self, request: Request, body: Any) -> Response:
        if not isinstance(body, dict):
            return _error(400, "The body must be an object.")
        provider, region = body.get("provider"), body.get("region")
        found = [
            _type_json(name, cloud, reg)
            for cloud, reg, *_ in REGIONS
            for name, *_ in _TYPES
            if (provider is None or str(provider).upper() == cloud)
            and (region is None or region == reg)
        ]
        return JSONResponse(found)

    @route("GET", f"{_PCUS}/actions/get/{{dc_id}}")
    async def _pcu_of_datacenter(self, request: Request, body: Any) -> Response:
        dc_id = request.path_params["dc_id"]
        if dc_id not in self._datacenter_ids():
            return _error(400, f"Datacenter {dc_id} was not found.")
        held = [g for g in self.pcu_groups.values() if dc_id in g.associations]
        return JSONResponse([self._pcu_json(g) for g in held if self._pcu(g.fields["uuid"])])

    @route("POST", _PCUS)
    async def _pcu_create(self, request: Request, body: Any) -> Response:
        group = _one(body)
        refused = group if isinstance(group, str) else _new_group_error(group)
        if refused is not None:
            return _error(400, refused)
        assert isinstance(group, dict)
        now = _iso()
        fields: dict[str, Any] = {
            "uuid": str(uuid.uuid4()),
            "orgId": self.config.org_id,
            "title": group["title"].strip(),
            "cloudProvider": group["cloudProvider"].upper(),
            "region": group["region"],
            "instanceType": group.get("instanceType", "standard"),
            "provisionType": group.get("provisionType", "shared"),
            "min": group.get("min", 1),
            "max": group.get("max", group.get("min", 1)),
            "reserved": group.get("reserved", 0),
            "description": group.get("description", ""),
            "createdAt": now,
            "updatedAt": now,
            "createdBy": SANDBOX_CLIENT_ID,
            "updatedBy": SANDBOX_CLIENT_ID,
            "status": "CREATED",
        }
        state = PcuGroupState(fields)
        self.pcu_groups[fields["uuid"]] = state
        c = self.config
        self._pcu_steps(
            state,
            "CREATED",
            (c.pending_s, "PLACING"),
            (c.pending_s, "INITIALIZING"),
            (c.initializing_s, "ACTIVE"),
        )
        return JSONResponse([self._pcu_json(state)], status_code=201)

    @route("PUT", _PCUS)
    async def _pcu_update(self, request: Request, body: Any) -> Response:
        change = _one(body)
        if isinstance(change, str):
            return _error(400, change)
        group = self._pcu(str(change.get("pcuGroupUUID")))
        if group is None:
            return _error(400, f"PCU group {change.get('pcuGroupUUID')} was not found.")
        changed: dict[str, Any] = {k: change[k] for k in (*_SIZES, *_TEXTS) if k in change}
        merged = {**group.fields, **changed}
        refused = _bad_sizes(merged)
        if refused is not None:
            return _error(400, refused)
        if merged["instanceType"] not in {t[0] for t in _TYPES}:
            return _error(400, f"Invalid instanceType {merged['instanceType']}.")
        group.fields.update(merged, updatedAt=_iso())
        return _empty(200)

    @route("DELETE", f"{_PCUS}/{{pcu_group_id}}")
    @given(_group)
    async def _pcu_delete(self, group: PcuGroupState, request: Request, body: Any) -> Response:
        if group.associations:
            return _error(400, "The PCU group still holds datacenters: move or remove them first.")
        del self.pcu_groups[group.fields["uuid"]]
        return _empty(200)

    @route("POST", f"{_PCUS}/park/{{pcu_group_id}}")
    @route("POST", f"{_PCUS}/unpark/{{pcu_group_id}}")
    @given(_group)
    async def _pcu_flip(self, group: PcuGroupState, request: Request, body: Any) -> Response:
        """pcuGroupPark and pcuGroupUnpark: allowed from one status, then a timed passage."""
        verb = request.url.path.rstrip("/").split("/")[-2]
        start, passing, done = _FLIPS[verb]
        if group.fields["status"] != start:
            return _error(400, f"Cannot {verb} a PCU group while {group.fields['status']}.")
        seconds = self.config.parking_s if verb == "park" else self.config.unparking_s
        self._pcu_steps(group, passing, (seconds, done))
        return _empty(200)

    # ---------------------------------------------------------------- associations

    @route("GET", f"{_PCUS}/association/{{pcu_group_id}}")
    @given(_group)
    async def _pcu_associations(
        self, group: PcuGroupState, request: Request, body: Any
    ) -> Response:
        return JSONResponse(list(group.associations.values()))

    def _association(self, group_id: str, dc_id: str) -> dict[str, Any]:
        now = _iso()
        return {
            "datacenterUUID": dc_id,
            "pcuGroupUUID": group_id,
            "provisioningStatus": "Accepted",
            "createdAt": now,
            "updatedAt": now,
            "createdBy": SANDBOX_CLIENT_ID,
            "updatedBy": SANDBOX_CLIENT_ID,
        }

    @route("POST", f"{_PCUS}/association/{{pcu_group_id}}/{{dc_id}}")
    @given(_group_and_dc)
    async def _pcu_associate(
        self, group: PcuGroupState, dc_id: str, request: Request, body: Any
    ) -> Response:
        holder = next((g for g in self.pcu_groups.values() if dc_id in g.associations), None)
        if holder is not None:
            return _error(400, f"Datacenter {dc_id} is in PCU group {holder.fields['uuid']}.")
        group.associations[dc_id] = self._association(group.fields["uuid"], dc_id)
        return _empty(201)

    @route("DELETE", f"{_PCUS}/association/{{pcu_group_id}}/{{dc_id}}")
    @given(_group_and_dc)
    async def _pcu_dissociate(
        self, group: PcuGroupState, dc_id: str, request: Request, body: Any
    ) -> Response:
        if group.associations.pop(dc_id, None) is None:
            return _error(400, f"Datacenter {dc_id} is not in this PCU group.")
        return _empty(200)

    @route("POST", f"{_PCUS}/association/transfer")
    async def _pcu_transfer(self, request: Request, body: Any) -> Response:
        keys = ("fromPCUGroupUUID", "toPCUGroupUUID", "datacenterUUID")
        if not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in keys):
            return _error(400, f"The body must name {', '.join(keys)}.")
        source, target = self._pcu(body[keys[0]]), self._pcu(body[keys[1]])
        dc_id = body["datacenterUUID"]
        if source is None or target is None:
            return _error(400, "PCU group was not found.")
        if dc_id not in source.associations:
            return _error(400, f"Datacenter {dc_id} is not in PCU group {body[keys[0]]}.")
        if source is target:
            return _error(400, "The datacenter is in that PCU group already.")
        del source.associations[dc_id]
        target.associations[dc_id] = self._association(target.fields["uuid"], dc_id)
        return _empty(202)
