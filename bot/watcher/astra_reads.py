"""The watcher's reads of Astra: one list call per organization, a read by id of a database
the list did not show; each with the client of the org the database is in."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.astra.client import AstraClient
from bot.astra.models import Database
from bot.astra.orgs import Org
from bot.errors import AstraError, AstraNotFound
from bot.store.models import Operation, Subscription

log = logging.getLogger("astra_bot.watcher")


@dataclass(frozen=True)
class Listing:
    """One org's databases as its list call showed them, and the org itself (its client
    reads what the list did not show, its name is in the messages)."""

    org: Org
    dbs: dict[str, Database]
    #: the org as messages name it: its name when the bot serves several, else None
    label: str | None = None

    @property
    def astra(self) -> AstraClient:
        return self.org.astra


async def list_org(
    org: Org, ops: list[Operation], subs: list[Subscription], *, label: str | None = None
) -> Listing:
    """Every database of ``org`` the operations and watches (all of that org) need, in one
    paged list call (DESIGN §4). AstraError when Astra did not answer or refused."""
    # one quick retry at most: the next tick is the real retry
    dbs = await org.astra.list_databases(retries=1, until_seen=sought(ops, subs))
    return Listing(org, {d.id: d for d in dbs}, label)


async def read_missing(astra: AstraClient, db_id: str) -> tuple[Database | None, str | None]:
    """A database the list did not show, read by id (GET /v2/databases/{id}): 404 means
    TERMINATED; None for the status when Astra did not answer (nothing is concluded)."""
    try:
        db = await astra.get_database(db_id)
    except AstraNotFound:
        return None, "TERMINATED"
    except AstraError as err:
        log.warning("watcher read of %s failed: %s", db_id, err.user_message)
        return None, None
    return db, db.status


def sought(ops: list[Operation], subs: list[Subscription]) -> set[str] | None:
    """The ids the list call of one org is for, when that is all it is for: paging may stop
    once they are seen. None (every page) where a watch or an operation without a database
    id (a create being reconciled, found by name) needs the whole list."""
    if subs:
        return None
    ids: set[str] = set()
    for op in ops:
        if not op.database_id:
            return None
        ids.add(op.database_id)
    return ids
