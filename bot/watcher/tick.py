"""The watcher: follows long operations and watched databases to their next status.

One tick (DESIGN §4):

1. claim the operations that are due (a lease in the store; ``FOR UPDATE SKIP LOCKED`` on
   PostgreSQL, so replicas share the work);
2. ask Astra **once per organization** for every database (one paged list call), not once
   per database — and make no call at all when nothing is due or watched;
3. for each operation: update its progress message when the status changed; when it reached
   its target (or ERROR, or its deadline) end it and enqueue exactly one notice in the same
   transaction (the ``notices`` outbox);
4. for each watch subscription: enqueue a notice per status change;
5. deliver pending notices (each is marked sent after Slack accepted it; a failure leaves
   it pending with a back-off).

Nothing lives only in memory: a restarted watcher picks up where the store says.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.astra.client import AstraClient
from bot.astra.models import Database
from bot.errors import BotError
from bot.ports import Notifier, RedactedNotifier
from bot.redact import Redactor
from bot.render import DbView
from bot.settings import Settings
from bot.store import leases
from bot.store.enums import OperationState
from bot.store.models import Operation, Subscription
from bot.store.repo import Store
from bot.watcher.astra_reads import list_by_org
from bot.watcher.deps import WatcherDeps
from bot.watcher.notices import NoticeDelivery
from bot.watcher.operations import OperationFollower
from bot.watcher.reconcile import Reconciler
from bot.watcher.watches import WatchChecker

if TYPE_CHECKING:
    from bot.metrics import Metrics

log = logging.getLogger("astra_bot.watcher")

# Operations younger than this are looked at every fast interval (min(2.5 s, the poll
# interval)); older ones every poll interval.
YOUNG_S = 600.0
FAST_S = 2.5


@dataclass
class TickResult:
    claimed: int = 0
    astra_reads: int = 0
    finished: int = 0
    notices_sent: int = 0


class Watcher:
    """One watcher (a replica may run one): the tick, and the loop that runs it."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        astra: AstraClient,
        notifier: Notifier,  # wrapped here: what the watcher posts is redacted
        *,
        db_view: Callable[[Database], DbView],
        clock: Callable[[], float] = time.time,
        owner: str | None = None,
        poll_interval: float | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        interval = poll_interval if poll_interval is not None else settings.poll_interval
        self.deps = WatcherDeps(
            store=store,
            astra=astra,
            # every notice and progress update is redacted of secrets (bot/redact.py)
            notifier=RedactedNotifier(notifier, Redactor(settings.secret_values())),
            clock=clock,
            owner=owner or f"w-{uuid.uuid4().hex[:12]}",
            interval=interval,
            metrics=metrics,
        )
        self.lease_s = max(30.0, 3 * interval)
        self.watch_interval = settings.watch_interval
        self.fast_interval = min(FAST_S, interval)
        self.operations = OperationFollower(self.deps, db_view)
        self.reconciler = Reconciler(self.operations, settings.reconcile_timeout)
        self.watches = WatchChecker(self.deps)
        self.notices = NoticeDelivery(self.deps, self.lease_s)
        self.last_tick_at: float | None = None
        self._wake = asyncio.Event()
        self._subs_checked_at: float | None = None

    @property
    def notifier(self) -> Notifier:
        """What the watcher posts through (redacted)."""
        return self.deps.notifier

    def wake(self) -> None:
        """Look now (a new operation was started)."""
        self._wake.set()

    # ------------------------------------------------------------------ one tick

    async def tick(self) -> TickResult:
        started = time.perf_counter()
        # Operations due within the next fast step are taken now too: every operation of an
        # org then shares one phase, and one list call serves them all.
        async with self.deps.store.transaction(doing="claiming the operations due") as tx:
            ops = await tx.operations.claim_due(
                self.deps.owner, lease_s=self.lease_s, horizon_s=self.fast_interval
            )
        result = TickResult(claimed=len(ops))
        subs = await self._due_watches(bool(ops))
        if ops or subs:
            await self._look(ops, subs, result)
        result.notices_sent = await self.notices.deliver()
        await self.notices.forget_old_deliveries()
        self.last_tick_at = self.deps.clock()
        if self.deps.metrics is not None:
            self.deps.metrics.watcher_tick(time.perf_counter() - started)
        return result

    async def _due_watches(self, with_operations: bool) -> list[Subscription]:
        """Watches ride along with every list call made for operations; alone, they are
        looked at every watch_interval only (no operation has a deadline then)."""
        async with self.deps.store.transaction(doing="reading the watches") as tx:
            subs = await tx.watches.subscriptions()
        checked = self._subs_checked_at
        recent = checked is not None and self.deps.clock() - checked < self.watch_interval
        return [] if subs and not with_operations and recent else subs

    async def _look(
        self, ops: list[Operation], subs: list[Subscription], result: TickResult
    ) -> None:
        now = self.deps.clock()
        next_check = now + self._step(ops, now)
        by_org, result.astra_reads = await list_by_org(self.deps.astra, ops, subs)
        for op in ops:
            dbs = by_org.get(op.org_id)
            if dbs is None:
                await self.operations.unanswered(op)
            elif op.state == OperationState.SENDING:
                result.finished += await self.reconciler.reconcile_create(op, dbs)
            elif op.state == OperationState.RETRYING:
                result.finished += await self.reconciler.retry_terminate(op, dbs)
            else:
                done, reads = await self.operations.advance(op, dbs)
                result.finished += done
                result.astra_reads += reads
        await self.operations.flush(next_check)
        # (channel, database id) of the operations looked at this tick: their progress
        # message and notice tell that channel, so a watch there does not say it again
        covered = {(op.channel_id, op.database_id) for op in ops if op.database_id}
        for sub in subs:
            if sub.org_id in by_org:
                result.astra_reads += await self.watches.check(sub, by_org[sub.org_id], covered)
        if subs and by_org:
            self._subs_checked_at = now

    def _step(self, ops: list[Operation], now: float) -> float:
        """How long until the next look: short while an operation is young (a create or a
        keyspace change usually ends within minutes, and the channel wants to know at
        once), ASTRA_BOT_POLL_INTERVAL once they are all older."""
        young = any(now - op.created_at < YOUNG_S for op in ops)
        return self.fast_interval if young else self.deps.interval

    # ------------------------------------------------------------------ loop

    async def run(self, stop: asyncio.Event) -> None:
        log.info("watcher %s started (interval %.1fs)", self.deps.owner, self.deps.interval)
        try:
            while not stop.is_set():
                await self._tick_once()
                delay = await self._sleep_for()
                self._wake.clear()
                waiters = [
                    asyncio.ensure_future(stop.wait()),
                    asyncio.ensure_future(self._wake.wait()),
                ]
                _, pending = await asyncio.wait(
                    waiters, timeout=delay, return_when=asyncio.FIRST_COMPLETED
                )
                for p in pending:
                    p.cancel()
        finally:
            with contextlib.suppress(BotError, Exception):
                async with self.deps.store.transaction(doing="releasing leases") as tx:
                    await leases.release(tx, self.deps.owner)
            log.info("watcher %s stopped", self.deps.owner)

    async def _tick_once(self) -> None:
        """A tick that fails is logged and counted; the loop goes on."""
        try:
            await self.tick()
            return
        except BotError as err:
            log.warning("watcher tick failed: %s", err.user_message)
        except Exception:
            log.exception("watcher tick crashed; continuing")
        if self.deps.metrics is not None:
            self.deps.metrics.watcher_tick(0.0, ok=False)

    async def _sleep_for(self) -> float:
        """Until the next operation is due, or the watches are; at most one interval (new
        work from other replicas is found by then; work of this one wakes it at once)."""
        now = self.deps.clock()
        async with self.deps.store.transaction(doing="reading the next due time") as tx:
            due = [await tx.operations.next_due_at()]
        if self._subs_checked_at is not None:
            due.append(self._subs_checked_at + self.watch_interval)
        nxt = min((d for d in due if d is not None), default=None)
        if nxt is None:
            return self.deps.interval
        return max(0.05, min(self.deps.interval, nxt - now))
