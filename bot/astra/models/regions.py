"""PURE: the regions Astra offers (serverless and available)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from bot.astra.models.base import ApiModel


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
