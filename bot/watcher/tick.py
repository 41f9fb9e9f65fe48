"""The watcher: follows long operations and watched databases to their next status.

One tick (DESIGN §4):

1. claim the operations that are due (a lease in the store; ``FOR UPDATE SKIP LOCKED`` on
   PostgreSQL, so replicas share the work);
2. ask Astra **once per organization** for every database (one paged list call), not once
   per database — and make no call at all when nothing is due or watched. Each org is
   asked with its own client, the orgs concurrently (bounded), each in its own lane
   (bot/watcher/lanes.py): an org that is slow or failing delays no other org's notices;
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

from bot.astra.models import Database
from bot.astra.orgs import Orgs
from bot.errors import BotError
from bot.ports import Notifier, RedactedNotifier
from bot.redact import Redactor
from bot.render import DbView
from bot.settings import Settings
from bot.store import leases
from bot.store.models import Operation, Subscription
from bot.store.repo import Store
from bot.watcher.deps import WatcherDeps
from bot.watcher.lanes import OrgLanes
from bot.watcher.notices import NoticeDelivery
from bot.watcher.operations import OperationFollower
from bot.watcher.org_pass import OrgLook, Tally
from bot.watcher.reconcile import Reconciler
from bot.watcher.watches import WatchChecker

if TYPE_CHECKING:
    from bot.metrics import Metrics

log = logging.getLogger("astra_bot.watcher")

# Operations younger than this are looked at every fast interval (min(2.5 s, the poll
# interval)); older ones every poll interval.
YOUNG_S = 600.0
FAST_S = 2.5
#: The shortest sleep of the loop while an org's look outlives its tick.
BUSY_SLEEP_S = 0.5


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
        orgs: Orgs,
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
            orgs=orgs,
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
        self.lanes = OrgLanes(orgs, clock)
        self.looks = OrgLook(
            self.lanes, self.operations, self.reconciler, self.watches, self._deliver
        )
        #: how long a tick waits for the orgs' lists: one fast step (an org slower than
        #: that goes on in its lane, and the tick goes on with the others)
        self.org_wait_s = self.fast_interval
        self._delivering = asyncio.Lock()
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

    async def drain(self, within_s: float = 10.0) -> None:
        """Let the orgs' looks still under way end (at most ``within_s``), then stop them."""
        busy = list(self.lanes.busy.values())
        if busy:
            _, late = await asyncio.wait(busy, timeout=within_s)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)

    async def _deliver(self) -> int:
        """Deliver the pending notices; one delivery at a time (Slack's pace per channel is
        kept in :class:`NoticeDelivery`), whichever org's look or tick asks."""
        async with self._delivering:
            return await self.notices.deliver()

    # ------------------------------------------------------------------ one tick

    async def tick(self) -> TickResult:
        started = time.perf_counter()
        # Operations due within the next fast step are taken now too: every operation of an
        # org then shares one phase, and one list call serves them all.
        async with self.deps.store.transaction(doing="claiming the operations due") as tx:
            ops = await tx.operations.claim_due(
                self.deps.owner, lease_s=self.lease_s, horizon_s=self.fast_interval
            )
        subs = await self._due_watches(bool(ops))
        if ops or subs:
            await self._look(ops, subs)
        sent = await self._deliver()
        await self.notices.forget_old_deliveries()
        tally, self.looks.tally = self.looks.tally, Tally()
        result = TickResult(len(ops), tally.astra_reads, tally.finished, tally.notices_sent + sent)
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

    async def _look(self, ops: list[Operation], subs: list[Subscription]) -> None:
        """Each org's look in its own lane (DESIGN §4): all start at once (their list calls
        bounded), each org's notices go out as soon as its list answered, and the tick
        waits for the lists at most one fast step — an org still listing then is a
        straggler: its look goes on, and the next ticks leave that org alone until it
        ends (never listed twice at once), while the other orgs go on at their pace."""
        now = self.deps.clock()
        next_check = now + self._step(ops, now)
        plan = await self.lanes.plan(ops, subs)
        for op in plan.orphans:
            await self.operations.reschedule(op)  # kept, looked at every poll interval
        for op in plan.deferred:
            await self.operations.reschedule(op, after=self.fast_interval)
        # (channel, database id) of the operations looked at this tick: their progress
        # message and notice tell that channel, so a watch there does not say it again
        covered = {(op.channel_id, op.database_id) for op in ops if op.database_id}
        lanes = [self.looks.start(w, next_check, covered) for w in plan.work.values()]
        if not lanes:
            return
        if subs:
            self._subs_checked_at = now
        waiters = [asyncio.ensure_future(lane.listed.wait()) for lane in lanes]
        _, waiting = await asyncio.wait(waiters, timeout=self.org_wait_s)
        for w in waiting:
            w.cancel()
        # the looks whose list answered are finished within the tick (store and Slack only)
        answered = [lane.task for lane in lanes if lane.task and lane.listed.is_set()]
        if answered:
            await asyncio.wait(answered)

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
            await self.drain()
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
        # an org's look still under way holds operations that are due: the loop does not
        # spin on them (the other orgs' next steps are at least this far apart anyway)
        low = BUSY_SLEEP_S if self.lanes.busy else 0.05
        return max(low, min(self.deps.interval, nxt - now))
