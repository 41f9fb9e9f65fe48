"""keyspace: list, create, delete (a long operation each change)."""

from __future__ import annotations

from bot import render
from bot.astra.client import AstraClient
from bot.astra.models import Database
from bot.commands.db import CreateKeyspace, DeleteKeyspace
from bot.errors import NotFound, UsageError
from bot.intents import Intent
from bot.ports import Replier
from bot.service.context import Request
from bot.service.operations import Operations
from bot.service.outcome import Outcome
from bot.service.registry import Entry
from bot.service.resolve import Resolver, need
from bot.service.views import db_view


class KeyspaceHandlers:
    """The `keyspace` commands."""

    def __init__(self, astra: AstraClient, resolver: Resolver, ops: Operations) -> None:
        self.astra = astra
        self.resolver = resolver
        self.ops = ops

    def entries(self) -> list[Entry]:
        return [
            Entry("keyspace.list", handler=self.list),
            Entry("keyspace.create", handler=self.create, precheck=self.precheck_create),
            Entry(
                "keyspace.delete", confirmed=self.delete_confirmed, precheck=self.precheck_delete
            ),
        ]

    async def list(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        view = db_view(need(db))
        return Outcome(
            render.count(len(view.keyspaces), "keyspace"),
            private=render.bullet_list(
                f"Keyspaces of {view.name}", [f"`{k}`" for k in view.keyspaces]
            ),
        )

    async def precheck_create(self, intent: Intent, db: Database | None) -> None:
        db, ks = need(db), CreateKeyspace.narrow(intent).keyspace
        if ks in db.keyspaces:
            raise UsageError(f"`{db.info.name or db.id}` already has a keyspace `{ks}`.")

    @staticmethod
    def _has_keyspace(db: Database, ks: str) -> None:
        if ks not in db.keyspaces:
            listed = ", ".join(f"`{k}`" for k in db.keyspaces) or "none"
            raise NotFound(
                f"`{db.info.name or db.id}` has no keyspace `{ks}`.",
                hint=f"Its keyspaces: {listed}.",
            )

    async def precheck_delete(self, intent: Intent, db: Database | None) -> None:
        self._has_keyspace(need(db), DeleteKeyspace.narrow(intent).keyspace)

    async def create(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        db, ks = need(db), CreateKeyspace.narrow(intent).keyspace
        await self.astra.create_keyspace(db.id, ks)
        return Outcome(
            await self.ops.start(
                req,
                "keyspace.create",
                db,
                status="MAINTENANCE",
                detail={"keyspace": ks},
                reply=reply,
            )
        )

    async def delete_confirmed(self, req: Request, intent: Intent, ts: str | None) -> Outcome:
        command = DeleteKeyspace.narrow(intent)
        db, ks = await self.resolver.resolve_db(command.db), command.keyspace
        self._has_keyspace(db, ks)
        await self.astra.delete_keyspace(db.id, ks)
        return Outcome(
            await self.ops.start(
                req,
                "keyspace.delete",
                db,
                message_ts=ts,
                status="MAINTENANCE",
                detail={"keyspace": ks},
            )
        )
