"""Contract tests of the access-control and database-administration operations: every
request the client makes, and every answer the emulator gives, validated against the
mended official document (as tests/test_astra_contract.py does for the rest), and what the
emulator does with each (state, refusals).

Operations: GetAllAccessListsForOrganization, UpsertAccessListForDatabase,
UpdateAccessListForDatabase, DeleteAddressesOrAccessListForDatabase (whole list),
ValidateAccessList, GetAccessListTemplate, the DevOps API access list's POST/PUT/PATCH/DELETE,
updateRole, getClientsForOrg, generateTokenForClient, resetPassword, updateEngineType.
"""

from __future__ import annotations

import httpx
import pytest

from bot.astra import http as api
from bot.astra.client import AstraClient
from bot.astra.emulator import AstraEmulator, EmulatorConfig, org_token
from bot.astra.http import AddressEntry
from bot.astra.models import Policy
from bot.errors import AstraBadRequest, AstraConflict, AstraNotFound
from tests.conftest_astra import BASE_URL, FAST, FakeClock, RecordingTransport, make_client
from tests.conftest_astra import make_emulator as _make_emulator
from tests.test_astra_contract import COVERED, ORG_ADMIN, Specs, _exchange, scenario_table

pytestmark = pytest.mark.spec

# the module fixtures of the contract tests (the two documents, loaded once)
from tests.test_astra_contract import go, official, specs  # noqa: E402, F401

SCENARIOS, scenario = scenario_table(COVERED)


OFFICE = AddressEntry("10.0.0.0/8", True, "office")
VPN = AddressEntry("1.2.3.4", True, "vpn")


@scenario(
    "list_all_access_lists",
    "replace_access_list",
    "update_access_list",
    "clear_access_list",
    "validate_access_list",
    "access_list_template",
)
async def database_access_lists(client: AstraClient, emu: AstraEmulator, clock: FakeClock) -> None:
    one, two = emu.add_database("one"), emu.add_database("two")
    await client.replace_access_list(one, [OFFICE, VPN], enabled=True)
    await client.replace_access_list(two, [VPN])
    lists = await client.list_all_access_lists()
    assert {a.database_id: len(a.addresses) for a in lists} == {one: 2, two: 1}
    await client.update_access_list(one, [AddressEntry("1.2.3.4", False, "vpn, paused")])
    await client.update_access_list(one, [], enabled=False)
    acl = await client.get_access_list(one)
    assert [(a.address, a.enabled) for a in acl.addresses] == [
        ("10.0.0.0/8", True),
        ("1.2.3.4", False),
    ]
    assert acl.configurations.access_list_enabled is False
    with pytest.raises(AstraNotFound):  # PATCH changes entries that exist, adds none
        await client.update_access_list(one, [AddressEntry("8.8.8.8", True, "x")])
    await client.clear_access_list(one)
    assert (await client.get_access_list(one)).addresses == []
    good = await client.validate_access_list([OFFICE])
    bad = await client.validate_access_list([AddressEntry("10.0.0.300/8", True, "typo")])
    assert good.valid and not good.validation_failures
    assert not bad.valid and "10.0.0.300/8" in bad.validation_failures[0]
    template = await client.access_list_template()
    assert template.addresses and template.configurations.access_list_enabled
    with pytest.raises(AstraNotFound):
        await client.replace_access_list("no-such-db", [OFFICE])


