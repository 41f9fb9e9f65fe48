"""region: list, add, remove, available (regions of a database, and for new ones)."""

from __future__ import annotations

from dataclasses import dataclass

from bot import render
from bot.astra.client import AstraClient
from bot.astra.models import Database, Datacenter
from bot.commands.db import AddRegion, ListAvailableRegions, ListRegions, RemoveRegion
from bot.errors import NotFound, UsageError
from bot.service.handlers.common import started
from bot.service.operations import Operations
from bot.service.outcome import Outcome
from bot.service.registry import Call, Handlers, confirms, handles, prechecks
from bot.service.resolve import Resolver, name_of


@dataclass(frozen=True)
class RegionHandlers(Handlers):
    """The `region` commands."""

    default_cloud: str
    resolver: Resolver
    ops: Operations

    @handles(ListRegions)
    async def list(self, cmd: ListRegions, call: Call) -> Outcome:
        dcs = await call.org.astra.list_datacenters(call.database.id)
        rows = [(dc.region, dc.cloud_provider or "", dc.tier, dc.status, dc.id) for dc in dcs]
        shown = render.region_list(call.database.info.name, rows)
        return Outcome(render.count(len(dcs), "region"), private=shown)

    @prechecks(AddRegion)
    async def precheck_add(self, cmd: AddRegion, call: Call) -> None:
        db = call.database
        if any(dc.region == cmd.region and dc.status != "TERMINATED" for dc in db.info.datacenters):
            msg, hint = render.already_in_region(name_of(db), cmd.region)
            raise UsageError(msg, hint=hint)

    async def _datacenter_in(self, astra: AstraClient, db: Database, region: str) -> Datacenter:
        """The datacenter of ``db`` in ``region`` (as Astra lists them now), or NotFound."""
        dcs = [dc for dc in await astra.list_datacenters(db.id) if dc.status != "TERMINATED"]
        match = [dc for dc in dcs if dc.region == region]
        if not match:
            msg, hint = render.no_region(name_of(db), region, [dc.region for dc in dcs])
            raise NotFound(msg, hint=hint)
        return match[0]

    @prechecks(RemoveRegion)
    async def precheck_remove(self, cmd: RemoveRegion, call: Call) -> None:
        await self._datacenter_in(call.org.astra, call.database, cmd.region)

    @handles(AddRegion)
    async def add(self, cmd: AddRegion, call: Call) -> Outcome:
        db = call.database
        cloud = cmd.cloud or (db.info.cloud_provider or self.default_cloud)
        tier = cmd.tier or (db.info.tier or "serverless")
        await call.org.astra.add_datacenter(db.id, cloud.upper(), cmd.region, tier=tier)
        return await started(self.ops, call, "region.add", db, "MAINTENANCE", region=cmd.region)

    @confirms(RemoveRegion)
    async def remove_confirmed(self, cmd: RemoveRegion, call: Call) -> Outcome:
        db = await self.resolver.resolve_db(call.org.astra, cmd.db)
        dc = await self._datacenter_in(call.org.astra, db, cmd.region)
        await call.org.astra.terminate_datacenter(db.id, dc.id)
        return await started(self.ops, call, "region.remove", db, "MAINTENANCE", region=cmd.region)

    @handles(ListAvailableRegions)
    async def available(self, cmd: ListAvailableRegions, call: Call) -> Outcome:
        cloud = (cmd.cloud or "").upper()
        tier = cmd.tier or "serverless"
        if tier == "serverless":
            # region-type=all lists a region once per type (serverless, vector): once here
            regions = await call.org.astra.list_serverless_regions()
            once = {
                ((r.cloud_provider or "").lower(), r.name): r.display_name or ""
                for r in regions
                if not cloud or (r.cloud_provider or "").upper() == cloud
            }
            message, n = render.serverless_regions(once)
        else:
            # Classic tiers: /v2/availableRegions, with this org's quotas per combination.
            combos = await call.org.astra.list_available_regions()
            quotas = [
                render.RegionQuota(
                    c.region,
                    c.cloud_provider,
                    c.tier,
                    c.database_count_used,
                    c.database_count_limit,
                    c.capacity_units_used,
                    c.capacity_units_limit,
                )
                for c in combos
                if c.tier.lower() == tier.lower()
                and (not cloud or c.cloud_provider.upper() == cloud)
            ]
            message, n = render.classic_regions(tier, quotas)
        return Outcome(render.count(n, "region"), private=message)
