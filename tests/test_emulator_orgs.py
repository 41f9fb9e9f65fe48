"""The emulator tells organizations apart by token, as the real DevOps API does."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.astra.emulator import (
    ERR_INVALID_TOKEN,
    READ_ONLY_ROLE_ID,
    SANDBOX_TOKEN,
    AstraEmulator,
    EmulatorConfig,
    org_id_of,
    org_token,
)
from bot.settings import Settings, check_token_shapes
from tests.conftest_astra import FAST, FakeClock

ORGS = ["sandbox", "sandbox-2"]


@pytest.fixture
def emu() -> AstraEmulator:
    return AstraEmulator(EmulatorConfig(clock=FakeClock(), **FAST), orgs=ORGS)  # type: ignore[arg-type]


@pytest.fixture
async def http(emu: AstraEmulator) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=emu.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://api.test") as c:
        yield c


def auth(org: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {org_token(org)}"}


def test_tokens_and_ids_are_deterministic_and_well_shaped(emu: AstraEmulator) -> None:
    assert org_token("sandbox") == SANDBOX_TOKEN
    assert org_token("sandbox-2") == org_token("sandbox-2") != SANDBOX_TOKEN
    assert org_token("sandbox-2").startswith("AstraCS:sandbox-2:")
    for name in ORGS:
        settings = Settings(_env_file=None, astra_token=org_token(name))  # type: ignore[call-arg]
        assert check_token_shapes(settings, only="ASTRA_DB_APPLICATION_TOKEN") == []
    assert list(emu.orgs) == ORGS
    assert emu.org("sandbox") is emu
    assert emu.org("sandbox-2").config.org_id == org_id_of("sandbox-2") != emu.config.org_id
    with pytest.raises(ValueError):
        AstraEmulator(orgs=["a", "a"])


def test_the_single_org_default_is_unchanged() -> None:
    emu = AstraEmulator()
    assert list(emu.orgs) == ["sandbox"]
    assert emu.config.org_name == "sandbox-org" and emu.config.tokens == {SANDBOX_TOKEN}


async def test_each_token_answers_for_its_own_org(
    emu: AstraEmulator, http: httpx.AsyncClient
) -> None:
    for name in ORGS:
        r = await http.get("/v2/currentOrg", headers=auth(name))
        assert r.status_code == 200
        assert r.json() == {"id": emu.org(name).config.org_id, "name": name}
    r = await http.get("/v2/currentOrg", headers={"Authorization": "Bearer AstraCS:nobody:00"})
    assert r.status_code == 401 and r.json()["errors"][0]["ID"] == ERR_INVALID_TOKEN
    assert [r.org for r in emu.requests] == ["sandbox", "sandbox-2", None]


async def test_orgs_do_not_see_each_others_databases(
    emu: AstraEmulator, http: httpx.AsyncClient
) -> None:
    a = emu.add_database("orders")
    b = emu.org("sandbox-2").add_database("orders")
    for name, mine in (("sandbox", a), ("sandbox-2", b)):
        listed = (await http.get("/v2/databases", headers=auth(name))).json()
        assert [db["id"] for db in listed] == [mine]
        assert listed[0]["orgId"] == emu.org(name).config.org_id


async def test_a_token_of_org_b_cannot_read_or_alter_org_a_database(
    emu: AstraEmulator, http: httpx.AsyncClient
) -> None:
    a = emu.add_database("orders")
    b = auth("sandbox-2")
    for method, path in (
        ("GET", f"/v2/databases/{a}"),
        ("POST", f"/v2/databases/{a}/terminate"),
        ("POST", f"/v2/databases/{a}/keyspaces/ks2"),
        ("GET", f"/v2/databases/{a}/access-list"),
        ("GET", f"/v2/databases/{a}/datacenters"),
    ):
        r = await http.request(method, path, headers=b)
        assert r.status_code == 404, (method, path, r.text)  # NOTES.md: "not found"
        assert "was not found" in r.json()["errors"][0]["message"]
    assert emu.status_of(a) == "ACTIVE" and emu.database_names() == {a: "orders"}
    r = await http.get(f"/v2/organizations/{emu.config.org_id}/devops-acl", headers=b)
    assert r.status_code == 404


async def test_tokens_roles_and_users_are_per_org(
    emu: AstraEmulator, http: httpx.AsyncClient
) -> None:
    emu.add_user("ana@example.com")
    r = await http.post(
        "/v2/tokens", headers=auth("sandbox-2"), json={"roles": [READ_ONLY_ROLE_ID]}
    )
    created = r.json()
    assert r.status_code == 200, r.text
    mine = await http.get("/v2/currentOrg", headers={"Authorization": f"Bearer {created['token']}"})
    assert mine.json()["name"] == "sandbox-2"
    users_b = (await http.get("/v2/organizations/users", headers=auth("sandbox-2"))).json()
    assert "ana@example.com" not in {u["email"] for u in users_b["users"]}
    clients_a = (await http.get("/v2/clientIdSecrets", headers=auth("sandbox"))).json()
    assert created["clientId"] not in {c["clientId"] for c in clients_a["clients"]}


async def test_http_controls_pick_an_org(emu: AstraEmulator, http: httpx.AsyncClient) -> None:
    r = await http.post("/_emulator/databases?org=sandbox-2", json={"name": "bench"})
    assert r.status_code == 201
    db_id = r.json()["id"]
    assert emu.org("sandbox-2").database_names() == {db_id: "bench"}
    assert emu.database_names() == {}
    r = await http.post(
        f"/_emulator/databases/{db_id}/status?org=sandbox-2", json={"status": "PARKED"}
    )
    assert r.status_code == 200 and emu.org("sandbox-2").status_of(db_id) == "PARKED"
    assert (
        await http.post(f"/_emulator/databases/{db_id}/status", json={"status": "X"})
    ).status_code == 404
    assert (await http.post("/_emulator/databases?org=nope", json={"name": "x"})).status_code == 404
    orgs = (await http.get("/_emulator/orgs")).json()
    assert orgs["sandbox-2"] == {"id": org_id_of("sandbox-2"), "name": "sandbox-2"}
    assert (await http.get("/_emulator/health")).json()["databases"] == 1


async def test_a_fault_may_be_one_orgs_only(emu: AstraEmulator, http: httpx.AsyncClient) -> None:
    emu.inject_fault(503, count=5, path_prefix="/v2/databases", org="sandbox-2")
    assert (await http.get("/v2/databases", headers=auth("sandbox"))).status_code == 200
    assert (await http.get("/v2/databases", headers=auth("sandbox-2"))).status_code == 503
    assert [r.org for r in emu.requests] == ["sandbox", "sandbox-2"]
    assert emu.faults[0].count == 4  # the other org's request did not use it up
