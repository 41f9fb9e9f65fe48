"""PURE: a database, its regions (datacenters) and the one model written: CreateDatabase."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from bot.astra.models.base import ApiModel, NullableList, _none_to_list, _parse_time
from bot.astra.models.vocabulary import DbStatus, is_transitional
from bot.errors import UsageError

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
    info: DatabaseInfo = Field(default_factory=DatabaseInfo)
    org_id: str = ""
    owner_id: str = ""
    status: str = DbStatus.UNKNOWN
    creation_time: str | None = None
    termination_time: str | None = None
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
                + "; ".join(_problem(e) for e in exc.errors(include_url=False))
                + ".",
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
