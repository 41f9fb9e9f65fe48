"""Change data capture (v3): the requests each builder makes, bad input refused before
sending, and every request and answer of a CDC scenario against the emulator validated
against the official document (the pattern of tests/test_api_pcu_contract.py). The
document is used as it is: no mend is needed for these operations."""

from __future__ import annotations

import inspect
from typing import Any

import httpx
import pytest

from bot.astra.calls_cdc import CdcCalls
from bot.astra.http import ApiRequest, cdc
from bot.astra.models.cdc import CdcRegion, CdcTable
from bot.errors import AstraBadRequest, AstraConflict, AstraNotFound
from tests.conftest import FakeClock
from tests.conftest_astra import RecordingTransport, make_client, make_emulator
from tests.test_api_pcu_contract import specs  # noqa: F401  (the module's fixture)
from tests.test_astra_contract import COVERED as CONTRACT_COVERED
from tests.test_astra_contract import OARequest, OAResponse, Specs

#: The client methods the scenario below drives (counted by tests/test_astra_contract.py).
COVERED = {"get_cdc", "enable_cdc", "update_cdc", "delete_cdc", "get_cdc_table_status"}
CONTRACT_COVERED.update(COVERED)

DB = "3f1c1c2a-5b7e-4c1d-9a3e-0d5f3b1e2a10"
ORDERS = CdcTable(keyspace_name="shop", table_name="orders")


def _region(dc: str, region: str = "us-east1") -> CdcRegion:
    return CdcRegion(
        datacenter_id=dc,
        datacenter_region=region,
        streaming_cluster_name="pulsar-gcp-useast1",
        streaming_tenant_name="cdc-shop",
    )


def cdc_requests(db: str) -> list[ApiRequest]:
    """One request of every operation of this layer (tests/test_metrics.py counts them)."""
    region = _region(f"{db}-1")
    return [
        cdc.get_cdc(db),
        cdc.enable_cdc(db, "shop", [ORDERS], [region]),
        cdc.update_cdc(db, "shop", [ORDERS], [region]),
        cdc.delete_cdc(db, [ORDERS]),
        cdc.get_cdc_table_status(db, "shop", "orders"),
    ]


def test_cdc_requests_are_the_documents() -> None:
    got = [(r.method, r.path, sorted(r.expect)) for r in cdc_requests(DB)]
    base = f"/v3/databases/{DB}"
    assert got == [
        ("GET", f"{base}/cdc", [200]),
        ("POST", f"{base}/cdc", [201]),
        ("PUT", f"{base}/cdc", [201]),
        ("DELETE", f"{base}/cdc", [204]),
        ("GET", f"{base}/keyspaces/shop/tables/orders/cdc", [200]),
    ]
    enable = cdc.enable_cdc(DB, " shop ", [ORDERS, ORDERS], [_region(f"{DB}-1")])
    assert enable.json == {
        "databaseName": "shop",
        "tables": [{"keyspaceName": "shop", "tableName": "orders"}],
        "regions": [
            {
                "datacenterID": f"{DB}-1",
                "datacenterRegion": "us-east1",
                "streamingClusterName": "pulsar-gcp-useast1",
                "streamingTenantName": "cdc-shop",
            }
        ],
    }
    assert cdc.delete_cdc(DB, [ORDERS]).json == {
        "databaseID": DB,
        "tables": [{"keyspaceName": "shop", "tableName": "orders"}],
    }


@pytest.mark.parametrize(
    "build",
    [
        lambda: cdc.enable_cdc(DB, "shop", [], [_region("dc")]),
        lambda: cdc.enable_cdc(DB, " ", [ORDERS], [_region("dc")]),
        lambda: cdc.enable_cdc(DB, "shop", [ORDERS], []),
        lambda: cdc.update_cdc(DB, "shop", [ORDERS], [_region(" ")]),
        lambda: cdc.delete_cdc(DB, [CdcTable(keyspace_name="..", table_name="t")]),
        lambda: cdc.get_cdc_table_status(DB, "shop", ""),
    ],
)
def test_bad_input_is_refused_before_sending(build: Any) -> None:
    with pytest.raises(AstraBadRequest):
        build()


