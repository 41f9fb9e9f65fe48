"""Contract tests of PCU groups, snapshots and clones: every request the client sends and
every answer the emulator gives, validated by openapi-core against the mended official
document (the pattern of tests/test_api_network_contract.py); the long operations
(create, park, unpark, clone) followed on the fake clock; astrapy's PCU listing replayed
byte for byte.

Mends of the document made here, each where the document itself is incomplete:

- ``listSnapshots`` declares its 200 with no content at all: the answer is given the shape
  astra-db-ts reads (``{"snapshots": [{"id", "time"}]}``, astra-db-clone-admin.ts
  ``listSnapshots``), and a 400 (a ``from``/``to`` that is no RFC3339 time, a
  ``sourceRegion`` of no region of the database), as every other read with query
  parameters declares.
"""

from __future__ import annotations

import copy
import inspect
import json
from typing import Any

import httpx
import pytest
from openapi_core import OpenAPI

from bot.astra.calls_pcu import PcuCalls, SnapshotCalls
from bot.astra.client import AstraClient
from bot.astra.emulator import SANDBOX_TOKEN, AstraEmulator
from bot.errors import AstraBadRequest, AstraNotFound
from tests.conftest import FakeClock
from tests.conftest_astra import BASE_URL, Exchange, RecordingTransport, make_client, make_emulator
from tests.test_astra_contract import COVERED as CONTRACT_COVERED
from tests.test_astra_contract import (
    GO,
    OFFICIAL,
    OARequest,
    OAResponse,
    Specs,
    mend_go,
    mend_official,
    scenario_table,
)

pytestmark = pytest.mark.spec


def mend_clone(spec: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    listing = spec["paths"]["/v2/databases/{databaseID}/snapshots"]["get"]["responses"]
    snapshot = {
        "type": "object",
        "required": ["id", "time"],
        "properties": {"id": {"type": "string"}, "time": {"type": "string"}},
    }
    listing["200"]["content"] = {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["snapshots"],
                "properties": {"snapshots": {"type": "array", "items": snapshot}},
            }
        }
    }
    listing["400"] = {"$ref": "#/components/responses/BadRequest"}
    return spec


@pytest.fixture(scope="module")
def specs() -> Specs:
    import yaml

    official = mend_clone(mend_official(json.loads(OFFICIAL.read_text())))
    return Specs(
        OpenAPI.from_dict(official), OpenAPI.from_dict(mend_go(yaml.safe_load(GO.read_text())))
    )


COVERED: set[str] = set()
SCENARIOS, scenario = scenario_table(COVERED, CONTRACT_COVERED)


async def _status(client: AstraClient, group_id: str) -> str:
    return (await client.get_pcu_group(group_id)).status


@scenario("create_pcu_group", "get_pcu_group", "list_pcu_groups", "list_pcu_types")
async def pcu_group_is_created_then_active(
    client: AstraClient, emu: AstraEmulator, clock: FakeClock
) -> None:
    assert await client.list_pcu_groups() == []
    types = await client.list_pcu_types("aws", "us-east-2")
    assert {t.type for t in types} == {"standard", "performance"}
    assert all((t.provider, t.region) == ("aws", "us-east-2") for t in types)
    assert types[0].details.v_cpu
    made = await client.create_pcu_group("orders", "AWS", "us-east-2", max_pcus=4)
    assert (made.title, made.cloud_provider, made.max, made.status) == (
        "orders",
        "AWS",
        4,
        "CREATED",
    )
    assert made.pcu_type is not None and made.pcu_type.type == "standard"
    seen = [made.status]
    for _ in range(8):
        clock.advance(0.01)
        status = await _status(client, made.uuid)
        if status != seen[-1]:
            seen.append(status)
    assert seen == ["CREATED", "PLACING", "INITIALIZING", "ACTIVE"]
    other = await client.create_pcu_group("batch", "gcp", "us-east1")
    assert [g.uuid for g in await client.list_pcu_groups()] == [made.uuid, other.uuid]
    assert [g.uuid for g in await client.list_pcu_groups([other.uuid])] == [other.uuid]
    with pytest.raises(AstraBadRequest):  # a region the cloud does not offer
        await client.create_pcu_group("x", "aws", "us-east1")
    with pytest.raises(AstraBadRequest):  # the document answers 400 for an unknown group
        await client.get_pcu_group("9aaddbb5-4622-447c-9bc5-b036bb9d7ed8")


