"""Typed models of the Astra DevOps API v2 payloads.

Contract:

- Models are *tolerant readers*. Unknown fields are kept (``extra="allow"``) and never
  crash; enumerations the API is known to extend (database ``status``,
  ``availableActions``, tiers, roles' actions) are plain ``str`` (an open set), with the
  known values given as constants below (NOTES.md §2).
- Keys are read case- and underscore-insensitively: the spec says ``id/name/policy`` and
  ``userID/email/status/roles`` but the Java SDK (and the astra-cli fixtures Roles.json,
  Users.json) use ``ID/Name/Policy`` and ``UserID/Email/Status/Roles`` (NOTES.md §1b), so
  ``ID``, ``Id``, ``id`` and ``i_d`` all land on the ``id`` field.
- ``null`` where a list is expected reads as an empty list (the real API sends
  ``"additionalKeyspaces": null``; fixture Databases.json).
- Secrets never show in ``repr``/``str``: :class:`CreatedToken` keeps ``secret`` and
  ``token`` as :class:`pydantic.SecretStr`; signed secure-bundle URLs are left out of the
  ``repr`` of :class:`SecureBundle` and :class:`Datacenter`.
- :class:`CreateDatabase` is the one model written to the wire; its :meth:`to_json` gives
  the camelCase body of ``POST /v2/databases`` (``DatabaseInfoCreate``, NOTES.md §3).
  Values it refuses raise :class:`~bot.errors.UsageError`, never pydantic's
  ``ValidationError``: the parser checks every value first, this is the last line of
  defence, so that no traceback reaches a user (answers are read in bot.astra.http).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Annotated, Any, ClassVar, Final, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from bot.errors import UsageError

# --------------------------------------------------------------------------------------
# Database statuses (NOTES.md §2: the union of the Go/official StatusEnum, astrapy,
# astra-db-ts and the Java SDK). The API adds values over time: treat as an open set.
# --------------------------------------------------------------------------------------


class DbStatus:
    """Known database statuses, as string constants (not an Enum: the set is open)."""

    ACTIVE: Final = "ACTIVE"
    ASSOCIATING: Final = "ASSOCIATING"
    DECOMMISSIONING: Final = "DECOMMISSIONING"
    DEGRADED: Final = "DEGRADED"
    ERROR: Final = "ERROR"
    HIBERNATED: Final = "HIBERNATED"
    HIBERNATING: Final = "HIBERNATING"
    INITIALIZING: Final = "INITIALIZING"
    MAINTENANCE: Final = "MAINTENANCE"
    PARKED: Final = "PARKED"
    PARKING: Final = "PARKING"
    PENDING: Final = "PENDING"
    PLACING: Final = "PLACING"
    PREPARED: Final = "PREPARED"
    PREPARING: Final = "PREPARING"
    RESIZING: Final = "RESIZING"
    RESUMING: Final = "RESUMING"
    SUSPENDED: Final = "SUSPENDED"
    SYNCHRONIZING: Final = "SYNCHRONIZING"
    TERMINATED: Final = "TERMINATED"
    TERMINATING: Final = "TERMINATING"
    UNKNOWN: Final = "UNKNOWN"
    UNPARKING: Final = "UNPARKING"


KNOWN_STATUSES: Final[frozenset[str]] = frozenset(
    v for k, v in vars(DbStatus).items() if k.isupper() and isinstance(v, str)
)

#: Statuses that are on the way to another one (NOTES.md §5, "Suggested bot policy").
TRANSITIONAL_STATUSES: Final[frozenset[str]] = frozenset(
    {
        "PENDING",
        "PREPARING",
        "PREPARED",
        "INITIALIZING",
        "ASSOCIATING",
        "PLACING",
        "MAINTENANCE",
        "RESIZING",
        "PARKING",
        "UNPARKING",
        "HIBERNATING",
        "RESUMING",
        "SYNCHRONIZING",
        "TERMINATING",
        "DECOMMISSIONING",
    }
)

#: Statuses a long operation can end in badly (ERROR; TERMINATED when creating).
FAILED_STATUSES: Final[frozenset[str]] = frozenset({"ERROR", "TERMINATED"})

#: Statuses that say nothing certain: warn, keep polling (NOTES.md §5).
UNCERTAIN_STATUSES: Final[frozenset[str]] = frozenset({"UNKNOWN", "DEGRADED"})


def is_transitional(status: str) -> bool:
    """True when ``status`` is a known in-progress status (PENDING, MAINTENANCE, …)."""
    return status.upper() in TRANSITIONAL_STATUSES


def is_known_status(status: str) -> bool:
    return status.upper() in KNOWN_STATUSES


#: ``availableActions`` values known from the Go spec and the real fixture (open set).
KNOWN_ACTIONS: Final[frozenset[str]] = frozenset(
    {
        "park",
        "unpark",
        "resize",
        "resetPassword",
        "addKeyspace",
        "addDatacenters",
        "terminateDatacenter",
        "getCreds",
        "terminate",
        "removeKeyspace",
        "addTable",
        "removeMigrationProxy",
        "launchMigrationProxy",
        "migrateServerlessTenant",
        "suspend",
        "createServerlessMigrationProxy",
        "removeServerlessMigrationProxy",
        "hibernate",
        "setEngineType",
        "getVectorAgentConfig",
        "updateVectorAgent",
        "cloneDatabaseFromSnapshot",
        "migrate",
    }
)

CLOUD_PROVIDERS: Final[tuple[str, ...]] = ("GCP", "AWS", "AZURE")

#: Telemetry export kinds, spelled as the official spec's configureTelemetry body keys
#: (NOTES.md §1e; note the capital D of ``Datadog``).
TELEMETRY_KINDS: Final[tuple[str, ...]] = (
    "prometheus_remote",
    "Datadog",
    "splunk",
    "kafka",
    "pulsar",
    "cloudwatch",
)

#: Astra role permissions ("actions"): the official spec's ``PolicyAction`` enum plus the
#: ones real default roles carry (fixtures-astra-cli/Roles.json) that the enum misses.
ASTRA_PERMISSIONS: Final[frozenset[str]] = frozenset(
    {
        # official spec Policy.actions enum
        "db-all-keyspace-create",
        "db-all-keyspace-describe",
        "db-cql",
        "db-graphql",
        "db-keyspace-alter",
        "db-keyspace-authorize",
        "db-keyspace-create",
        "db-keyspace-describe",
        "db-keyspace-drop",
        "db-keyspace-grant",
        "db-keyspace-modify",
        "db-rest",
        "db-table-alter",
        "db-table-authorize",
        "db-table-create",
        "db-table-describe",
        "db-table-drop",
        "db-table-grant",
        "db-table-modify",
        "db-table-select",
        "db-manage-thirdpartymetrics",
        "org-audits-read",
        "org-billing-read",
        "org-billing-write",
        "org-db-addpeering",
        "org-db-create",
        "org-db-expand",
        "org-db-passwordreset",
        "org-db-suspend",
        "org-db-terminate",
        "org-db-view",
        "org-external-auth-read",
        "org-external-auth-write",
        "org-notification-write",
        "org-read",
        "org-role-delete",
        "org-role-read",
        "org-role-write",
        "org-token-read",
        "org-token-write",
        "org-user-read",
        "org-user-write",
        "org-write",
        # seen in real roles (Roles.json) and in the spec's security scopes
        "accesslist-read",
        "accesslist-write",
        "org-cmk-read",
        "org-cmk-write",
        "org-db-managemigratorproxy",
        "org-db-readpeering",
        "org-stream-manage",
        "org-integrations-read",
        "org-integrations-write",
        "db-manage-privateendpoint",
        "db-manage-region",
        "db-data-import",
    }
)


# --------------------------------------------------------------------------------------
# Base model: tolerant, case-insensitive reader
# --------------------------------------------------------------------------------------


def _fold(key: str) -> str:
    return key.replace("_", "").replace("-", "").lower()


def _none_to_list(value: Any) -> Any:
    return [] if value is None else value


#: A list the API may send as ``null``.
NullableList = Annotated[list[str], BeforeValidator(_none_to_list)]

_LOOKUPS: dict[type[BaseModel], dict[str, str]] = {}
#: Per model: wire key → the field alias it lands on (None: an extra key, kept as it is).
_SPELLINGS: dict[type[BaseModel], dict[str, str | None]] = {}
#: Spellings remembered per model (keys are the API's, but never an unbounded set).
_MAX_SPELLINGS = 512
_UNSEEN: Any = object()


class ApiModel(BaseModel):
    """Base of every payload model: camelCase aliases, extra keys kept, keys folded."""

    model_config = ConfigDict(
        extra="allow",
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
    )

    #: More wire spellings that should land on a field: ``{folded key: field alias}``.
    _extra_keys: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def _key_lookup(cls) -> dict[str, str]:
        lookup = _LOOKUPS.get(cls)
        if lookup is None:
            lookup = {}
            for name, info in cls.model_fields.items():
                alias = info.alias or name
                lookup[_fold(name)] = alias
                lookup[_fold(alias)] = alias
            for folded, alias in cls._extra_keys.items():
                lookup[folded] = alias
            _LOOKUPS[cls] = lookup
        return lookup

    @model_validator(mode="before")
    @classmethod
    def _normalise_keys(cls, data: Any) -> Any:
        # NOTES.md §1b: the wire casing of several objects is unproven (spec camelCase,
        # Java SDK PascalCase), so map every key onto the field alias case-insensitively.
        if not isinstance(data, Mapping):
            return data
        # The hot path of every list (a 1000-database org is 1000 of these per read): each
        # wire spelling is folded once per model, and a payload whose keys are all aliases
        # or unknown extras goes through as it is.
        spellings = _SPELLINGS.setdefault(cls, {})
        renamed = False
        for key in data:
            canon = spellings.get(key, _UNSEEN)
            if canon is _UNSEEN:
                canon = cls._key_lookup().get(_fold(key)) if isinstance(key, str) else None
                if len(spellings) < _MAX_SPELLINGS:
                    spellings[key] = canon
            if canon is not None and canon != key:
                renamed = True
                break
        if not renamed:
            return data
        lookup = cls._key_lookup()
        out: dict[str, Any] = {}
        for key, value in data.items():
            canon = lookup.get(_fold(key)) if isinstance(key, str) else None
            if canon is None:
                out.setdefault(key, value)
            elif canon not in out or key == canon:
                # an exact spelling wins over a folded one when both are present
                out[canon] = value
        return out


def _parse_time(value: str | None) -> datetime | None:
    """RFC 3339 → datetime; None for missing, unparsable or Go's zero time (0001-01-01)."""
    if not value or value.startswith("0001-01-01"):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


