"""Names → databases: by id, or by a unique name (DESIGN §2), as a command is decided on.

Names are found in one org, the command's (its client is given): the same name in two orgs
is two databases, and is ambiguous only where one org has it twice."""

from __future__ import annotations

import difflib

from bot import render
from bot.astra.client import AstraClient
from bot.astra.models import Database
from bot.errors import Ambiguous, AstraError, AstraNotFound, Candidate, NotFound
from bot.intents import Intent
from bot.service.context import Request, org_of
from bot.store.repo import Store


def need(db: Database | None) -> Database:
    """The database a handler acts on; the command table guarantees one for these."""
    if db is None:
        raise NotFound("This command needs a database.")
    return db


def name_of(db: Database) -> str:
    return db.info.name or db.id


class Resolver:
    """Finds the database a command names, as Astra has it now, in the command's org."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def resolve_db(self, astra: AstraClient, ref: str) -> Database:
        """A database of the org of ``astra`` by id, or by name when that name is unique
        there (DESIGN §2)."""
        dbs = await astra.list_databases()
        by_id = [d for d in dbs if d.id == ref]
        if by_id:
            return by_id[0]
        named = [d for d in dbs if (d.info.name or "") == ref]
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            raise Ambiguous(
                ref,
                [Candidate(d.id, d.info.name or "", d.status, d.info.region or "") for d in named],
            )
        try:
            return await astra.get_database(ref)
        except AstraNotFound:
            pass
        except AstraError as err:
            if err.status_code not in {400, 404}:
                raise
        names = list(dict.fromkeys(d.info.name for d in dbs if d.info.name))
        near = difflib.get_close_matches(ref, names, n=3, cutoff=0.6)
        raise NotFound(
            f"There is no database named or with id `{ref}`.",
            hint=render.did_you_mean(near, "`/astra db list` shows the databases."),
        )

    async def target(self, req: Request, intent: Intent, ref: str) -> tuple[str, Database | None]:
        """The name a command's database is decided on, and the database where Astra has
        it. A watch is stopped on what the bot stored: it outlives its database."""
        org = org_of(req)
        if intent.permission == "watch.stop":
            org_id = await org.org_id()
            for s in await self.store.subscriptions(req.channel_id):
                if s.org_id == org_id and ref in {s.database_id, s.database_name}:
                    return s.database_name, None
            raise NotFound(
                f"This channel does not watch `{ref}`.",
                hint="`/astra watch list` shows what it watches.",
            )
        db = await self.resolve_db(org.astra, ref)
        return db.info.name or db.id, db
