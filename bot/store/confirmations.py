"""Confirmations of destructive commands: single-use, decided atomically once."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import update

from bot.store.enums import ConfirmationState
from bot.store.models import Confirmation

if TYPE_CHECKING:
    from bot.store.tx import Tx


class ConfirmationRepo:
    """The confirmations, in one transaction."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.s = tx.session

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
        self.s.add(row)
        await self.s.flush()
        return row

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
        now = self.tx.clock()
        res = await self.s.execute(
            update(Confirmation)
            .where(
                Confirmation.id == conf_id,
                Confirmation.state == ConfirmationState.PENDING,
                Confirmation.expires_at > now,
            )
            .values(state=new_state, decided_by=by, decided_at=now)
        )
        return res.rowcount == 1  # type: ignore[attr-defined,no-any-return]

    async def expire(self, conf_id: str) -> bool:
        """Mark a pending confirmation whose time is up as expired (for the record)."""
        now = self.tx.clock()
        res = await self.s.execute(
            update(Confirmation)
            .where(
                Confirmation.id == conf_id,
                Confirmation.state == ConfirmationState.PENDING,
                Confirmation.expires_at <= now,
            )
            .values(state=ConfirmationState.EXPIRED, decided_at=now)
        )
        return res.rowcount == 1  # type: ignore[attr-defined,no-any-return]
