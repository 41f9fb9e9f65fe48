"""A stateful emulator of the Astra DevOps API v2, as a Starlette ASGI app.

Used by ``astra-bot serve --sandbox``, ``astra-bot shell`` and the tests. It answers every
endpoint :class:`bot.astra.client.AstraClient` calls with the paths, statuses and bodies of
the official spec (``devops-api-official.json``; park/unpark from the Go client's spec),
with payloads shaped like the real astra-cli fixtures. It reads nothing from disk.

Behaviour (NOTES.md §2-§4, §8):

- Bearer auth against ``EmulatorConfig.tokens`` plus the tokens created through
  ``POST /v2/tokens`` (until revoked); anything else → 401 with the real "invalid token"
  error ID 340018. Configured tokens are always accepted, even if their client id is
  revoked, so a sandbox cannot lock itself out.
- Errors are ``{"errors":[{"ID": int, "message": str}]}``. IDs other than 340018 are
  invented (``1000000 + status``).
- Status is computed lazily from ``EmulatorConfig.clock`` (no background task):
  create → PENDING → INITIALIZING → ACTIVE; terminate → TERMINATING → TERMINATED (GET
  still answers 200; ``include=nonterminated``, the default, hides it); keyspace
  create/delete → MAINTENANCE → ACTIVE, ``info.keyspaces`` changed when it ends;
  park ACTIVE → PARKING → PARKED; unpark PARKED → UNPARKING → ACTIVE; resize → RESIZING →
  ACTIVE; add/remove region → MAINTENANCE → ACTIVE.
- 409 ("not in a valid state") for: terminate while MAINTENANCE/RESIZING/PARKING/
  UNPARKING/TERMINATING/TERMINATED; terminate with more than one live region ("remove the
  extra regions first", TF#182); keyspace or region changes unless ACTIVE; creating an
  existing keyspace; park unless ACTIVE; unpark unless PARKED; resize unless ACTIVE.
- Chosen where the spec is silent: park/unpark/resize of a *serverless* database → 400
  "… is not supported for serverless databases" (it is a property of the database, not of
  its state, so not a 409). Resize: 1..100, no shrink, at most +3 per operation → 400.
  Dropping a keyspace that does not exist → 204 (Go spec: "no keyspace found to
  delete"); an existing one → 202. Invalid keyspace names → 422 (addKeyspace has no 400).
  Revoking an unknown client id → 400 (deleteTokenForClient declares no 404). Telemetry
  and audit-log GET with nothing configured → 200 ``{}``.
- Paging of GET /v2/databases: ``limit`` 1..100 (default 25; else 400), ``starting_after``
  = an id (unknown → 400), ``provider`` ALL/GCP/AWS/AZURE, ``include`` a status or
  nonterminated/all.
- Create validates name, cloudProvider, region, tier, capacityUnits (missing → 400,
  unparsable body → 422) and the region against the built-in catalogue (→ 400); answers
  201 with ``Location: <id>`` and no body.

Test and benchmark controls: :class:`AstraEmulator` has Python helpers (``add_database``,
``set_status``, ``settle``, ``inject_fault``, ``requests``, ``count``…) and the same over
HTTP under ``/_emulator/…`` (unauthenticated; not recorded; see :meth:`AstraEmulator._controls`).
``python -m bot.astra.emulator --port 8765`` serves it.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import json
import re
import secrets
import string
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

__all__ = [
    "REGIONS",
    "SANDBOX_TOKEN",
    "AstraEmulator",
    "EmulatorConfig",
    "Fault",
    "RecordedRequest",
    "create_app",
]

#: The default accepted bearer token of a sandbox (not a secret: it only opens the emulator).
SANDBOX_TOKEN: Final = (
    "AstraCS:sandbox:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)
SANDBOX_CLIENT_ID: Final = "sandboxClientId000000000"
ZERO_TIME: Final = "0001-01-01T00:00:00Z"  # Go's zero time, as the real API sends it

#: The real "invalid token" error ID (NOTES.md §4, Java AstraDBOpsClient).
ERR_INVALID_TOKEN: Final = 340018

Handler = Callable[[Request, Any], Awaitable[Response]]
Effect = Callable[[], None]


@dataclass
class EmulatorConfig:
    """Knobs of the emulator. Durations are seconds of ``clock`` time."""

    tokens: set[str] = field(default_factory=lambda: {SANDBOX_TOKEN})
    org_id: str = "7f1a6a4e-3c2b-4d5e-9f80-1a2b3c4d5e6f"
    org_name: str = "sandbox-org"
    pending_s: float = 2.0
    initializing_s: float = 3.0
    terminating_s: float = 3.0
    maintenance_s: float = 2.0
    parking_s: float = 3.0
    unparking_s: float = 3.0
    resizing_s: float = 3.0
    datacenter_s: float = 4.0
    #: added to every API answer (real seconds, asyncio.sleep)
    latency_s: float = 0.0
    clock: Callable[[], float] = time.monotonic
    #: ``"pascal"`` answers roles and users as the Java SDK fixtures spell them
    #: (``ID/Name/Policy``, ``UserID/Email/…``; NOTES.md §1b)
    role_casing: Literal["camel", "pascal"] = "camel"
    #: seed two databases and two users shaped like the astra-cli fixtures
    sample_data: bool = False
    #: serve the ``/_emulator/…`` control endpoints
    controls: bool = True

    @classmethod
    def faster(cls, speed: float, **kw: Any) -> EmulatorConfig:
        """The default transitions, ``speed`` times faster (demos, tests, benchmarks)."""
        base = cls()
        durations = {f: getattr(base, f) / speed for f in (
            "pending_s", "initializing_s", "terminating_s", "maintenance_s", "parking_s",
            "unparking_s", "resizing_s", "datacenter_s")}
        return cls(**{**durations, **kw})


@dataclass
class RecordedRequest:
    """One API request that reached the emulator (never its Authorization header)."""

    method: str
    path: str
    query: dict[str, list[str]]
    json: Any
    at: float
    status: int | None = None


@dataclass
class Fault:
    """The next ``count`` matching requests fail with ``status`` (0: only delayed)."""

    status: int
    count: int = 1
    method: str | None = None
    path_prefix: str | None = None
    retry_after: float | None = None
    latency_s: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        if self.count <= 0:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path_prefix is None or path.startswith(self.path_prefix)


# --------------------------------------------------------------------------------------
# Region catalogue: (cloud, name, displayName, zone, classification, vector)
# --------------------------------------------------------------------------------------

REGIONS: Final[tuple[tuple[str, str, str, str, str, bool], ...]] = (
    ("GCP", "us-east1", "Moncks Corner, South Carolina", "na", "standard", True),
    ("GCP", "us-east4", "Ashburn, Northern Virginia", "na", "standard", True),
    ("GCP", "us-central1", "Council Bluffs, Iowa", "na", "standard", True),
    ("GCP", "us-west1", "The Dalles, Oregon", "na", "standard", False),
    ("GCP", "northamerica-northeast1", "Montréal, Québec", "na", "standard", False),
    ("GCP", "southamerica-east1", "Osasco, São Paulo", "sa", "premium", False),
    ("GCP", "europe-west1", "St. Ghislain, Belgium", "emea", "standard", True),
    ("GCP", "europe-west2", "London, England", "emea", "premium", False),
    ("GCP", "europe-west3", "Frankfurt, Germany", "emea", "premium", False),
    ("GCP", "europe-west4", "Eemshaven, Netherlands", "emea", "standard", False),
    ("GCP", "europe-north1", "Hamina, Finland", "emea", "standard", False),
    ("GCP", "asia-south1", "Mumbai, India", "apac", "standard", True),
    ("GCP", "asia-northeast1", "Tokyo, Japan", "apac", "premium", False),
    ("GCP", "asia-southeast1", "Jurong West, Singapore", "apac", "premium", False),
    ("GCP", "australia-southeast1", "Sydney, Australia", "apac", "premium", False),
    ("AWS", "us-east-1", "US East (N. Virginia)", "na", "standard", True),
    ("AWS", "us-east-2", "US East (Ohio)", "na", "standard", True),
    ("AWS", "us-west-2", "US West (Oregon)", "na", "standard", True),
    ("AWS", "us-west-1", "US West (N. California)", "na", "premium", False),
    ("AWS", "ca-central-1", "Canada (Central)", "na", "standard", False),
    ("AWS", "sa-east-1", "South America (São Paulo)", "sa", "premium_plus", False),
    ("AWS", "eu-west-1", "Europe (Ireland)", "emea", "standard", True),
    ("AWS", "eu-west-2", "Europe (London)", "emea", "premium", False),
    ("AWS", "eu-central-1", "Europe (Frankfurt)", "emea", "premium", True),
    ("AWS", "eu-north-1", "Europe (Stockholm)", "emea", "standard", False),
    ("AWS", "ap-south-1", "Asia Pacific (Mumbai)", "apac", "standard", True),
    ("AWS", "ap-southeast-1", "Asia Pacific (Singapore)", "apac", "premium", False),
    ("AWS", "ap-southeast-2", "Asia Pacific (Sydney)", "apac", "premium", False),
    ("AWS", "ap-northeast-1", "Asia Pacific (Tokyo)", "apac", "premium", False),
    ("AZURE", "eastus", "East US (Virginia)", "na", "standard", True),
    ("AZURE", "eastus2", "East US 2 (Virginia)", "na", "standard", False),
    ("AZURE", "westus2", "West US 2 (Washington)", "na", "standard", True),
    ("AZURE", "centralus", "Central US (Iowa)", "na", "standard", False),
    ("AZURE", "canadacentral", "Canada Central (Toronto)", "na", "standard", False),
    ("AZURE", "brazilsouth", "Brazil South (São Paulo State)", "sa", "premium_plus", False),
    ("AZURE", "westeurope", "West Europe (Netherlands)", "emea", "standard", True),
    ("AZURE", "northeurope", "North Europe (Ireland)", "emea", "standard", False),
    ("AZURE", "uksouth", "UK South (London)", "emea", "premium", False),
    ("AZURE", "francecentral", "France Central (Paris)", "emea", "premium", False),
    ("AZURE", "germanywestcentral", "Germany West Central (Frankfurt)", "emea", "premium",
     False),
    ("AZURE", "centralindia", "Central India (Pune)", "apac", "standard", False),
    ("AZURE", "southeastasia", "Southeast Asia (Singapore)", "apac", "premium", False),
    ("AZURE", "japaneast", "Japan East (Tokyo, Saitama)", "apac", "premium", False),
    ("AZURE", "australiaeast", "Australia East (New South Wales)", "apac", "premium", False),
)
_REGION_INDEX: Final = {(c, n): (c, n, d, z, k, v) for c, n, d, z, k, v in REGIONS}

# DatabaseInfoCreate.tier enum (official) plus the Go spec's classic tiers
_TIERS: Final = frozenset(
    {"developer", "serverless", "C10", "C20", "C40", "D10", "D20", "D40", "A5", "A10", "A20",
     "A40", "cloudnative"}
)
_STATUSES: Final = frozenset(
    {"ACTIVE", "ASSOCIATING", "DECOMMISSIONING", "DEGRADED", "ERROR", "HIBERNATED",
     "HIBERNATING", "INITIALIZING", "MAINTENANCE", "PARKED", "PARKING", "PENDING", "PLACING",
     "PREPARED", "PREPARING", "RESIZING", "RESUMING", "SUSPENDED", "SUSPENDING",
     "SYNCHRONIZING", "TERMINATED", "TERMINATING", "UNKNOWN", "UNPARKING"}
)
_TERMINATABLE: Final = frozenset(
    {"ACTIVE", "PARKED", "ERROR", "HIBERNATED", "SUSPENDED", "PENDING", "INITIALIZING",
     "PREPARED", "UNKNOWN", "DEGRADED"}
)
_KEYSPACE_RE: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,47}$")
# AddressRequest.address pattern (official spec)
_ADDRESS_RE: Final = re.compile(r"^([0-9]{1,3}\.){3}[0-9]{1,3}(/([0-9]|[1-2][0-9]|3[0-2]))?$")
_EMAIL_RE: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Required keys of each telemetry block (official spec *TelemetryRequestBlock schemas)
_TELEMETRY_REQUIRED: Final[Mapping[str, tuple[str, ...]]] = {
    "kafka": ("bootstrap_servers", "topic", "sasl_mechanism", "sasl_username", "sasl_password"),
    "prometheus_remote": ("endpoint", "auth_strategy"),
    "Datadog": ("api_key",),
    "cloudwatch": ("access_key", "secret_key", "region"),
    "splunk": ("endpoint", "index", "token"),
    "pulsar": ("endpoint", "topic", "auth_strategy"),
}
_TELEMETRY_STRATEGIES: Final[Mapping[str, Mapping[str, tuple[str, ...]]]] = {
    "prometheus_remote": {"basic": ("user", "password"), "bearer": ("token",)},
    "pulsar": {"token": ("token",), "oauth2": ("oauth2_credentials_url", "oauth2_issuer_url")},
}

# --------------------------------------------------------------------------------------
# Seed roles (fixtures-astra-cli/Roles.json shapes; ids of the fixture where it has them)
# --------------------------------------------------------------------------------------

_READ_DATA: Final = ("db-all-keyspace-describe", "db-keyspace-describe", "db-table-select",
                     "db-table-describe", "db-graphql", "db-rest", "db-cql")
_WRITE_DATA: Final = ("db-table-modify", "db-table-create", "db-table-alter", "db-table-drop",
                      "db-keyspace-create", "db-keyspace-drop", "db-keyspace-alter",
                      "db-keyspace-modify", "db-all-keyspace-create")
_DB_ADMIN: Final = ("org-db-create", "org-db-terminate", "org-db-expand", "org-db-suspend",
                    "org-db-view", "org-db-passwordreset", "org-db-addpeering",
                    "db-manage-region", "db-manage-privateendpoint",
                    "db-manage-thirdpartymetrics", "accesslist-read", "accesslist-write")
_ORG_ADMIN_ONLY: Final = ("org-read", "org-write", "org-audits-read", "org-cmk-read",
                          "org-cmk-write", "org-role-read", "org-role-write", "org-role-delete",
                          "org-external-auth-read", "org-external-auth-write",
                          "org-notification-write", "org-token-read", "org-token-write",
                          "org-billing-read", "org-billing-write", "org-user-read",
                          "org-user-write", "org-db-managemigratorproxy",
                          "org-integrations-read", "org-integrations-write",
                          "org-stream-manage", "db-data-import", "db-keyspace-grant",
                          "db-keyspace-authorize", "db-table-grant", "db-table-authorize")

ORG_ADMIN_ROLE_ID: Final = "ad0566b5-2a67-49de-89e8-92258c2f2c98"
DB_ADMIN_ROLE_ID: Final = "1faa93f2-b889-4190-9585-4bc6e3c3595a"
READ_ONLY_ROLE_ID: Final = "8f5ea4a7-1c4b-4a3b-9c55-4ac1b7e6b9a4"

_SEED_ROLES: Final[tuple[tuple[str, str, tuple[str, ...]], ...]] = (
    (ORG_ADMIN_ROLE_ID, "Organization Administrator",
     (*_ORG_ADMIN_ONLY, *_DB_ADMIN, *_READ_DATA, *_WRITE_DATA)),
    (DB_ADMIN_ROLE_ID, "Database Administrator",
     ("org-read", *_DB_ADMIN, *_READ_DATA, *_WRITE_DATA)),
    (READ_ONLY_ROLE_ID, "Read Only User",
     ("org-read", "org-db-view", "accesslist-read", *_READ_DATA)),
    ("2c4e8d1a-6b3f-4f0e-8a7d-5e9c1b2a3f40", "User Administrator",
     ("org-read", "org-user-read", "org-user-write", "org-role-read")),
    ("b4ed0e9e-67e8-47b6-8b58-c6629be961a9", "R/W Svc Acct",
     ("accesslist-read", *_READ_DATA, "db-table-modify")),
    ("16a4b1d7-a615-41f8-95ca-52b0280f4d77", "RO Svc Acct", ("accesslist-read", *_READ_DATA)),
)

#: Actions a role may carry (PolicyAction enum ∪ those of real roles).
_KNOWN_ACTIONS: Final = frozenset(a for _, _, acts in _SEED_ROLES for a in acts) | frozenset(
    {"org-db-readpeering"}
)


def _iso(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _error(status: int, message: str, *, headers: Mapping[str, str] | None = None) -> Response:
    ident = ERR_INVALID_TOKEN if status == 401 else 1_000_000 + status
    return JSONResponse(
        {"errors": [{"ID": ident, "message": message}]}, status_code=status, headers=headers
    )


def _empty(status: int, headers: Mapping[str, str] | None = None) -> Response:
    return Response(status_code=status, headers=headers)


class _Invalid:
    """Marks a request body that is not JSON."""


_INVALID: Final = _Invalid()


# --------------------------------------------------------------------------------------
# State
# --------------------------------------------------------------------------------------


@dataclass
class _Transition:
    at: float
    status: str
    effect: Effect | None = None


@dataclass
class _Datacenter:
    id: str
    name: str
    cloud: str
    region: str
    tier: str
    capacity_units: int
    created: str
    status: str = "ACTIVE"


@dataclass
class _Database:
    id: str
    name: str
    cloud: str
    region: str
    tier: str
    capacity_units: int
    keyspace: str
    keyspaces: list[str]
    db_type: str | None
    owner_id: str
    created: str
    status: str
    datacenters: list[_Datacenter] = field(default_factory=list)
    timeline: list[_Transition] = field(default_factory=list)
    terminated: str | None = None
    message: str | None = None
    access_list: dict[str, dict[str, Any]] = field(default_factory=dict)
    telemetry: dict[str, Any] = field(default_factory=dict)

    def live_datacenters(self) -> list[_Datacenter]:
        return [dc for dc in self.datacenters if dc.status != "TERMINATED"]


@dataclass
class _Client:
    client_id: str
    roles: list[str]
    description: str
    generated_on: str
    token: str
    token_expiry: str | None = None


@dataclass
class _User:
    user_id: str
    email: str
    status: str
    roles: list[str]


# --------------------------------------------------------------------------------------
# The emulator
# --------------------------------------------------------------------------------------


class AstraEmulator:
    """The state of one emulated organization and the ASGI app (``.app``) serving it."""

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.requests: list[RecordedRequest] = []
        self.faults: list[Fault] = []
        self._dbs: dict[str, _Database] = {}
        self._clients: dict[str, _Client] = {}
        self._roles: dict[str, dict[str, Any]] = {}
        self._users: dict[str, _User] = {}
        self._audit_log: dict[str, Any] = {}
        self._vpc: dict[tuple[str, str], dict[str, Any]] = {}
        self._seed()
        self.app = Starlette(routes=self._routes())

    # ---------------------------------------------------------------- python helpers

    def now(self) -> float:
        return self.config.clock()

    def add_database(
        self,
        name: str,
        status: str = "ACTIVE",
        *,
        cloud_provider: str = "GCP",
        region: str = "us-east1",
        tier: str = "serverless",
        capacity_units: int = 1,
        keyspace: str = "default_keyspace",
        keyspaces: Iterable[str] | None = None,
        db_type: str | None = "vector",
        extra_regions: Iterable[str] = (),
        db_id: str | None = None,
    ) -> str:
        """Add a database directly in ``status`` (no transitions); its id."""
        db_id = db_id or str(uuid.uuid4())
        created = _iso()
        kss = list(keyspaces) if keyspaces is not None else [keyspace]
        if keyspace not in kss:
            kss.insert(0, keyspace)
        db = _Database(
            id=db_id,
            name=name,
            cloud=cloud_provider.upper(),
            region=region,
            tier=tier,
            capacity_units=capacity_units,
            keyspace=keyspace,
            keyspaces=kss,
            db_type=db_type,
            owner_id=SANDBOX_CLIENT_ID,
            created=created,
            status=status.upper(),
        )
        for reg in (region, *extra_regions):
            self._new_dc(db, reg, "ACTIVE")
        if db.status == "TERMINATED":
            self._terminated(db)
        self._dbs[db_id] = db
        return db_id

    def set_status(self, db_id: str, status: str) -> None:
        """Force a status now (pending transitions are dropped). KeyError if unknown."""
        db = self._dbs[db_id]
        db.timeline.clear()
        db.status = status
        if status.upper() == "TERMINATED":
            self._terminated(db)

    def status_of(self, db_id: str) -> str:
        db = self._get(db_id)
        if db is None:
            raise KeyError(db_id)
        return db.status

    def database_json(self, db_id: str) -> dict[str, Any]:
        db = self._get(db_id)
        if db is None:
            raise KeyError(db_id)
        return self._render_db(db)

    def settle(self) -> None:
        """Finish every pending transition now, whatever the clock says."""
        for db in self._dbs.values():
            self._advance(db, float("inf"))

    def inject_fault(
        self,
        status: int,
        *,
        count: int = 1,
        method: str | None = None,
        path_prefix: str | None = None,
        retry_after: float | None = None,
        latency_s: float = 0.0,
    ) -> Fault:
        """The next ``count`` matching API requests answer ``status`` with an error body.

        ``status=0`` answers normally after ``latency_s`` (a slow, not failed, answer).
        """
        fault = Fault(status, count, method, path_prefix, retry_after, latency_s)
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self.faults.clear()

    def reset_requests(self) -> None:
        self.requests.clear()

    def count(self, method: str | None = None, path_prefix: str | None = None) -> int:
        """How many recorded API requests match (method, path prefix)."""
        return sum(
            1
            for r in self.requests
            if (method is None or r.method == method.upper())
            and (path_prefix is None or r.path.startswith(path_prefix))
        )

    @property
    def reads_count(self) -> int:
        return self.count("GET")

    @property
    def writes_count(self) -> int:
        return len(self.requests) - self.reads_count

    def set_vpc_peering(self, provider: str, db_id: str, connection: dict[str, Any]) -> None:
        self._vpc[(provider.lower(), db_id)] = connection

    # ---------------------------------------------------------------- seeding

    def _seed(self) -> None:
        org = self.config.org_id
        resources = [
            f"drn:astra:org:{org}",
            f"drn:astra:org:{org}:db:*",
            f"drn:astra:org:{org}:db:*:keyspace:*",
            f"drn:astra:org:{org}:db:*:keyspace:*:table:*",
        ]
        for role_id, name, actions in _SEED_ROLES:
            self._roles[role_id] = {
                "id": role_id,
                "name": name,
                "policy": {
                    "description": name,
                    "resources": list(resources),
                    "actions": list(dict.fromkeys(actions)),
                    "effect": "allow",
                },
            }
        # listed like any token; authentication of configured tokens is by config.tokens
        self._clients[SANDBOX_CLIENT_ID] = _Client(
            SANDBOX_CLIENT_ID, [ORG_ADMIN_ROLE_ID], "sandbox token", _iso(), token=""
        )
        owner = str(uuid.uuid5(uuid.NAMESPACE_URL, org))
        self._users[owner] = _User(owner, "owner@sandbox.example", "active", [ORG_ADMIN_ROLE_ID])
        if self.config.sample_data:
            self.add_database("hi", keyspaces=["other_keyspace", "default_keyspace"])
            self.add_database("two_regions_db", cloud_provider="AWS", region="us-east-2",
                              extra_regions=["ap-south-1"])
            for uid, email, status, roles in (
                ("ae2f3b2c-4d5e-6f7a-8b9c-0d1e2f3a4b5c", "alice@example.com", "active",
                 ["b4ed0e9e-67e8-47b6-8b58-c6629be961a9"]),
                ("b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e", "bob@example.com", "invited",
                 ["b4ed0e9e-67e8-47b6-8b58-c6629be961a9",
                  "16a4b1d7-a615-41f8-95ca-52b0280f4d77"]),
            ):
                self._users[uid] = _User(uid, email, status, roles)

    # ---------------------------------------------------------------- state machine

    def _get(self, db_id: str) -> _Database | None:
        db = self._dbs.get(db_id)
        if db is not None:
            self._advance(db, self.now())
        return db

    @staticmethod
    def _advance(db: _Database, now: float) -> None:
        while db.timeline and db.timeline[0].at <= now:
            step = db.timeline.pop(0)
            db.status = step.status
            if step.effect is not None:
                step.effect()

    def _start(
        self, db: _Database, status: str, steps: Iterable[tuple[float, str, Effect | None]]
    ) -> None:
        """Enter ``status`` now, then each ``(after_s, status, effect)`` in turn."""
        db.status = status
        db.timeline.clear()
        at = self.now()
        for after, nxt, effect in steps:
            at += max(after, 0.0)
            db.timeline.append(_Transition(at, nxt, effect))
        self._advance(db, self.now())  # zero durations take effect at once

    def _terminated(self, db: _Database) -> None:
        db.terminated = db.terminated or _iso()
        for dc in db.datacenters:
            dc.status = "TERMINATED"

    def _new_dc(self, db: _Database, region: str, status: str) -> _Datacenter:
        n = len(db.datacenters) + 1
        dc = _Datacenter(
            id=f"{db.id}-{n}",
            name=f"dc-{n}",
            cloud=db.cloud,
            region=region,
            tier=db.tier,
            capacity_units=db.capacity_units,
            created=_iso(),
            status=status,
        )
        db.datacenters.append(dc)
        return dc

    # ---------------------------------------------------------------- rendering

    def _bundle_url(self, dc: _Datacenter, name: str, kind: str = "") -> str:
        now = datetime.now(UTC)
        sig = hashlib.sha256(f"{dc.id}{kind}{now.isoformat()}".encode()).hexdigest()
        return (
            f"https://datastax-cluster-config-prod.s3.us-east-2.amazonaws.com/{dc.id}/"
            f"secure-connect-{kind}{name}.zip?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            f"&X-Amz-Date={now.strftime('%Y%m%dT%H%M%SZ')}&X-Amz-Expires=300"
            f"&X-Amz-SignedHeaders=host&X-Amz-Signature={sig}"
        )

    def _render_dc(self, db: _Database, dc: _Datacenter) -> dict[str, Any]:
        info = _REGION_INDEX.get((dc.cloud, dc.region))
        return {
            "id": dc.id,
            "name": dc.name,
            "tier": dc.tier,
            "status": dc.status,
            "dateCreated": dc.created,
            "cloudProvider": dc.cloud,
            "region": dc.region,
            "regionZone": info[3] if info else "na",
            "regionClassification": info[4] if info else "standard",
            "capacityUnits": dc.capacity_units,
            "secureBundleUrl": self._bundle_url(dc, db.name),
            "secureBundleInternalUrl": self._bundle_url(dc, db.name, "internal-"),
            "secureBundleMigrationProxyUrl": self._bundle_url(dc, db.name, "proxy-"),
            "secureBundleMigrationProxyInternalUrl": self._bundle_url(
                dc, db.name, "proxy-internal-"
            ),
        }

    @staticmethod
    def _actions(db: _Database) -> list[str]:
        # only values of the official spec's availableActions enum
        if db.status == "ACTIVE":
            acts = ["addKeyspace", "removeKeyspace", "addDatacenters", "terminateDatacenter",
                    "getCreds", "terminate"]
            if db.tier != "serverless":
                acts += ["park", "resize", "resetPassword"]
            return acts
        if db.status == "PARKED":
            return ["unpark", "terminate"]
        if db.status in {"ERROR", "PENDING", "INITIALIZING"}:
            return ["terminate"]
        return []

    def _render_db(self, db: _Database) -> dict[str, Any]:
        host = f"https://{db.id}-{db.region}"
        live = db.live_datacenters()
        info: dict[str, Any] = {
            "name": db.name,
            "keyspace": db.keyspace,
            "keyspaces": list(db.keyspaces),
            "datacenters": [self._render_dc(db, dc) for dc in live],
            "cloudProvider": db.cloud,
            "tier": db.tier,
            "capacityUnits": db.capacity_units,
            "region": db.region,
            "additionalKeyspaces": [k for k in db.keyspaces if k != db.keyspace],
        }
        if db.db_type:
            info["dbType"] = db.db_type
        body: dict[str, Any] = {
            "id": db.id,
            "orgId": self.config.org_id,
            "ownerId": db.owner_id,
            "creationTime": db.created,
            "terminationTime": db.terminated or ZERO_TIME,
            "lastUsageTime": db.created,
            "info": info,
            "status": db.status,
            "observedStatus": db.status,
            "storage": {
                "nodeCount": 3 * max(len(live), 1),
                "replicationFactor": 1,
                "totalStorage": 5,
                "usedStorage": 0,
            },
            "cost": {"costPerMinCents": 0.0, "costPerHourCents": 0.0,
                     "costPerWrittenGbCents": 0.1, "costPerReadGbCents": 0.1},
            "metrics": {"writeRequestsTotalCount": 0, "readRequestsTotalCount": 0,
                        "liveDataSizeBytes": 0, "errorsTotalCount": 0},
            "availableActions": self._actions(db),
            "grafanaUrl": f"https://{db.id}-{db.region}.dashboard.astra.datastax.com/d/cloud/"
                          "dse-cluster-condensed?refresh=30s&orgId=1&kiosk=tv",
            "cqlshUrl": f"{host}.apps.astra.datastax.com/cqlsh",
            "graphqlUrl": f"{host}.apps.astra.datastax.com/api/graphql",
            "dataEndpointUrl": f"{host}.apps.astra.datastax.com/api/rest",
        }
        if db.message:
            body["message"] = db.message
        return body

    def _render_role(self, role: Mapping[str, Any]) -> dict[str, Any]:
        if self.config.role_casing == "pascal":
            return {"ID": role["id"], "Name": role["name"], "Policy": role["policy"]}
        return dict(role)

    def _render_user(self, user: _User) -> dict[str, Any]:
        roles = [self._render_role(self._roles[r]) for r in user.roles if r in self._roles]
        if self.config.role_casing == "pascal":
            return {"UserID": user.user_id, "Email": user.email, "Status": user.status,
                    "Roles": roles}
        return {"userID": user.user_id, "email": user.email, "status": user.status,
                "roles": roles}

    # ---------------------------------------------------------------- plumbing

    def _authorized(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        token = token.strip()
        if token in self.config.tokens:
            return True
        return any(c.token and c.token == token for c in self._clients.values())

    def _api(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            raw = await request.body()
            body: Any
            if not raw.strip():
                body = None
            else:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = _INVALID
            record = RecordedRequest(
                method=request.method,
                path=request.url.path,
                query={k: request.query_params.getlist(k) for k in request.query_params},
                json=None if body is _INVALID else body,
                at=self.now(),
            )
            self.requests.append(record)
            response = await self._answer(request, body, handler)
            record.status = response.status_code
            return response

        return endpoint

    async def _answer(self, request: Request, body: Any, handler: Handler) -> Response:
        if self.config.latency_s > 0:
            await asyncio.sleep(self.config.latency_s)
        fault = next((f for f in self.faults if f.matches(request.method, request.url.path)),
                     None)
        if fault is not None:
            fault.count -= 1
            if fault.count <= 0:
                self.faults.remove(fault)
            if fault.latency_s > 0:
                await asyncio.sleep(fault.latency_s)
            if fault.status:
                headers = {}
                if fault.retry_after is not None:
                    headers["Retry-After"] = format(fault.retry_after, "g")
                return _error(fault.status, f"Injected fault ({fault.status}).",
                              headers=headers)
        if not self._authorized(request):
            return _error(401, "The token is invalid or expired.")
        return await handler(request, body)

    def _routes(self) -> list[Route]:
        a = self._api
        api: list[tuple[str, Handler, list[str]]] = [
            ("/v2/databases", self._list_databases, ["GET"]),
            ("/v2/databases", self._create_database, ["POST"]),
            ("/v2/databases/{db_id}", self._get_database, ["GET"]),
            ("/v2/databases/{db_id}/terminate", self._terminate, ["POST"]),
            ("/v2/databases/{db_id}/park", self._park, ["POST"]),
            ("/v2/databases/{db_id}/unpark", self._unpark, ["POST"]),
            ("/v2/databases/{db_id}/resize", self._resize, ["POST"]),
            ("/v2/databases/{db_id}/keyspaces/{ks}", self._add_keyspace, ["POST"]),
            ("/v2/databases/{db_id}/keyspaces/{ks}", self._drop_keyspace, ["DELETE"]),
            ("/v2/databases/{db_id}/datacenters", self._list_dcs, ["GET"]),
            ("/v2/databases/{db_id}/datacenters", self._add_dcs, ["POST"]),
            ("/v2/databases/{db_id}/datacenters/{dc_id}/terminate", self._terminate_dc,
             ["POST"]),
            ("/v2/databases/{db_id}/access-list", self._get_acl, ["GET"]),
            ("/v2/databases/{db_id}/access-list", self._add_acl, ["POST"]),
            ("/v2/databases/{db_id}/access-list", self._delete_acl, ["DELETE"]),
            ("/v2/databases/{db_id}/secureBundleURL", self._secure_bundle, ["POST"]),
            ("/v2/databases/{db_id}/telemetry/metrics", self._get_telemetry, ["GET"]),
            ("/v2/databases/{db_id}/telemetry/metrics", self._set_telemetry, ["POST"]),
            ("/v2/regions/serverless", self._serverless_regions, ["GET"]),
            ("/v2/availableRegions", self._available_regions, ["GET"]),
            ("/v2/currentOrg", self._current_org, ["GET"]),
            ("/v2/tokens", self._list_tokens, ["GET"]),
            ("/v2/clientIdSecrets", self._list_tokens, ["GET"]),
            ("/v2/tokens", self._create_token, ["POST"]),
            ("/v2/clientIdSecrets/{client_id}", self._revoke_token, ["DELETE"]),
            ("/v2/organizations/roles", self._list_roles, ["GET"]),
            ("/v2/organizations/roles", self._create_role, ["POST"]),
            ("/v2/organizations/roles/{role_id}", self._get_role, ["GET"]),
            ("/v2/organizations/roles/{role_id}", self._delete_role, ["DELETE"]),
            ("/v2/organizations/users", self._list_users, ["GET"]),
            ("/v2/organizations/users", self._invite_user, ["PUT"]),
            ("/v2/organizations/users/{user_id}", self._get_user, ["GET"]),
            ("/v2/organizations/users/{user_id}", self._remove_user, ["DELETE"]),
            ("/v2/organizations/users/{user_id}/roles", self._set_user_roles, ["PUT"]),
            ("/v2/organizations/private-link", self._private_links, ["GET"]),
            ("/v2/organizations/customDomains", self._custom_domains, ["GET"]),
            ("/v2/organizations/{org_id}/devops-acl", self._devops_acl, ["GET"]),
            ("/v2/organizations/{org_id}/telemetry/auditLogs", self._get_audit, ["GET"]),
            ("/v2/organizations/{org_id}/telemetry/auditLogs", self._set_audit, ["POST"]),
            ("/v2/organizations/{org_id}/telemetry/auditLogs", self._delete_audit, ["DELETE"]),
            ("/v2/kms", self._kms, ["GET"]),
            ("/v2/peering/provider/{provider}/database/{db_id}", self._vpc_peering, ["GET"]),
        ]
        routes = [Route(path, a(h), methods=m) for path, h, m in api]
        if self.config.controls:
            routes += self._controls()
        routes.append(
            Route("/{rest:path}", a(self._no_route),
                  methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
        )
        return routes

    # ---------------------------------------------------------------- helpers

    def _db_or_404(self, request: Request) -> _Database | Response:
        db_id = request.path_params["db_id"]
        db = self._get(db_id)
        if db is None:
            return _error(404, f"Database {db_id} was not found.")
        return db

    @staticmethod
    def _not_valid_state(db: _Database, what: str) -> Response:
        return _error(
            409,
            f"The database is not in a valid state to perform the operation: cannot {what} "
            f"while {db.status}.",
        )

    def _org_or_404(self, request: Request) -> Response | None:
        if request.path_params["org_id"] != self.config.org_id:
            return _error(404, "Organization not found.")
        return None

    async def _no_route(self, request: Request, body: Any) -> Response:
        return _error(404, f"No such endpoint: {request.method} {request.url.path}.")

    # ---------------------------------------------------------------- databases

    async def _list_databases(self, request: Request, body: Any) -> Response:
        q = request.query_params
        include = q.get("include", "nonterminated").lower()
        if include not in {"nonterminated", "all"} and include.upper() not in _STATUSES:
            return _error(400, f"Invalid include value: {include}.")
        provider = q.get("provider", "ALL").upper()
        if provider not in {"ALL", "GCP", "AWS", "AZURE"}:
            return _error(400, f"Invalid provider value: {provider}.")
        try:
            limit = int(q.get("limit", "25"))
        except ValueError:
            return _error(400, "limit must be an integer between 1 and 100.")
        if not 1 <= limit <= 100:
            return _error(400, "limit must be an integer between 1 and 100.")
        ordered = list(self._dbs.values())
        after = q.get("starting_after")
        if after:
            ids = [d.id for d in ordered]
            if after not in ids:
                return _error(400, f"starting_after {after} is not a known database id.")
            ordered = ordered[ids.index(after) + 1:]
        page: list[dict[str, Any]] = []
        now = self.now()
        for db in ordered:
            self._advance(db, now)
            if include == "nonterminated" and db.status == "TERMINATED":
                continue
            if include not in {"nonterminated", "all"} and db.status != include.upper():
                continue
            if provider != "ALL" and db.cloud != provider:
                continue
            page.append(self._render_db(db))
            if len(page) >= limit:
                break
        return JSONResponse(page)

    async def _get_database(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        return JSONResponse(self._render_db(db))

    async def _create_database(self, request: Request, body: Any) -> Response:
        if not isinstance(body, dict):
            return _error(422, "The structured data in the request could not be parsed.")
        required = ("name", "cloudProvider", "region", "tier", "capacityUnits")
        missing = [k for k in required if body.get(k) in (None, "")]
        if missing:
            return _error(400, f"Missing required fields: {', '.join(missing)}.")
        name, cloud, region = body["name"], body["cloudProvider"], body["region"]
        tier, cu = body["tier"], body["capacityUnits"]
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= 50:
            return _error(400, "name must be 1 to 50 characters.")
        if not isinstance(cloud, str) or cloud.upper() not in {"GCP", "AWS", "AZURE"}:
            return _error(400, f"Invalid cloudProvider {cloud}: use AWS, GCP or AZURE.")
        cloud = cloud.upper()
        if tier not in _TIERS:
            return _error(400, f"Invalid tier {tier}.")
        if not isinstance(cu, int) or isinstance(cu, bool) or not 1 <= cu <= 100:
            return _error(400, "capacityUnits must be an integer between 1 and 100.")
        if not isinstance(region, str) or (cloud, region) not in _REGION_INDEX:
            return _error(400, f"Region {region} is not available for {cloud}.")
        keyspace = body.get("keyspace") or "default_keyspace"
        if not isinstance(keyspace, str) or not _KEYSPACE_RE.match(keyspace):
            return _error(400, f"Invalid keyspace name {keyspace}.")
        db_type = body.get("dbType")
        if db_type not in (None, "vector"):
            return _error(400, f"Invalid dbType {db_type}: only vector is supported.")
        db_id = self.add_database(
            name.strip(), "PENDING", cloud_provider=cloud, region=region, tier=tier,
            capacity_units=cu, keyspace=keyspace, db_type=db_type,
        )
        db = self._dbs[db_id]
        for dc in db.datacenters:
            dc.status = "PENDING"

        def ready() -> None:
            for dc in db.datacenters:
                dc.status = "ACTIVE"

        cfg = self.config
        self._start(db, "PENDING", [(cfg.pending_s, "INITIALIZING", None),
                                    (cfg.initializing_s, "ACTIVE", ready)])
        # 201, no body, Location = the bare database id (NOTES.md §3)
        return _empty(201, {"Location": db_id})

    async def _terminate(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        if db.status not in _TERMINATABLE:
            return self._not_valid_state(db, "terminate")
        if len(db.live_datacenters()) > 1:
            return _error(
                409,
                "The database has more than one region: remove the extra regions first.",
            )
        for dc in db.datacenters:
            if dc.status != "TERMINATED":
                dc.status = "TERMINATING"
        self._start(db, "TERMINATING",
                    [(self.config.terminating_s, "TERMINATED", lambda: self._terminated(db))])
        return _empty(202)

    def _classic_only(self, db: _Database, what: str) -> Response | None:
        if db.tier == "serverless":
            return _error(400, f"{what} is not supported for serverless databases.")
        return None

    async def _park(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        refused = self._classic_only(db, "Parking")
        if refused is not None:
            return refused
        if db.status != "ACTIVE":
            return self._not_valid_state(db, "park")

        def parked() -> None:
            db.message = "Parked by request"

        self._start(db, "PARKING", [(self.config.parking_s, "PARKED", parked)])
        return _empty(202)

    async def _unpark(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        refused = self._classic_only(db, "Unparking")
        if refused is not None:
            return refused
        if db.status != "PARKED":
            return self._not_valid_state(db, "unpark")
        db.message = None
        self._start(db, "UNPARKING", [(self.config.unparking_s, "ACTIVE", None)])
        return _empty(202)

    async def _resize(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        refused = self._classic_only(db, "Resizing")
        if refused is not None:
            return refused
        cu = body.get("capacityUnits") if isinstance(body, dict) else None
        if not isinstance(cu, int) or isinstance(cu, bool) or not 1 <= cu <= 100:
            return _error(400, "capacityUnits must be an integer between 1 and 100.")
        if cu <= db.capacity_units:
            return _error(400, f"capacityUnits must be more than the current "
                               f"{db.capacity_units}: reducing a database is not supported.")
        if cu > db.capacity_units + 3:
            return _error(400, f"capacityUnits can grow by at most 3 per operation "
                               f"(from {db.capacity_units} to at most {db.capacity_units + 3}).")
        if db.status != "ACTIVE":
            return self._not_valid_state(db, "resize")

        def resized() -> None:
            db.capacity_units = cu
            for dc in db.datacenters:
                dc.capacity_units = cu

        self._start(db, "RESIZING", [(self.config.resizing_s, "ACTIVE", resized)])
        return _empty(202)

    # ---------------------------------------------------------------- keyspaces

    async def _add_keyspace(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        ks = request.path_params["ks"]
        if not _KEYSPACE_RE.match(ks):
            return _error(422, f"Invalid keyspace name {ks}: letters, digits and _, "
                               "starting with a letter, at most 48.")
        if ks in db.keyspaces:
            return _error(409, f"Keyspace {ks} already exists in the database.")
        if db.status != "ACTIVE":
            return self._not_valid_state(db, "add a keyspace")

        def added() -> None:
            if ks not in db.keyspaces:
                db.keyspaces.append(ks)

        self._start(db, "MAINTENANCE", [(self.config.maintenance_s, "ACTIVE", added)])
        return _empty(201)

    async def _drop_keyspace(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        ks = request.path_params["ks"]
        if ks not in db.keyspaces:
            return _empty(204)  # Go spec: "no keyspace found to delete"
        if db.status != "ACTIVE":
            return self._not_valid_state(db, "drop a keyspace")

        def dropped() -> None:
            if ks in db.keyspaces:
                db.keyspaces.remove(ks)

        self._start(db, "MAINTENANCE", [(self.config.maintenance_s, "ACTIVE", dropped)])
        return _empty(202)

    # ---------------------------------------------------------------- datacenters

    async def _list_dcs(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        everything = request.query_params.get("all", "false").lower() == "true"
        dcs = db.datacenters if everything else db.live_datacenters()
        return JSONResponse([self._render_dc(db, dc) for dc in dcs])

    async def _add_dcs(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        if not isinstance(body, list) or not all(isinstance(d, dict) for d in body):
            return _error(400, "The body must be an array of datacenters.")
        if len(body) != 1:
            return _error(400, "Only one region can be added at a time.")
        spec = body[0]
        missing = [k for k in ("tier", "cloudProvider", "region") if not spec.get(k)]
        if missing:
            return _error(400, f"Missing required fields: {', '.join(missing)}.")
        cloud = str(spec["cloudProvider"]).upper()
        region = str(spec["region"])
        if (cloud, region) not in _REGION_INDEX:
            return _error(400, f"Region {region} is not available for {cloud}.")
        if cloud != db.cloud:
            return _error(400, f"All regions of a database must be in the same cloud "
                               f"({db.cloud}).")
        if any(dc.region == region for dc in db.live_datacenters()):
            return _error(409, f"The database already has a datacenter in {region}.")
        if db.status != "ACTIVE":
            return self._not_valid_state(db, "add a region")
        dc = self._new_dc(db, region, "INITIALIZING")

        def added() -> None:
            dc.status = "ACTIVE"

        self._start(db, "MAINTENANCE", [(self.config.datacenter_s, "ACTIVE", added)])
        return _empty(201)

    async def _terminate_dc(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        dc_id = request.path_params["dc_id"]
        dc = next((d for d in db.live_datacenters() if d.id == dc_id), None)
        if dc is None:
            return _error(404, f"Datacenter {dc_id} was not found.")
        if len(db.live_datacenters()) < 2:
            return _error(409, "Cannot remove the last region of a database: terminate the "
                               "database instead.")
        if db.status != "ACTIVE":
            return self._not_valid_state(db, "remove a region")
        dc.status = "TERMINATING"

        def removed() -> None:
            dc.status = "TERMINATED"

        self._start(db, "MAINTENANCE", [(self.config.datacenter_s, "ACTIVE", removed)])
        return _empty(202)

    # ---------------------------------------------------------------- regions

    async def _serverless_regions(self, request: Request, body: Any) -> Response:
        # region-type: "" (default) → serverless only; "vector"; "all" → both; anything
        # else is ignored (official spec RegionTypeQueryParam)
        rtype = request.query_params.get("region-type", "").lower()
        only_enabled = request.query_params.get("filter-by-org", "").lower() == "enabled"
        out: list[dict[str, Any]] = []
        for cloud, name, display, zone, cls, vector in REGIONS:
            enabled = cls != "premium_plus"
            if only_enabled and not enabled:
                continue
            kinds = {"vector": ["vector"] if vector else [],
                     "all": ["serverless"] + (["vector"] if vector else [])}.get(
                rtype, ["serverless"])
            for kind in kinds:
                out.append({
                    "cloudProvider": cloud,
                    "name": name,
                    "displayName": display,
                    "zone": zone,
                    "classification": cls,
                    "enabled": enabled,
                    "reservedForQualifiedUsers": not enabled,
                    "region_type": kind,
                })
        return JSONResponse(out)

    async def _available_regions(self, request: Request, body: Any) -> Response:
        out = []
        for cloud, name, _display, _zone, _cls, _vector in REGIONS:
            dbs = [d for d in self._dbs.values()
                   if d.cloud == cloud and d.region == name and d.status != "TERMINATED"]
            out.append({
                "tier": "serverless",
                "cloudProvider": cloud,
                "region": name,
                "cost": {"costPerMinCents": 0.0, "costPerHourCents": 0.0,
                         "costPerDayCents": 0.0, "costPerMonthCents": 0.0,
                         "costPerMinParkedCents": 0.0, "costPerHourParkedCents": 0.0,
                         "costPerDayParkedCents": 0.0, "costPerMonthParkedCents": 0.0},
                "databaseCountUsed": len(dbs),
                "databaseCountLimit": 50,
                "capacityUnitsUsed": sum(d.capacity_units for d in dbs),
                "capacityUnitsLimit": 100,
                "defaultStoragePerCapacityUnitGb": 10,
            })
        return JSONResponse(out)

    # ---------------------------------------------------------------- access lists

    def _render_acl(self, db: _Database) -> dict[str, Any]:
        return {
            "organizationId": self.config.org_id,
            "databaseId": db.id,
            "addresses": list(db.access_list.values()),
            "configurations": {"accessListEnabled": bool(db.access_list)},
        }

    async def _get_acl(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        return JSONResponse(self._render_acl(db))

    async def _add_acl(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        if not isinstance(body, list) or not body:
            return _error(400, "The body must be a non-empty array of addresses.")
        entries: list[dict[str, Any]] = []
        for item in body:
            if not isinstance(item, dict):
                return _error(400, "Each address must be an object.")
            missing = [k for k in ("address", "enabled", "description") if k not in item]
            if missing:
                return _error(400, f"Missing required fields: {', '.join(missing)}.")
            address = item["address"]
            if not isinstance(address, str) or not _ADDRESS_RE.match(address):
                return _error(400, f"{address} is not an IPv4 address or CIDR block.")
            try:
                ipaddress.IPv4Network(address, strict=False)
            except ValueError:
                return _error(400, f"{address} is not an IPv4 address or CIDR block.")
            entries.append({
                "address": address,
                "enabled": bool(item["enabled"]),
                "description": str(item["description"]),
                "lastUpdateDateTime": _iso(),
            })
        for entry in entries:
            db.access_list[entry["address"]] = entry
        return _empty(204)

    async def _delete_acl(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        addresses = request.query_params.getlist("addresses")
        if not addresses:
            db.access_list.clear()  # spec: no addresses ⇒ delete the entire list
        for address in addresses:
            for one in address.split(","):
                db.access_list.pop(one.strip(), None)
        return _empty(204)

    async def _devops_acl(self, request: Request, body: Any) -> Response:
        refused = self._org_or_404(request)
        return refused or JSONResponse({"addresses": []})

    # ---------------------------------------------------------------- secure bundle

    async def _secure_bundle(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        if db.status not in {"ACTIVE", "MAINTENANCE", "RESIZING"}:
            return self._not_valid_state(db, "get a secure connect bundle")
        every = request.query_params.get("all", "false").lower() == "true"
        dcs = db.live_datacenters()
        bundles = [
            {
                "downloadURL": self._bundle_url(dc, db.name),
                "downloadURLInternal": self._bundle_url(dc, db.name, "internal-"),
                "downloadURLMigrationProxy": self._bundle_url(dc, db.name, "proxy-"),
                "downloadURLMigrationProxyInternal": self._bundle_url(
                    dc, db.name, "proxy-internal-"),
                # the real key is misspelled; the Go spec lists both spellings
                "datcenterID": dc.id,
                "datacenterID": dc.id,
                "region": dc.region,
                "cloudProvider": dc.cloud,
            }
            for dc in dcs
        ]
        # all=false → one CredsURL object; all=true → CredsURLList (official spec)
        return JSONResponse(bundles if every else bundles[0])

    # ---------------------------------------------------------------- telemetry

    async def _get_telemetry(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        return JSONResponse(db.telemetry)

    @staticmethod
    def _check_telemetry(body: Any, kinds: Iterable[str]) -> str | dict[str, Any]:
        """The error text, or the validated ``{kind: config}``."""
        kinds = tuple(kinds)
        if not isinstance(body, dict) or len(body) != 1:
            return f"The body must be one object keyed by one of: {', '.join(kinds)}."
        ((kind, config),) = body.items()
        if kind not in kinds:
            return f"Unknown telemetry kind {kind}: use one of {', '.join(kinds)}."
        if not isinstance(config, dict):
            return f"The {kind} configuration must be an object."
        needed = list(_TELEMETRY_REQUIRED[kind])
        strategies = _TELEMETRY_STRATEGIES.get(kind)
        if strategies is not None:
            strategy = str(config.get("auth_strategy"))
            if strategy not in strategies:
                return f"auth_strategy must be one of {', '.join(strategies)}."
            needed += strategies[strategy]
        missing = [k for k in needed if config.get(k) in (None, "", [])]
        if missing:
            return f"Missing required fields for {kind}: {', '.join(missing)}."
        return {kind: config}

    async def _set_telemetry(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        checked = self._check_telemetry(body, _TELEMETRY_REQUIRED)
        if isinstance(checked, str):
            return _error(400, checked)
        db.telemetry = checked  # "updates replace any existing config"
        return _empty(202)

    async def _get_audit(self, request: Request, body: Any) -> Response:
        return self._org_or_404(request) or JSONResponse(self._audit_log)

    async def _set_audit(self, request: Request, body: Any) -> Response:
        refused = self._org_or_404(request)
        if refused is not None:
            return refused
        checked = self._check_telemetry(body, ["pulsar"])
        if isinstance(checked, str):
            return _error(400, checked)
        self._audit_log = checked
        return _empty(202)

    async def _delete_audit(self, request: Request, body: Any) -> Response:
        refused = self._org_or_404(request)
        if refused is not None:
            return refused
        self._audit_log = {}
        return _empty(202)

    # ---------------------------------------------------------------- organization

    async def _current_org(self, request: Request, body: Any) -> Response:
        return JSONResponse({"id": self.config.org_id, "name": self.config.org_name})

    async def _list_tokens(self, request: Request, body: Any) -> Response:
        clients = []
        for c in self._clients.values():
            entry: dict[str, Any] = {"clientId": c.client_id, "roles": list(c.roles),
                                     "generatedOn": c.generated_on,
                                     "description": c.description}
            if c.token_expiry:
                entry["tokenExpiry"] = c.token_expiry
            clients.append(entry)  # never the secret nor the token
        return JSONResponse({"clients": clients})

    def _unknown_roles(self, roles: Any) -> str | None:
        if not isinstance(roles, list) or not roles or not all(isinstance(r, str) for r in roles):
            return "roles must be a non-empty array of role ids."
        unknown = [r for r in roles if r not in self._roles]
        if unknown:
            return f"Unknown role ids: {', '.join(unknown)}."
        return None

    async def _create_token(self, request: Request, body: Any) -> Response:
        if not isinstance(body, dict):
            return _error(400, "The body must be an object with roles.")
        problem = self._unknown_roles(body.get("roles"))
        if problem:
            return _error(400, problem)
        expiry = body.get("tokenExpiry")
        if expiry is not None and not isinstance(expiry, str):
            return _error(400, "tokenExpiry must be a date-time string.")
        alphabet = string.ascii_letters + string.digits
        client_id = "".join(secrets.choice(alphabet) for _ in range(24))
        token = f"AstraCS:{client_id}:{secrets.token_hex(32)}"
        client = _Client(client_id, list(body["roles"]), str(body.get("description") or ""),
                         _iso(), token, expiry)
        self._clients[client_id] = client
        answer: dict[str, Any] = {
            "clientId": client_id,
            "orgId": self.config.org_id,
            "secret": secrets.token_urlsafe(48),
            "token": token,
            "generatedOn": client.generated_on,
            "roles": list(client.roles),
        }
        if expiry:
            answer["tokenExpiry"] = expiry
        return JSONResponse(answer)

    async def _revoke_token(self, request: Request, body: Any) -> Response:
        client_id = request.path_params["client_id"]
        if self._clients.pop(client_id, None) is None:
            return _error(400, f"No token with client id {client_id} in this organization.")
        return _empty(200)

    # ---------------------------------------------------------------- roles

    async def _list_roles(self, request: Request, body: Any) -> Response:
        return JSONResponse([self._render_role(r) for r in self._roles.values()])

    async def _get_role(self, request: Request, body: Any) -> Response:
        role = self._roles.get(request.path_params["role_id"])
        if role is None:
            return _error(404, f"Role {request.path_params['role_id']} was not found.")
        return JSONResponse(self._render_role(role))

    async def _create_role(self, request: Request, body: Any) -> Response:
        if not isinstance(body, dict):
            return _error(400, "The body must be an object with name and policy.")
        name, policy = body.get("name"), body.get("policy")
        if not isinstance(name, str) or not name.strip() or not isinstance(policy, dict):
            return _error(400, "name and policy are required.")
        missing = [k for k in ("description", "actions", "effect", "resources")
                   if k not in policy]
        if missing:
            return _error(400, f"Missing policy fields: {', '.join(missing)}.")
        actions, resources = policy["actions"], policy["resources"]
        if not isinstance(actions, list) or not actions:
            return _error(400, "policy.actions must be a non-empty array.")
        unknown = [a for a in actions if a not in _KNOWN_ACTIONS]
        if unknown:
            return _error(400, f"Unknown actions: {', '.join(map(str, unknown))}.")
        if not isinstance(resources, list) or not all(isinstance(r, str) for r in resources):
            return _error(400, "policy.resources must be an array of strings.")
        if policy["effect"] != "allow":
            return _error(400, "policy.effect must be allow.")
        if any(r["name"].lower() == name.strip().lower() for r in self._roles.values()):
            return _error(409, f"A role named {name} already exists.")
        role_id = str(uuid.uuid4())
        role = {
            "id": role_id,
            "name": name.strip(),
            "policy": {"description": str(policy["description"]), "resources": resources,
                       "actions": actions, "effect": "allow"},
            "last_update_datetime": _iso(),
        }
        self._roles[role_id] = role
        return JSONResponse(self._render_role(role), status_code=201)

    async def _delete_role(self, request: Request, body: Any) -> Response:
        if self._roles.pop(request.path_params["role_id"], None) is None:
            return _error(404, f"Role {request.path_params['role_id']} was not found.")
        return _empty(204)

    # ---------------------------------------------------------------- users

    async def _list_users(self, request: Request, body: Any) -> Response:
        users = [self._render_user(u) for u in self._users.values()]
        if self.config.role_casing == "pascal":
            return JSONResponse({"OrgID": self.config.org_id, "OrgName": self.config.org_name,
                                 "Users": users})
        return JSONResponse({"orgID": self.config.org_id, "orgName": self.config.org_name,
                             "users": users})

    async def _get_user(self, request: Request, body: Any) -> Response:
        user = self._users.get(request.path_params["user_id"])
        if user is None:
            return _error(404, f"User {request.path_params['user_id']} was not found.")
        return JSONResponse(self._render_user(user))

    async def _invite_user(self, request: Request, body: Any) -> Response:
        if not isinstance(body, dict):
            return _error(400, "The body must be an object with email, orgID and roles.")
        email = body.get("email")
        if not isinstance(email, str) or not _EMAIL_RE.match(email):
            return _error(400, f"{email} is not an email address.")
        if body.get("orgID") != self.config.org_id:
            return _error(403, "orgID is not the organization of this token.")
        problem = self._unknown_roles(body.get("roles"))
        if problem:
            return _error(400, problem)
        existing = next((u for u in self._users.values()
                         if u.email.lower() == email.lower()), None)
        if existing is not None:
            existing.roles = list(body["roles"])
        else:
            uid = str(uuid.uuid4())
            self._users[uid] = _User(uid, email, "invited", list(body["roles"]))
        return _empty(200)

    async def _remove_user(self, request: Request, body: Any) -> Response:
        if self._users.pop(request.path_params["user_id"], None) is None:
            return _error(404, f"User {request.path_params['user_id']} was not found.")
        return _empty(204)

    async def _set_user_roles(self, request: Request, body: Any) -> Response:
        user = self._users.get(request.path_params["user_id"])
        if user is None:
            return _error(404, f"User {request.path_params['user_id']} was not found.")
        problem = self._unknown_roles(body.get("roles") if isinstance(body, dict) else None)
        if problem:
            return _error(400, problem)
        user.roles = list(body["roles"])
        return _empty(204)

    # ---------------------------------------------------------------- read-only extras

    async def _private_links(self, request: Request, body: Any) -> Response:
        return JSONResponse({"clusters": []})

    async def _custom_domains(self, request: Request, body: Any) -> Response:
        return JSONResponse([])

    async def _kms(self, request: Request, body: Any) -> Response:
        return JSONResponse([])

    async def _vpc_peering(self, request: Request, body: Any) -> Response:
        provider = request.path_params["provider"].lower()
        if provider not in {"aws", "gcp", "azure"}:
            return _error(400, f"Invalid provider {provider}: use aws, gcp or azure.")
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        connection = self._vpc.get((provider, db.id))
        if connection is None:
            return _error(404, "No VPC peering connection for this database.")
        return JSONResponse(connection)

    # ---------------------------------------------------------------- /_emulator controls

    def _controls(self) -> list[Route]:
        """HTTP twins of the Python helpers, for a benchmark driving a served emulator.

        POST   /_emulator/faults                 {status, count?, method?, path_prefix?,
                                                  retry_after?, latency_s?} → 201
        GET    /_emulator/faults                 pending faults
        DELETE /_emulator/faults                 clear them
        POST   /_emulator/databases              {name, status?, cloud_provider?, region?,
                                                  tier?, capacity_units?, keyspace?,
                                                  db_type?} → 201 {"id": …}
        POST   /_emulator/databases/{id}/status  {status} → 200
        POST   /_emulator/settle                 finish every pending transition
        GET    /_emulator/requests               the request log (?since=<index>)
        DELETE /_emulator/requests               empty it
        GET    /_emulator/health                 {"ok": true, …}
        """

        async def add_fault(request: Request) -> Response:
            body = await _json_body(request)
            if not isinstance(body, dict) or not isinstance(body.get("status"), int):
                return _error(400, "status (int) is required.")
            fault = self.inject_fault(
                body["status"],
                count=int(body.get("count", 1)),
                method=body.get("method"),
                path_prefix=body.get("path_prefix"),
                retry_after=body.get("retry_after"),
                latency_s=float(body.get("latency_s", 0.0)),
            )
            return JSONResponse(asdict(fault), status_code=201)

        async def list_faults(request: Request) -> Response:
            return JSONResponse([asdict(f) for f in self.faults])

        async def clear_faults(request: Request) -> Response:
            self.clear_faults()
            return _empty(204)

        async def add_db(request: Request) -> Response:
            body = await _json_body(request)
            if not isinstance(body, dict) or not isinstance(body.get("name"), str):
                return _error(400, "name is required.")
            allowed = {"cloud_provider", "region", "tier", "capacity_units", "keyspace",
                       "db_type"}
            kwargs = {k: v for k, v in body.items() if k in allowed}
            db_id = self.add_database(body["name"], str(body.get("status", "ACTIVE")), **kwargs)
            return JSONResponse({"id": db_id}, status_code=201)

        async def set_db_status(request: Request) -> Response:
            body = await _json_body(request)
            if not isinstance(body, dict) or not isinstance(body.get("status"), str):
                return _error(400, "status is required.")
            try:
                self.set_status(request.path_params["db_id"], body["status"])
            except KeyError:
                return _error(404, "Database not found.")
            return JSONResponse({"id": request.path_params["db_id"], "status": body["status"]})

        async def settle(request: Request) -> Response:
            self.settle()
            return _empty(204)

        async def get_requests(request: Request) -> Response:
            since = int(request.query_params.get("since", "0"))
            return JSONResponse([asdict(r) for r in self.requests[since:]])

        async def clear_requests(request: Request) -> Response:
            self.reset_requests()
            return _empty(204)

        async def health(request: Request) -> Response:
            return JSONResponse({"ok": True, "databases": len(self._dbs),
                                 "requests": len(self.requests), "faults": len(self.faults)})

        return [
            Route("/_emulator/faults", add_fault, methods=["POST"]),
            Route("/_emulator/faults", list_faults, methods=["GET"]),
            Route("/_emulator/faults", clear_faults, methods=["DELETE"]),
            Route("/_emulator/databases", add_db, methods=["POST"]),
            Route("/_emulator/databases/{db_id}/status", set_db_status, methods=["POST"]),
            Route("/_emulator/settle", settle, methods=["POST"]),
            Route("/_emulator/requests", get_requests, methods=["GET"]),
            Route("/_emulator/requests", clear_requests, methods=["DELETE"]),
            Route("/_emulator/health", health, methods=["GET"]),
        ]


async def _json_body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        return None


def create_app(config: EmulatorConfig | None = None) -> Starlette:
    """A fresh emulator's ASGI app (for ``uvicorn bot.astra.emulator:create_app --factory``)."""
    return AstraEmulator(config).app


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - manual use
    import argparse

    import uvicorn

    parser = argparse.ArgumentParser(description="Serve the Astra DevOps API emulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per answer")
    parser.add_argument("--sample-data", action="store_true")
    parser.add_argument("--token", action="append", default=[],
                        help="accepted bearer token (repeatable; default the sandbox token)")
    parser.add_argument("--speed", type=float, default=1.0,
                        help="run the status transitions this many times faster")
    args = parser.parse_args(argv)
    config = EmulatorConfig.faster(args.speed, latency_s=args.latency,
                                   sample_data=args.sample_data)
    if args.token:
        config.tokens = set(args.token)
    uvicorn.run(AstraEmulator(config).app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":  # pragma: no cover
    main()
