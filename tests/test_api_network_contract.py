"""Contract tests of private links, custom domains, customer keys and VPC peering: every
request the client sends and every answer the emulator gives, validated by openapi-core
against the mended official document (the pattern of tests/test_astra_contract.py, whose
adapters and mends this module reuses), plus the emulator's refusals sent raw.

Mends of the document made here, each where the real API or the document itself says
otherwise (never by bending the client or the emulator):

- ``clusterID``/``datacenterID`` are declared ``format: uuid``, but a datacenter id is
  ``<database id>-<n>`` (fixtures Datacenters.json, NOTES.md §2): the format is dropped.
- ``CreateVPCPeeringConnection`` declares no 400, though its body has required fields
  and patterns that a request can miss (every other write of the document declares
  BadRequest): 400 is added.
"""

from __future__ import annotations

import copy
import inspect
import json
from typing import Any

import httpx
import pytest
from openapi_core import OpenAPI

from bot.astra.calls_network import NetworkCalls
from bot.astra.client import AstraClient
from bot.astra.emulator import AstraEmulator
from bot.errors import AstraBadRequest, AstraConflict, AstraForbidden, AstraNotFound
from tests.conftest_astra import FakeClock, RecordingTransport, make_client, make_emulator
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

AWS_PRINCIPAL = "arn:aws:iam::123456789012:role/admin"
OTHER_ORG = "0e0d7c1a-0000-4000-8000-000000000000"