@scenario("park_pcu_group", "unpark_pcu_group")
async def pcu_group_parks_and_unparks(
    client: AstraClient, emu: AstraEmulator, clock: FakeClock
) -> None:
    group = await client.create_pcu_group("orders", "aws", "us-east-2")
    with pytest.raises(AstraBadRequest):  # not ACTIVE yet
        await client.park_pcu_group(group.uuid)
    clock.advance(1)
    assert await _status(client, group.uuid) == "ACTIVE"
    await client.park_pcu_group(group.uuid)
    assert await _status(client, group.uuid) == "PARKING"
    with pytest.raises(AstraBadRequest):  # not PARKED yet
        await client.unpark_pcu_group(group.uuid)
    clock.advance(1)
    assert await _status(client, group.uuid) == "PARKED"
    with pytest.raises(AstraBadRequest):
        await client.park_pcu_group(group.uuid)
    await client.unpark_pcu_group(group.uuid)
    assert await _status(client, group.uuid) == "UNPARKING"
    clock.advance(1)
    assert await _status(client, group.uuid) == "ACTIVE"


@scenario("update_pcu_group", "delete_pcu_group")
async def pcu_group_is_updated_and_deleted(
    client: AstraClient, emu: AstraEmulator, clock: FakeClock
) -> None:
    group = await client.create_pcu_group("orders", "aws", "us-east-2", max_pcus=2)
    await client.update_pcu_group(group.uuid, title="orders-prod", max_pcus=6, reserved=1)
    got = await client.get_pcu_group(group.uuid)
    assert (got.title, got.min, got.max, got.reserved, got.region) == (
        "orders-prod",
        1,
        6,
        1,
        "us-east-2",
    )
    with pytest.raises(AstraBadRequest):  # min above the max it already has
        await client.update_pcu_group(group.uuid, min_pcus=7)
    assert (await client.get_pcu_group(group.uuid)).min == 1  # unchanged
    await client.delete_pcu_group(group.uuid)
    assert await client.list_pcu_groups() == []
    with pytest.raises(AstraBadRequest):
        await client.delete_pcu_group(group.uuid)


@scenario(
    "list_pcu_associations",
    "associate_pcu_datacenter",
    "dissociate_pcu_datacenter",
    "transfer_pcu_association",
    "get_datacenter_pcu_group",
)
async def pcu_associations(client: AstraClient, emu: AstraEmulator, clock: FakeClock) -> None:
    db = emu.add_database("orders", cloud_provider="AWS", region="us-east-2")
    dc = f"{db}-1"
    one = await client.create_pcu_group("one", "aws", "us-east-2")
    two = await client.create_pcu_group("two", "aws", "us-east-2")
    assert await client.get_datacenter_pcu_group(dc) == []
    await client.associate_pcu_datacenter(one.uuid, dc)
    (assoc,) = await client.list_pcu_associations(one.uuid)
    assert (assoc.datacenter_uuid, assoc.pcu_group_uuid) == (dc, one.uuid)
    assert [g.uuid for g in await client.get_datacenter_pcu_group(dc)] == [one.uuid]
    with pytest.raises(AstraBadRequest):  # a datacenter is in one group at most
        await client.associate_pcu_datacenter(two.uuid, dc)
    with pytest.raises(AstraBadRequest):  # no such datacenter in the org
        await client.associate_pcu_datacenter(one.uuid, f"{db}-9")
    with pytest.raises(AstraBadRequest):  # a group holding datacenters stays
        await client.delete_pcu_group(one.uuid)
    await client.transfer_pcu_association(one.uuid, two.uuid, dc)
    assert await client.list_pcu_associations(one.uuid) == []
    assert [g.uuid for g in await client.get_datacenter_pcu_group(dc)] == [two.uuid]
    with pytest.raises(AstraBadRequest):  # it is no longer in the first group
        await client.transfer_pcu_association(one.uuid, two.uuid, dc)
    await client.dissociate_pcu_datacenter(two.uuid, dc)
    assert await client.list_pcu_associations(two.uuid) == []
    with pytest.raises(AstraBadRequest):
        await client.dissociate_pcu_datacenter(two.uuid, dc)
    with pytest.raises(AstraBadRequest):
        await client.get_datacenter_pcu_group("not-a-datacenter")


