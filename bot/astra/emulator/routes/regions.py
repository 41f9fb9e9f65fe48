"""Region catalogue endpoints: serverless regions and classic availability."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.astra.emulator.catalogue import REGIONS
from bot.astra.emulator.routes.common import RouteBase, route


class RegionRoutes(RouteBase):
    """``/v2/regions/serverless`` and ``/v2/availableRegions``."""

    # ---------------------------------------------------------------- regions

    @route("GET", "/v2/regions/serverless")
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
            kinds = {
                "vector": ["vector"] if vector else [],
                "all": ["serverless"] + (["vector"] if vector else []),
            }.get(rtype, ["serverless"])
            for kind in kinds:
                out.append(
                    {
                        "cloudProvider": cloud,
                        "name": name,
                        "displayName": display,
                        "zone": zone,
                        "classification": cls,
                        "enabled": enabled,
                        "reservedForQualifiedUsers": not enabled,
                        "region_type": kind,
                    }
                )
        return JSONResponse(out)

    @route("GET", "/v2/availableRegions")
    async def _available_regions(self, request: Request, body: Any) -> Response:
        out = []
        for cloud, name, _display, _zone, _cls, _vector in REGIONS:
            dbs = [
                d
                for d in self._dbs.values()
                if d.cloud == cloud and d.region == name and d.status != "TERMINATED"
            ]
            out.append(
                {
                    "tier": "serverless",
                    "cloudProvider": cloud,
                    "region": name,
                    "cost": {
                        "costPerMinCents": 0.0,
                        "costPerHourCents": 0.0,
                        "costPerDayCents": 0.0,
                        "costPerMonthCents": 0.0,
                        "costPerMinParkedCents": 0.0,
                        "costPerHourParkedCents": 0.0,
                        "costPerDayParkedCents": 0.0,
                        "costPerMonthParkedCents": 0.0,
                    },
                    "databaseCountUsed": len(dbs),
                    "databaseCountLimit": 50,
                    "capacityUnitsUsed": sum(d.capacity_units for d in dbs),
                    "capacityUnitsLimit": 100,
                    "defaultStoragePerCapacityUnitGb": 10,
                }
            )
        return JSONResponse(out)
