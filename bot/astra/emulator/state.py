"""The emulated organization's state: config, clock, databases and their lazy transitions."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from bot.astra.emulator.catalogue import (
    _SEED_ROLES,
    ORG_ADMIN_ROLE_ID,
    SANDBOX_CLIENT_ID,
    SANDBOX_TOKEN,
)

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
        durations = {
            f: getattr(base, f) / speed
            for f in (
                "pending_s",
                "initializing_s",
                "terminating_s",
                "maintenance_s",
                "parking_s",
                "unparking_s",
                "resizing_s",
                "datacenter_s",
            )
        }
        return cls(**{**durations, **kw})


def _iso(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------------------
# State
# --------------------------------------------------------------------------------------


@dataclass
class _Transition:
    at: float
    status: str
    effect: Effect | None = None


@dataclass
class _Placed:
    """What a database and each of its datacenters have alike: where, and how big."""

    id: str
    name: str
    cloud: str
    region: str
    tier: str
    capacity_units: int


@dataclass
class _Datacenter(_Placed):
    created: str
    status: str = "ACTIVE"


@dataclass
class _Database(_Placed):
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
    #: ``configurations.accessListEnabled`` as last set; None: on while it has addresses
    access_list_enabled: bool | None = None
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
# The organization
# --------------------------------------------------------------------------------------


class EmulatorState:
    """The state of one emulated organization, advanced lazily from ``config.clock``."""

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        self._dbs: dict[str, _Database] = {}
        self._clients: dict[str, _Client] = {}
        self._roles: dict[str, dict[str, Any]] = {}
        self._users: dict[str, _User] = {}
        self._audit_log: dict[str, Any] = {}
        self._vpc: dict[tuple[str, str], dict[str, Any]] = {}
        #: the DevOps API access list, by address (routes/devops_acl.py)
        self._devops_acl: dict[str, dict[str, Any]] = {}
        self._seed()

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

    def settle(self) -> None:
        """Finish every pending transition now, whatever the clock says."""
        for db in self._dbs.values():
            self._advance(db, float("inf"))

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
            self.add_database(
                "two_regions_db",
                cloud_provider="AWS",
                region="us-east-2",
                extra_regions=["ap-south-1"],
            )
            for uid, email, status, roles in (
                (
                    "ae2f3b2c-4d5e-6f7a-8b9c-0d1e2f3a4b5c",
                    "alice@example.com",
                    "active",
                    ["b4ed0e9e-67e8-47b6-8b58-c6629be961a9"],
                ),
                (
                    "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e",
                    "bob@example.com",
                    "invited",
                    [
                        "b4ed0e9e-67e8-47b6-8b58-c6629be961a9",
                        "16a4b1d7-a615-41f8-95ca-52b0280f4d77",
                    ],
                ),
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
