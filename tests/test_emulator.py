"""The Astra emulator's state machine and controls, over raw HTTP, driven by a fake clock."""

from __future__ import annotations

import httpx
import pytest

from bot.astra.emulator import ERR_INVALID_TOKEN, REGIONS, SANDBOX_TOKEN, AstraEmulator
from tests.conftest_astra import FAST, FakeClock, make_emulator

AUTH = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emu(clock: FakeClock) -> AstraEmulator:
    return make_emulator(clock)


@pytest.fixture
async def http(emu: AstraEmulator):
    transport = httpx.ASGITransport(app=emu.app)
    async with httpx.AsyncClient(
        transport=transport, base_url="https://api.test", headers=AUTH
    ) as c:
        yield c


def new_db(**overrides):
    body = {
        "name": "orders",
        "cloudProvider": "GCP",
        "region": "us-east1",
        "tier": "serverless",
        "capacityUnits": 1,
        "dbType": "vector",
    }
    body.update(overrides)
    return body


async def status(http: httpx.AsyncClient, db_id: str) -> str:
    r = await http.get(f"/v2/databases/{db_id}")
    assert r.status_code == 200
    return r.json()["status"]


def assert_error(r: httpx.Response, code: int, contains: str = "") -> None:
    assert r.status_code == code, r.text
    body = r.json()
    [err] = body["errors"]
    assert isinstance(err["ID"], int) and isinstance(err["message"], str)
    assert contains in err["message"]


# --------------------------------------------------------------------------------------
# lifecycle
# --------------------------------------------------------------------------------------


async def test_create_pending_initializing_active(http, emu, clock) -> None:
    r = await http.post("/v2/databases", json=new_db(keyspace="shop"))
    assert r.status_code == 201 and r.content == b""
    db_id = r.headers["location"]
    assert await status(http, db_id) == "PENDING"
    clock.advance(FAST["pending_s"])
    assert await status(http, db_id) == "INITIALIZING"
    clock.advance(FAST["initializing_s"])
    body = (await http.get(f"/v2/databases/{db_id}")).json()
    assert body["status"] == "ACTIVE"
    assert body["info"]["keyspace"] == "shop" and body["info"]["keyspaces"] == ["shop"]
    assert body["info"]["datacenters"][0]["id"] == f"{db_id}-1"
    assert body["info"]["datacenters"][0]["status"] == "ACTIVE"
    assert body["dataEndpointUrl"] == f"https://{db_id}-us-east1.apps.astra.datastax.com/api/rest"
    assert body["terminationTime"] == "0001-01-01T00:00:00Z"
    assert "terminate" in body["availableActions"]


async def test_default_keyspace_when_none_given(http) -> None:
    r = await http.post("/v2/databases", json=new_db())
    body = (await http.get(f"/v2/databases/{r.headers['location']}")).json()
    assert body["info"]["keyspace"] == "default_keyspace"


async def test_terminate_then_terminated_still_readable(http, emu, clock) -> None:
    db_id = emu.add_database("x")
    r = await http.post(f"/v2/databases/{db_id}/terminate")
    assert r.status_code == 202
    assert await status(http, db_id) == "TERMINATING"
    listed = (await http.get("/v2/databases")).json()
    assert [d["id"] for d in listed] == [db_id]  # TERMINATING is not yet terminated
    clock.advance(1)
    body = (await http.get(f"/v2/databases/{db_id}")).json()
    assert body["status"] == "TERMINATED"
    assert body["terminationTime"] != "0001-01-01T00:00:00Z"
    assert (await http.get("/v2/databases")).json() == []
    assert [d["id"] for d in (await http.get("/v2/databases?include=all")).json()] == [db_id]
    assert [d["id"] for d in (await http.get("/v2/databases?include=terminated")).json()] == [db_id]
    assert_error(await http.post(f"/v2/databases/{db_id}/terminate"), 409)


@pytest.mark.parametrize("state", ["MAINTENANCE", "RESIZING", "PARKING", "TERMINATING"])
async def test_terminate_refused_in_busy_states(http, emu, state) -> None:
    db_id = emu.add_database("x", state)
    assert_error(await http.post(f"/v2/databases/{db_id}/terminate"), 409, state)