def mend_network(spec: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    for path, item in spec["paths"].items():
        if not path.startswith("/v2/organizations/clusters/"):
            continue
        for op in item.values():
            for param in op.get("parameters", []) if isinstance(op, dict) else []:
                if param["name"] in {"clusterID", "datacenterID"}:
                    param["schema"].pop("format", None)
    create = spec["paths"]["/v2/peering/provider/{provider}/database/{databaseID}"]["post"]
    create["responses"]["400"] = {"$ref": "#/components/responses/BadRequest"}
    return spec


@pytest.fixture(scope="module")
def specs() -> Specs:
    import yaml

    official = mend_network(mend_official(json.loads(OFFICIAL.read_text())))
    return Specs(
        OpenAPI.from_dict(official), OpenAPI.from_dict(mend_go(yaml.safe_load(GO.read_text())))
    )


#: The client methods the scenarios below drive (also counted by tests/test_astra_contract.py).
COVERED: set[str] = set()
SCENARIOS, scenario = scenario_table(COVERED, CONTRACT_COVERED)


@scenario(
    "list_cluster_private_links",
    "get_datacenter_private_link",
    "allow_principals",
    "remove_allowed_principal",
    "accept_private_endpoint",
    "get_private_endpoint",
    "describe_private_endpoint",
    "reject_private_endpoint",
)
async def private_links(client: AstraClient, emu: AstraEmulator, clock: FakeClock) -> None:
    db = emu.add_database(
        "pl", cloud_provider="AWS", region="us-east-2", extra_regions=["eu-west-1"]
    )
    dc, other = f"{db}-1", f"{db}-2"
    assert (await client.list_cluster_private_links(db)).datacenters == []
    assert not (await client.get_datacenter_private_link(db, dc)).configured
    with pytest.raises(AstraConflict):  # no service yet
        await client.accept_private_endpoint(db, dc, "vpce-1")
    service = await client.allow_principals(db, dc, [AWS_PRINCIPAL], first=True)
    assert service.service_name and service.service_name.startswith("com.amazonaws.vpce.us-east-2")
    more = await client.allow_principals(db, dc, ["arn:aws:iam::210987654321:root"], first=False)
    assert len(more.allowed_principals) == 2
    accepted = await client.accept_private_endpoint(db, dc, "vpce-0a1b2c", "billing")
    assert (accepted.status, accepted.description) == ("Accepted", "billing")
    with pytest.raises(AstraConflict):
        await client.accept_private_endpoint(db, dc, "vpce-0a1b2c")
    described = await client.describe_private_endpoint(db, dc, "vpce-0a1b2c", "billing-prod")
    assert described.description == "billing-prod"
    assert (await client.get_private_endpoint(db, dc, "vpce-0a1b2c")).description == "billing-prod"
    await client.reject_private_endpoint(db, dc, "vpce-0a1b2c")
    assert (await client.get_private_endpoint(db, dc, "vpce-0a1b2c")).status == "Rejected"
    await client.remove_allowed_principal(db, dc, AWS_PRINCIPAL)
    with pytest.raises(AstraNotFound):
        await client.remove_allowed_principal(db, dc, AWS_PRINCIPAL)
    with pytest.raises(AstraNotFound):
        await client.get_private_endpoint(db, other, "vpce-0a1b2c")
    with pytest.raises(AstraNotFound):
        await client.get_datacenter_private_link(db, f"{db}-9")
    cluster = await client.list_cluster_private_links(db)
    assert [d.datacenter_id for d in cluster.datacenters] == [dc]
    assert (await client.list_private_links())["clusters"][0]["clusterID"] == db
    emu.set_status(db, "MAINTENANCE")
    with pytest.raises(AstraConflict):
        await client.allow_principals(db, dc, [AWS_PRINCIPAL], first=False)


@scenario("set_custom_domains")
async def custom_domains(client: AstraClient, emu: AstraEmulator, clock: FakeClock) -> None:
    assert await client.list_custom_domains() == []
    await client.set_custom_domains(["db.example.com", "Data.Example.org."])
    assert await client.list_custom_domains() == ["db.example.com", "data.example.org"]
    await client.set_custom_domains([])
    assert await client.list_custom_domains() == []


@scenario(
    "create_customer_key",
    "list_classic_kms_keys",
    "get_customer_key",
    "list_key_cloud_accounts",
    "assign_cloud_account",
)
async def customer_keys(client: AstraClient, emu: AstraEmulator, clock: FakeClock) -> None:
    arn = "arn:aws:kms:us-east-2:111111111111:key/aabb-a00f"
    org = emu.config.org_id
    await client.create_customer_key("aws", "us-east-2", arn, org_id=org)
    with pytest.raises(AstraBadRequest):  # one key per provider and region
        await client.create_customer_key("AWS", "us-east-2", arn)
    with pytest.raises(AstraForbidden):
        await client.create_customer_key(
            "gcp", "us-east1", "k", org_id="0e0d7c1a-0000-4000-8000-000000000000"
        )
    assert await client.list_kms_keys() == [
        {"OrganizationID": org, "CloudProvider": "aws", "KeyID": arn, "Region": "us-east-2"}
    ]
    key = await client.get_customer_key("aws", "us-east-2")
    assert (key.cloud_provider, key.key_id, key.region) == ("aws", arn, "us-east-2")
    assert arn not in repr(key)
    with pytest.raises(AstraNotFound):
        await client.get_customer_key("aws", "us-east-2", classic=True)
    (account,) = await client.list_key_cloud_accounts("aws", "us-east-2")
    assert len(account.provider_id) == 12 and account.provider_id not in repr(account)
    assert await client.list_key_cloud_accounts("gcp", "us-east1", classic=True) == []
    await client.assign_cloud_account("gcp")
    (classic,) = await client.list_key_cloud_accounts("gcp", "us-east1", classic=True)
    assert classic.provider == "gcp"
    await client.create_customer_key("gcp", "us-east1", "projects/p/keys/k", classic=True)
    assert [k["KeyID"] for k in await client.list_classic_kms_keys()] == ["projects/p/keys/k"]
    assert (await client.get_customer_key("gcp", "us-east1", classic=True)).cloud_provider == "gcp"


@scenario("create_vpc_peering", "delete_vpc_peering")
async def vpc_peering(client: AstraClient, emu: AstraEmulator, clock: FakeClock) -> None:
    db = emu.add_database("classic", tier="C10", cloud_provider="AWS", region="us-east-2")
    aws = {
        "accountId": "123456789012",
        "vpcId": "vpc-00001111aa332244c",
        "region": "us-east-2",
        "cidrBlock": "10.20.0.0/16",
    }
    made = await client.create_vpc_peering("aws", db, aws)
    assert made.other_vpc.vpc_id == aws["vpcId"] and made.connection_id.startswith("pcx-")
    assert (await client.get_vpc_peering("aws", db))["connectionId"] == made.connection_id
    with pytest.raises(AstraBadRequest):  # a second one
        await client.create_vpc_peering("aws", db, aws)
    await client.delete_vpc_peering("aws", db)
    with pytest.raises(AstraNotFound):
        await client.delete_vpc_peering("aws", db)
    serverless = emu.add_database("sl", cloud_provider="AWS", region="us-east-2")
    with pytest.raises(AstraBadRequest):
        await client.create_vpc_peering("aws", serverless, aws)
    gcp = emu.add_database("g", tier="C10", cloud_provider="GCP", region="us-east1")
    made = await client.create_vpc_peering("gcp", gcp, {"projectId": "p", "vpcNetworkName": "n"})
    assert made.other_vpc.account == "p"


def test_every_network_method_has_a_scenario() -> None:
    mine = {
        name
        for name, _ in inspect.getmembers(NetworkCalls, inspect.iscoroutinefunction)
        if not name.startswith("_") and name in vars(NetworkCalls)
    }
    assert mine - COVERED == set()


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_scenario_matches_the_spec(name: str, specs: Specs) -> None:
    clock = FakeClock()
    emu = make_emulator(clock)
    recorder = RecordingTransport(httpx.ASGITransport(app=emu.app))
    async with make_client(transport=recorder, max_read_retries=0) as client:
        await SCENARIOS[name](client, emu, clock)
    assert recorder.exchanges
    for exchange in recorder.exchanges:
        specs.validate(exchange)


# The emulator's refusals of what the client never sends (the builders refuse it first).
RAW: list[tuple[str, str, str, Any, int]] = [
    ("dc-unknown-db", "GET", "/v2/organizations/clusters/nope/private-link", None, 404),
    ("principals-empty", "POST", "{dc}/private-link", {"allowedPrincipals": []}, 400),
    ("principals-not-text", "POST", "{dc}/allowed-principals", {"allowedPrincipals": [1]}, 400),
    ("principal-missing", "DELETE", "{dc}/allowed-principals", {}, 400),
    ("endpoint-without-id", "POST", "{dc}/endpoints", {"description": "x"}, 400),
    ("domains-not-a-list", "POST", "/v2/organizations/customDomains", {"a": 1}, 400),
    ("domain-bad", "POST", "/v2/organizations/customDomains", ["bad domain"], 400),
    (
        "key-two-providers",
        "POST",
        "/v2/kms",
        {"aws": {"keyID": "k", "region": "us-east-2"}, "gcp": {"keyID": "k", "region": "us-east1"}},
        400,
    ),
    ("key-bad-region", "POST", "/v2/kms/classic", {"aws": {"keyID": "k", "region": "mars"}}, 400),
    (
        "key-serverless-path",
        "POST",
        "/v2/kms/serverless",
        {"aws": {"keyID": "k", "region": "us-east-2"}},
        200,
    ),
    ("keys-serverless-path", "GET", "/v2/kms/serverless", None, 200),
    ("accounts-bad-provider", "GET", "/v2/kms/provider/ibm/region/x/accounts", None, 400),
    ("assign-bad-provider", "POST", "/v2/kms/classic/provider/ibm/accounts", None, 400),
    (
        "peering-missing-fields",
        "POST",
        "/v2/peering/provider/aws/database/{classic}",
        {"vpcId": "vpc-00001111aa332244c"},
        400,
    ),
    (
        "peering-bad-account",
        "POST",
        "/v2/peering/provider/aws/database/{classic}",
        {
            "accountId": "12",
            "vpcId": "vpc-00001111aa332244c",
            "region": "us-east-2",
            "cidrBlock": "10.0.0.0/16",
        },
        400,
    ),
    (
        "peering-wrong-cloud",
        "POST",
        "/v2/peering/provider/gcp/database/{classic}",
        {"projectId": "p", "vpcNetworkName": "n"},
        400,
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "status"), [r[1:] for r in RAW], ids=[r[0] for r in RAW]
)
async def test_emulator_refusals_are_documented(
    method: str, path: str, body: Any, status: int, specs: Specs
) -> None:
    emu = make_emulator(FakeClock())
    db = emu.add_database("pl", cloud_provider="AWS", region="us-east-2")
    classic = emu.add_database("c", tier="C10", cloud_provider="AWS", region="us-east-2")
    url = path.format(dc=f"/v2/organizations/clusters/{db}/datacenters/{db}-1", classic=classic)
    recorder = RecordingTransport(httpx.ASGITransport(app=emu.app))
    async with make_client(transport=recorder) as client:
        # through the client's own httpx session: its base URL and bearer token
        response = await client._http.request(method, url, json=body)
    assert response.status_code == status, response.text
    # the request is one the document refuses, by design: only the answer is checked
    exchange = recorder.exchanges[-1]
    specs.official.validate_response(OARequest(exchange), OAResponse(exchange))


async def test_each_organization_keeps_its_own_network_settings() -> None:
    """Private links, domains, keys and peerings are the token's org's (DevOps API
    "Authentication": a token belongs to one organization)."""
    from bot.astra.emulator import AstraEmulator, EmulatorConfig, org_token
    from tests.conftest_astra import FAST

    emu = AstraEmulator(EmulatorConfig(clock=FakeClock(), **FAST), orgs=["one", "two"])  # type: ignore[arg-type]
    db = emu.add_database("pl", tier="C10", cloud_provider="AWS", region="us-east-2")
    transport = httpx.ASGITransport(app=emu.app)
    async with make_client(transport=transport, token=org_token("one")) as one:
        await one.allow_principals(db, f"{db}-1", [AWS_PRINCIPAL], first=True)
        await one.set_custom_domains(["db.example.com"])
        await one.create_customer_key("aws", "us-east-2", "arn:aws:kms:k")
        await one.assign_cloud_account("aws")
    async with make_client(transport=transport, token=org_token("two")) as two:
        assert (await two.list_private_links())["clusters"] == []
        with pytest.raises(AstraNotFound):  # the database is the other org's
            await two.list_cluster_private_links(db)
        assert await two.list_custom_domains() == []
        assert await two.list_kms_keys() == []
        assert await two.list_key_cloud_accounts("aws", "us-east-2", classic=True) == []
    assert emu.org("one").key_state.keys and not emu.org("two").key_state.keys
