"""db: list, get, status, delete, park, unpark, resize (create is in create.py)."""

from __future__ import annotations

from fnmatch import fnmatchcase

from bot import render
from bot.astra.client import AstraClient
from bot.astra.models import Database
from bot.errors import AstraConflict, UsageError
from bot.intents import Intent, parse
from bot.policy import decide
from bot.ports import Replier
from bot.service.context import Context, Request
from bot.service.operations import WAIT_THEN_RETRY, Operations
from bot.service.outcome import Outcome
from bot.service.registry import Entry
from bot.service.resolve import Resolver, need
from bot.service.views import db_view
from bot.store.enums import OperationState


class DbHandlers:
    """The `db` commands but `db create`."""

    def __init__(
        self, ctx: Context, astra: AstraClient, resolver: Resolver, ops: Operations
    ) -> None:
        self.ctx = ctx
        self.astra = astra
        self.resolver = resolver
        self.ops = ops

    def entries(self) -> list[Entry]:
        return [
            Entry("db.list", handler=self.list_dbs),
            Entry("db.get", handler=self.get),
            Entry("db.status", handler=self.status),
            Entry("db.delete", confirmed=self.delete_confirmed, precheck=self.precheck_delete),
            Entry("db.park", confirmed=self.park_confirmed, precheck=self.precheck_classic),
            Entry("db.unpark", handler=self.unpark, precheck=self.precheck_classic),
            Entry("db.resize", handler=self.resize, precheck=self.precheck_classic),
        ]

    async def list_dbs(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        include = "all" if intent.switch("all") else "nonterminated"
        cloud = intent.opt("cloud")
        dbs = await self.astra.list_databases(
            include=include, provider=cloud.upper() if cloud else None
        )
        status = (intent.opt("status") or "").upper()
        glob = intent.opt("name")
        views = [db_view(d) for d in dbs]
        if status:
            views = [v for v in views if v.status == status]
        if glob:
            views = [v for v in views if fnmatchcase(v.name, glob)]
        views.sort(key=lambda v: (v.name.lower(), v.id))
        filters = ", ".join(
            f
            for f in (
                status and f"status {status}",
                cloud and f"cloud {cloud}",
                glob and f"name `{glob}`",
            )
            if f
        )
        page, pages = intent.opt_num("page") or 1, render.page_count(len(views))
        if page > pages:  # the parser knows pages start at 1; only the list knows the last
            raise UsageError(
                f"`--page {page}`: there {'is 1 page' if pages == 1 else f'are {pages} pages'}"
                f" of databases (1–{pages}).",
                usage=intent.spec.usage,
            )
        base = intent.without("page")
        return Outcome(
            f"listed {render.count(len(views), 'database')}",
            private=render.db_list(
                views, filters=filters, page=page, command=base.canonical().removeprefix("/astra ")
            ),
        )

    async def get(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        db = need(db)  # resolving it read it already (list or get): no second call
        actions = await self.actions_for(req, db)
        return Outcome(f"shown {db.id}", private=render.db_detail(db_view(db), actions))

    async def status(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        db = need(db)  # resolving it read it already (list or get): no second call
        return Outcome(f"{db.id} is {db.status}", private=render.db_status(db_view(db)))

    async def actions_for(self, req: Request, db: Database) -> list[tuple[str, str, bool]]:
        """The buttons worth showing on a database: only what this person may run here."""
        rules = await self.ctx.rules()
        actor = await self.ctx.actor(req.user_id, rules)
        name = db.info.name or db.id
        classic = db.is_classic
        wanted: list[tuple[str, str, bool]] = [("Watch", f"watch {db.id}", False)]
        if db.status == "ACTIVE":
            wanted.append(("Download bundle", f"scb {db.id}", False))
        wanted.append(("Keyspaces", f"keyspace list {db.id}", False))
        if classic and db.status == "ACTIVE":
            wanted.append(("Park", f"db park {db.id}", False))
        if classic and db.status == "PARKED":
            wanted.append(("Unpark", f"db unpark {db.id}", False))
        if db.status not in {"TERMINATING", "TERMINATED"}:
            wanted.append(("Delete", f"db delete {db.id}", True))
        allowed = []
        for label, command, danger in wanted:
            spec = parse(command).spec
            if decide(rules, actor, req.place, spec, name).allowed:
                allowed.append((label, command, danger))
        return allowed

    @staticmethod
    def _terminable(db: Database) -> None:
        """Astra terminates a database once, and only once its extra regions are gone
        (terraform-provider-astra#182)."""
        name = db.info.name or db.id
        if db.status in {"TERMINATING", "TERMINATED"}:
            raise UsageError(f"`{name}` is already {db.status}.")
        live_dcs = [dc for dc in db.info.datacenters if dc.status not in {"TERMINATED"}]
        if len(live_dcs) > 1:
            others = ", ".join(f"`{dc.region}`" for dc in live_dcs[1:])
            raise UsageError(
                f"`{name}` has {len(live_dcs)} regions; Astra terminates a database only "
                "once its extra regions are removed.",
                hint=f"Remove {others} first: `/astra region remove {name} <region>`.",
            )

    async def precheck_delete(self, intent: Intent, db: Database | None) -> None:
        self._terminable(need(db))

    async def delete_confirmed(self, req: Request, intent: Intent, ts: str | None) -> Outcome:
        db = await self.resolver.resolve_db(intent.arg("db"))
        self._terminable(db)
        try:
            await self.astra.terminate_database(db.id)
        except AstraConflict:
            current = (await self.astra.get_database(db.id)).status
            if current not in WAIT_THEN_RETRY:
                raise
            # Terraform's way: a terminate refused while MAINTENANCE is retried once the
            # database is ACTIVE again; the watcher does that.
            await self.ops.follow(
                req,
                "db.delete",
                db,
                message_ts=ts,
                status=current,
                detail={"retry": "terminate"},
                reply=None,
                state=OperationState.SENDING,
            )
            return Outcome(f"terminate {db.id} waits for {current} to end")
        return Outcome(
            await self.ops.start(req, "db.delete", db, message_ts=ts, status="TERMINATING")
        )

    async def park_confirmed(self, req: Request, intent: Intent, ts: str | None) -> Outcome:
        db = await self.resolver.resolve_db(intent.arg("db"))
        await self.astra.park_database(db.id)
        return Outcome(await self.ops.start(req, "db.park", db, message_ts=ts, status="PARKING"))

    async def unpark(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        db = need(db)
        await self.astra.unpark_database(db.id)
        return Outcome(
            await self.ops.start(
                req,
                "db.unpark",
                db,
                status="UNPARKING",
                reply=reply,
            )
        )

    async def resize(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        db = need(db)
        units = intent.num("units")
        await self.astra.resize_database(db.id, units)
        return Outcome(
            await self.ops.start(
                req,
                "db.resize",
                db,
                status="RESIZING",
                detail={"units": units},
                reply=reply,
            )
        )

    async def precheck_classic(self, intent: Intent, db: Database | None) -> None:
        """Park, unpark and resize are classic-database operations (Go client spec);
        explain the API's limits before anything is sent or confirmed."""
        db = need(db)
        name = db.info.name or db.id
        verb = intent.spec.verb[0]
        if not db.is_classic:
            raise UsageError(
                f"`{name}` is a serverless database: `{verb}` is for classic databases only.",
                hint="Serverless databases scale on their own and hibernate when idle.",
            )
        if verb == "park" and db.status != "ACTIVE":
            raise UsageError(f"`{name}` is {db.status}: only an ACTIVE database can be parked.")
        if verb == "unpark" and db.status != "PARKED":
            raise UsageError(f"`{name}` is {db.status}, not PARKED: nothing to unpark.")
        if verb == "resize":
            units, current = intent.num("units"), db.info.capacity_units or 1  # 1–100: parsed
            if units < current:
                raise UsageError(
                    f"`{name}` has {current} capacity units; Astra cannot shrink a database."
                )
            if units == current:
                raise UsageError(f"`{name}` already has {current} capacity units.")
            if units > current + 3:
                raise UsageError(
                    f"Astra adds at most 3 capacity units per resize: `{name}` can go from "
                    f"{current} to {current + 3} now.",
                    hint="Resize again once it is ACTIVE.",
                )
