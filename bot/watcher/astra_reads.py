"""The watcher's reads of Astra: one list call per organization, a read by id of a database
the list did not show."""

from __future__ import annotations

import logging

from bot.astra.client import AstraClient
from bot.astra.models import Database
from bot.errors import AstraError, AstraNotFound
from bot.store.models import Operation, Subscription

log = logging.getLogger("astra_bot.watcher")


async def list_by_org(
    astra: AstraClient, ops: list[Operation], subs: list[Subscription]
) -> tuple[dict[str, dict[str, Database]], int]:
    """Every database of each organization the operations and watches are in (one paged
    list call each, DESIGN §4), and the calls made. An organization whose list failed is
    left out: its operations are kept and looked at again later."""
    orgs = {op.org_id for op in ops} | {s.org_id for s in subs}
    by_org: dict[str, dict[str, Database]] = {}
    reads = 0
    for org in orgs:
        try:
            # one quick retry at most: the next tick is the real retry
            dbs = await astra.list_databases(retries=1, until_seen=sought(org, ops, subs))
        except AstraError as err:
            # Astra is down or refusing: keep the operations, look again later.
            log.warning("watcher list failed: %s", err.user_message)
            continue
        reads += 1
        by_org[org] = {d.id: d for d in dbs}
    return by_org, reads


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


def sought(org: str, ops: list[Operation], subs: list[Subscription]) -> set[str] | None:
    """The ids the list call of ``org`` is for, when that is all it is for: paging may stop
    once they are seen. None (every page) where a watch or an operation without a database
    id (a create being reconciled, found by name) needs the whole list."""
    if any(s.org_id == org for s in subs):
        return None
    ids: set[str] = set()
    for op in ops:
        if op.org_id != org:
            continue
        if not op.database_id:
            return None
        ids.add(op.database_id)
    return ids
