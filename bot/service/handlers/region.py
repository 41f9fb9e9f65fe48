"""region: list, add, remove, available (regions of a database, and for new ones)."""

from __future__ import annotations

from bot import render
from bot.astra.client import AstraClient
from bot.astra.models import Database, Datacenter
from bot.errors import NotFound, UsageError
from bot.intents import Intent
from bot.ports import Replier
from bot.service.context import Context, Request
from bot.service.operations import Operations
from bot.service.outcome import Outcome
from bot.service.registry import Entry
from bot.service.resolve import Resolver, need


class RegionHandlers:
    """The `region` commands."""

    def __init__(
        self, ctx: Context, astra: AstraClient, resolver: Resolver, ops: Operations
    ) -> None:
        self.ctx = ctx
        self.astra = astra
        self.resolver = resolver
        self.ops = ops

    def entries(self) -> list[Entry]:
        return [
            Entry("region.list", handler=self.list),
            Entry("region.add", handler=self.add, precheck=self.precheck_add),
            Entry("region.remove", confirmed=self.remove_confirmed, precheck=self.precheck_remove),
            Entry("region.available", handler=self.available),
        ]

    async def list(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        db = need(db)
        dcs = await self.astra.list_datacenters(db.id)
        lines = [
            f"`{dc.region}` ({(dc.cloud_provider or '').lower()}, {dc.tier or '—'}) "
            f"{dc.status or ''} · dc `{dc.id}`"
            for dc in dcs
        ]
        return Outcome(
            render.count(len(dcs), "region"),
            private=render.bullet_list(f"Regions of {db.info.name}", lines),
        )

    async def precheck_add(self, intent: Intent, db: Database | None) -> None:
        db, region = need(db), intent.arg("region")
        if any(dc.region == region and dc.status != "TERMINATED" for dc in db.info.datacenters):
            raise UsageError(
                f"`{db.info.name or db.id}` is already in `{region}`.",
                hint=f"`/astra region list {db.info.name or db.id}` shows its regions.",
            )

    async def _datacenter_in(self, db: Database, region: str) -> Datacenter:
        """The datacenter of ``db`` in ``region`` (as Astra lists them now), or NotFound."""
        dcs = [dc for dc in await self.astra.list_datacenters(db.id) if dc.status != "TERMINATED"]
        match = [dc for dc in dcs if dc.region == region]
        if not match:
            raise NotFound(
                f"`{db.info.name or db.id}` has no region `{region}`.",
                hint=f"Its regions: {', '.join(f'`{dc.region}`' for dc in dcs) or 'none'}.",
            )
        return match[0]

    async def precheck_remove(self, intent: Intent, db: Database | None) -> None:
        await self._datacenter_in(need(db), intent.arg("region"))

    async def add(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        db = need(db)
        region = intent.arg("region")
        cloud = intent.opt("cloud") or (db.info.cloud_provider or self.ctx.settings.default_cloud)
        await self.astra.add_datacenter(
            db.id, cloud.upper(), region, tier=intent.opt("tier") or (db.info.tier or "serverless")
        )
        return Outcome(
            await self.ops.start(
                req,
                "region.add",
                db,
                status="MAINTENANCE",
                detail={"region": region},
                reply=reply,
            )
        )

    async def remove_confirmed(self, req: Request, intent: Intent, ts: str | None) -> Outcome:
        db = await self.resolver.resolve_db(intent.arg("db"))
        region = intent.arg("region")
        dc = await self._datacenter_in(db, region)
        await self.astra.terminate_datacenter(db.id, dc.id)
        return Outcome(
            await self.ops.start(
                req,
                "region.remove",
                db,
                message_ts=ts,
                status="MAINTENANCE",
                detail={"region": region},
            )
        )

    async def available(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        cloud = (intent.opt("cloud") or "").upper()
        tier = intent.opt("tier") or "serverless"
        if tier == "serverless":
            # region-type=all lists a region once per type (serverless, vector): once here
            regions = await self.astra.list_serverless_regions()
            once = {
                ((r.cloud_provider or "").lower(), r.name): r.display_name or ""
                for r in regions
                if not cloud or (r.cloud_provider or "").upper() == cloud
            }
            lines = sorted(f"`{name}` ({c}) {shown}" for (c, name), shown in once.items())
            title = "Regions for new serverless databases"
        else:
            # Classic tiers: /v2/availableRegions, with this org's quotas per combination.
            combos = await self.astra.list_available_regions()
            lines = sorted(
                f"`{c.region}` ({c.cloud_provider.lower()}, {c.tier}) · databases "
                f"{c.database_count_used or 0}/{c.database_count_limit or '∞'} · capacity "
                f"units {c.capacity_units_used or 0}/{c.capacity_units_limit or '∞'}"
                for c in combos
                if c.tier.lower() == tier.lower()
                and (not cloud or c.cloud_provider.upper() == cloud)
            )
            title = f"Regions for new {tier} databases"
        return Outcome(
            render.count(len(lines), "region"),
            private=render.bullet_list(title, lines, empty="None available to this organization."),
        )
