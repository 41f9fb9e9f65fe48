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
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot import render
from bot.astra.client import AstraClient
from bot.astra.models import Database
from bot.errors import AstraError, AstraNotFound, BotError
from bot.mrkdwn import md, user
from bot.ports import Notifier, RedactedNotifier
from bot.redact import Redactor
from bot.render import OpView
from bot.service import db_view
from bot.settings import Settings
from bot.store.models import Notice, Operation, Subscription
from bot.store.repo import NewNotice, Store

if TYPE_CHECKING:
    from bot.metrics import Metrics

log = logging.getLogger("astra_bot.watcher")

FAILED = {"ERROR"}
# Slack allows about one message per second per channel; more notices than this waiting for
# one channel are coalesced into a single message ("12 databases are ACTIVE").
PACE_S = 1.0
COALESCE_AT = 3
# Operations younger than this are looked at every fast interval (min(2.5 s, the poll
# interval)); older ones every poll interval.
YOUNG_S = 600.0
FAST_S = 2.5
#: Delivery keys (bot/slack/guards.py) are kept this long: a replay needs a signature at
#: most five minutes old (bot/web.py) and Slack re-sends a lost event within minutes.
SEEN_KEEP_S = 3600.0
#: ... and the older ones are dropped this often, by whichever watcher gets there.
SEEN_FORGET_EVERY_S = 600.0


@dataclass
class TickResult:
    claimed: int = 0
    astra_reads: int = 0
    finished: int = 0
    notices_sent: int = 0


