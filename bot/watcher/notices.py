"""Delivery of the notices outbox: paced per channel, coalesced when many wait."""

from __future__ import annotations

from bot import render
from bot.errors import BotError
from bot.store.models import Notice
from bot.watcher.deps import WatcherDeps

# Slack allows about one message per second per channel; more notices than this waiting for
# one channel are coalesced into a single message ("12 databases are ACTIVE").
PACE_S = 1.0
COALESCE_AT = 3
#: Delivery keys (bot/slack/guards.py) are kept this long: a replay needs a signature at
#: most five minutes old (bot/web.py) and Slack re-sends a lost event within minutes.
SEEN_KEEP_S = 3600.0
#: ... and the older ones are dropped this often, by whichever watcher gets there.
SEEN_FORGET_EVERY_S = 600.0

#: (channel, thread, broadcast): the notices that may share one message
Destination = tuple[str, str | None, bool]


class NoticeDelivery:
    """Posts pending notices; each is marked sent after Slack accepted it, and a failure
    leaves it pending with a back-off."""

    def __init__(self, deps: WatcherDeps, lease_s: float) -> None:
        self.deps = deps
        self.lease_s = lease_s
        self._last_post: dict[str, float] = {}
        self._forget_seen_at = 0.0

    async def deliver(self) -> int:
        """Post pending notices: at most one message per channel per PACE_S (Slack's
        per-channel limit), several notices for one channel coalesced into one message.
        The notices sent."""
        d = self.deps
        async with d.store.transaction(doing="claiming the notices to send") as tx:
            notices = await tx.notices.claim(d.owner, lease_s=self.lease_s)
        groups: dict[Destination, list[Notice]] = {}
        for n in notices:
            groups.setdefault((n.channel_id, n.thread_ts, n.broadcast), []).append(n)
        now = d.clock()
        sent = 0
        for where, group in groups.items():
            ready_at = self._last_post.get(where[0], float("-inf")) + PACE_S
            if ready_at > now:
                await self._defer(group, ready_at)
                continue
            sent += await self._post(where, await self._batch(group, now))
        return sent

    async def _batch(self, group: list[Notice], now: float) -> list[Notice]:
        """The notices one message carries now: all of them coalesced, or the first alone
        (the others wait one PACE_S)."""
        if len(group) >= COALESCE_AT:
            return group
        await self._defer(group[1:], now + PACE_S)
        return group[:1]

    async def _defer(self, notices: list[Notice], at: float) -> None:
        """Send these later (``at``), in one transaction."""
        if not notices:
            return
        async with self.deps.store.transaction(doing="pacing the notices") as tx:
            for n in notices:
                await tx.notices.defer(n.id, self.deps.owner, at)

    async def _post(self, where: Destination, batch: list[Notice]) -> int:
        d = self.deps
        channel, thread_ts, broadcast = where
        stored = [render.stored_notice(n.text, n.blocks) for n in batch]
        message = render.coalesced(stored) if len(batch) >= COALESCE_AT else stored[0]
        try:
            ts = await d.notifier.post(channel, message, thread_ts=thread_ts, broadcast=broadcast)
        except BotError as err:
            async with d.store.transaction(doing="recording a notice Slack refused") as tx:
                for n in batch:
                    backoff = min(300.0, 2.0 ** min(n.attempts + 1, 8))
                    await tx.notices.failed(n.id, d.owner, err.user_message, backoff)
            if d.metrics is not None:
                d.metrics.notices(failed=len(batch))
            return 0
        self._last_post[channel] = d.clock()
        async with d.store.transaction(doing="recording the notices sent") as tx:
            for n in batch:
                await tx.notices.sent(n.id, d.owner, ts)
        if d.metrics is not None:
            d.metrics.notices(sent=len(batch))
        return len(batch)

    async def forget_old_deliveries(self) -> None:
        """Drop the delivery keys older than SEEN_KEEP_S, every SEEN_FORGET_EVERY_S."""
        now = self.deps.clock()
        if now >= self._forget_seen_at:
            self._forget_seen_at = now + SEEN_FORGET_EVERY_S
            async with self.deps.store.transaction(doing="forgetting old deliveries") as tx:
                await tx.requests.forget_seen(before=now - SEEN_KEEP_S)
