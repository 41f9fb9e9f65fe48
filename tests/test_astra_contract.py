"""Contract tests: every request AstraClient makes, and every answer the emulator gives,
validated by openapi-core against the published DevOps API documents.

- ``devops-api-official.fixed.json`` (the official document, mended to load; PROVENANCE.md)
  for everything it has;
- ``devops-api-go-client.yaml`` (DataStax's Go client spec) for park/unpark, which the
  official document lacks, and for resize as well (both have it).

The documents are read from ``<repo>/../shared/reference/astra-devops/``; the module is
skipped when they are absent. Spec defects that the real API (NOTES.md) contradicts are
mended *here*, each with a comment, never by bending the client or the emulator:
see :func:`mend_official` and :func:`mend_go`.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import json
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from bot.astra.client import AstraClient
from bot.astra.emulator import AstraEmulator
from bot.astra.models import ASTRA_PERMISSIONS, CreateDatabase
from bot.errors import (
    AstraBadRequest,
    AstraConflict,
    AstraNotFound,
    AstraUnauthorized,
)
from tests.conftest_astra import (
    BASE_URL,
    Exchange,
    FakeClock,
    RecordingTransport,
    make_client,
    make_emulator,
)

SPEC_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "astra-devops"
OFFICIAL = SPEC_DIR / "devops-api-official.fixed.json"
GO = SPEC_DIR / "devops-api-go-client.yaml"

if not (OFFICIAL.exists() and GO.exists()):
    pytest.skip(
        f"the Astra OpenAPI documents are not at {SPEC_DIR} (../shared/reference is not "
        "checked out next to the repo)",
        allow_module_level=True,
    )

yaml = pytest.importorskip("yaml", reason="PyYAML is needed to read the Go client's spec")
openapi_core = pytest.importorskip("openapi_core")

from openapi_core import OpenAPI  # noqa: E402
from openapi_core.datatypes import RequestParameters  # noqa: E402
from werkzeug.datastructures import Headers, ImmutableMultiDict  # noqa: E402

pytestmark = pytest.mark.spec

ORG_ADMIN = "ad0566b5-2a67-49de-89e8-92258c2f2c98"


# --------------------------------------------------------------------------------------
# Spec mending: known defects of the documents (each listed in the report)
# --------------------------------------------------------------------------------------


def _error_schema_requires_id(spec: dict[str, Any]) -> None:
    # Both specs: Error lists `required: [id, message]` but its property is `ID`, and the
    # real API, astrapy, astra-db-ts and the Java SDK all use `ID` (NOTES.md §4).
    spec["components"]["schemas"]["Error"]["required"] = ["ID", "message"]


def mend_official(spec: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    schemas = spec["components"]["schemas"]
    paths = spec["paths"]
    _error_schema_requires_id(spec)

    def ok_schema(path: str, method: str, schema: dict[str, Any]) -> None:
        paths[path][method]["responses"]["200"]["content"]["application/json"]["schema"] = schema

    # getOrganizationRoles: `items: {$ref: Roles}` where Roles is itself an array, i.e. an
    # array of arrays; every client (Java RolesClient, Go) reads an array of Role.
    ok_schema(
        "/v2/organizations/roles",
        "get",
        {"type": "array", "items": {"$ref": "#/components/schemas/Role"}},
    )
    # These three say `items: {...}` without `type: array`, which validates anything at
    # all; the intended shapes are single objects (fixtures Organization.json; Go client).
    ok_schema("/v2/currentOrg", "get", {"$ref": "#/components/schemas/Organization"})
    ok_schema("/v2/organizations/roles/{roleID}", "get", {"$ref": "#/components/schemas/Role"})
    ok_schema("/v2/tokens", "get", {"$ref": "#/components/schemas/ClientRoleList"})
    # Policy.actions enum misses actions that real default roles carry (accesslist-read,
    # db-manage-region, org-cmk-read, …; fixtures-astra-cli/Roles.json): extend, don't drop.
    enum = schemas["Policy"]["properties"]["actions"]["items"]["enum"]
    enum.extend(sorted(ASTRA_PERMISSIONS - set(enum)))
    # removeKeyspace: the official doc says only 204, but the real API answers 202 when it
    # drops a keyspace (astrapy requires 202; the Go spec: 202 "dropped", 204 "none found").
    # 409 when the database is not ACTIVE, as for addKeyspace (NOTES.md §8).
    responses = paths["/v2/databases/{databaseID}/keyspaces/{keyspaceName}"]["delete"]["responses"]
    responses["202"] = {"description": "dropped"}
    responses["409"] = {"$ref": "#/components/responses/Conflict"}
    return spec


def mend_go(spec: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    # Some response codes are YAML integers (200, 400 …), which openapi-core cannot load.
    for item in spec["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and "responses" in op:
                op["responses"] = {str(k): v for k, v in op["responses"].items()}
    _error_schema_requires_id(spec)
    return spec


@pytest.fixture(scope="module")
def official() -> OpenAPI:
    return OpenAPI.from_dict(mend_official(json.loads(OFFICIAL.read_text())))


@pytest.fixture(scope="module")
def go() -> OpenAPI:
    return OpenAPI.from_dict(mend_go(yaml.safe_load(GO.read_text())))


# --------------------------------------------------------------------------------------
# httpx → openapi-core protocol adapters
# --------------------------------------------------------------------------------------


class OARequest:
    def __init__(self, exchange: Exchange) -> None:
        url = exchange.request.url
        self.host_url = f"{url.scheme}://{url.netloc.decode()}"
        self.path = url.path
        self.method = exchange.request.method.lower()
        self.body = exchange.request_body or None
        self.content_type = exchange.request.headers.get("content-type", "application/octet-stream")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qsl(url.query.decode(), keep_blank_values=True)),
            header=Headers(list(exchange.request.headers.items())),
            cookie=ImmutableMultiDict(),
        )


class OAResponse:
    def __init__(self, exchange: Exchange) -> None:
        self.status_code = exchange.response.status_code
        self.data = exchange.response_body
        self.content_type = exchange.response.headers.get("content-type", "")
        self.headers = Headers(list(exchange.response.headers.items()))


def _explain(exc: Exception) -> str:
    parts = [f"{type(exc).__name__}: {exc}"]
    cause = exc.__cause__
    while cause is not None:
        parts.append(f"{type(cause).__name__}: {cause}")
        parts += [f"  - {e.message}" for e in getattr(cause, "schema_errors", ())]
        cause = cause.__cause__
    return "\n".join(parts)


@dataclass
class Specs:
    official: OpenAPI
    go: OpenAPI

    def for_path(self, path: str) -> Iterator[tuple[str, OpenAPI]]:
        # park/unpark exist only in the Go client's spec; resize is in both
        if path.endswith(("/park", "/unpark")):
            yield "go", self.go
            return
        yield "official", self.official
        if path.endswith("/resize"):
            yield "go", self.go

    def validate(self, exchange: Exchange) -> None:
        for name, spec in self.for_path(exchange.request.url.path):
            # fresh adapters per spec: openapi-core writes resolved path params into them
            request, response = OARequest(exchange), OAResponse(exchange)
            where = (
                f"{request.method.upper()} {request.path}?{exchange.request.url.query!r}"
                f" → {response.status_code} ({name} spec)"
            )
            try:
                spec.validate_request(request)
            except Exception as exc:
                pytest.fail(f"request does not match the spec: {where}\n{_explain(exc)}")
            try:
                spec.validate_response(request, response)
            except Exception as exc:
                pytest.fail(
                    f"response does not match the spec: {where}\n"
                    f"{exchange.response_body[:500]!r}\n{_explain(exc)}"
                )


@pytest.fixture(scope="module")
def specs(official: OpenAPI, go: OpenAPI) -> Specs:
    return Specs(official, go)


# --------------------------------------------------------------------------------------
# Scenarios: each drives some client methods against a fresh emulator
# --------------------------------------------------------------------------------------

Scenario = Callable[[AstraClient, AstraEmulator, FakeClock], Awaitable[None]]
Register = Callable[..., Callable[[Scenario], Scenario]]


def scenario_table(*coverage: set[str]) -> tuple[dict[str, Scenario], Register]:
    """A table of scenarios and its decorator: ``@scenario("create_database", …)`` files a
    scenario under its name, and its client methods join every set of ``coverage`` (this
    module's :data:`COVERED`, which the coverage test reads, among them)."""
    table: dict[str, Scenario] = {}

    def scenario(*methods: str) -> Callable[[Scenario], Scenario]:
        def register(fn: Scenario) -> Scenario:
            table[fn.__name__] = fn
            for covered in coverage:
                covered.update(methods)
            return fn

        return register

    return table, scenario


COVERED: set[str] = set()
SCENARIOS, scenario = scenario_table(COVERED)


@scenario("create_database", "get_database", "list_databases")
async def databases(client: AstraClient, emu: AstraEmulator, clock: FakeClock) -> None:
    db_id = await client.create_database(
        CreateDatabase(name="orders", cloud_provider="GCP", region="us-east1", keyspace="shop")
    )
    await client.create_database(
        CreateDatabase(name="plain", cloud_provider="AWS", region="us-east-2", db_type=None)
    )
    await client.get_database(db_id)  # PENDING
    clock.advance(1)
    await client.get_database(db_id)  # ACTIVE
    for i in range(3):
        emu.add_database(f"more{i}", cloud_provider="AZURE", region="westeurope")
    await client.list_databases(page_size=2)
    await client.list_databases(include="all", provider="AZURE")
    with pytest.raises(AstraNotFound):
        await client.get_database("no-such-db")
    with pytest.raises(AstraBadRequest):
        await client.create_database(
            CreateDatabase(name="x", cloud_provider="GCP", region="atlantis-1")
        )


@scenario("terminate_database")
async def terminate(client: AstraClient, emu: AstraEmulator, clock: FakeClock) -> None:
    db_id = emu.add_database("doomed")
    await client.terminate_database(db_id)
    with pytest.raises(AstraConflict):
        await client.terminate_database(db_id)
    clock.advance(1)
    await client.get_database(db_id)  # TERMINATED, still 200
    await client.list_databases(include="terminated")


@scenario("park_database", "unpark_database", "resize_database")
async def classic_operations(client: AstraClient, emu: AstraEmulator, clock: FakeClock) -> None:
    db_id = emu.add_database("classic", tier="C10", capacity_units=2)
    await client.resize_database(db_id, 4)
    clock.advance(1)
    await client.park_database(db_id)
    with pytest.raises(AstraConflict):
        await client.park_database(db_id)
    clock.advance(1)
    await client.unpark_database(db_id)
    await client.get_database(db_id)
    serverless = emu.add_database("sl")
    with pytest.raises(AstraBadRequest):
        await client.park_database(serverless)
    with pytest.raises(AstraBadRequest):
        await client.resize_database(serverless, 2)


@scenario("create_keyspace", "delete_keyspace")
async def keyspaces(client: AstraClient, emu: AstraEmulator, clock: FakeClock) -> None:
    db_id = emu.add_database("ks")
    await client.create_keyspace(db_id, "orders")
    with pytest.raises(AstraConflict):
        await client.create_keyspace(db_id, "more")
    clock.advance(1)
    await client.delete_keyspace(db_id, "orders")
    clock.advance(1)
    await client.delete_keyspace(db_id, "orders")  # 204: none found


@scenario(
    "list_datacenters",
    "add_datacenter",
    "terminate_datacenter",
    "list_serverless_regions",
    "list_available_regions",
)
async def regions(client: AstraClient, emu: AstraEmulator, clock: FakeClock) -> None:
    db_id = emu.add_database("multi", cloud_provider="AWS", region="us-east-2")
    await client.add_datacenter(db_id, "AWS", "eu-west-1")
    clock.advance(1)
    await client.list_datacenters(db_id)
    await client.terminate_datacenter(db_id, f"{db_id}-2")
    clock.advance(1)
    await client.list_datacenters(db_id, all=True)
    await client.list_serverless_regions()
    await client.list_serverless_regions("vector", "enabled")
    await client.list_serverless_regions("")
    await client.list_available_regions()


@scenario(
    "get_access_list",
    "add_access_list_addresses",
    "delete_access_list_addresses",
    "get_devops_access_list",
)
async def access_lists(client: AstraClient, emu: AstraEmulator, clock: FakeClock) -> None:
    db_id = emu.add_database("acl")
    await client.get_access_list(db_id)
    await client.add_access_list_addresses(db_id, [("10.0.0.0/8", "office"), ("1.2.3.4", "vpn")])
    await client.get_access_list(db_id)
    await client.delete_access_list_addresses(db_id, ["10.0.0.0/8", "1.2.3.4"])
    await client.get_devops_access_list(emu.config.org_id)


@scenario("secure_bundle_urls", "current_org")
async def bundles_and_org(client: AstraClient, emu: AstraEmulator, clock: FakeClock) -> None:
    db_id = emu.add_database(
        "scb", cloud_provider="AWS", region="us-east-2", extra_regions=["eu-west-1"]
    )
    await client.secure_bundle_urls(db_id)
    await client.secure_bundle_urls(db_id, all_regions=True)
    pending = emu.add_database("p", "PENDING")
    with pytest.raises(AstraConflict):
        await client.secure_bundle_urls(pending)
    await client.current_org()


@scenario("list_tokens", "create_token", "revoke_token")
async def tokens(client: AstraClient, emu: AstraEmulator, clock: FakeClock) -> None:
    created = await client.create_token([ORG_ADMIN], "ci")
    await client.list_tokens()
    await client.revoke_token(created.client_id)
    with pytest.raises(AstraBadRequest):
        await client.revoke_token(created.client_id)


@scenario("list_roles", "get_role", "create_role", "delete_role")
async def roles(client: AstraClient, emu: AstraEmulator, clock: FakeClock) -> None:
    await client.list_roles()
    await client.get_role(ORG_ADMIN)
    role = await client.create_role(
        "Auditor", ["org-read", "accesslist-read"], [f"drn:astra:org:{emu.config.org_id}"]
    )
    assert not isinstance(role, str)
    await client.delete_role(role.id)
    with pytest.raises(AstraNotFound):
        await client.get_role(role.id)


@scenario("list_users", "invite_user", "remove_user", "set_user_roles")
async def users(client: AstraClient, emu: AstraEmulator, clock: FakeClock) -> None:
    await client.invite_user("ana@example.com", emu.config.org_id, [ORG_ADMIN])
    found = await client.list_users()
    ana = next(u for u in found if u.email == "ana@example.com")
    await client.set_user_roles(ana.user_id, [ORG_ADMIN])
    await client.remove_user(ana.user_id)


@scenario(
    "get_metrics_telemetry",
    "set_metrics_telemetry",
    "get_audit_log_streaming",
    "set_audit_log_streaming",
    "delete_audit_log_streaming",
)
async def telemetry(client: AstraClient, emu: AstraEmulator, clock: FakeClock) -> None:
    db_id = emu.add_database("t")
    # nothing set: the document's 404 with the error body (its 200 anyOf cannot say "none")
    assert await client.get_metrics_telemetry(db_id) == {}
    assert await client.get_audit_log_streaming(emu.config.org_id) == {}
    await client.set_metrics_telemetry(db_id, "Datadog", {"api_key": "k", "site": "eu"})
    await client.get_metrics_telemetry(db_id)
    await client.set_metrics_telemetry(
        db_id,
        "prometheus_remote",
        {
            "endpoint": "https://prom/api/v1/push",
            "auth_strategy": "basic",
            "user": "u",
            "password": "p",
        },
    )
    await client.get_metrics_telemetry(db_id)
    await client.set_metrics_telemetry(
        db_id,
        "kafka",
        {
            "bootstrap_servers": ["k1:9092"],
            "topic": "astra",
            "sasl_mechanism": "PLAIN",
            "sasl_username": "u",
            "sasl_password": "p",
            "security_protocol": "SASL_SSL",
        },
    )
    await client.get_metrics_telemetry(db_id)
    org = emu.config.org_id
    await client.set_audit_log_streaming(
        org,
        {
            "pulsar": {
                "endpoint": "pulsar+ssl://pulsar.example.com",
                "topic": "persistent://t/ns/audit",
                "auth_strategy": "token",
                "token": "tok",
            }
        },
    )
    await client.get_audit_log_streaming(org)
    await client.delete_audit_log_streaming(org)


@scenario("list_private_links", "list_custom_domains", "list_kms_keys", "get_vpc_peering")
async def read_only(client: AstraClient, emu: AstraEmulator, clock: FakeClock) -> None:
    await client.list_private_links()
    await client.list_custom_domains()
    await client.list_kms_keys()
    db_id = emu.add_database("classic", tier="C10")
    emu.set_vpc_peering(
        "gcp",
        db_id,
        {
            "connectionId": "pcx-1",
            "status": "ACTIVE",
            "currentVpc": {
                "provider": "gcp",
                "account": "astra-prj",
                "vpcId": "vpc-a",
                "cidrBlock": "10.10.0.0/16",
            },
            "otherVpc": {
                "provider": "gcp",
                "account": "my-prj",
                "vpcId": "vpc-b",
                "cidrBlock": "10.20.0.0/16",
            },
        },
    )
    await client.get_vpc_peering("gcp", db_id)
    with pytest.raises(AstraNotFound):
        await client.get_vpc_peering("aws", db_id)


@scenario()
async def unauthorized(client: AstraClient, emu: AstraEmulator, clock: FakeClock) -> None:
    emu.config.tokens = {"AstraCS:someone-else"}
    with pytest.raises(AstraUnauthorized):
        await client.list_databases()


# --------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------


def test_every_client_method_has_a_scenario() -> None:
    # the operations added by API group have their scenarios in tests/test_api_*.py
    for module in sorted(Path(__file__).parent.glob("test_api_*.py")):
        importlib.import_module(f"tests.{module.stem}")
    public = {
        name
        for name, fn in inspect.getmembers(AstraClient, inspect.iscoroutinefunction)
        if not name.startswith("_") and name not in {"aclose"}
    }
    assert public - COVERED == set()


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_scenario_matches_the_spec(name: str, specs: Specs) -> None:
    clock = FakeClock()
    emu = make_emulator(clock)
    recorder = RecordingTransport(httpx.ASGITransport(app=emu.app))
    async with make_client(transport=recorder, max_read_retries=0) as client:
        await SCENARIOS[name](client, emu, clock)
    assert recorder.exchanges, "the scenario sent nothing"
    assert all(str(ex.request.url).startswith(BASE_URL) for ex in recorder.exchanges)
    for exchange in recorder.exchanges:
        specs.validate(exchange)


def _exchange(
    method: str,
    path: str,
    *,
    body: Any = None,
    status: int = 200,
    answer: Any = None,
    query: str = "",
) -> Exchange:
    url = f"{BASE_URL}{path}" + (f"?{query}" if query else "")
    content = json.dumps(body).encode() if body is not None else b""
    headers = {"Authorization": "Bearer AstraCS:x"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    request = httpx.Request(method, url, content=content, headers=headers)
    data = json.dumps(answer).encode() if answer is not None else b""
    response = httpx.Response(
        status, content=data, headers={"Content-Type": "application/json"} if data else {}
    )
    return Exchange(request, content, response, data)


@pytest.mark.parametrize(
    "exchange",
    [
        # a Database without its required id/orgId/ownerId
        _exchange("GET", "/v2/databases/abc", answer={"status": "ACTIVE", "info": {}}),
        # a status outside StatusEnum
        _exchange(
            "GET",
            "/v2/databases/abc",
            answer={"id": "a", "orgId": "o", "ownerId": "u", "info": {}, "status": "SLEEPY"},
        ),
        # create without region
        _exchange(
            "POST",
            "/v2/databases",
            status=201,
            body={"name": "n", "cloudProvider": "GCP", "tier": "serverless", "capacityUnits": 1},
        ),
        # limit above 100
        _exchange("GET", "/v2/databases", query="limit=1000", answer=[]),
        # an undeclared status code
        _exchange("POST", "/v2/databases/abc/terminate", status=200),
        # an error body with lower-case id only (mended spec requires ID)
        _exchange(
            "GET", "/v2/databases/abc", status=404, answer={"errors": [{"id": 1, "message": "m"}]}
        ),
        # park is checked against the Go spec: a 200 is not declared there
        _exchange("POST", "/v2/databases/abc/park", status=200),
    ],
    ids=[
        "db-missing-ids",
        "db-bad-status",
        "create-no-region",
        "limit-1000",
        "terminate-200",
        "error-lowercase-id",
        "park-200",
    ],
)
def test_validator_catches_violations(exchange: Exchange, specs: Specs) -> None:
    # the contract tests can fail: known-bad exchanges are refused
    with pytest.raises(pytest.fail.Exception):
        specs.validate(exchange)


def test_request_without_token_is_refused(specs: Specs) -> None:
    exchange = _exchange("GET", "/v2/currentOrg", answer={"id": "o"})
    exchange.request.headers.pop("Authorization")
    with pytest.raises(pytest.fail.Exception):
        specs.validate(exchange)