async def test_cdc_scenario_matches_the_spec(specs: Specs, clock: FakeClock) -> None:  # noqa: F811
    emu = make_emulator(clock)  # type: ignore[arg-type]
    db = emu.add_database("shop", keyspaces=["shop", "default_keyspace"], region="us-east1")
    recorder = RecordingTransport(httpx.ASGITransport(app=emu.app))
    region = _region(f"{db}-1")
    async with make_client(transport=recorder, max_read_retries=0) as client:
        empty = await client.get_cdc(db)
        assert (empty.database_name, empty.tables, empty.regions) == ("shop", [], [])
        await client.enable_cdc(db, "shop", [ORDERS], [region])
        with pytest.raises(AstraConflict):  # streams already
            await client.enable_cdc(db, "shop", [ORDERS], [region])
        with pytest.raises(AstraBadRequest):  # no such keyspace
            await client.enable_cdc(
                db, "shop", [CdcTable(keyspace_name="x", table_name="t")], [region]
            )
        with pytest.raises(AstraBadRequest):  # a datacenter of no region of the database
            await client.enable_cdc(db, "shop", [ORDERS], [_region(f"{db}-1", "eu-west-1")])
        got = await client.get_cdc(db)
        assert [(t.keyspace_name, t.table_name) for t in got.tables] == [("shop", "orders")]
        assert got.regions[0].datacenter_id == f"{db}-1"
        (status,) = await client.get_cdc_table_status(db, "shop", "orders")
        assert status.status == "Active" and status.tables == [ORDERS]
        users = CdcTable(keyspace_name="shop", table_name="users")
        await client.update_cdc(db, "shop", [users], [region])
        assert (await client.get_cdc(db)).tables == [users]
        with pytest.raises(AstraNotFound):  # replaced by the update
            await client.get_cdc_table_status(db, "shop", "orders")
        with pytest.raises(AstraNotFound):
            await client.delete_cdc(db, [ORDERS])
        emu.set_status(db, "MAINTENANCE")
        with pytest.raises(AstraConflict):
            await client.delete_cdc(db, [users])
        emu.set_status(db, "ACTIVE")
        await client.delete_cdc(db, [users])
        assert (await client.get_cdc(db)).tables == []
    assert len(recorder.exchanges) == 14  # every call above reached the emulator
    for exchange in recorder.exchanges:
        specs.validate(exchange)


def test_every_cdc_method_is_driven_above() -> None:
    source = inspect.getsource(test_cdc_scenario_matches_the_spec)
    mine = {n for n, _ in inspect.getmembers(CdcCalls, inspect.iscoroutinefunction)}
    assert {n for n in mine if n in vars(CdcCalls)} <= {n for n in mine if f"client.{n}(" in source}


@pytest.mark.parametrize(
    ("method", "body", "status"),
    [
        ("POST", {"databaseName": "other", "tables": [], "regions": []}, 400),
        ("POST", {"databaseName": "shop", "tables": [{"tableName": "t"}], "regions": []}, 400),
        (
            "PUT",
            {"databaseName": "shop", "tables": [{"keyspaceName": "shop", "tableName": "t"}]},
            400,
        ),
        ("DELETE", {"databaseID": "nope", "tables": []}, 400),
        ("DELETE", {"tables": [{"keyspaceName": "shop", "tableName": "t"}]}, 400),
    ],
)
async def test_emulator_refusals_are_documented(
    method: str,
    body: Any,
    status: int,
    specs: Specs,  # noqa: F811
    clock: FakeClock,
) -> None:
    emu = make_emulator(clock)  # type: ignore[arg-type]
    db = emu.add_database("shop", keyspaces=["shop"])
    recorder = RecordingTransport(httpx.ASGITransport(app=emu.app))
    async with make_client(transport=recorder) as client:
        response = await client._http.request(method, f"/v3/databases/{db}/cdc", json=body)
    assert response.status_code == status, response.text
    assert emu.cdc == {}
    exchange = recorder.exchanges[-1]
    specs.official.validate_response(OARequest(exchange), OAResponse(exchange))