@scenario("list_snapshots", "clone_database", "clone_status")
async def clone_from_a_snapshot(client: AstraClient, emu: AstraEmulator, clock: FakeClock) -> None:
    from datetime import UTC, datetime

    source = emu.add_database("prod-orders", keyspaces=["orders", "default_keyspace"])
    target = emu.add_database("restored", keyspaces=["default_keyspace"])
    last_night = emu.add_snapshot(source, "2026-01-02T03:00:00Z")
    snaps = await client.list_snapshots(source)
    assert len(snaps) == 2 and snaps[-1].id == last_night
    since = await client.list_snapshots(source, since=datetime(2026, 1, 2, tzinfo=UTC))
    assert last_night in {s.id for s in since}
    until = await client.list_snapshots(source, until=datetime(2026, 1, 1, tzinfo=UTC))
    assert until == []
    with pytest.raises(AstraBadRequest):
        await client.list_snapshots(source, source_region="eu-west-1")
    with pytest.raises(AstraNotFound):
        await client.clone_database(target, source, "no-such-snapshot")
    started = await client.clone_database(target, source, last_night, source_region="us-east1")
    assert started.status == "RUNNING" and started.operation_id
    assert emu.status_of(target) == "MAINTENANCE"
    with pytest.raises(AstraBadRequest):  # the target is busy
        await client.clone_database(target, source, last_night)
    assert (await client.clone_status(target, started.operation_id)).status == "RUNNING"
    clock.advance(1)
    assert (await client.clone_status(target, started.operation_id)).status == "DONE"
    restored = await client.get_database(target)
    assert restored.status == "ACTIVE"
    assert set(restored.info.keyspaces) == {"orders", "default_keyspace"}
    with pytest.raises(AstraNotFound):  # the operation is the target's, not the source's
        await client.clone_status(source, started.operation_id)


def test_every_pcu_and_snapshot_method_has_a_scenario() -> None:
    mine = {
        name
        for cls in (PcuCalls, SnapshotCalls)
        for name, _ in inspect.getmembers(cls, inspect.iscoroutinefunction)
        if not name.startswith("_") and name in vars(cls)
    }
    assert mine - COVERED == set()


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_scenario_matches_the_spec(name: str, specs: Specs, clock: FakeClock) -> None:
    emu = make_emulator(clock)  # type: ignore[arg-type]
    recorder = RecordingTransport(httpx.ASGITransport(app=emu.app))
    async with make_client(transport=recorder, max_read_retries=0) as client:
        await SCENARIOS[name](client, emu, clock)
    assert recorder.exchanges
    for exchange in recorder.exchanges:
        specs.validate(exchange)


