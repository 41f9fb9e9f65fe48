"""AstraClient against the emulator (httpx.ASGITransport), plus the pure layer bot.astra.http.

No timing: the emulator runs on a fake clock and the client's ``sleep`` only records.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.astra import http as api
from bot.astra.client import AstraClient
from bot.astra.emulator import SANDBOX_TOKEN, AstraEmulator
from bot.astra.models import (
    CreateDatabase,
    CreatedToken,
    Database,
    DatabaseInfo,
    Policy,
    Role,
    is_transitional,
)
from bot.errors import (
    ApiErrorItem,
    AstraBadRequest,
    AstraConflict,
    AstraError,
    AstraForbidden,
    AstraNotFound,
    AstraRateLimited,
    AstraServerError,
    AstraUnauthorized,
    AstraUnavailable,
    AstraUnprocessable,
    AstraUnreadable,
)
from tests.conftest_astra import (
    FakeClock,
    FlakyTransport,
    SleepRecorder,
    make_client,
    make_emulator,
    static_transport,
)

ORG_ADMIN = "ad0566b5-2a67-49de-89e8-92258c2f2c98"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emulator(clock: FakeClock) -> AstraEmulator:
    return make_emulator(clock)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
async def client(emulator: AstraEmulator, sleeps: SleepRecorder):
    async with make_client(emulator, sleep=sleeps) as c:
        yield c


# --------------------------------------------------------------------------------------
# databases
# --------------------------------------------------------------------------------------


async def test_create_then_poll_to_active(client: AstraClient, emulator, clock) -> None:
    spec = CreateDatabase(name="orders", cloud_provider="gcp", region="us-east1", keyspace="shop")
    db_id = await client.create_database(spec)
    [req] = emulator.requests
    assert (req.method, req.path, req.status) == ("POST", "/v2/databases", 201)
    assert req.json == {
        "name": "orders",
        "cloudProvider": "GCP",
        "region": "us-east1",
        "tier": "serverless",
        "capacityUnits": 1,
        "keyspace": "shop",
        "dbType": "vector",
    }
    db = await client.get_database(db_id)
    assert (db.id, db.name, db.status, db.keyspaces) == (db_id, "orders", "PENDING", ["shop"])
    assert db.is_transitional
    clock.advance(1)
    db = await client.get_database(db_id)
    assert db.status == "ACTIVE"
    assert db.data_endpoint_url == (f"https://{db_id}-us-east1.apps.astra.datastax.com/api/rest")
    assert db.api_endpoint == f"https://{db_id}-us-east1.apps.astra.datastax.com"
    assert db.info.datacenters[0].id == f"{db_id}-1"


async def test_list_databases_follows_paging_past_100(client, emulator) -> None:
    ids = [emulator.add_database(f"db{i:03}") for i in range(230)]
    dbs = await client.list_databases()
    assert [d.id for d in dbs] == ids
    pages = [r for r in emulator.requests if r.path == "/v2/databases"]
    assert len(pages) == 3
    assert all(r.query["limit"] == ["100"] for r in pages)
    assert "starting_after" not in pages[0].query
    assert pages[1].query["starting_after"] == [ids[99]]
    assert pages[2].query["starting_after"] == [ids[199]]


async def test_list_databases_exact_multiple_asks_one_empty_page(client, emulator) -> None:
    for i in range(4):
        emulator.add_database(f"db{i}")
    dbs = await client.list_databases(page_size=2)
    assert len(dbs) == 4
    assert emulator.count("GET", "/v2/databases") == 3


async def test_list_databases_until_seen_stops_at_the_page_that_completes_them(
    client, emulator
) -> None:
    ids = [emulator.add_database(f"db{i}") for i in range(4)]
    dbs = await client.list_databases(page_size=2, until_seen={ids[1], ids[3]})
    assert [d.id for d in dbs] == ids
    assert emulator.count("GET", "/v2/databases") == 2  # not the empty third page
    emulator.reset_requests()
    # an id that is not there (a database deleted meanwhile): every page, as before
    dbs = await client.list_databases(page_size=2, until_seen={ids[0], "gone"})
    assert len(dbs) == 4
    assert emulator.count("GET", "/v2/databases") == 3


async def test_concurrent_listings_share_one_set_of_requests(client, emulator) -> None:
    """Single flight: listings asked while one is under way wait for it (one request per
    page in all); each caller gets its own list, and its audit journal says so."""
    ids = [emulator.add_database(f"db{i:03}") for i in range(150)]
    emulator.inject_fault(0, method="GET", path_prefix="/v2/databases", latency_s=0.05)

    async def listing() -> tuple[list, list[str]]:
        with client.recording() as calls:
            return await client.list_databases(), calls

    (a, a_calls), (b, b_calls), (c, c_calls) = await asyncio.gather(listing(), listing(), listing())
    assert [d.id for d in a] == [d.id for d in b] == [d.id for d in c] == ids
    assert emulator.count("GET", "/v2/databases") == 2  # two pages, once
    assert a_calls == ["GET /v2/databases → 200"] * 2
    assert b_calls == c_calls == ["GET /v2/databases → 200 (shared)"] * 2
    a.clear()
    assert len(b) == 150  # one caller's list is not another's
    # nothing is cached: a listing that starts after asks Astra again
    await client.list_databases()
    assert emulator.count("GET", "/v2/databases") == 4


async def test_a_failed_shared_listing_fails_every_caller(client, emulator) -> None:
    emulator.add_database("db1")
    emulator.inject_fault(503, count=10, method="GET", path_prefix="/v2/databases")
    results = await asyncio.gather(
        client.list_databases(retries=0), client.list_databases(retries=0), return_exceptions=True
    )
    assert all(isinstance(r, AstraServerError) for r in results), results
    assert emulator.count("GET", "/v2/databases") == 1


async def test_list_databases_caps_page_size_and_filters(client, emulator) -> None:
    gcp = emulator.add_database("a")
    aws = emulator.add_database("b", cloud_provider="AWS", region="us-east-2")
    gone = emulator.add_database("c", "TERMINATED")
    assert [d.id for d in await client.list_databases(page_size=1000)] == [gcp, aws]
    assert emulator.requests[-1].query["limit"] == ["100"]
    assert [d.id for d in await client.list_databases(provider="aws")] == [aws]
    assert emulator.requests[-1].query["provider"] == ["AWS"]
    assert [d.id for d in await client.list_databases(include="all")] == [gcp, aws, gone]


async def test_list_databases_stops_if_server_ignores_cursor() -> None:
    page = [{"id": f"db{i}", "status": "ACTIVE", "info": {"name": f"n{i}"}} for i in range(2)]
    async with make_client(transport=static_transport(200, page)) as c:
        dbs = await c.list_databases(page_size=2)
    assert [d.id for d in dbs] == ["db0", "db1"]


async def test_terminate_park_unpark_resize(client, emulator, clock) -> None:
    classic = emulator.add_database("classic", tier="C10", capacity_units=2)
    await client.resize_database(classic, 4)
    assert emulator.requests[-1].json == {"capacityUnits": 4}
    assert emulator.status_of(classic) == "RESIZING"
    clock.advance(1)
    assert (await client.get_database(classic)).info.capacity_units == 4
    await client.park_database(classic)
    clock.advance(1)
    assert (await client.get_database(classic)).status == "PARKED"
    await client.unpark_database(classic)
    clock.advance(1)
    await client.terminate_database(classic)
    assert [r.status for r in emulator.requests if r.method == "POST"] == [202] * 4
    clock.advance(1)
    db = await client.get_database(classic)
    assert db.status == "TERMINATED"
    assert db.terminated_at is not None


async def test_keyspaces(client, emulator, clock) -> None:
    db_id = emulator.add_database("ks")
    await client.create_keyspace(db_id, "orders")
    assert emulator.status_of(db_id) == "MAINTENANCE"
    clock.advance(1)
    assert "orders" in (await client.get_database(db_id)).keyspaces
    await client.delete_keyspace(db_id, "orders")
    clock.advance(1)
    await client.delete_keyspace(db_id, "never_there")  # 204 is success too
    assert "orders" not in (await client.get_database(db_id)).keyspaces
    assert [r.status for r in emulator.requests if r.path.endswith(("orders", "there"))] == [
        201,
        202,
        204,
    ]


async def test_regions(client, emulator, clock) -> None:
    db_id = emulator.add_database("multi", cloud_provider="AWS", region="us-east-2")
    await client.add_datacenter(db_id, "aws", "eu-west-1")
    assert emulator.requests[-1].json == [
        {
            "tier": "serverless",
            "cloudProvider": "AWS",
            "region": "eu-west-1",
            "capacityUnits": 1,
            "status": "",
        }
    ]
    clock.advance(1)
    dcs = await client.list_datacenters(db_id)
    assert [(d.id, d.region, d.status) for d in dcs] == [
        (f"{db_id}-1", "us-east-2", "ACTIVE"),
        (f"{db_id}-2", "eu-west-1", "ACTIVE"),
    ]
    await client.terminate_datacenter(db_id, f"{db_id}-2")
    clock.advance(1)
    assert len(await client.list_datacenters(db_id)) == 1
    assert len(await client.list_datacenters(db_id, all=True)) == 2
    assert emulator.requests[-1].query == {"all": ["true"]}

    regions = await client.list_serverless_regions()
    assert {"serverless", "vector"} == {r.region_type for r in regions}
    assert any(r.cloud_provider == "GCP" and r.name == "us-east1" for r in regions)
    vector = await client.list_serverless_regions("vector", "enabled")
    assert vector and all(r.region_type == "vector" and r.enabled for r in vector)
    available = await client.list_available_regions()
    assert any(a.region == "us-east-2" and a.database_count_used == 1 for a in available)


async def test_access_lists(client, emulator) -> None:
    db_id = emulator.add_database("acl")
    await client.add_access_list_addresses(
        db_id, [("10.0.0.0/8", "office"), ("192.168.1.7", "vpn")]
    )
    acl = await client.get_access_list(db_id)
    assert acl.configurations.access_list_enabled
    assert [(a.address, a.description, a.enabled) for a in acl.addresses] == [
        ("10.0.0.0/8", "office", True),
        ("192.168.1.7", "vpn", True),
    ]
    await client.delete_access_list_addresses(db_id, ["10.0.0.0/8"])
    assert emulator.requests[-1].query == {"addresses": ["10.0.0.0/8"]}
    assert [a.address for a in (await client.get_access_list(db_id)).addresses] == ["192.168.1.7"]
    with pytest.raises(AstraBadRequest):
        await client.add_access_list_addresses(db_id, [("not-an-ip", "x")])
    org = (await client.current_org()).id
    assert await client.get_devops_access_list(org) == {"addresses": []}


async def test_empty_address_list_is_never_sent(client, emulator) -> None:
    # DELETE without addresses would drop the whole list (official spec summary)
    db_id = emulator.add_database("acl")
    with pytest.raises(AstraBadRequest):
        await client.delete_access_list_addresses(db_id, [])
    assert emulator.requests == []


async def test_secure_bundle_object_and_array(client, emulator) -> None:
    db_id = emulator.add_database(
        "scb", cloud_provider="AWS", region="us-east-2", extra_regions=["eu-west-1"]
    )
    [one] = await client.secure_bundle_urls(db_id)
    assert one.download_url.startswith("https://") and "X-Amz-Expires=300" in one.download_url
    assert one.datacenter_id == f"{db_id}-1"
    assert one.download_url not in repr(one)
    both = await client.secure_bundle_urls(db_id, all_regions=True)
    assert [b.region for b in both] == ["us-east-2", "eu-west-1"]
    assert [r.query for r in emulator.requests] == [{"all": ["false"]}, {"all": ["true"]}]


async def test_org_tokens_roles_users(client, emulator) -> None:
    org = await client.current_org()
    assert org.id == emulator.config.org_id and org.name == "sandbox-org"

    created = await client.create_token([ORG_ADMIN], "ci token")
    secret = created.secret.get_secret_value()
    token = created.token.get_secret_value() if created.token else ""
    assert token.startswith("AstraCS:")
    for text in (repr(created), str(created)):
        assert secret not in text and token not in text
    listed = await client.list_tokens()
    assert created.client_id in [t.client_id for t in listed]
    assert secret not in str(emulator.requests[-1])
    # the new token works until revoked
    async with make_client(emulator, token=token) as other:
        await other.current_org()
        await client.revoke_token(created.client_id)
        with pytest.raises(AstraUnauthorized):
            await other.current_org()

    roles = await client.list_roles()
    names = {r.name for r in roles}
    assert {"Organization Administrator", "Database Administrator", "Read Only User"} <= names
    role = await client.create_role(
        "Auditor", ["org-read", "org-db-view"], [f"drn:astra:org:{org.id}"], "reads only"
    )
    assert isinstance(role, Role) and role.policy.actions == ["org-read", "org-db-view"]
    assert (await client.get_role(role.id)).name == "Auditor"
    await client.delete_role(role.id)
    with pytest.raises(AstraNotFound):
        await client.get_role(role.id)

    await client.invite_user("ana@example.com", org.id, [ORG_ADMIN])
    users = await client.list_users()
    ana = next(u for u in users if u.email == "ana@example.com")
    assert ana.status == "invited" and [r.id for r in ana.roles] == [ORG_ADMIN]
    ro = next(r.id for r in roles if r.name == "Read Only User")
    await client.set_user_roles(ana.user_id, [ro])
    assert [
        r.name for u in await client.list_users() if u.user_id == ana.user_id for r in u.roles
    ] == ["Read Only User"]
    await client.remove_user(ana.user_id)
    assert ana.user_id not in [u.user_id for u in await client.list_users()]


async def test_telemetry_and_read_only_extras(client, emulator) -> None:
    db_id = emulator.add_database("tele")
    assert await client.get_metrics_telemetry(db_id) == {}
    await client.set_metrics_telemetry(db_id, "datadog", {"api_key": "k", "site": "eu"})
    assert emulator.requests[-1].json == {"Datadog": {"api_key": "k", "site": "eu"}}
    assert await client.get_metrics_telemetry(db_id) == {"Datadog": {"api_key": "k", "site": "eu"}}
    with pytest.raises(AstraBadRequest):
        await client.set_metrics_telemetry(db_id, "graphite", {})
    with pytest.raises(AstraBadRequest):  # the emulator checks required fields
        await client.set_metrics_telemetry(db_id, "splunk", {"endpoint": "https://s"})

    org = emulator.config.org_id
    pulsar = {
        "pulsar": {
            "endpoint": "pulsar+ssl://p",
            "topic": "persistent://t/n/a",
            "auth_strategy": "token",
            "token": "tok",
        }
    }
    await client.set_audit_log_streaming(org, pulsar)
    assert await client.get_audit_log_streaming(org) == pulsar
    await client.delete_audit_log_streaming(org)
    assert await client.get_audit_log_streaming(org) == {}

    assert await client.list_private_links() == {"clusters": []}
    assert await client.list_custom_domains() == []
    assert await client.list_kms_keys() == []
    with pytest.raises(AstraNotFound):
        await client.get_vpc_peering("gcp", db_id)
    emulator.set_vpc_peering("gcp", db_id, {"connectionId": "c1", "status": "ACTIVE"})
    assert (await client.get_vpc_peering("GCP", db_id))["connectionId"] == "c1"


def test_every_permissioned_action_is_a_client_method() -> None:
    missing = [name for name in api.PERMISSIONS if not hasattr(AstraClient, name)]
    assert missing == []


# --------------------------------------------------------------------------------------
# error mapping
# --------------------------------------------------------------------------------------

ERRORS = [
    (400, AstraBadRequest),
    (401, AstraUnauthorized),
    (403, AstraForbidden),
    (404, AstraNotFound),
    (409, AstraConflict),
    (422, AstraUnprocessable),
    (429, AstraRateLimited),
    (500, AstraServerError),
    (502, AstraServerError),
    (503, AstraServerError),
    (504, AstraServerError),
]


@pytest.mark.parametrize(("status", "kind"), ERRORS)
async def test_status_maps_to_typed_error(client, emulator, status, kind) -> None:
    db_id = emulator.add_database("victim")
    emulator.inject_fault(status, method="POST", path_prefix=f"/v2/databases/{db_id}")
    with pytest.raises(kind) as caught:
        await client.terminate_database(db_id)
    err = caught.value
    assert type(err) is kind
    assert err.status_code == status
    assert err.operation == f"terminate database `{db_id}`"
    assert f"terminate database `{db_id}`" in err.user_message
    assert f"({status})" in err.user_message
    if status not in (429,):
        assert err.errors == (
            ApiErrorItem(
                id=1_000_000 + status if status != 401 else 340018,
                message=f"Injected fault ({status}).",
            ),
        )
    assert emulator.count("POST") == 1  # never retried


async def test_409_message_reads_well(client, emulator) -> None:
    db_id = emulator.add_database("busy", "MAINTENANCE")
    with pytest.raises(AstraConflict) as caught:
        await client.terminate_database(db_id)
    assert caught.value.user_message.startswith(
        f"Astra refused to terminate database `{db_id}`: the database is not in a valid "
        "state for this operation (409)."
    )
    assert caught.value.hint == "Wait until the database is ACTIVE, then try again."


async def test_403_names_the_permission(client, emulator) -> None:
    db_id = emulator.add_database("x")
    emulator.inject_fault(403)
    with pytest.raises(AstraForbidden) as caught:
        await client.terminate_database(db_id)
    assert "lacks the `org-db-terminate` permission" in caught.value.user_message
    assert "org-db-terminate" in (caught.value.hint or "")


async def test_400_uses_astras_words(client, emulator) -> None:
    with pytest.raises(AstraBadRequest) as caught:
        await client.create_database(
            CreateDatabase(name="x", cloud_provider="GCP", region="mars-north1")
        )
    assert caught.value.user_message == (
        "Astra refused to create database `x`: Region mars-north1 is not available for GCP (400)."
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            b'{"errors":[{"ID":2000367,"message":"PCU group not found"}]}',
            [ApiErrorItem(2000367, "PCU group not found")],
        ),
        (
            b'{"errors":[{"id":"abc","message":"lower-case id"}]}',
            [ApiErrorItem("abc", "lower-case id")],
        ),
        (b'{"errors":[{"message":"no id"}, "junk"]}', [ApiErrorItem(None, "no id")]),
        (b'{"message":"flat"}', [ApiErrorItem(None, "flat")]),
        (b"", []),
        (b"<html>502 Bad Gateway</html>", []),
        (b"upstream timeout", [ApiErrorItem(None, "upstream timeout")]),
        (b'{"errors": null}', []),
        (b"[1, 2]", []),
    ],
)
def test_parse_error_items_tolerates_shapes(raw: bytes, expected) -> None:
    assert api.parse_error_items(raw) == expected


async def test_error_without_body_or_json(emulator) -> None:
    async with make_client(
        transport=static_transport(503, raw=b"<html>oops</html>"), max_read_retries=0
    ) as c:
        with pytest.raises(AstraServerError) as caught:
            await c.list_databases()
    assert caught.value.status_code == 503 and caught.value.errors == ()
    assert "could not list databases (503)" in caught.value.user_message


# --------------------------------------------------------------------------------------
# retries
# --------------------------------------------------------------------------------------


async def test_retry_after_is_honoured_for_reads(client, emulator, sleeps) -> None:
    db_id = emulator.add_database("x")
    emulator.inject_fault(429, count=2, method="GET", retry_after=7)
    db = await client.get_database(db_id)
    assert db.id == db_id
    assert sleeps.delays == [7.0, 7.0]
    assert emulator.count("GET") == 3


async def test_retry_after_is_capped(client, emulator, sleeps) -> None:
    emulator.inject_fault(429, method="GET", retry_after=3600)
    await client.list_databases()
    assert sleeps.delays == [30.0]


async def test_reads_back_off_then_give_up(emulator, sleeps) -> None:
    emulator.inject_fault(503, count=99, method="GET")
    async with make_client(
        emulator, sleep=sleeps, max_read_retries=4, backoff_base=0.5, rand=lambda: 0.999
    ) as c:
        with pytest.raises(AstraServerError) as caught:
            await c.current_org()
    assert caught.value.status_code == 503
    assert emulator.count("GET") == 5
    assert len(sleeps.delays) == 4
    for attempt, delay in enumerate(sleeps.delays):  # full jitter: [0, base·2^n)
        assert 0 <= delay <= 0.5 * 2**attempt


async def test_non_retryable_read_errors_are_not_retried(client, emulator, sleeps) -> None:
    with pytest.raises(AstraNotFound):
        await client.get_database("missing")
    emulator.inject_fault(501, method="GET")
    with pytest.raises(AstraServerError):
        await client.current_org()
    assert sleeps.delays == []
    assert emulator.count("GET") == 2


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_create_is_never_retried(client, emulator, sleeps, status) -> None:
    emulator.inject_fault(status, count=5, retry_after=1 if status == 429 else None)
    with pytest.raises(AstraError):
        await client.create_database(
            CreateDatabase(name="once", cloud_provider="GCP", region="us-east1")
        )
    assert emulator.count("POST", "/v2/databases") == 1
    assert sleeps.delays == []


async def test_writes_are_never_retried(client, emulator, sleeps) -> None:
    db_id = emulator.add_database("x")
    emulator.inject_fault(503, count=10)
    calls = [
        client.terminate_database(db_id),
        client.create_keyspace(db_id, "k"),
        client.delete_keyspace(db_id, "k"),
        client.add_access_list_addresses(db_id, [("1.2.3.4", "x")]),
        client.create_token([ORG_ADMIN]),
        client.revoke_token("c"),
        client.invite_user("a@b.co", "o", [ORG_ADMIN]),
    ]
    for call in calls:
        with pytest.raises(AstraServerError):
            await call
    assert len(emulator.requests) == len(calls)
    assert sleeps.delays == []


async def test_transport_errors_become_unavailable(emulator, sleeps) -> None:
    flaky = FlakyTransport(
        httpx.ASGITransport(app=emulator.app),
        lambda req: httpx.ConnectError("connection refused", request=req),
        failures=2,
    )
    async with make_client(transport=flaky, sleep=sleeps) as c:
        assert (await c.current_org()).id == emulator.config.org_id
    assert len(sleeps.delays) == 2

    dead = FlakyTransport(
        httpx.ASGITransport(app=emulator.app),
        lambda req: httpx.ReadTimeout("slow", request=req),
        failures=99,
    )
    async with make_client(transport=dead, sleep=sleeps, max_read_retries=1) as c:
        with pytest.raises(AstraUnavailable) as caught:
            await c.current_org()
        assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
        assert "timed out" in caught.value.user_message
        dead.calls = 0
        with pytest.raises(AstraUnavailable):
            await c.terminate_database("x")
        assert dead.calls == 1  # a write: once


async def test_slow_answer_fault_still_answers(client, emulator) -> None:
    emulator.inject_fault(0, latency_s=0.001)
    assert (await client.current_org()).id == emulator.config.org_id
    assert emulator.faults == []


# --------------------------------------------------------------------------------------
# secrets
# --------------------------------------------------------------------------------------

SECRET = "AstraCS:TopSecretClientId:" + "f" * 64


async def test_token_never_leaks(emulator, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    async with make_client(emulator, token=SECRET) as c:
        assert SECRET not in repr(c) and SECRET not in str(c)
        with pytest.raises(AstraUnauthorized) as caught:
            await c.list_databases()
    err = caught.value
    for text in (
        str(err),
        repr(err),
        err.user_message,
        err.hint or "",
        *(e.message for e in err.errors),
        caplog.text,
    ):
        assert SECRET not in text
        assert "TopSecretClientId" not in text


async def test_token_echoed_by_api_is_scrubbed(caplog) -> None:
    echo = {"errors": [{"ID": 1, "message": f"bad token {SECRET} for org"}]}
    async with make_client(transport=static_transport(400, echo), token=SECRET) as c:
        with pytest.raises(AstraBadRequest) as caught:
            await c.terminate_database("x")
    assert SECRET not in caught.value.user_message
    assert "bad token [redacted] for org" in caught.value.user_message
    assert all(SECRET not in e.message for e in caught.value.errors)


async def test_bearer_header_is_sent(emulator) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        return httpx.Response(200, json={"id": "o"})

    async with AstraClient(f"Bearer {SECRET}", transport=httpx.MockTransport(handler)) as c:
        await c.current_org()
    assert seen == [f"Bearer {SECRET}"]


# --------------------------------------------------------------------------------------
# tolerant reading
# --------------------------------------------------------------------------------------


async def test_unknown_status_and_fields_are_tolerated(client, emulator) -> None:
    db_id = emulator.add_database("odd")
    emulator.set_status(db_id, "HIBERNATED")
    assert (await client.get_database(db_id)).status == "HIBERNATED"
    emulator.set_status(db_id, "QUANTUM_SUPERPOSITION")
    db = await client.get_database(db_id)
    assert db.status == "QUANTUM_SUPERPOSITION" and not db.is_transitional


async def test_real_shaped_payload_with_extras_and_nulls() -> None:
    payload = [
        {
            "id": "822b0fff",
            "orgId": "o",
            "ownerId": "u",
            "status": "ACTIVE",
            "observedStatus": "ACTIVE",
            "terminationTime": "0001-01-01T00:00:00Z",
            "info": {
                "name": "two",
                "keyspace": "default_keyspace",
                "engineType": None,
                "additionalKeyspaces": None,
                "region": "us-east-2",
                "newInfoField": {"a": 1},
                "datacenters": [
                    {
                        "id": "822b0fff-1",
                        "status": "",
                        "tier": "serverless",
                        "region": "us-east-2",
                        "futureField": True,
                    }
                ],
            },
            "availableActions": ["suspend", "hibernate", "teleport"],
            "cost": {"costPerMinCents": 0.0},
            "studioUrl": None,
            "brandNew": [1, 2],
        }
    ]
    async with make_client(transport=static_transport(200, payload)) as c:
        [db] = await c.list_databases()
    assert db.keyspaces == ["default_keyspace"]
    assert db.available_actions == ["suspend", "hibernate", "teleport"]
    assert db.terminated_at is None
    # no dataEndpointUrl given: derived
    assert db.data_endpoint_url == "https://822b0fff-us-east-2.apps.astra.datastax.com"
    assert db.model_extra is not None and db.model_extra["brandNew"] == [1, 2]


@pytest.mark.parametrize("casing", ["camel", "pascal"])
async def test_roles_and_users_casing_variants(clock, casing) -> None:
    emulator = make_emulator(clock, role_casing=casing, sample_data=True)
    async with make_client(emulator) as c:
        roles = await c.list_roles()
        users = await c.list_users()
        admin = await c.get_role(ORG_ADMIN)
    assert all(r.id and r.name and r.policy.actions for r in roles)
    assert admin.name == "Organization Administrator"
    assert "org-db-terminate" in admin.policy.actions
    assert {u.email for u in users} >= {"alice@example.com", "bob@example.com"}
    assert all(u.user_id and u.status and u.roles for u in users)


async def test_users_as_bare_array_and_tokens_as_array() -> None:
    users = [
        {
            "UserID": "u1",
            "Email": "e@x",
            "Status": "active",
            "Roles": [{"ID": "r", "Name": "R", "Policy": {"actions": ["org-read"]}}],
        }
    ]
    async with make_client(transport=static_transport(200, users)) as c:
        [u] = await c.list_users()
    assert (u.user_id, u.roles[0].id, u.roles[0].policy.actions) == ("u1", "r", ["org-read"])
    tokens = [{"clientId": "c1", "roles": ["r"], "tokenExpiry": None}]
    async with make_client(transport=static_transport(200, tokens)) as c:
        assert [t.client_id for t in await c.list_tokens()] == ["c1"]
    nested = [[{"id": "r1", "name": "n"}]]  # the official getOrganizationRoles schema
    async with make_client(transport=static_transport(200, nested)) as c:
        assert [r.id for r in await c.list_roles()] == ["r1"]


async def test_create_role_answering_only_location() -> None:
    transport = static_transport(201, headers={"Location": "/v2/organizations/roles/r-9"})
    async with make_client(transport=transport) as c:
        assert await c.create_role("n", ["org-read"], ["drn:astra:org:o"]) == "r-9"


async def test_create_database_location_variants() -> None:
    spec = CreateDatabase(name="x", cloud_provider="GCP", region="us-east1")
    for location, expected in [
        ("abc-123", "abc-123"),
        ("https://api.astra.datastax.com/v2/databases/abc-123", "abc-123"),
    ]:
        async with make_client(
            transport=static_transport(201, headers={"Location": location})
        ) as c:
            assert await c.create_database(spec) == expected
    async with make_client(transport=static_transport(201)) as c:
        with pytest.raises(AstraError) as caught:
            await c.create_database(spec)
    assert "did not say the new database's id" in caught.value.user_message
    async with make_client(transport=static_transport(200, {"id": "x"})) as c:
        with pytest.raises(AstraError):  # anything but 201 is not a create
            await c.create_database(spec)


async def test_garbage_body_is_an_astra_error() -> None:
    async with make_client(transport=static_transport(200, raw=b"{not json")) as c:
        with pytest.raises(AstraError) as caught:
            await c.get_database("x")
    assert "could not read" in caught.value.user_message


@pytest.mark.parametrize(
    "body", [b"", b" \n", b"null", b"{}", b'{"id": "x"}', b'"x"', b"3", b"<html>", b"[{]"]
)
def test_a_list_answer_that_cannot_be_read_is_never_an_empty_list(body: bytes) -> None:
    req = api.list_databases()
    with pytest.raises(AstraUnreadable) as caught:
        api.parse_databases(req, api.ApiResponse(status=200, body=body))
    assert caught.value.user_message.startswith(
        "Astra answered the request to list databases with something the bot could not read"
    )
    assert "nothing was changed" in caught.value.user_message
    assert api.parse_databases(req, api.ApiResponse(status=200, body=b"[]")) == []


def test_unreadable_lists_under_a_key_and_a_nil_slice() -> None:
    req = api.list_tokens()
    assert api.parse_tokens(req, api.ApiResponse(200, body=b'{"clients": null}')) == []
    with pytest.raises(AstraUnreadable):
        api.parse_tokens(req, api.ApiResponse(200, body=b'{"other": []}'))
    with pytest.raises(AstraUnreadable) as caught:  # a change: it may have been made
        api.parse_created_token(api.create_token(["r"]), api.ApiResponse(200, body=b"null"))
    assert "check before trying again" in caught.value.user_message


async def test_path_segments_are_escaped_and_dot_ids_refused(client, emulator) -> None:
    for bad in ("..", ".", "", "  "):
        with pytest.raises(AstraBadRequest):
            await client.terminate_database(bad)
    assert emulator.requests == []
    with pytest.raises(AstraNotFound):  # one escaped segment, not /v2/databases/a/b
        await client.get_database("a/b")
    assert len(emulator.requests) == 1


# --------------------------------------------------------------------------------------
# pure helpers
# --------------------------------------------------------------------------------------


def test_parse_retry_after() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert api.parse_retry_after("5", now) == 5.0
    assert api.parse_retry_after("1.5", now) == 1.5
    assert api.parse_retry_after("-3", now) == 0.0
    assert api.parse_retry_after("Wed, 01 Jan 2025 12:00:20 GMT", now) == 20.0
    assert api.parse_retry_after("Wed, 01 Jan 2025 11:00:00 GMT", now) == 0.0
    assert api.parse_retry_after("soon", now) is None
    assert api.parse_retry_after(None, now) is None
    assert api.parse_retry_after("nan", now) is None


def test_429_error_carries_http_date_retry_after() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    req = api.get_database("d")
    resp = api.ApiResponse(429, {"retry-after": "Wed, 01 Jan 2025 12:00:09 GMT"})
    err = api.error_for(req, resp, now=now)
    assert isinstance(err, AstraRateLimited) and err.retry_after == 9.0
    assert "Try again in 9 s" in err.user_message


def test_retry_delay() -> None:
    assert api.retry_delay(0, base=0.5, rand=0.0) == 0.0
    assert api.retry_delay(3, base=0.5, rand=1.0) == 4.0
    assert api.retry_delay(10, base=0.5, rand=1.0) == 30.0
    assert api.retry_delay(2, base=0.5, rand=0.3, retry_after=2.0) == 2.0
    assert api.retry_delay(2, base=0.5, rand=0.3, retry_after=99.0) == 30.0


def test_is_retryable() -> None:
    assert api.is_retryable(AstraServerError("x", status_code=502))
    assert not api.is_retryable(AstraServerError("x", status_code=501))
    assert api.is_retryable(AstraRateLimited("x"))
    assert api.is_retryable(AstraUnavailable("x"))
    assert not api.is_retryable(AstraConflict("x"))


def test_request_builders_are_pure_and_spec_shaped() -> None:
    req = api.list_databases("ALL", "azure", 500, "last-id")
    assert (req.method, req.path) == ("GET", "/v2/databases")
    assert req.params == (
        ("include", "all"),
        ("provider", "AZURE"),
        ("limit", "100"),
        ("starting_after", "last-id"),
    )
    assert api.terminate_database("abc").expect == frozenset({202})
    assert api.create_database(
        CreateDatabase(name="n", cloud_provider="aws", region="r")
    ).expect == frozenset({201})
    assert api.get_role("a b/c").path == "/v2/organizations/roles/a%20b%2Fc"
    assert api.revoke_token("cid").path == "/v2/clientIdSecrets/cid"
    assert api.resize_database("d", 5).json == {"capacityUnits": 5}
    assert not api.create_token(["r"]).is_read
    assert api.get_vpc_peering("GCP", "d").path == "/v2/peering/provider/gcp/database/d"


def test_status_helpers() -> None:
    assert is_transitional("pending") and is_transitional("MAINTENANCE")
    assert not is_transitional("ACTIVE") and not is_transitional("SOMETHING_NEW")


def test_created_token_from_fixture_shape_hides_secrets() -> None:
    data = {
        "clientId": "c",
        "orgId": "o",
        "secret": "s3cr3t-value",
        "roles": ["r"],
        "token": "AstraCS:abc:def",
        "generatedOn": "2025-09-02T19:18:10Z",
    }
    token = CreatedToken.model_validate(data)
    assert token.secret.get_secret_value() == "s3cr3t-value"
    for text in (repr(token), str(token), str(token.model_dump())):
        assert "s3cr3t-value" not in text and "AstraCS:abc:def" not in text


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


KNOWN_KEYS = {k for m in (Database, DatabaseInfo, Role, Policy) for k in m._key_lookup()}


@settings(max_examples=60, deadline=None)
@given(
    extra=st.dictionaries(
        # unknown keys only: none that folds onto a field of the models involved
        st.text(min_size=1, max_size=12).filter(
            lambda k: k.replace("_", "").replace("-", "").lower() not in KNOWN_KEYS
        ),
        JSON,
        max_size=6,
    ),
    status=st.text(max_size=20),
    casing=st.sampled_from([str.lower, str.upper, str.title]),
)
def test_unknown_fields_and_statuses_never_crash(extra, status, casing) -> None:
    data = {
        **extra,
        casing("id"): "d1",
        "status": status,
        "info": {**extra, "name": "n", "keyspaces": None},
    }
    db = Database.model_validate(data)
    assert db.id == "d1" and db.name == "n"
    assert db.status == (status or "UNKNOWN")
    role = Role.model_validate(
        {
            casing("id"): "r",
            casing("name"): "R",
            **extra,
            casing("policy"): {"actions": ["x"], **extra},
        }
    )
    assert (role.id, role.name, role.policy.actions) == ("r", "R", ["x"])


def test_database_model_keyspaces_fallback() -> None:
    db = Database.model_validate(
        {"id": "d", "info": {"keyspace": "a", "additionalKeyspaces": ["b", "a"]}}
    )
    assert db.keyspaces == ["a", "b"]
    assert db.status == "UNKNOWN"


async def test_unknown_token_rejected_by_default_sandbox(emulator) -> None:
    async with make_client(emulator, token="AstraCS:nope") as c:
        with pytest.raises(AstraUnauthorized):
            await c.current_org()
    async with make_client(emulator, token=SANDBOX_TOKEN) as c:
        await c.current_org()


async def test_409_outside_databases_is_a_clash_not_a_database_state() -> None:
    from bot.astra import http as api

    req = api.create_role("ops", ["org-db-view"], ["drn:astra:org:x"], None)
    err = api.error_for(req, api.ApiResponse(status=409, headers={}, body=b""))
    assert "conflicts with what exists" in err.user_message
    assert "database" not in err.user_message and "ACTIVE" not in str(err)
    db_req = api.terminate_database("abc")
    db_err = api.error_for(db_req, api.ApiResponse(status=409, headers={}, body=b""))
    assert "not in a valid state" in db_err.user_message


def test_database_keys_are_read_whatever_their_casing() -> None:
    """NOTES.md §1b: camelCase, PascalCase and snake_case land on the same fields, an exact
    spelling wins over a folded one, unknown keys are kept; and the remembered spellings
    (the parse fast path) give the same answers the second time."""
    from bot.astra.models import Database

    camel = {
        "id": "d1",
        "status": "ACTIVE",
        "info": {"name": "orders", "cloudProvider": "GCP", "region": "us-east1"},
        "newThing": 1,
    }
    pascal = {
        "Id": "d1",
        "Status": "ACTIVE",
        "Info": {"Name": "orders", "CloudProvider": "GCP", "Region": "us-east1"},
    }
    snake = {
        "id": "d1",
        "status": "ACTIVE",
        "info": {"name": "orders", "cloud_provider": "GCP", "region": "us-east1"},
    }
    both = {
        "id": "d1",
        "status": "ACTIVE",
        "info": {"name": "orders", "cloud_provider": "AWS", "cloudProvider": "GCP"},
    }
    for _ in range(2):
        for payload in (camel, pascal, snake, both):
            db = Database.model_validate(payload)
            assert (db.id, db.status, db.info.name, db.info.cloud_provider) == (
                "d1",
                "ACTIVE",
                "orders",
                "GCP",
            ), payload
        assert Database.model_validate(camel).model_extra == {"newThing": 1}


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"capacity_units": -3}, "capacity units"),
        ({"capacity_units": 101}, "capacity units"),
        ({"name": ""}, "name"),
        ({"unknown_field": 1}, "unknown field"),
    ],
)
def test_a_request_astra_would_refuse_is_a_bot_error_not_a_validation_error(
    fields: dict[str, object], says: str
) -> None:
    """The last line of defence behind the parser: a pydantic ValidationError never
    reaches a user; it becomes an error of the bot's own tree, with a sentence."""
    from pydantic import ValidationError

    from bot.errors import BotError

    base: dict[str, object] = {"name": "x", "cloud_provider": "gcp", "region": "us-east1"}
    with pytest.raises(BotError) as exc:
        CreateDatabase(**{**base, **fields})  # type: ignore[arg-type]
    assert not isinstance(exc.value, ValidationError)
    assert says in exc.value.user_message and "nothing was sent" in exc.value.user_message
    assert "pydantic" not in str(exc.value) and "errors.pydantic.dev" not in str(exc.value)


