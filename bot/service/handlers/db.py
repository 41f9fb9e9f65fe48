"""db: list, get, status, delete, park, unpark, resize (create is in create.py)."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from bot import render
from bot.astra.models import Database
from bot.commands.db import (
    GetDatabase,
    ListDatabases,
    ParkDatabase,
    ResizeDatabase,
    ShowDatabaseStatus,
    TerminateDatabase,
    UnparkDatabase,
)
from bot.errors import AstraConflict, UsageError
from bot.intents import parse
from bot.policy import decide
from bot.service.context import Context, Request, org_of
from bot.service.operations import WAIT_THEN_RETRY, Operations
from bot.service.outcome import Outcome
from bot.service.registry import Call, Handlers, confirms, handles, prechecks
from bot.service.resolve import Resolver
from bot.service.views import db_view
from bot.store.enums import OperationState


@dataclass(frozen=True)
class DbHandlers(Handlers):
    """The `db` commands but `db create`."""

    ctx: Context
    resolver: Resolver
    ops: Operations

    @handles(ListDatabases)
    async def list_dbs(self, cmd: ListDatabases, call: Call) -> Outcome:
        include = "all" if cmd.all else "nonterminated"
        cloud = cmd.cloud
        dbs = await call.org.astra.list_databases(
            include=include, provider=cloud.upper() if cloud else None
        )
        status = (cmd.status or "").upper()
        glob = cmd.name
        views = [db_view(d) for d in dbs]
        if status:
            views = [v for v in views if v.status == status]
        if glob:
            views = [v for v in views if fnmatchcase(v.name, glob)]
        views.sort(key=lambda v: (v.name.lower(), v.id))
        page, pages = cmd.page or 1, render.page_count(len(views))
        if page > pages:  # the parser knows pages start at 1; only the list knows the last
            raise UsageError(render.no_such_page(page, pages), usage=cmd.spec.usage)
        base = cmd.without("page")
        return Outcome(
            f"listed {render.count(len(views), 'database')}",
            private=render.db_list(
                views,
                filters=render.list_filters(status, cloud, glob),
                page=page,
                command=base.canonical().removeprefix("/astra "),
            ),
        )

    @handles(GetDatabase)
    async def get(self, cmd: GetDatabase, call: Call) -> Outcome:
        db = call.database  # resolving it read it already (list or get): no second call
        actions = await self.actions_for(call.req, db)
        return Outcome(f"shown {db.id}", private=render.db_detail(db_view(db), actions))

    @handles(ShowDatabaseStatus)
    async def status(self, cmd: ShowDatabaseStatus, call: Call) -> Outcome:
        db = call.database  # resolving it read it already (list or get): no second call
        return Outcome(f"{db.id} is {db.status}", private=render.db_status(db_view(db)))

    async def actions_for(self, req: Request, db: Database) -> list[tuple[str, str, bool]]:
        """The buttons worth showing on a database: only what this person may run here.
        With several orgs each names the database's org: a click runs there, whatever org
        the channel uses (the database's id means nothing in another org)."""
        rules = await self.ctx.rules()
        actor = await self.ctx.actor(req.user_id, rules)
        name = db.info.name or db.id
        wanted = render.db_actions(db.id, db.status, classic=db.is_classic)
        in_org = f" --org {org_of(req).name}" if self.ctx.orgs.several else ""
        allowed = []
        for label, command, danger in wanted:
            command += in_org
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

    @prechecks(TerminateDatabase)
    async def precheck_delete(self, cmd: TerminateDatabase, call: Call) -> None:
        self._terminable(call.database)

    @confirms(TerminateDatabase)
    async def delete_confirmed(self, cmd: TerminateDatabase, call: Call) -> Outcome:
        req, ts = call.req, call.ts
        db = await self.resolver.resolve_db(call.org.astra, cmd.db)
        self._terminable(db)
        try:
            await call.org.astra.terminate_database(db.id)
        except AstraConflict:
            current = (await call.org.astra.get_database(db.id)).status
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
                state=OperationState.RETRYING,
            )
            return Outcome(f"terminate {db.id} waits for {current} to end")
        return Outcome(
            await self.ops.start(req, "db.delete", db, message_ts=ts, status="TERMINATING")
        )

    @confirms(ParkDatabase)
    async def park_confirmed(self, cmd: ParkDatabase, call: Call) -> Outcome:
        db = await self.resolver.resolve_db(call.org.astra, cmd.db)
        await call.org.astra.park_database(db.id)
        return Outcome(
            await self.ops.start(call.req, "db.park", db, message_ts=call.ts, status="PARKING")
        )

    @handles(UnparkDatabase)
    async def unpark(self, cmd: UnparkDatabase, call: Call) -> Outcome:
        db = call.database
        await call.org.astra.unpark_database(db.id)
        return Outcome(
            await self.ops.start(call.req, "db.unpark", db, status="UNPARKING", reply=call.reply)
        )

    @handles(ResizeDatabase)
    async def resize(self, cmd: ResizeDatabase, call: Call) -> Outcome:
        db, units = call.database, cmd.units
        await call.org.astra.resize_database(db.id, units)
        return Outcome(
            await self.ops.start(
                call.req,
                "db.resize",
                db,
                status="RESIZING",
                detail={"units": units},
                reply=call.reply,
            )
        )

    @prechecks(ParkDatabase, UnparkDatabase, ResizeDatabase)
    async def precheck_classic(
        self, cmd: ParkDatabase | UnparkDatabase | ResizeDatabase, call: Call
    ) -> None:
        """Park, unpark and resize are classic-database operations (Go client spec);
        explain the API's limits before anything is sent or confirmed."""
        db = call.database
        name = db.info.name or db.id
        verb = cmd.spec.verb[0]
        if not db.is_classic:
            raise UsageError(
                f"`{name}` is a serverless database: `{verb}` is for classic databases only.",
                hint="Serverless databases scale on their own and hibernate when idle.",
            )
        if verb == "park" and db.status != "ACTIVE":
            raise UsageError(f"`{name}` is {db.status}: only an ACTIVE database can be parked.")
        if verb == "unpark" and db.status != "PARKED":
            raise UsageError(f"`{name}` is {db.status}, not PARKED: nothing to unpark.")
        if isinstance(cmd, ResizeDatabase):
            units, current = cmd.units, db.info.capacity_units or 1  # 1–100: parsed
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
