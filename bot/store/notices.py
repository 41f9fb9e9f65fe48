"""The outbox of channel notices: written with the state change, delivered once."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select, update

from bot.store.enums import NoticeState
from bot.store.group import TableGroup
from bot.store.leases import claim
from bot.store.models import Notice


@dataclass(frozen=True)
class NewNotice:
    dedupe_key: str
    org_id: str
    channel_id: str
    text: str
    blocks: Sequence[dict[str, Any]] = ()
    thread_ts: str | None = None
    broadcast: bool = False


@dataclass(frozen=True)
class NoticeBacklog:
    """Notices waiting to be sent, how many Slack refused at least once, the last refusal."""

    waiting: int
    failing: int
    last_error: str | None


class NoticeRepo(TableGroup):
    """The outbox, in one transaction."""

    async def enqueue(self, notice: NewNotice) -> bool:
        """Add a notice unless one with the same dedupe key exists; True if added."""
        now = self.tx.clock()
        return await self.tx.add_new(
            Notice,
            dedupe_key=notice.dedupe_key,
            org_id=notice.org_id,
            channel_id=notice.channel_id,
            thread_ts=notice.thread_ts,
            broadcast=notice.broadcast,
            text=notice.text,
            blocks=json.dumps(list(notice.blocks)),
            state=NoticeState.PENDING,
            attempts=0,
            created_at=now,
            next_attempt_at=now,
        )

    async def claim(self, owner: str, *, lease_s: float, limit: int = 50) -> list[Notice]:
        """Take a lease on pending notices that are due (one statement, conditions repeated
        in the UPDATE: a notice another replica has just sent is never taken again)."""
        now = self.tx.clock()
        due = and_(
            Notice.state == NoticeState.PENDING,
            Notice.next_attempt_at <= now,
            or_(Notice.lease_until.is_(None), Notice.lease_until < now),
        )
        rows = await claim(self.tx, Notice, due, Notice.id, owner, lease_s=lease_s, limit=limit)
        return sorted(rows, key=lambda n: n.id)

    async def sent(self, notice_id: int, owner: str, message_ts: str | None) -> None:
        await self.s.execute(
            update(Notice)
            .where(Notice.id == notice_id, Notice.lease_owner == owner)
            .values(
                state=NoticeState.SENT,
                sent_at=self.tx.clock(),
                message_ts=message_ts,
                lease_owner=None,
                lease_until=None,
            )
        )

    async def defer(self, notice_id: int, owner: str, at: float) -> None:
        """Give a claimed notice back, to be sent at ``at`` (pacing; not a failure)."""
        await self.s.execute(
            update(Notice)
            .where(Notice.id == notice_id, Notice.lease_owner == owner)
            .values(next_attempt_at=at, lease_owner=None, lease_until=None)
        )

    async def failed(
        self, notice_id: int, owner: str, error: str, retry_in: float, *, give_up: bool = False
    ) -> None:
        row = await self.s.get(Notice, notice_id)
        if row is None or row.lease_owner != owner:
            return
        row.attempts += 1
        row.last_error = error[:255]
        row.next_attempt_at = self.tx.clock() + retry_in
        row.lease_owner = None
        row.lease_until = None
        if give_up:
            row.state = NoticeState.FAILED

    async def pending_count(self) -> int:
        q = select(func.count()).select_from(Notice).where(Notice.state == NoticeState.PENDING)
        return int(await self.s.scalar(q) or 0)

    async def backlog(self) -> NoticeBacklog:
        """What ``astra-bot doctor`` reports of the outbox."""
        waiting = Notice.state == NoticeState.PENDING
        failing = and_(waiting, Notice.attempts > 0)
        last_error = await self.s.scalar(
            select(Notice.last_error).where(failing).order_by(Notice.id.desc()).limit(1)
        )
        return NoticeBacklog(
            waiting=int(await self.s.scalar(select(func.count()).where(waiting)) or 0),
            failing=int(await self.s.scalar(select(func.count()).where(failing)) or 0),
            last_error=last_error,
        )