async def test_terminate_with_extra_regions_refused(http, emu, clock) -> None:
    db_id = emu.add_database(
        "x", cloud_provider="AWS", region="us-east-2", extra_regions=["eu-west-1"]
    )
    assert_error(
        await http.post(f"/v2/databases/{db_id}/terminate"), 409, "remove the extra regions first"
    )
    r = await http.post(f"/v2/databases/{db_id}/datacenters/{db_id}-2/terminate")
    assert r.status_code == 202
    assert await status(http, db_id) == "MAINTENANCE"
    clock.advance(1)
    assert await status(http, db_id) == "ACTIVE"
    assert (await http.post(f"/v2/databases/{db_id}/terminate")).status_code == 202


async def test_unknown_database_is_404_everywhere(http) -> None:
    for method, path in [
        ("GET", "/v2/databases/nope"),
        ("POST", "/v2/databases/nope/terminate"),
        ("POST", "/v2/databases/nope/keyspaces/ks"),
        ("GET", "/v2/databases/nope/datacenters"),
        ("GET", "/v2/databases/nope/access-list"),
        ("POST", "/v2/databases/nope/secureBundleURL"),
        ("GET", "/v2/databases/nope/telemetry/metrics"),
    ]:
        assert_error(await http.request(method, path), 404, "nope")


async def test_unknown_endpoint_is_an_error_body(http) -> None:
    assert_error(await http.get("/v2/nothing-here"), 404, "No such endpoint")


# --------------------------------------------------------------------------------------
# keyspaces
# --------------------------------------------------------------------------------------


async def test_keyspace_create_and_drop(http, emu, clock) -> None:
    db_id = emu.add_database("x")
    assert (await http.post(f"/v2/databases/{db_id}/keyspaces/orders")).status_code == 201
    body = (await http.get(f"/v2/databases/{db_id}")).json()
    assert body["status"] == "MAINTENANCE"
    assert "orders" not in body["info"]["keyspaces"]  # applied when maintenance ends
    assert_error(await http.post(f"/v2/databases/{db_id}/keyspaces/other"), 409, "MAINTENANCE")
    clock.advance(FAST["maintenance_s"])
    body = (await http.get(f"/v2/databases/{db_id}")).json()
    assert body["status"] == "ACTIVE"
    assert body["info"]["keyspaces"] == ["default_keyspace", "orders"]
    assert body["info"]["additionalKeyspaces"] == ["orders"]
    assert_error(await http.post(f"/v2/databases/{db_id}/keyspaces/orders"), 409, "already exists")
    assert (await http.delete(f"/v2/databases/{db_id}/keyspaces/orders")).status_code == 202
    assert await status(http, db_id) == "MAINTENANCE"
    clock.advance(1)
    assert "orders" not in (await http.get(f"/v2/databases/{db_id}")).json()["info"]["keyspaces"]
    assert (await http.delete(f"/v2/databases/{db_id}/keyspaces/orders")).status_code == 204


async def test_keyspace_rules(http, emu) -> None:
    db_id = emu.add_database("x", "PARKED", tier="C10")
    assert_error(await http.post(f"/v2/databases/{db_id}/keyspaces/ok"), 409)
    assert_error(await http.delete(f"/v2/databases/{db_id}/keyspaces/default_keyspace"), 409)
    active = emu.add_database("y")
    assert_error(await http.post(f"/v2/databases/{active}/keyspaces/9bad"), 422)
    assert_error(await http.post(f"/v2/databases/{active}/keyspaces/{'k' * 49}"), 422)


# --------------------------------------------------------------------------------------
# park / unpark / resize
# --------------------------------------------------------------------------------------