@scenario(
    "add_devops_access_list",
    "replace_devops_access_list",
    "update_devops_access_list",
    "delete_devops_access_list",
)
async def devops_access_list(client: AstraClient, emu: AstraEmulator, clock: FakeClock) -> None:
    org = emu.config.org_id
    after = await client.add_devops_access_list(org, [OFFICE])
    assert [a.address for a in after.addresses] == ["10.0.0.0/8"]
    with pytest.raises(AstraConflict):
        await client.add_devops_access_list(org, [OFFICE])
    after = await client.replace_devops_access_list(org, [VPN, OFFICE])
    assert [a.address for a in after.addresses] == ["1.2.3.4", "10.0.0.0/8"]
    after = await client.update_devops_access_list(org, AddressEntry("1.2.3.4", False, "off"))
    first = after.addresses[0]
    assert (first.address, first.enabled, first.description) == ("1.2.3.4", False, "off")
    with pytest.raises(AstraNotFound):
        await client.update_devops_access_list(org, AddressEntry("9.9.9.9", True, ""))
    await client.get_devops_access_list(org)
    await client.delete_devops_access_list(org)
    assert await client.get_devops_access_list(org) == {"addresses": []}
    with pytest.raises(AstraNotFound):
        await client.add_devops_access_list("another-org", [OFFICE])


@scenario("update_role")
async def role_update(client: AstraClient, emu: AstraEmulator, clock: FakeClock) -> None:
    org = f"drn:astra:org:{emu.config.org_id}"
    made = await client.create_role("Auditor", ["org-read"], [org])
    assert not isinstance(made, str)
    policy = Policy(description="reads", actions=["org-read", "accesslist-read"], resources=[org])
    await client.update_role(made.id, "Auditors", policy)
    role = await client.get_role(made.id)
    assert (role.name, role.policy.actions) == ("Auditors", ["org-read", "accesslist-read"])
    with pytest.raises(AstraNotFound):
        await client.update_role("no-such-role", "x", policy)
    with pytest.raises(AstraBadRequest):
        await client.update_role(made.id, "Auditors", Policy(actions=[], resources=[org]))


@scenario("list_legacy_tokens", "create_legacy_token")
async def legacy_tokens(client: AstraClient, emu: AstraEmulator, clock: FakeClock) -> None:
    made = await client.create_legacy_token([ORG_ADMIN], "legacy ci")
    assert made.secret.get_secret_value() and made.client_id not in repr(made.secret)
    listed = await client.list_legacy_tokens()
    assert made.client_id in {t.client_id for t in listed}
    await client.revoke_token(made.client_id)  # deleteTokenForClient, as `token revoke`
    assert made.client_id not in {t.client_id for t in await client.list_legacy_tokens()}


@scenario("reset_password", "update_engine_type")
async def database_settings(client: AstraClient, emu: AstraEmulator, clock: FakeClock) -> None:
    classic = emu.add_database("classic", tier="C10")
    await client.reset_password(classic, "cassandra", "n3w-Secret-pw")
    with pytest.raises(AstraBadRequest):  # the document: at least 6 characters
        await client.reset_password(classic, "cassandra", "short")
    parked = emu.add_database("parked", "PARKED", tier="C10")
    with pytest.raises(AstraConflict):
        await client.reset_password(parked, "cassandra", "n3w-Secret-pw")
    serverless = emu.add_database("sl")
    with pytest.raises(AstraBadRequest):
        await client.reset_password(serverless, "cassandra", "n3w-Secret-pw")
    await client.update_engine_type(serverless, "serverless")
    assert (await client.get_database(serverless)).info.db_type is None
    await client.update_engine_type(serverless, "cassandra-vector")
    assert (await client.get_database(serverless)).info.db_type == "vector"
    with pytest.raises(AstraBadRequest):
        await client.update_engine_type(classic, "serverless")
    with pytest.raises(AstraNotFound):
        await client.update_engine_type("no-such-db", "serverless")


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_scenario_matches_the_spec(name: str, specs: Specs) -> None:  # noqa: F811
    clock = FakeClock()
    emu = _make_emulator(clock)
    recorder = RecordingTransport(httpx.ASGITransport(app=emu.app))
    async with make_client(transport=recorder, max_read_retries=0) as client:
        await SCENARIOS[name](client, emu, clock)
    assert recorder.exchanges, "the scenario sent nothing"
    assert all(str(ex.request.url).startswith(BASE_URL) for ex in recorder.exchanges)
    for exchange in recorder.exchanges:
        specs.validate(exchange)


