"""Confirmations of destructive commands: single-use, decided atomically once."""

from __future__ import annotations

import uuid

from sqlalchemy import update

from bot.store.enums import ConfirmationState
from bot.store.group import TableGroup, rowcount
from bot.store.models import Confirmation


class ConfirmationRepo(TableGroup):
    """The confirmations, in one transaction."""

    async def create(
        self,
        *,
        org_id: str,
        command: str,
        permission: str,
        requester_id: str,
        channel_id: str,
        correlation_id: str,
        ttl: float,
        needs_approval: bool,
        database_id: str | None = None,
        database_name: str | None = None,
        thread_ts: str | None = None,
    ) -> Confirmation:
        now = self.tx.clock()
        row = Confirmation(
            id=uuid.uuid4().hex,
            org_id=org_id,
            command=command,
            permission=permission,
            database_id=database_id,
            database_name=database_name,
            requester_id=requester_id,
            channel_id=channel_id,
            thread_ts=thread_ts,
            needs_approval=needs_approval,
            state=ConfirmationState.PENDING,
            correlation_id=correlation_id,
            created_at=now,
            expires_at=now + ttl,
        )
        return await self.inserted(row)

    async def set_message(self, conf_id: str, message_ts: str) -> None:
        await self.s.execute(
            update(Confirmation).where(Confirmation.id == conf_id).values(message_ts=message_ts)
        )

    async def get(self, conf_id: str) -> Confirmation | None:
        return await self.s.get(Confirmation, conf_id)

    async def decide(self, conf_id: str, new_state: str, by: str) -> bool:
        """Atomically move a pending, unexpired confirmation to ``new_state``.

        True for exactly one caller, however many clicks race (on one or many replicas).
        """
        return await self._leave_pending(conf_id, expired=False, state=new_state, decided_by=by)

    async def expire(self, conf_id: str) -> bool:
        """Mark a pending confirmation whose time is up as expired (for the record)."""
        return await self._leave_pending(conf_id, expired=True, state=ConfirmationState.EXPIRED)

    async def _leave_pending(self, conf_id: str, *, expired: bool, **values: str) -> bool:
        """One conditional UPDATE out of PENDING (before or after the expiry); whether it
        was this caller's."""
        now = self.tx.clock()
        timely = Confirmation.expires_at <= now if expired else Confirmation.expires_at > now
        res = await self.s.execute(
            update(Confirmation)
            .where(
                Confirmation.id == conf_id,
                Confirmation.state == ConfirmationState.PENDING,
                timely,
            )
            .values(decided_at=now, **values)
        )
        return rowcount(res) == 1
