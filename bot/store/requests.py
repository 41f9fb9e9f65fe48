"""Slack deliveries already handled (``seen_events``): replays and retries run once."""

from __future__ import annotations

from sqlalchemy import delete

from bot.store.group import TableGroup, rowcount
from bot.store.models import SeenEvent


class RequestRepo(TableGroup):
    """The delivery keys seen, in one transaction."""

    async def first_time_seen(self, key: str) -> bool:
        """True the first time a delivery key (bot/slack/guards.py: an event id, or a hash
        of a signed request) is seen; one INSERT, so every replica sees the same answer."""
        return await self.tx.add_new(SeenEvent, event_id=key, seen_at=self.tx.clock())

    async def forget_seen(self, *, before: float) -> int:
        """Drop the delivery keys seen before ``before``; how many."""
        res = await self.s.execute(delete(SeenEvent).where(SeenEvent.seen_at < before))
        return rowcount(res)