@pytest.mark.parametrize(
    "exchange",
    [
        # an AddressRequest without its required description
        _exchange(
            "PUT",
            "/v2/databases/abc/access-list",
            status=204,
            body={"addresses": [{"address": "1.2.3.4", "enabled": True}]},
        ),
        # an address outside the document's pattern
        _exchange(
            "PATCH",
            "/v2/databases/abc/access-list",
            status=204,
            body={"addresses": [{"address": "fe80::1", "enabled": True, "description": ""}]},
        ),
        # a DevOps access-list add answered 200 (the document: 201)
        _exchange(
            "POST",
            "/v2/organizations/o/devops-acl",
            body=[{"address": "1.2.3.4"}],
            answer={"addresses": []},
        ),
        # a role update without its policy
        _exchange("PUT", "/v2/organizations/roles/r", body={"name": "x"}),
        # a password reset answered 200 (the document: 202)
        _exchange(
            "POST",
            "/v2/databases/abc/resetPassword",
            body={"username": "u", "password": "secret1"},
        ),
        # the whole-list view answered as an object
        _exchange("GET", "/v2/access-lists", answer={"addresses": []}),
    ],
    ids=[
        "address-no-description",
        "address-not-ipv4",
        "devops-add-200",
        "role-update-no-policy",
        "reset-password-200",
        "all-lists-object",
    ],
)
def test_validator_catches_violations(exchange: object, specs: Specs) -> None:  # noqa: F811
    with pytest.raises(pytest.fail.Exception):
        specs.validate(exchange)  # type: ignore[arg-type]


async def test_the_password_is_in_no_repr_and_not_kept_by_the_emulator() -> None:
    emu = _make_emulator()
    classic = emu.add_database("classic", tier="C10")
    req = api.reset_password(classic, "cassandra", "n3w-Secret-pw")
    assert "n3w-Secret-pw" not in repr(req) and "n3w-Secret-pw" not in req.operation
    async with make_client(emu) as client:
        await client.reset_password(classic, "cassandra", "n3w-Secret-pw")
    assert emu.requests[-1].status == 202
    emu.requests.clear()  # the request log holds bodies by design (tests read them)
    kept = repr(vars(emu)) + repr([vars(db) for db in emu._dbs.values()])
    assert "n3w-Secret-pw" not in kept


async def test_each_org_has_its_own_devops_list_and_access_lists() -> None:
    emu = AstraEmulator(EmulatorConfig(clock=FakeClock(), **FAST), orgs=["sandbox", "second"])
    second = emu.org("second")
    db = second.add_database("theirs")
    async with make_client(emu, token=org_token("second")) as client:
        await client.add_devops_access_list(second.config.org_id, [OFFICE])
        await client.replace_access_list(db, [VPN])
        assert [a.database_id for a in await client.list_all_access_lists()] == [db]
    async with make_client(emu) as client:
        assert await client.get_devops_access_list(emu.config.org_id) == {"addresses": []}
        assert await client.list_all_access_lists() == []
        with pytest.raises(AstraNotFound):  # another org's list is not this token's
            await client.add_devops_access_list(second.config.org_id, [OFFICE])


async def test_an_answer_that_echoes_the_new_password_is_scrubbed_of_it() -> None:
    emu = _make_emulator()
    classic = emu.add_database("classic", tier="C10")
    emu.inject_fault(400, message="password n3w-Secret-pw is too weak", path_prefix="/v2/data")
    async with make_client(emu) as client:
        with pytest.raises(AstraBadRequest) as caught:
            await client.reset_password(classic, "cassandra", "n3w-Secret-pw")
    assert "n3w-Secret-pw" not in caught.value.user_message
    assert "n3w-Secret-pw" not in repr(caught.value) and "n3w-Secret-pw" not in str(caught.value)