class Watcher:
    #: Set by the composition root (bot/app.py).
    metrics: Metrics | None = None

    def __init__(
        self,
        settings: Settings,
        store: Store,
        astra: AstraClient,
        notifier: Notifier,
        *,
        clock: Callable[[], float] = time.time,
        owner: str | None = None,
        poll_interval: float | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.astra = astra
        # every notice and progress update is redacted of secrets (bot/redact.py)
        self.notifier: Notifier = RedactedNotifier(notifier, Redactor(settings.secret_values()))
        self.clock = clock
        self.owner = owner or f"w-{uuid.uuid4().hex[:12]}"
        self.interval = poll_interval if poll_interval is not None else settings.poll_interval
        self.lease_s = max(30.0, 3 * self.interval)
        self._wake = asyncio.Event()
        self.last_tick_at: float | None = None
        self._last_post: dict[str, float] = {}
        self.watch_interval = settings.watch_interval
        self.fast_interval = min(FAST_S, self.interval)
        self._touch: dict[str | None, list[str]] = {}
        # (channel, database id) of the operations looked at this tick: their progress
        # message and notice tell that channel, so a watch there does not say it again
        self._covered: set[tuple[str, str]] = set()
        self._next_check = 0.0
        self._subs_checked_at: float | None = None
        self._forget_seen_at = 0.0

    def wake(self) -> None:
        """Look now (a new operation was started)."""
        self._wake.set()

    # ------------------------------------------------------------------ one tick

    async def tick(self) -> TickResult:
        started = time.perf_counter()
        result = TickResult()
        # Operations due within the next fast step are taken now too: every operation of an
        # org then shares one phase, and one list call serves them all.
        ops = await self.store.claim_due_operations(self.owner, lease_s=self.lease_s,
                                                    horizon_s=self.fast_interval)
        subs = await self.store.subscriptions()
        now = self.clock()
        self._touch = {}
        self._covered = {(op.channel_id, op.database_id) for op in ops if op.database_id}
        self._next_check = now + self._step(ops, now)
        # Watches ride along with every list call made for operations; alone, they are
        # looked at every watch_interval only (no operation has a deadline then).
        if subs and not ops and self._subs_checked_at is not None \
                and now - self._subs_checked_at < self.watch_interval:
            subs = []
        result.claimed = len(ops)
        if ops or subs:
            orgs = {op.org_id for op in ops} | {s.org_id for s in subs}
            by_org: dict[str, dict[str, Database]] = {}
            for org in orgs:
                try:
                    # one quick retry at most: the next tick is the real retry
                    dbs = await self.astra.list_databases(
                        retries=1, until_seen=_sought(org, ops, subs))
                    result.astra_reads += 1
                    by_org[org] = {d.id: d for d in dbs}
                except AstraError as err:
                    # Astra is down or refusing: keep the operations, look again later.
                    log.warning("watcher list failed: %s", err.user_message)
            for op in ops:
                if op.org_id not in by_org:
                    # Astra did not answer: the deadline still holds, else look again later
                    if self.clock() > op.deadline_at:
                        await self._finish(op, "timed_out", op.last_status, None)
                    else:
                        await self.store.reschedule_operation(
                            op.id, self.clock() + self.interval, self.owner)
                    continue
                done, reads = await self._advance(op, by_org[op.org_id])
                result.finished += done
                result.astra_reads += reads
            # the operations still in progress: one UPDATE per status seen, same next check
            for status, ids in self._touch.items():
                await self.store.touch_operations(ids, self.owner, last_status=status,
                                                  next_check_at=self._next_check)
            for sub in subs:
                if sub.org_id in by_org:
                    result.astra_reads += await self._check_subscription(sub,
                                                                         by_org[sub.org_id])
            if subs and by_org:
                self._subs_checked_at = now
        result.notices_sent = await self.deliver_notices()
        await self._forget_old_deliveries()
        self.last_tick_at = self.clock()
        if self.metrics is not None:
            self.metrics.watcher_tick(time.perf_counter() - started)
        return result

    async def _reconcile(self, op: Operation, dbs: dict[str, Database]) -> int:
        """A create whose outcome is unknown (crash or ambiguous answer): adopt the database
        Astra made for it, or tell the channel plainly that nothing was found."""
        tracked = await self.store.tracked_database_ids(op.org_id)
        since = op.created_at - 120  # tolerate clock skew between the bot and Astra
        found = [
            d for d in dbs.values()
            if d.info.name == op.database_name and d.id not in tracked
            and (d.created_at is None or d.created_at.timestamp() >= since)
        ]
        now = self.clock()
        if len(found) >= 1:
            db = max(found, key=lambda d: d.creation_time or "")
            await self.store.operation_sent(op.id, db.id, status=db.status,
                                            next_check_at=now)
            log.info("adopted database %s for create %s", db.id, op.id)
            return 0
        if now - op.created_at < self.settings.reconcile_timeout:
            await self.store.reschedule_operation(op.id, now + self.interval, self.owner)
            return 0
        view = self._view(op, None)
        text = md(":warning: The create of *{}* asked by {} may not have reached Astra: no "
                  "database of that name appeared. Its outcome is unknown; check "
                  "`/astra db list` before running the command again.",
                  op.database_name, user(op.requester_id))
        message = render.plain(text)
        notice = NewNotice(dedupe_key=f"op:{op.id}:end", org_id=op.org_id,
                           channel_id=op.channel_id, text=message.text, blocks=message.blocks,
                           thread_ts=op.thread_ts, broadcast=op.thread_ts is not None)
        if not await self.store.finish_operation(op.id, self.owner, state="unknown",
                                                 last_status=None, notice=notice):
            return 0
        if self.metrics is not None:
            self.metrics.operation_finished(op.kind, "unknown")
        if op.message_ts:
            with contextlib.suppress(BotError):
                await self.notifier.update(op.channel_id, op.message_ts,
                                           render.progress(view, now, final="UNKNOWN"))
        return 1

    async def _retry_terminate(self, op: Operation, dbs: dict[str, Database]) -> int:
        """A terminate refused (409) while the database was busy: send it again once the
        database is ACTIVE (or PARKED), as Terraform does."""
        db = dbs.get(op.database_id)
        now = self.clock()
        if db is None:
            db, status = await self._read_missing(op.database_id)
            if status == "TERMINATED":  # gone already
                await self.store.operation_sent(op.id, op.database_id, status="TERMINATED",
                                                next_check_at=now)
                return 0
            if db is None:  # no answer: look again later
                await self.store.reschedule_operation(op.id, now + self.interval, self.owner)
                return 0
        if now > op.deadline_at:
            await self._finish(op, "timed_out", db.status, db)
            return 1
        if db.status in {"ACTIVE", "PARKED", "HIBERNATED", "ERROR"}:
            try:
                await self.astra.terminate_database(op.database_id)
            except AstraError as err:
                if err.status_code != 409:
                    log.warning("terminate retry failed: %s", err.user_message)
            else:
                await self.store.operation_sent(op.id, op.database_id, status="TERMINATING",
                                                next_check_at=now + self.interval)
                return 0
        if db.status != op.last_status and op.message_ts:
            with contextlib.suppress(BotError):
                await self.notifier.update(op.channel_id, op.message_ts,
                                           render.progress(self._view(op, db.status), now))
        await self.store.reschedule_operation(op.id, now + self.interval, self.owner)
        return 0

    async def _advance(self, op: Operation, dbs: dict[str, Database]) -> tuple[int, int]:
        if op.state == "sending":
            if json.loads(op.detail or "{}").get("retry") == "terminate":
                return await self._retry_terminate(op, dbs), 0
            return await self._reconcile(op, dbs), 0
        reads = 0
        db = dbs.get(op.database_id)
        status: str | None
        if db is not None:
            status = db.status
        else:
            # Missing from the list: terminated (the default list hides those) — or a list
            # that left it out. Only a read of the database itself can tell.
            db, status = await self._read_missing(op.database_id)
            status = status or op.last_status
            reads = 1
        now = self.clock()
        if status == op.target_status:
            await self._finish(op, "done", status, db)
            return 1, reads
        if status in FAILED or (status == "TERMINATED" and op.target_status != "TERMINATED"):
            await self._finish(op, "failed", status, db)
            return 1, reads
        if now > op.deadline_at:
            await self._finish(op, "timed_out", status, db)
            return 1, reads
        if status != op.last_status and op.message_ts:
            with contextlib.suppress(BotError):
                await self.notifier.update(op.channel_id, op.message_ts,
                                           render.progress(self._view(op, status), now))
        self._touch.setdefault(status, []).append(op.id)
        return 0, reads

    async def _read_missing(self, db_id: str) -> tuple[Database | None, str | None]:
        """A database the list did not show, read by id (GET /v2/databases/{id}): 404 means
        TERMINATED; None for the status when Astra did not answer (nothing is concluded)."""
        try:
            db = await self.astra.get_database(db_id)
        except AstraNotFound:
            return None, "TERMINATED"
        except AstraError as err:
            log.warning("watcher read of %s failed: %s", db_id, err.user_message)
            return None, None
        return db, db.status

    def _step(self, ops: list[Operation], now: float) -> float:
        """How long until the next look: short while an operation is young (a create or a
        keyspace change usually ends within minutes, and the channel wants to know at
        once), ASTRA_BOT_POLL_INTERVAL once they are all older."""
        young = any(now - op.created_at < YOUNG_S for op in ops)
        return self.fast_interval if young else self.interval

    def _view(self, op: Operation, status: str | None) -> OpView:
        return OpView(kind=op.kind, database_name=op.database_name,
                      database_id=op.database_id, status=status,
                      target_status=op.target_status, requester_id=op.requester_id,
                      started_at=op.created_at, detail=json.loads(op.detail or "{}"))

    async def _finish(self, op: Operation, state: str, status: str | None,
                      db: Database | None) -> None:
        now = self.clock()
        final = {"done": op.target_status, "timed_out": "TIMED OUT"}.get(state, status or "ERROR")
        view = self._view(op, status)
        actions: list[tuple[str, str, bool]] = []
        if final == "ACTIVE" and op.kind in {"create", "unpark"}:
            # next steps; each click is decided for the person who clicks
            actions = [("Details", f"db get {op.database_id}", False),
                       ("Download bundle", f"scb {op.database_id}", False),
                       ("Watch", f"watch {op.database_id}", False)]
        message = render.finished(view, final, now, db_view(db) if db else None, actions)
        notice = NewNotice(
            dedupe_key=f"op:{op.id}:end",
            org_id=op.org_id,
            channel_id=op.channel_id,
            text=message.text,
            blocks=message.blocks,
            thread_ts=op.thread_ts,
            broadcast=op.thread_ts is not None,
        )
        owner = self.owner if op.lease_owner == self.owner else None
        if not await self.store.finish_operation(op.id, owner, state=state,
                                                 last_status=status, notice=notice):
            return  # someone else finished it
        if self.metrics is not None:
            self.metrics.operation_finished(op.kind, state)
        if op.message_ts:
            # The progress message shows the final state; the notice above tells the channel.
            with contextlib.suppress(BotError):
                await self.notifier.update(op.channel_id, op.message_ts,
                                           render.progress(view, now, final=final))

    async def _check_subscription(self, sub: Subscription, dbs: dict[str, Database]) -> int:
        """Notices for the watched databases' changes; the Astra reads it made (0 or 1)."""
        before: dict[str, str] = json.loads(sub.last_statuses or "{}")
        watched = dbs if sub.database_id == "*" else {
            k: v for k, v in dbs.items() if k == sub.database_id}
        after = {k: v.status for k, v in watched.items()}
        reads = 0
        missing = sub.database_id != "*" and sub.database_id not in after and bool(before)
        if missing and before.get(sub.database_id) == "TERMINATED":
            after = before  # told already: not read again on every tick
        elif missing:
            # Absent from the list is no proof of TERMINATED: read the database itself.
            db, status = await self._read_missing(sub.database_id)
            reads = 1
            if status is None:
                return reads  # no answer: nothing concluded, look again next time
            if db is not None:
                dbs = {**dbs, db.id: db}
            after = {sub.database_id: status}
        if after == before:
            return reads
        # What the channel saw when it began to watch is no news (the watch seeds it; a
        # watch of `all` sees every database first).
        first_look = not before
        for db_id, status in sorted(after.items()):
            old = before.get(db_id)
            if old == status or first_look or (sub.channel_id, db_id) in self._covered:
                continue
            name = (dbs[db_id].info.name or db_id) if db_id in dbs else (
                sub.database_name if sub.database_id != "*" else db_id)
            msg = render.status_change(name, db_id, old, status)
            await self.store.enqueue_notice(NewNotice(
                dedupe_key=f"sub:{sub.id}:{db_id}:{old}:{status}:{int(self.clock())}",
                org_id=sub.org_id, channel_id=sub.channel_id, text=msg.text,
                blocks=msg.blocks))
        if sub.database_id != "*" and after.get(sub.database_id) == "TERMINATED":
            # nothing more will happen to it: the watch ends with its last notice
            await self.store.unsubscribe(sub.channel_id, sub.database_id)
            return reads
        await self.store.update_subscription_statuses(sub.id, after)
        return reads

    # ------------------------------------------------------------------ notices

    async def deliver_notices(self) -> int:
        """Post pending notices: at most one message per channel per PACE_S (Slack's
        per-channel limit), several notices for one channel coalesced into one message."""
        sent = 0
        notices = await self.store.claim_notices(self.owner, lease_s=self.lease_s)
        groups: dict[tuple[str, str | None, bool], list[Notice]] = {}
        for n in notices:
            groups.setdefault((n.channel_id, n.thread_ts, n.broadcast), []).append(n)
        now = self.clock()
        for (channel, thread_ts, broadcast), group in groups.items():
            ready_at = self._last_post.get(channel, float("-inf")) + PACE_S
            if ready_at > now:
                for n in group:
                    await self.store.notice_defer(n.id, self.owner, ready_at)
                continue
            if len(group) >= COALESCE_AT:
                batch = group
                message = render.coalesced([render.stored_notice(n.text, n.blocks)
                                            for n in group])
            else:
                batch = group[:1]
                message = render.stored_notice(group[0].text, group[0].blocks)
                for n in group[1:]:
                    await self.store.notice_defer(n.id, self.owner, now + PACE_S)
            try:
                ts = await self.notifier.post(channel, message, thread_ts=thread_ts,
                                              broadcast=broadcast)
            except BotError as err:
                for n in batch:
                    backoff = min(300.0, 2.0 ** min(n.attempts + 1, 8))
                    await self.store.notice_failed(n.id, self.owner, err.user_message, backoff)
                if self.metrics is not None:
                    self.metrics.notices(failed=len(batch))
                continue
            self._last_post[channel] = self.clock()
            for n in batch:
                await self.store.notice_sent(n.id, self.owner, ts)
            sent += len(batch)
            if self.metrics is not None:
                self.metrics.notices(sent=len(batch))
        return sent

    # ------------------------------------------------------------------ loop

    async def run(self, stop: asyncio.Event) -> None:
        log.info("watcher %s started (interval %.1fs)", self.owner, self.interval)
        try:
            while not stop.is_set():
                try:
                    await self.tick()
                except BotError as err:
                    log.warning("watcher tick failed: %s", err.user_message)
                    if self.metrics is not None:
                        self.metrics.watcher_tick(0.0, ok=False)
                except Exception:
                    log.exception("watcher tick crashed; continuing")
                    if self.metrics is not None:
                        self.metrics.watcher_tick(0.0, ok=False)
                delay = await self._sleep_for()
                self._wake.clear()
                waiters = [asyncio.ensure_future(stop.wait()),
                           asyncio.ensure_future(self._wake.wait())]
                _, pending = await asyncio.wait(waiters, timeout=delay,
                                                return_when=asyncio.FIRST_COMPLETED)
                for p in pending:
                    p.cancel()
        finally:
            with contextlib.suppress(BotError, Exception):
                await self.store.release_leases(self.owner)
            log.info("watcher %s stopped", self.owner)

    async def _forget_old_deliveries(self) -> None:
        now = self.clock()
        if now >= self._forget_seen_at:
            self._forget_seen_at = now + SEEN_FORGET_EVERY_S
            await self.store.forget_seen(before=now - SEEN_KEEP_S)

    async def _sleep_for(self) -> float:
        """Until the next operation is due, or the watches are; at most one interval (new
        work from other replicas is found by then; work of this one wakes it at once)."""
        now = self.clock()
        due = [await self.store.next_due_at()]
        if self._subs_checked_at is not None:
            due.append(self._subs_checked_at + self.watch_interval)
        nxt = min((d for d in due if d is not None), default=None)
        if nxt is None:
            return self.interval
        return max(0.05, min(self.interval, nxt - now))


def _sought(org: str, ops: list[Operation], subs: list[Subscription]) -> set[str] | None:
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
