"""keyspace: list, create, delete (a long operation each change)."""

from __future__ import annotations

from dataclasses import dataclass

from bot import render
from bot.astra.models import Database
from bot.commands.db import CreateKeyspace, DeleteKeyspace, ListKeyspaces
from bot.errors import NotFound, UsageError
from bot.service.handlers.common import started
from bot.service.operations import Operations
from bot.service.outcome import Outcome
from bot.service.registry import Call, Handlers, confirms, handles, prechecks
from bot.service.resolve import Resolver, name_of


def _has_keyspace(db: Database, ks: str) -> None:
    if ks not in db.keyspaces:
        raise NotFound(
            render.no_keyspace(name_of(db), ks), hint=render.its("keyspaces", db.keyspaces)
        )


@dataclass(frozen=True)
class KeyspaceHandlers(Handlers):
    """The `keyspace` commands."""

    resolver: Resolver
    ops: Operations

    @handles(ListKeyspaces)
    async def list(self, cmd: ListKeyspaces, call: Call) -> Outcome:
        db = call.database
        return Outcome(
            render.count(len(db.keyspaces), "keyspace"),
            private=render.keyspace_list(name_of(db), db.keyspaces),
        )

    @prechecks(CreateKeyspace)
    async def precheck_create(self, cmd: CreateKeyspace, call: Call) -> None:
        db = call.database
        if cmd.keyspace in db.keyspaces:
            raise UsageError(render.has_keyspace(name_of(db), cmd.keyspace))

    @prechecks(DeleteKeyspace)
    async def precheck_delete(self, cmd: DeleteKeyspace, call: Call) -> None:
        _has_keyspace(call.database, cmd.keyspace)

    @handles(CreateKeyspace)
    async def create(self, cmd: CreateKeyspace, call: Call) -> Outcome:
        db = call.database
        await call.org.astra.create_keyspace(db.id, cmd.keyspace)
        return await started(
            self.ops, call, "keyspace.create", db, "MAINTENANCE", keyspace=cmd.keyspace
        )

    @confirms(DeleteKeyspace)
    async def delete_confirmed(self, cmd: DeleteKeyspace, call: Call) -> Outcome:
        db = await self.resolver.resolve_db(call.org.astra, cmd.db)
        _has_keyspace(db, cmd.keyspace)
        await call.org.astra.delete_keyspace(db.id, cmd.keyspace)
        return await started(
            self.ops, call, "keyspace.delete", db, "MAINTENANCE", keyspace=cmd.keyspace
        )