_SAID = b'{"errors": [{"ID": 1, "message": "bad id"}]}'


@pytest.mark.parametrize(
    ("status", "kind", "words"),
    [
        (400, AstraBadRequest, "Astra refused to get database `d1`: bad id (400)."),
        (
            401,
            AstraUnauthorized,
            "the bot's Astra token is invalid or expired (401). Astra said: “bad id.”",
        ),
        (403, AstraForbidden, "the bot's Astra token lacks the `org-db-view` permission (403)."),
        (404, AstraNotFound, "Astra could not get database `d1`: it was not found (404)."),
        (409, AstraConflict, "the database is not in a valid state for this operation (409)."),
        (422, AstraUnprocessable, "Astra refused to get database `d1`: bad id (422)."),
        (429, AstraRateLimited, "refused to get database `d1` (429). Try again in 7 s."),
        (
            503,
            AstraServerError,
            "Astra had an internal error and could not get database `d1` (503)",
        ),
        (418, AstraBadRequest, "Astra refused to get database `d1` (418). Astra said"),
        (302, AstraError, "Astra gave an unexpected answer to get database `d1` (302)."),
    ],
)
def test_error_for_gives_each_status_its_error_and_its_words(
    status: int, kind: type[AstraError], words: str
) -> None:
    err = api.error_for(
        api.get_database("d1"), api.ApiResponse(status, {"retry-after": "7"}, _SAID)
    )
    assert type(err) is kind
    assert words in err.user_message
    assert err.status_code == status


def test_the_astra_layer_imports_nothing_above_it() -> None:
    """astra/ is below the service, the store, the renderer and the work slots (DESIGN §8):
    of the bot, it uses only the error tree and the one redaction."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    above = []
    for path in sorted((root / "bot" / "astra").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            above += [
                f"{path.relative_to(root)}: {n}"
                for n in names
                if n.startswith("bot.")
                and not n.startswith(("bot.astra", "bot.errors", "bot.redact"))
            ]
    assert above == []