# astrapy 2.3.0 (github:datastax/astrapy @ 3570473), what ``AstraDBAdmin.list_pcu_groups``
# sends and reads:
# - astrapy/admin/admin.py L2474-2481: POST, ``additional_path="pcus/actions/get"`` on the
#   org-wide DevOps commander (base ``https://api.astra.datastax.com`` + ``v2``),
#   ``payload={}``; the answer ``or []`` (a ``null`` is no groups).
# - astrapy/utils/api_commander.py L215-224: headers ``Content-Type: application/json``,
#   ``Accept: application/json``, ``User-Agent: astrapy/<version>``, plus the admin's
#   ``Authorization: Bearer <token>`` (admin.py L478-481, settings/defaults.py L77-78);
#   L426-434: the body is ``json.dumps(payload, separators=(",", ":"))``, i.e. ``{}``.
# - astrapy/data/info/database_info.py L776-826 ``PCUGroupDescriptor._from_dict``:
#   requires ``uuid``, ``cloudProvider``, ``region``; warns on any key outside its set;
#   L656-680 and L583-600 the same for ``pcuType`` and its ``details``.
ASTRAPY_GROUP_KEYS = {
    "uuid",
    "orgId",
    "title",
    "cloudProvider",
    "region",
    "instanceType",
    "pcuType",
    "provisionType",
    "min",
    "max",
    "reserved",
    "description",
    "createdAt",
    "updatedAt",
    "createdBy",
    "updatedBy",
    "status",
}
ASTRAPY_TYPE_KEYS = {"type", "region", "provider", "details"}
ASTRAPY_DETAILS_KEYS = {"vCPU", "memory", "disk_cache"}


def _astrapy_list_pcu_groups_request() -> httpx.Request:
    return httpx.Request(
        "POST",
        f"{BASE_URL}/v2/pcus/actions/get",
        content=json.dumps({}, allow_nan=False, separators=(",", ":"), ensure_ascii=False).encode(),
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": "astrapy/2.3.0",
            "Authorization": f"Bearer {SANDBOX_TOKEN}",
        },
    )


async def test_astrapys_pcu_listing_works_against_the_emulator(
    specs: Specs, clock: FakeClock
) -> None:
    emu = make_emulator(clock)  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=emu.app)
    async with httpx.AsyncClient(transport=transport) as http:
        empty = await http.send(_astrapy_list_pcu_groups_request())
        assert empty.status_code == 200, empty.text
        assert (empty.json() or []) == []
    async with make_client(emu) as client:
        made = await client.create_pcu_group("orders", "aws", "us-east-2")
    request = _astrapy_list_pcu_groups_request()
    assert request.content == b"{}"
    async with httpx.AsyncClient(transport=transport) as http:
        answer = await http.send(request)
    assert answer.status_code == 200, answer.text
    (group,) = answer.json() or []
    assert (group["uuid"], group["cloudProvider"], group["region"]) == (
        made.uuid,
        "AWS",
        "us-east-2",
    )
    assert set(group) <= ASTRAPY_GROUP_KEYS  # astrapy would warn about any other key
    assert set(group["pcuType"]) <= ASTRAPY_TYPE_KEYS
    assert set(group["pcuType"]["details"]) <= ASTRAPY_DETAILS_KEYS
    # astrapy's create pre-check compares the group's cloud and region, lower-cased
    # (admin.py L1270-1274): both are there to compare
    assert (group["cloudProvider"].lower(), group["region"].lower()) == ("aws", "us-east-2")
    specs.validate(Exchange(request, request.content, answer, answer.content))


def _raw_exchange(method: str, path: str, body: Any, status: int, answer: Any) -> Exchange:
    request = httpx.Request(
        method, f"{BASE_URL}{path}", json=body, headers={"Authorization": "Bearer t"}
    )
    response = httpx.Response(status, json=answer, request=request)
    return Exchange(request, request.content, response, response.content)


@pytest.mark.parametrize(
    "exchange",
    [
        # pcuCreate's body is an array of one group, never a bare object
        _raw_exchange("POST", "/v2/pcus", {"title": "x"}, 201, []),
        # a PCU group's min is an integer
        _raw_exchange("POST", "/v2/pcus/actions/get", {}, 200, [{"uuid": "u", "min": "one"}]),
        # cloneStatus is an enum
        _raw_exchange("GET", "/v2/databases/d/cloneStatus/o", None, 200, {"status": "WAITING"}),
        # the mended listSnapshots answer has its list
        _raw_exchange("GET", "/v2/databases/d/snapshots", None, 200, {"items": []}),
    ],
    ids=["create-not-an-array", "min-not-an-integer", "clone-status-unknown", "snapshots-no-list"],
)
def test_validator_catches_violations(exchange: Exchange, specs: Specs) -> None:
    with pytest.raises(pytest.fail.Exception):
        specs.validate(exchange)


