"""Operations whose request may not have reached Astra: a create whose outcome is unknown
(adopted or told plainly), a terminate refused while the database was busy (sent again)."""

from __future__ import annotations

import logging

from bot.astra.client import AstraClient
from bot.errors import AstraError
from bot.render.orgs import in_org
from bot.render.reconcile import create_outcome_unknown
from bot.store.models import Operation
from bot.watcher.astra_reads import Listing, read_missing
from bot.watcher.operations import OperationFollower

log = logging.getLogger("astra_bot.watcher")

#: Statuses in which Astra takes a terminate again (a 409 said the database was busy).
TERMINABLE = {"ACTIVE", "PARKED", "HIBERNATED", "ERROR"}


class Reconciler:
    """Operations whose request Astra has not taken yet: ``sending`` (a create to reconcile)
    and ``retrying`` (a terminate to send again)."""

    def __init__(self, follower: OperationFollower, reconcile_timeout: float) -> None:
        self.follower = follower
        self.deps = follower.deps
        self.reconcile_timeout = reconcile_timeout

    async def reconcile_create(self, op: Operation, listing: Listing) -> int:
        """A create whose outcome is unknown (crash or ambiguous answer): adopt the database
        Astra made for it, or tell the channel plainly that nothing was found. How many
        operations this ended (0 or 1)."""
        d = self.deps
        async with d.store.transaction(doing="reading the databases followed") as tx:
            tracked = await tx.operations.tracked_database_ids(op.org_id)
        since = op.created_at - 120  # tolerate clock skew between the bot and Astra
        found = [
            db
            for db in listing.dbs.values()
            if db.info.name == op.database_name
            and db.id not in tracked
            and (db.created_at is None or db.created_at.timestamp() >= since)
        ]
        now = d.clock()
        if found:
            db = max(found, key=lambda x: x.creation_time or "")
            await self._sent(op, db.id, db.status, now)
            log.info("adopted database %s for create %s", db.id, op.id)
            return 0
        if now - op.created_at < self.reconcile_timeout:
            await self.follower.reschedule(op)
            return 0
        message = create_outcome_unknown(in_org(op.database_name, listing.label), op.requester_id)
        ended = await self.follower.end(
            op, d.owner, "unknown", None, message, final="UNKNOWN", now=now
        )
        return 1 if ended else 0

    async def retry_terminate(self, op: Operation, listing: Listing) -> int:
        """A terminate refused (409) while the database was busy: send it again once the
        database is ACTIVE (or PARKED), as Terraform does. How many operations this ended
        (0 or 1)."""
        d = self.deps
        db = listing.dbs.get(op.database_id)
        now = d.clock()
        if db is None:
            db, status = await read_missing(listing.astra, op.database_id)
            if status == "TERMINATED":  # gone already
                await self._sent(op, op.database_id, "TERMINATED", now)
                return 0
            if db is None:  # no answer: look again later
                await self.follower.reschedule(op)
                return 0
        if now > op.deadline_at:
            await self.follower.finish(op, "timed_out", db.status, db)
            return 1
        if db.status in TERMINABLE and await self._terminate_again(listing.astra, op):
            await self._sent(op, op.database_id, "TERMINATING", now + d.interval)
            return 0
        await self.follower.show_progress(op, db.status)
        await self.follower.reschedule(op)
        return 0

    async def _sent(self, op: Operation, database_id: str, status: str, check_at: float) -> None:
        """Astra has the request now: the operation is followed like any other."""
        async with self.deps.store.transaction(doing="following an operation") as tx:
            await tx.operations.sent(op.id, database_id, status=status, next_check_at=check_at)

    async def _terminate_again(self, astra: AstraClient, op: Operation) -> bool:
        try:
            await astra.terminate_database(op.database_id)
        except AstraError as err:
            if err.status_code != 409:
                log.warning("terminate retry failed: %s", err.user_message)
            return False
        return True
