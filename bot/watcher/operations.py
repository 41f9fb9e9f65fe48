"""Following one long operation: its progress message, its end and its one notice."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable

from bot import render
from bot.astra.models import Database
from bot.errors import BotError
from bot.render import DbView, OpView
from bot.render.orgs import in_org
from bot.store.models import Operation
from bot.store.repo import NewNotice
from bot.watcher.astra_reads import Listing, read_missing
from bot.watcher.deps import WatcherDeps

FAILED = {"ERROR"}


class OperationFollower:
    """Moves each operation to its next status; the ones still in progress are written back
    together, one UPDATE per org and status seen (:meth:`flush`)."""

    def __init__(self, deps: WatcherDeps, db_view: Callable[[Database], DbView]) -> None:
        self.deps = deps
        self._db_view = db_view
        # org name → status → operation ids: the orgs' looks run at once, each flushes its own
        self._touch: dict[str, dict[str | None, list[str]]] = {}

    async def advance(self, op: Operation, listing: Listing) -> tuple[int, int]:
        """Look at ``op`` in its organization's list: (operations ended, Astra reads made)."""
        reads = 0
        db = listing.dbs.get(op.database_id)
        status: str | None
        if db is not None:
            status = db.status
        else:
            # Missing from the list: terminated (the default list hides those) — or a list
            # that left it out. Only a read of the database itself can tell.
            db, status = await read_missing(listing.astra, op.database_id)
            status = status or op.last_status
            reads = 1
        if status == op.target_status:
            await self.finish(op, "done", status, db)
            return 1, reads
        if status in FAILED or (status == "TERMINATED" and op.target_status != "TERMINATED"):
            await self.finish(op, "failed", status, db)
            return 1, reads
        if self.deps.clock() > op.deadline_at:
            await self.finish(op, "timed_out", status, db)
            return 1, reads
        await self.show_progress(op, status)
        self._touch.setdefault(listing.org.name, {}).setdefault(status, []).append(op.id)
        return 0, reads

    async def unanswered(self, op: Operation) -> int:
        """Astra did not answer: the deadline still holds, else look again later. The
        operations ended (0 or 1)."""
        if self.deps.clock() > op.deadline_at:
            await self.finish(op, "timed_out", op.last_status, None)
            return 1
        await self.reschedule(op)
        return 0

    async def reschedule(self, op: Operation, *, after: float | None = None) -> None:
        """Look at ``op`` again in ``after`` seconds (default: the poll interval)."""
        d = self.deps
        at = d.clock() + (d.interval if after is None else after)
        async with d.store.transaction(doing="rescheduling an operation") as tx:
            await tx.operations.reschedule(op.id, at, d.owner)

    async def flush(self, org: str, next_check_at: float) -> None:
        """The operations of ``org`` still in progress: one UPDATE per status seen, same
        next check."""
        touched = self._touch.pop(org, {})
        if touched:
            async with self.deps.store.transaction(doing="recording the statuses seen") as tx:
                for status, ids in touched.items():
                    await tx.operations.touch(
                        ids, self.deps.owner, last_status=status, next_check_at=next_check_at
                    )

    def view(self, op: Operation, status: str | None) -> OpView:
        return OpView(
            kind=op.kind,
            database_name=in_org(op.database_name, self.deps.org_label(op.org_id)),
            database_id=op.database_id,
            status=status,
            target_status=op.target_status,
            requester_id=op.requester_id,
            started_at=op.created_at,
            detail=json.loads(op.detail or "{}"),
        )

    async def show_progress(self, op: Operation, status: str | None) -> None:
        """The progress message shows a status it did not show yet."""
        if status != op.last_status and op.message_ts:
            message = render.progress(self.view(op, status), self.deps.clock())
            with contextlib.suppress(BotError):
                await self.deps.notifier.update(op.channel_id, op.message_ts, message)

    async def finish(
        self, op: Operation, state: str, status: str | None, db: Database | None
    ) -> None:
        """End ``op`` and enqueue its one notice in the same transaction."""
        now = self.deps.clock()
        final = {"done": op.target_status, "timed_out": "TIMED OUT"}.get(state, status or "ERROR")
        actions: list[tuple[str, str, bool]] = []
        if final == "ACTIVE" and op.kind in {"create", "unpark"}:
            # next steps; each click is decided for the person who clicks
            actions = [
                ("Details", f"db get {op.database_id}", False),
                ("Download bundle", f"scb {op.database_id}", False),
                ("Watch", f"watch {op.database_id}", False),
            ]
        view = self.view(op, status)
        shown = self._db_view(db) if db else None
        message = render.finished(view, final, now, shown, actions)
        owner = self.deps.owner if op.lease_owner == self.deps.owner else None
        await self.end(op, owner, state, status, message, final=final, now=now)

    async def end(
        self,
        op: Operation,
        owner: str | None,
        state: str,
        status: str | None,
        message: render.Message,
        *,
        final: str,
        now: float,
    ) -> bool:
        """Write the end of ``op`` with ``message`` as its notice, then show ``final`` in its
        progress message; False when someone else ended it first."""
        notice = NewNotice(
            dedupe_key=f"op:{op.id}:end",
            org_id=op.org_id,
            channel_id=op.channel_id,
            text=message.text,
            blocks=message.blocks,
            thread_ts=op.thread_ts,
            broadcast=op.thread_ts is not None,
        )
        d = self.deps
        async with d.store.transaction(doing="ending an operation") as tx:
            ended = await tx.operations.finish(
                op.id, owner, state=state, last_status=status, notice=notice
            )
        if not ended:
            return False  # someone else finished it
        if d.metrics is not None:
            d.metrics.operation_finished(op.kind, state)
        if op.message_ts:
            # The progress message shows the final state; the notice tells the channel.
            progress = render.progress(self.view(op, status), now, final=final)
            with contextlib.suppress(BotError):
                await d.notifier.update(op.channel_id, op.message_ts, progress)
        return True