# --------------------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------------------

_BUNDLE_FIELDS: Final = frozenset(
    {
        "secure_bundle_url",
        "secure_bundle_internal_url",
        "secure_bundle_migration_proxy_url",
        "secure_bundle_migration_proxy_internal_url",
    }
)


class Datacenter(ApiModel):
    """One region of a database (``Datacenter``; fixture Datacenters.json)."""

    id: str = ""
    name: str = ""
    tier: str | None = None
    # fixtures show "" for the status of a healthy datacenter
    status: str = ""
    cloud_provider: str | None = None
    region: str | None = None
    region_zone: str | None = None
    region_classification: str | None = None
    capacity_units: int | None = None
    date_created: str | None = None
    secure_bundle_url: str | None = None
    secure_bundle_internal_url: str | None = None
    secure_bundle_migration_proxy_url: str | None = None
    secure_bundle_migration_proxy_internal_url: str | None = None

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # signed S3 URLs are secrets for ~5 minutes: keep them out of logs
        for key, value in super().__repr_args__():
            if key not in _BUNDLE_FIELDS and key not in (self.model_extra or {}):
                yield key, value


#: Tiers of serverless databases (Go spec ``Tier``); every other tier (C10, D20, A5, …) is a
#: classic database: no Data API, no vector type, and park/unpark/resize apply.
SERVERLESS_TIERS = frozenset({"serverless", "cloudnative"})