async def test_park_unpark_classic(http, emu, clock) -> None:
    db_id = emu.add_database("classic", tier="C10")
    assert (await http.post(f"/v2/databases/{db_id}/park")).status_code == 202
    assert await status(http, db_id) == "PARKING"
    assert_error(await http.post(f"/v2/databases/{db_id}/park"), 409)
    clock.advance(1)
    body = (await http.get(f"/v2/databases/{db_id}")).json()
    assert body["status"] == "PARKED" and body["availableActions"] == ["unpark", "terminate"]
    assert body["message"]
    assert (await http.post(f"/v2/databases/{db_id}/unpark")).status_code == 202
    assert await status(http, db_id) == "UNPARKING"
    clock.advance(1)
    assert await status(http, db_id) == "ACTIVE"
    assert_error(await http.post(f"/v2/databases/{db_id}/unpark"), 409)


@pytest.mark.parametrize("action", ["park", "unpark", "resize"])
async def test_serverless_refuses_classic_operations(http, emu, action) -> None:
    db_id = emu.add_database("sl")
    r = await http.post(f"/v2/databases/{db_id}/{action}", json={"capacityUnits": 2})
    assert_error(r, 400, "not supported for serverless")


@pytest.mark.parametrize(
    ("units", "code", "text"),
    [
        (0, 400, "between 1 and 100"),
        (101, 400, "between 1 and 100"),
        ("3", 400, "integer"),
        (2, 400, "reducing"),
        (3, 400, "reducing"),
        (7, 400, "at most 3"),
        (6, 202, ""),
    ],
)
async def test_resize_rules(http, emu, units, code, text) -> None:
    db_id = emu.add_database("c", tier="C10", capacity_units=3)
    r = await http.post(f"/v2/databases/{db_id}/resize", json={"capacityUnits": units})
    if code == 202:
        assert r.status_code == 202
    else:
        assert_error(r, code, text)


async def test_resize_applies_when_done(http, emu, clock) -> None:
    db_id = emu.add_database("c", tier="C10", capacity_units=3)
    await http.post(f"/v2/databases/{db_id}/resize", json={"capacityUnits": 5})
    body = (await http.get(f"/v2/databases/{db_id}")).json()
    assert (body["status"], body["info"]["capacityUnits"]) == ("RESIZING", 3)
    clock.advance(1)
    body = (await http.get(f"/v2/databases/{db_id}")).json()
    assert (body["status"], body["info"]["capacityUnits"]) == ("ACTIVE", 5)
    emu.set_status(db_id, "MAINTENANCE")
    r = await http.post(f"/v2/databases/{db_id}/resize", json={"capacityUnits": 6})
    assert_error(r, 409)


# --------------------------------------------------------------------------------------
# datacenters
# --------------------------------------------------------------------------------------


async def test_datacenters(http, emu, clock) -> None:
    db_id = emu.add_database("multi", cloud_provider="AWS", region="us-east-2")
    dc = {"tier": "serverless", "cloudProvider": "AWS", "region": "eu-west-1", "status": ""}
    r = await http.post(f"/v2/databases/{db_id}/datacenters", json=[dc])
    assert r.status_code == 201
    assert await status(http, db_id) == "MAINTENANCE"
    dcs = (await http.get(f"/v2/databases/{db_id}/datacenters")).json()
    assert [(d["id"], d["status"]) for d in dcs] == [
        (f"{db_id}-1", "ACTIVE"),
        (f"{db_id}-2", "INITIALIZING"),
    ]
    clock.advance(FAST["datacenter_s"])
    assert await status(http, db_id) == "ACTIVE"
    assert_error(
        await http.post(f"/v2/databases/{db_id}/datacenters", json=[dc]),
        409,
        "already has a datacenter",
    )
    gcp = dict(dc, cloudProvider="GCP", region="us-east1")
    assert_error(
        await http.post(f"/v2/databases/{db_id}/datacenters", json=[gcp]), 400, "same cloud"
    )
    bogus = dict(dc, region="moon-1")
    assert_error(
        await http.post(f"/v2/databases/{db_id}/datacenters", json=[bogus]), 400, "not available"
    )
    two = [dict(dc, region="ap-south-1"), dict(dc, region="us-west-2")]
    assert_error(await http.post(f"/v2/databases/{db_id}/datacenters", json=two), 400, "one region")
    assert_error(await http.post(f"/v2/databases/{db_id}/datacenters/{db_id}-9/terminate"), 404)
    assert (
        await http.post(f"/v2/databases/{db_id}/datacenters/{db_id}-2/terminate")
    ).status_code == 202
    clock.advance(1)
    assert len((await http.get(f"/v2/databases/{db_id}/datacenters")).json()) == 1
    every = (await http.get(f"/v2/databases/{db_id}/datacenters?all=true")).json()
    assert [d["status"] for d in every] == ["ACTIVE", "TERMINATED"]
    assert_error(
        await http.post(f"/v2/databases/{db_id}/datacenters/{db_id}-1/terminate"),
        409,
        "last region",
    )