# The emulator's refusals of what the client never sends (the builders refuse it first).
RAW: list[tuple[str, str, str, Any, int]] = [
    ("get-not-an-object", "POST", "/v2/pcus/actions/get", [], 400),
    ("get-ids-not-text", "POST", "/v2/pcus/actions/get", {"pcuGroupUUIDs": [1]}, 400),
    ("types-not-an-object", "POST", "/v2/pcus/types", "aws", 400),
    ("create-two", "POST", "/v2/pcus", [{"title": "a"}, {"title": "b"}], 400),
    (
        "create-no-title",
        "POST",
        "/v2/pcus",
        [{"cloudProvider": "AWS", "region": "us-east-2"}],
        400,
    ),
    (
        "create-min-above-max",
        "POST",
        "/v2/pcus",
        [{"title": "t", "cloudProvider": "AWS", "region": "us-east-2", "min": 3, "max": 1}],
        400,
    ),
    (
        "create-bad-instance",
        "POST",
        "/v2/pcus",
        [{"title": "t", "cloudProvider": "AWS", "region": "us-east-2", "instanceType": "huge"}],
        400,
    ),
    ("update-unknown", "PUT", "/v2/pcus", [{"pcuGroupUUID": "nope", "title": "t"}], 400),
    ("update-bad-size", "PUT", "/v2/pcus", [{"pcuGroupUUID": "{group}", "max": -1}], 400),
    ("park-unknown", "POST", "/v2/pcus/park/nope", None, 400),
    ("assoc-unknown-group", "GET", "/v2/pcus/association/nope", None, 400),
    ("transfer-missing-fields", "POST", "/v2/pcus/association/transfer", {}, 400),
    ("snapshots-bad-time", "GET", "/v2/databases/{db}/snapshots?from=yesterday", None, 400),
    ("snapshots-unknown-db", "GET", "/v2/databases/nope/snapshots", None, 404),
    ("clone-no-snapshot-id", "POST", "/v2/databases/{db}/cloneFrom/{db}", None, 400),
    ("clone-into-itself", "POST", "/v2/databases/{db}/cloneFrom/{db}?snapshotID=s", None, 400),
    ("clone-unknown-source", "POST", "/v2/databases/{db}/cloneFrom/nope?snapshotID=s", None, 404),
    ("clone-status-unknown", "GET", "/v2/databases/{db}/cloneStatus/nope", None, 404),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "status"), [r[1:] for r in RAW], ids=[r[0] for r in RAW]
)
async def test_emulator_refusals_are_documented(
    method: str, path: str, body: Any, status: int, specs: Specs, clock: FakeClock
) -> None:
    emu = make_emulator(clock)  # type: ignore[arg-type]
    db = emu.add_database("orders", cloud_provider="AWS", region="us-east-2")
    recorder = RecordingTransport(httpx.ASGITransport(app=emu.app))
    async with make_client(transport=recorder) as client:
        group = await client.create_pcu_group("g", "aws", "us-east-2")
        raw = json.loads(json.dumps(body).replace("{group}", group.uuid))
        url = path.format(db=db, group=group.uuid)
        before = emu.pcu_groups[group.uuid].fields.copy()
        response = await client._http.request(method, url, json=raw)
    assert response.status_code == status, response.text
    assert emu.pcu_groups[group.uuid].fields == before  # a refusal changes nothing
    exchange = recorder.exchanges[-1]
    specs.official.validate_response(OARequest(exchange), OAResponse(exchange))