def is_classic_tier(tier: str | None) -> bool:
    return (tier or "serverless").lower() not in SERVERLESS_TIERS


class DatabaseInfo(ApiModel):
    """``Database.info``: the user-provided description of a database."""

    name: str = ""
    keyspace: str | None = None
    keyspaces: NullableList = Field(default_factory=list)
    additional_keyspaces: NullableList = Field(default_factory=list)
    cloud_provider: str | None = None
    region: str | None = None
    tier: str | None = None
    capacity_units: int | None = None
    datacenters: Annotated[list[Datacenter], BeforeValidator(_none_to_list)] = Field(
        default_factory=list
    )
    db_type: str | None = None
    engine_type: str | None = None


class Storage(ApiModel):
    node_count: int | None = None
    replication_factor: int | None = None
    total_storage: int | None = None
    used_storage: int | None = None


class Database(ApiModel):
    """A database (``Database``; fixture Databases.json). ``status`` is an open set."""

    id: str
    org_id: str = ""
    owner_id: str = ""
    status: str = DbStatus.UNKNOWN
    creation_time: str | None = None
    termination_time: str | None = None
    info: DatabaseInfo = Field(default_factory=DatabaseInfo)
    available_actions: NullableList = Field(default_factory=list)
    message: str | None = None
    storage: Storage | None = None
    grafana_url: str | None = None
    cqlsh_url: str | None = None
    graphql_url: str | None = None
    # the real field is ``dataEndpointUrl`` = "https://<id>-<region>.apps.astra.datastax.com
    # /api/rest" (Databases.json); read via the ``data_endpoint_url`` property
    endpoint_url: str | None = Field(default=None, alias="dataEndpointUrl")

    @field_validator("status", mode="before")
    @classmethod
    def _status_str(cls, value: Any) -> Any:
        return DbStatus.UNKNOWN if value is None or value == "" else value

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def region(self) -> str | None:
        return self.info.region

    @property
    def cloud_provider(self) -> str | None:
        return self.info.cloud_provider

    @property
    def keyspaces(self) -> list[str]:
        """All keyspaces: ``info.keyspaces`` (what astrapy reads), else keyspace + additional."""
        if self.info.keyspaces:
            return list(self.info.keyspaces)
        found = [self.info.keyspace] if self.info.keyspace else []
        found += [k for k in self.info.additional_keyspaces if k not in found]
        return found

    @property
    def is_classic(self) -> bool:
        return is_classic_tier(self.info.tier)

    @property
    def api_endpoint(self) -> str | None:
        """The Data API endpoint ``https://<id>-<region>.apps.astra.datastax.com``."""
        if not self.info.region:
            return None
        return f"https://{self.id}-{self.info.region}.apps.astra.datastax.com"

    @property
    def data_endpoint_url(self) -> str | None:
        """``dataEndpointUrl`` as the API gives it; derived only when the API gives none."""
        return self.endpoint_url or self.api_endpoint

    @property
    def is_transitional(self) -> bool:
        return is_transitional(self.status)

    @property
    def created_at(self) -> datetime | None:
        return _parse_time(self.creation_time)

    @property
    def terminated_at(self) -> datetime | None:
        return _parse_time(self.termination_time)