# --------------------------------------------------------------------------------------
# listing and validation
# --------------------------------------------------------------------------------------


async def test_paging_and_filters(http, emu) -> None:
    ids = [
        emu.add_database(
            f"d{i}",
            cloud_provider="AWS" if i % 2 else "GCP",
            region="us-east-2" if i % 2 else "us-east1",
        )
        for i in range(7)
    ]
    assert len((await http.get("/v2/databases")).json()) == 7  # default limit 25
    page = (await http.get("/v2/databases", params={"limit": 3})).json()
    assert [d["id"] for d in page] == ids[:3]
    page = (await http.get("/v2/databases", params={"limit": 3, "starting_after": ids[2]})).json()
    assert [d["id"] for d in page] == ids[3:6]
    aws = (await http.get("/v2/databases", params={"provider": "aws"})).json()
    assert [d["id"] for d in aws] == ids[1::2]
    for bad in (
        {"limit": 0},
        {"limit": "x"},
        {"provider": "ibm"},
        {"include": "sleepy"},
        {"starting_after": "unknown-id"},
    ):
        assert_error(await http.get("/v2/databases", params=bad), 400)


@pytest.mark.parametrize(
    ("body", "code", "text"),
    [
        ({"name": "x"}, 400, "cloudProvider, region, tier, capacityUnits"),
        (new_db(region="us-east-1"), 400, "not available for GCP"),
        (new_db(cloudProvider="ibm"), 400, "cloudProvider"),
        (new_db(tier="gigantic"), 400, "tier"),
        (new_db(capacityUnits=0), 400, "capacityUnits"),
        (new_db(capacityUnits=True), 400, "capacityUnits"),
        (new_db(dbType="graph"), 400, "dbType"),
        (new_db(keyspace="1-bad"), 400, "keyspace"),
        ([1, 2], 422, "could not be parsed"),
    ],
)
async def test_create_validation(http, emu, body, code, text) -> None:
    assert_error(await http.post("/v2/databases", json=body), code, text)
    assert (await http.get("/v2/databases?include=all")).json() == []  # nothing created


async def test_create_with_non_json_body(http) -> None:
    r = await http.post(
        "/v2/databases", content=b"name=x", headers={"Content-Type": "application/json"}
    )
    assert_error(r, 422)


async def test_create_is_case_insensitive_on_cloud(http, emu) -> None:
    r = await http.post("/v2/databases", json=new_db(cloudProvider="azure", region="westeurope"))
    assert r.status_code == 201
    assert emu.database_json(r.headers["location"])["info"]["cloudProvider"] == "AZURE"


async def test_region_catalogue(http) -> None:
    default = (await http.get("/v2/regions/serverless")).json()
    assert {r["region_type"] for r in default} == {"serverless"}
    assert len(default) == len(REGIONS)
    for cloud in ("GCP", "AWS", "AZURE"):
        assert sum(1 for r in default if r["cloudProvider"] == cloud) >= 12
    vector = (await http.get("/v2/regions/serverless?region-type=vector")).json()
    assert vector and {r["region_type"] for r in vector} == {"vector"}
    both = (await http.get("/v2/regions/serverless?region-type=all")).json()
    assert len(both) == len(default) + len(vector)
    enabled = (await http.get("/v2/regions/serverless?filter-by-org=enabled")).json()
    assert all(r["enabled"] for r in enabled) and len(enabled) < len(default)
    names = {(r["cloudProvider"], r["name"]) for r in default}
    assert {
        ("GCP", "us-east1"),
        ("GCP", "europe-west1"),
        ("AWS", "us-east-1"),
        ("AWS", "eu-west-1"),
        ("AZURE", "eastus"),
        ("AZURE", "westeurope"),
    } <= names
    available = (await http.get("/v2/availableRegions")).json()
    assert len(available) == len(REGIONS) and available[0]["cost"]


