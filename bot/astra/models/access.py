"""PURE: access lists and secure connect bundles (their signed URLs kept out of reprs)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field

from bot.astra.models.base import ApiModel, _none_to_list


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
    custom_domain_bundles: Annotated[list[dict[str, Any]], BeforeValidator(_none_to_list)] = Field(
        default_factory=list
    )

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for key in ("datacenter_id", "region", "cloud_provider"):
            yield key, getattr(self, key)
