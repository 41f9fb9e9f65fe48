"""Watched databases: a notice for each status change a channel has not been told yet."""

from __future__ import annotations

import json

from bot import render
from bot.astra.models import Database
from bot.render.orgs import in_org
from bot.store.models import Subscription
from bot.store.repo import NewNotice
from bot.watcher.astra_reads import Listing, read_missing
from bot.watcher.deps import WatcherDeps


class WatchChecker:
    """Compares each watch's last seen statuses with the list's, and enqueues the news."""

    def __init__(self, deps: WatcherDeps) -> None:
        self.deps = deps

    async def check(
        self,
        sub: Subscription,
        listing: Listing,
        covered: set[tuple[str, str]],
    ) -> tuple[int, int]:
        """Notices for the watched databases' changes, in the list of the watch's org:
        (the Astra reads it made (0 or 1), the notices it enqueued). ``covered``: (channel,
        database id) an operation's own messages tell already."""
        dbs = listing.dbs
        before: dict[str, str] = json.loads(sub.last_statuses or "{}")
        one = sub.database_id != "*"
        after = {k: v.status for k, v in dbs.items() if not one or k == sub.database_id}
        reads = 0
        missing = one and sub.database_id not in after and bool(before)
        if missing and before.get(sub.database_id) == "TERMINATED":
            after = before  # told already: not read again on every tick
        elif missing:
            # Absent from the list is no proof of TERMINATED: read the database itself.
            db, status = await read_missing(listing.astra, sub.database_id)
            reads = 1
            if status is None:
                return reads, 0  # no answer: nothing concluded, look again next time
            if db is not None:
                dbs = {**dbs, db.id: db}
            after = {sub.database_id: status}
        if after == before:
            return reads, 0
        told = await self._tell(sub, dbs, before, after, covered, listing.label)
        if sub.database_id != "*" and after.get(sub.database_id) == "TERMINATED":
            # nothing more will happen to it: the watch ends with its last notice
            async with self.deps.store.transaction(doing="ending a watch") as tx:
                await tx.watches.unsubscribe(sub.channel_id, sub.database_id)
            return reads, told
        async with self.deps.store.transaction(doing="recording a watch's statuses") as tx:
            await tx.watches.update_statuses(sub.id, after)
        return reads, told

    async def _tell(
        self,
        sub: Subscription,
        dbs: dict[str, Database],
        before: dict[str, str],
        after: dict[str, str],
        covered: set[tuple[str, str]],
        org: str | None,
    ) -> int:
        """Enqueue the news; how many notices. ``org``: the name the messages give the
        watch's org (None with one org)."""
        # What the channel saw when it began to watch is no news (the watch seeds it; a
        # watch of `all` sees every database first).
        if not before:
            return 0
        told = 0
        for db_id, status in sorted(after.items()):
            old = before.get(db_id)
            if old == status or (sub.channel_id, db_id) in covered:
                continue
            if db_id in dbs:
                name = dbs[db_id].info.name or db_id
            else:
                name = sub.database_name if sub.database_id != "*" else db_id
            msg = render.status_change(in_org(name, org), db_id, old, status)
            async with self.deps.store.transaction(doing="enqueueing a watch notice") as tx:
                await tx.notices.enqueue(
                    NewNotice(
                        dedupe_key=f"sub:{sub.id}:{db_id}:{old}:{status}:{int(self.deps.clock())}",
                        org_id=sub.org_id,
                        channel_id=sub.channel_id,
                        text=msg.text,
                        blocks=msg.blocks,
                    )
                )
            told += 1
        return told