def _upper_cloud(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


class RequestModel(BaseModel):
    """A body the bot writes to the API: refused values become a :class:`UsageError`."""

    @model_validator(mode="wrap")
    @classmethod
    def _refused_as_usage_error(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(data)
        except ValidationError as exc:
            raise UsageError(
                "Astra would refuse this request, so nothing was sent: "
                + "; ".join(_problem(e) for e in exc.errors(include_url=False)) + ".",
                hint="`/astra help` shows each command's values.",
            ) from exc


def _problem(error: Any) -> str:
    """One pydantic error as words: the field, what is wrong, and a number's value."""
    field = " ".join(str(part) for part in error.get("loc", ())).replace("_", " ") or "value"
    if error.get("type") == "extra_forbidden":
        return f"unknown field `{field}`"
    msg = str(error.get("msg", "is not valid"))
    got = error.get("input")
    shown = f" (got {got})" if isinstance(got, int | float) and not isinstance(got, bool) else ""
    return f"{field}: {msg[:1].lower()}{msg[1:]}{shown}"


class CreateDatabase(RequestModel):
    """The body of ``POST /v2/databases`` (``DatabaseInfoCreate``; NOTES.md §3).

    Defaults are astrapy's and astra-cli's: serverless, 1 capacity unit, a vector database.
    ``keyspace=None`` lets Astra name the first keyspace ``default_keyspace``.
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    cloud_provider: Annotated[str, BeforeValidator(_upper_cloud)]
    region: str = Field(min_length=1)
    tier: str = "serverless"
    capacity_units: int = Field(default=1, ge=1, le=100)
    keyspace: str | None = None
    db_type: Literal["vector"] | None = "vector"

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.name,
            "cloudProvider": self.cloud_provider,
            "region": self.region,
            "tier": self.tier,
            "capacityUnits": self.capacity_units,
        }
        if self.keyspace:
            body["keyspace"] = self.keyspace
        if self.db_type:
            body["dbType"] = self.db_type
        return body


# --------------------------------------------------------------------------------------
# Regions
# --------------------------------------------------------------------------------------


class ServerlessRegion(ApiModel):
    """``GET /v2/regions/serverless`` item."""

    cloud_provider: str = ""
    name: str = ""
    display_name: str = ""
    zone: str | None = None
    classification: str | None = None
    enabled: bool = True
    reserved_for_qualified_users: bool = False
    region_type: str | None = Field(default=None, alias="region_type")


class AvailableRegion(ApiModel):
    """``GET /v2/availableRegions`` item (``AvailableRegionCombination``)."""

    tier: str = ""
    cloud_provider: str = ""
    region: str = ""
    cost: dict[str, Any] | None = None
    database_count_used: int | None = None
    database_count_limit: int | None = None
    capacity_units_used: int | None = None
    capacity_units_limit: int | None = None
    default_storage_per_capacity_unit_gb: int | None = None


# --------------------------------------------------------------------------------------
# Access lists, secure bundles
# --------------------------------------------------------------------------------------


class AccessListAddress(ApiModel):
    address: str
    enabled: bool = True
    description: str = ""
    last_update_date_time: str | None = None


class AccessListConfigurations(ApiModel):
    access_list_enabled: bool = False


class AccessList(ApiModel):
    """``GET /v2/databases/{id}/access-list`` (``AccessListResponse``)."""

    organization_id: str | None = None
    database_id: str | None = None
    addresses: Annotated[list[AccessListAddress], BeforeValidator(_none_to_list)] = Field(
        default_factory=list
    )
    configurations: AccessListConfigurations = Field(default_factory=AccessListConfigurations)


class SecureBundle(ApiModel):
    """One ``CredsURL``: signed download URLs, valid about 5 minutes.

    The official spec spells the datacenter key ``datcenterID`` (sic); the Go spec has both
    spellings. Both are read.
    """

    _extra_keys: ClassVar[Mapping[str, str]] = {"datcenterid": "datacenterID"}

    download_url: str = Field(alias="downloadURL")
    download_url_internal: str | None = Field(default=None, alias="downloadURLInternal")
    download_url_migration_proxy: str | None = Field(
        default=None, alias="downloadURLMigrationProxy"
    )
    download_url_migration_proxy_internal: str | None = Field(
        default=None, alias="downloadURLMigrationProxyInternal"
    )
    datacenter_id: str | None = Field(default=None, alias="datacenterID")
    region: str | None = None
    cloud_provider: str | None = None
    custom_domain_bundles: Annotated[list[dict[str, Any]], BeforeValidator(_none_to_list)] = (
        Field(default_factory=list)
    )

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for key in ("datacenter_id", "region", "cloud_provider"):
            yield key, getattr(self, key)


# --------------------------------------------------------------------------------------
# Organization, tokens, roles, users
# --------------------------------------------------------------------------------------


class Organization(ApiModel):
    id: str
    name: str | None = None


class Token(ApiModel):
    """A token as listed (``ClientRole`` + fixture IamTokens.json). Never has a secret."""

    client_id: str
    roles: NullableList = Field(default_factory=list)
    description: str | None = None
    generated_on: str | None = None
    token_expiry: str | None = None


class CreatedToken(ApiModel):
    """``POST /v2/tokens`` answer: the secret and token are shown once, never printed."""

    # unknown keys are dropped here: they could carry secret material into a repr
    model_config = ConfigDict(extra="ignore")

    client_id: str
    secret: SecretStr
    token: SecretStr | None = None
    org_id: str | None = None
    roles: NullableList = Field(default_factory=list)
    generated_on: str | None = None
    token_expiry: str | None = None

    def __str__(self) -> str:
        return f"CreatedToken(client_id={self.client_id!r}, roles={self.roles!r})"

    def __repr__(self) -> str:
        return self.__str__()


class Policy(ApiModel):
    description: str = ""
    resources: NullableList = Field(default_factory=list)
    actions: NullableList = Field(default_factory=list)
    effect: str = "allow"


class Role(ApiModel):
    """A role; the API is read with ``id/name/policy`` or ``ID/Name/Policy`` alike."""

    id: str = ""
    name: str = ""
    policy: Policy = Field(default_factory=Policy)
    last_update_datetime: str | None = Field(default=None, alias="last_update_datetime")
    last_update_userid: str | None = Field(default=None, alias="last_update_userid")


class User(ApiModel):
    """``UserResponse`` (``userID/email/status/roles`` or ``UserID/Email/Status/Roles``)."""

    user_id: str = Field(alias="userID")
    email: str = ""
    status: str = ""
    roles: Annotated[list[Role], BeforeValidator(_none_to_list)] = Field(default_factory=list)


class OrganizationUsers(ApiModel):
    """``GET /v2/organizations/users`` (``OrgID/OrgName/Users`` read too)."""

    org_id: str = Field(default="", alias="orgID")
    org_name: str = ""
    users: Annotated[list[User], BeforeValidator(_none_to_list)] = Field(default_factory=list)


# --------------------------------------------------------------------------------------
# Telemetry
# --------------------------------------------------------------------------------------

class TelemetryConfig(ApiModel):
    """Metrics export config of a database: one block per kind (``{"kafka": {...}}``)."""

    prometheus_remote: dict[str, Any] | None = Field(default=None, alias="prometheus_remote")
    datadog: dict[str, Any] | None = Field(default=None, alias="Datadog")
    splunk: dict[str, Any] | None = None
    kafka: dict[str, Any] | None = None
    pulsar: dict[str, Any] | None = None
    cloudwatch: dict[str, Any] | None = None

    def kinds(self) -> dict[str, dict[str, Any]]:
        """``{kind: config}`` for every configured kind, spelled as on the wire."""
        dumped = self.model_dump(by_alias=True, exclude_none=True)
        return {k: v for k, v in dumped.items() if isinstance(v, dict)}


def canonical_telemetry_kind(kind: str) -> str | None:
    """``"datadog"`` → ``"Datadog"``, ``"prometheus"`` → ``"prometheus_remote"``; else None."""
    folded = _fold(kind)
    for known in TELEMETRY_KINDS:
        if _fold(known) == folded:
            return known
    if folded in {"prometheus", "prom"}:
        return "prometheus_remote"
    return None