# --------------------------------------------------------------------------------------
# auth, tokens, roles, users
# --------------------------------------------------------------------------------------


async def test_auth(emu) -> None:
    transport = httpx.ASGITransport(app=emu.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://api.test") as raw:
        for headers in (
            {},
            {"Authorization": "Bearer AstraCS:wrong"},
            {"Authorization": f"Basic {SANDBOX_TOKEN}"},
        ):
            r = await raw.get("/v2/currentOrg", headers=headers)
            assert_error(r, 401)
            assert r.json()["errors"][0]["ID"] == ERR_INVALID_TOKEN
        assert (await raw.get("/v2/currentOrg", headers=AUTH)).status_code == 200
    assert all("authorization" not in str(r).lower() for r in emu.requests)


async def test_tokens_secret_once_and_revoke(http, emu) -> None:
    role = "ad0566b5-2a67-49de-89e8-92258c2f2c98"
    created = (await http.post("/v2/tokens", json={"roles": [role], "description": "ci"})).json()
    assert set(created) >= {"clientId", "secret", "orgId", "roles", "token"}
    listing = (await http.get("/v2/tokens")).text
    assert created["clientId"] in listing
    assert created["secret"] not in listing and created["token"] not in listing
    other = {"Authorization": f"Bearer {created['token']}"}
    assert (await http.get("/v2/currentOrg", headers=other)).status_code == 200
    assert (await http.delete(f"/v2/clientIdSecrets/{created['clientId']}")).status_code == 200
    assert (await http.get("/v2/currentOrg", headers=other)).status_code == 401
    assert_error(await http.delete(f"/v2/clientIdSecrets/{created['clientId']}"), 400)
    assert_error(await http.post("/v2/tokens", json={"roles": []}), 400)
    assert_error(
        await http.post("/v2/tokens", json={"roles": ["no-such-role"]}), 400, "no-such-role"
    )


async def test_sandbox_token_survives_revoking_its_client(http) -> None:
    assert (await http.delete("/v2/clientIdSecrets/sandboxClientId000000000")).status_code == 200
    assert (await http.get("/v2/currentOrg")).status_code == 200


async def test_roles(http) -> None:
    roles = (await http.get("/v2/organizations/roles")).json()
    names = {r["name"] for r in roles}
    assert {"Organization Administrator", "Database Administrator", "Read Only User"} <= names
    policy = {
        "description": "d",
        "actions": ["org-read"],
        "resources": ["drn:astra:org:x"],
        "effect": "allow",
    }
    r = await http.post("/v2/organizations/roles", json={"name": "Auditor", "policy": policy})
    assert r.status_code == 201 and r.json()["name"] == "Auditor"
    role_id = r.json()["id"]
    assert_error(
        await http.post("/v2/organizations/roles", json={"name": "auditor", "policy": policy}), 409
    )
    bad = dict(policy, actions=["org-fly"])
    assert_error(
        await http.post("/v2/organizations/roles", json={"name": "B", "policy": bad}),
        400,
        "org-fly",
    )
    assert_error(await http.post("/v2/organizations/roles", json={"name": "C"}), 400)
    assert (await http.get(f"/v2/organizations/roles/{role_id}")).json()["id"] == role_id
    assert (await http.delete(f"/v2/organizations/roles/{role_id}")).status_code == 204
    assert_error(await http.get(f"/v2/organizations/roles/{role_id}"), 404)


async def test_pascal_casing(clock) -> None:
    emu = make_emulator(clock, role_casing="pascal")
    transport = httpx.ASGITransport(app=emu.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://a", headers=AUTH) as c:
        role = (await c.get("/v2/organizations/roles")).json()[0]
        users = (await c.get("/v2/organizations/users")).json()
    assert set(role) == {"ID", "Name", "Policy"}
    assert set(users) == {"OrgID", "OrgName", "Users"}
    assert set(users["Users"][0]) == {"UserID", "Email", "Status", "Roles"}


async def test_users(http, emu) -> None:
    org = emu.config.org_id
    ro = "8f5ea4a7-1c4b-4a3b-9c55-4ac1b7e6b9a4"
    invite = {"email": "ana@example.com", "orgID": org, "roles": [ro]}
    assert (await http.put("/v2/organizations/users", json=invite)).status_code == 200
    body = (await http.get("/v2/organizations/users")).json()
    assert body["orgID"] == org
    ana = next(u for u in body["users"] if u["email"] == "ana@example.com")
    assert ana["status"] == "invited" and ana["roles"][0]["id"] == ro
    assert_error(await http.put("/v2/organizations/users", json=dict(invite, email="nope")), 400)
    assert_error(await http.put("/v2/organizations/users", json=dict(invite, orgID="other")), 403)
    assert_error(await http.put("/v2/organizations/users", json=dict(invite, roles=["x"])), 400)
    uid = ana["userID"]
    assert_error(await http.put(f"/v2/organizations/users/{uid}/roles", json={"roles": []}), 400)
    assert (
        await http.put(f"/v2/organizations/users/{uid}/roles", json={"roles": [ro]})
    ).status_code == 204
    assert (await http.delete(f"/v2/organizations/users/{uid}")).status_code == 204
    assert_error(await http.delete(f"/v2/organizations/users/{uid}"), 404)


# --------------------------------------------------------------------------------------
# access lists, bundles, telemetry
# --------------------------------------------------------------------------------------


async def test_access_list_validates_cidr(http, emu) -> None:
    db_id = emu.add_database("acl")
    path = f"/v2/databases/{db_id}/access-list"
    for bad in ("300.1.1.1", "10.0.0.0/33", "::1", "example.com", "10.0.0/8"):
        r = await http.post(path, json=[{"address": bad, "enabled": True, "description": ""}])
        assert_error(r, 400, bad)
    assert_error(await http.post(path, json=[{"address": "1.2.3.4"}]), 400, "enabled")
    ok = [
        {"address": "10.1.0.0/16", "enabled": True, "description": "a"},
        {"address": "1.2.3.4", "enabled": False, "description": "b"},
    ]
    assert (await http.post(path, json=ok)).status_code == 204
    acl = (await http.get(path)).json()
    assert acl["databaseId"] == db_id and acl["configurations"] == {"accessListEnabled": True}
    assert [a["address"] for a in acl["addresses"]] == ["10.1.0.0/16", "1.2.3.4"]
    assert (await http.delete(path, params={"addresses": ["1.2.3.4"]})).status_code == 204
    assert [a["address"] for a in (await http.get(path)).json()["addresses"]] == ["10.1.0.0/16"]
    assert (await http.delete(path)).status_code == 204  # no addresses: the whole list
    assert (await http.get(path)).json()["addresses"] == []


async def test_secure_bundle(http, emu) -> None:
    db_id = emu.add_database(
        "scb", cloud_provider="AWS", region="us-east-2", extra_regions=["eu-west-1"]
    )
    one = (await http.post(f"/v2/databases/{db_id}/secureBundleURL")).json()
    assert isinstance(one, dict) and "X-Amz-Expires=300" in one["downloadURL"]
    assert one["datcenterID"] == f"{db_id}-1"
    many = (await http.post(f"/v2/databases/{db_id}/secureBundleURL?all=true")).json()
    assert [b["region"] for b in many] == ["us-east-2", "eu-west-1"]
    pending = emu.add_database("p", "PENDING")
    assert_error(await http.post(f"/v2/databases/{pending}/secureBundleURL"), 409)


async def test_limit_is_capped_at_100_silently(http, emu) -> None:
    # NOTES.md "limit max 100"; astra-cli #213 asks 1000 and gets a page of 100
    ids = [emu.add_database(f"d{i}") for i in range(101)]
    for limit in (101, 1000):
        r = await http.get("/v2/databases", params={"limit": limit})
        assert r.status_code == 200
        assert [d["id"] for d in r.json()] == ids[:100]


async def test_telemetry_store(http, emu) -> None:
    db_id = emu.add_database("t")
    path = f"/v2/databases/{db_id}/telemetry/metrics"
    # nothing configured: the document's 404 with the error body (no 200 body can say so)
    assert_error(await http.get(path), 404, "No telemetry configuration")
    prom = {
        "prometheus_remote": {
            "endpoint": "https://p/api/push",
            "auth_strategy": "bearer",
            "token": "t",
        }
    }
    assert (await http.post(path, json=prom)).status_code == 202
    assert (await http.get(path)).json() == prom
    kafka = {
        "kafka": {
            "bootstrap_servers": ["k:9092"],
            "topic": "t",
            "sasl_mechanism": "PLAIN",
            "sasl_username": "u",
            "sasl_password": "p",
        }
    }
    assert (await http.post(path, json=kafka)).status_code == 202
    assert (await http.get(path)).json() == kafka  # replaces
    for bad, text in [
        ({"graphite": {}}, "Unknown telemetry kind"),
        ({"Datadog": {}}, "api_key"),
        ({"prometheus_remote": {"endpoint": "e", "auth_strategy": "basic"}}, "user, password"),
        ({"pulsar": {"endpoint": "e", "topic": "t", "auth_strategy": "x"}}, "auth_strategy"),
        ({**kafka, **prom}, "one object"),
    ]:
        assert_error(await http.post(path, json=bad), 400, text)
    org = emu.config.org_id
    audit = f"/v2/organizations/{org}/telemetry/auditLogs"
    assert_error(await http.get(audit), 404, "No audit log configuration")
    assert_error(await http.post(audit, json=kafka), 400)
    assert_error(await http.get("/v2/organizations/someone-else/telemetry/auditLogs"), 404)


# --------------------------------------------------------------------------------------
# faults, request log, controls
# --------------------------------------------------------------------------------------


async def test_faults_match_count_and_retry_after(http, emu) -> None:
    emu.inject_fault(429, count=2, method="GET", path_prefix="/v2/databases", retry_after=3)
    assert (await http.post("/v2/databases", json=new_db())).status_code == 201  # POST: no
    assert (await http.get("/v2/currentOrg")).status_code == 200  # other path: no
    for _ in range(2):
        r = await http.get("/v2/databases")
        assert_error(r, 429)
        assert r.headers["retry-after"] == "3"
    assert (await http.get("/v2/databases")).status_code == 200
    assert emu.faults == []
    assert [r.status for r in emu.requests] == [201, 200, 429, 429, 200]


async def test_body_faults_answer_exactly_the_text_given(http, emu) -> None:
    emu.add_database("x")
    emu.inject_fault(200, body="null", method="GET", path_prefix="/v2/databases")
    emu.inject_fault(0, body="", method="GET", path_prefix="/v2/databases")
    r = await http.get("/v2/databases")
    assert (r.status_code, r.content) == (200, b"null")
    r = await http.get("/v2/databases")
    assert (r.status_code, r.content) == (200, b"")
    assert len((await http.get("/v2/databases")).json()) == 1
    r = await http.post("/_emulator/faults", json={"status": 200, "body": "[{]"})
    assert r.status_code == 201 and r.json()["body"] == "[{]"
    assert (await http.get("/v2/currentOrg")).content == b"[{]"


async def test_fault_precedes_auth(emu) -> None:
    emu.inject_fault(503)
    transport = httpx.ASGITransport(app=emu.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://a") as raw:
        assert_error(await raw.get("/v2/currentOrg"), 503)


async def test_request_log(http, emu) -> None:
    db_id = emu.add_database("x")
    await http.get("/v2/databases", params={"limit": 5})
    await http.post(f"/v2/databases/{db_id}/resize", json={"capacityUnits": 2})
    first, second = emu.requests
    assert (first.method, first.path, first.query, first.status) == (
        "GET",
        "/v2/databases",
        {"limit": ["5"]},
        200,
    )
    assert (second.method, second.json, second.status) == ("POST", {"capacityUnits": 2}, 400)
    assert (emu.reads_count, emu.writes_count, emu.count("POST", "/v2/databases/")) == (1, 1, 1)
    emu.reset_requests()
    assert emu.requests == [] and emu.reads_count == 0


async def test_http_controls(http, emu, clock) -> None:
    r = await http.post(
        "/_emulator/databases", json={"name": "bench", "status": "PENDING", "region": "us-central1"}
    )
    assert r.status_code == 201
    db_id = r.json()["id"]
    assert await status(http, db_id) == "PENDING"
    r = await http.post(f"/_emulator/databases/{db_id}/status", json={"status": "ERROR"})
    assert r.status_code == 200 and await status(http, db_id) == "ERROR"
    assert_error(await http.post("/_emulator/databases/zzz/status", json={"status": "X"}), 404)
    r = await http.post("/_emulator/faults", json={"status": 500, "count": 1, "method": "GET"})
    assert r.status_code == 201
    assert len((await http.get("/_emulator/faults")).json()) == 1
    assert_error(await http.get("/v2/currentOrg"), 500)
    await http.post("/_emulator/faults", json={"status": 500})
    assert (await http.delete("/_emulator/faults")).status_code == 204
    log = (await http.get("/_emulator/requests")).json()
    assert [e["path"] for e in log][-1] == "/v2/currentOrg"  # controls are not recorded
    assert all(not e["path"].startswith("/_emulator") for e in log)
    assert (await http.get("/_emulator/requests", params={"since": len(log)})).json() == []
    assert (await http.delete("/_emulator/requests")).status_code == 204
    assert emu.requests == []
    await http.post(f"/v2/databases/{emu.add_database('k')}/keyspaces/ks")
    assert (await http.post("/_emulator/settle")).status_code == 204
    assert all(d["status"] != "MAINTENANCE" for d in (await http.get("/v2/databases")).json())
    health = (await http.get("/_emulator/health")).json()
    assert health["ok"] is True and health["databases"] == 2


async def test_settle_and_set_status_helpers(emu) -> None:
    transport = httpx.ASGITransport(app=emu.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://a", headers=AUTH) as c:
        db_id = (await c.post("/v2/databases", json=new_db())).headers["location"]
    assert emu.status_of(db_id) == "PENDING"
    emu.settle()
    assert emu.status_of(db_id) == "ACTIVE"
    emu.set_status(db_id, "TERMINATED")
    assert emu.database_json(db_id)["terminationTime"] != "0001-01-01T00:00:00Z"
    with pytest.raises(KeyError):
        emu.set_status("missing", "ACTIVE")


def test_database_names_and_forget_by_prefix(emu) -> None:
    keep = emu.add_database("keep-1")
    gone = [emu.add_database("bench-1"), emu.add_database("bench-2")]
    assert emu.database_names("bench-") == {gone[0]: "bench-1", gone[1]: "bench-2"}
    assert emu.forget_databases("bench-") == 2
    assert emu.database_names() == {keep: "keep-1"}
    with pytest.raises(KeyError):
        emu.status_of(gone[0])


async def test_sample_data_and_zero_durations(clock) -> None:
    emu = make_emulator(clock, sample_data=True, pending_s=0, initializing_s=0)
    transport = httpx.ASGITransport(app=emu.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://a", headers=AUTH) as c:
        names = [d["info"]["name"] for d in (await c.get("/v2/databases")).json()]
        db_id = (await c.post("/v2/databases", json=new_db())).headers["location"]
        assert (await c.get(f"/v2/databases/{db_id}")).json()["status"] == "ACTIVE"
    assert names == ["hi", "two_regions_db"]


async def test_latency_setting_answers_normally(clock) -> None:
    emu = make_emulator(clock, latency_s=0.001)
    transport = httpx.ASGITransport(app=emu.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://a", headers=AUTH) as c:
        assert (await c.get("/v2/currentOrg")).status_code == 200


async def test_controls_can_be_disabled(clock) -> None:
    emu = make_emulator(clock, controls=False)
    transport = httpx.ASGITransport(app=emu.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://a") as c:
        assert_error(await c.get("/_emulator/health"), 401)
