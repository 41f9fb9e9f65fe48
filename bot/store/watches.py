"""`/astra watch` subscriptions: channels told of every status change of a database."""

from __future__ import annotations

import json

from sqlalchemy import delete, select, update

from bot.store.group import TableGroup
from bot.store.models import Subscription


class WatchRepo(TableGroup):
    """The subscriptions, in one transaction."""

    async def subscribe(
        self,
        *,
        org_id: str,
        channel_id: str,
        database_id: str,
        database_name: str,
        by: str,
        statuses: dict[str, str] | None = None,
    ) -> bool:
        """Watch a database (``"*"``: every one) in a channel; False if it was already."""
        return await self.tx.add_new(
            Subscription,
            org_id=org_id,
            channel_id=channel_id,
            database_id=database_id,
            database_name=database_name,
            created_by=by,
            created_at=self.tx.clock(),
            last_statuses=json.dumps(statuses or {}),
        )

    async def unsubscribe(self, channel_id: str, database_id: str) -> bool:
        res = await self.s.execute(
            delete(Subscription).where(
                Subscription.channel_id == channel_id,
                Subscription.database_id == database_id,
            )
        )
        return bool(res.rowcount)  # type: ignore[attr-defined]

    async def subscriptions(self, channel_id: str | None = None) -> list[Subscription]:
        q = select(Subscription).order_by(Subscription.id)
        if channel_id is not None:
            q = q.where(Subscription.channel_id == channel_id)
        return list((await self.s.scalars(q)).all())

    async def update_statuses(self, sub_id: int, statuses: dict[str, str]) -> None:
        await self.s.execute(
            update(Subscription)
            .where(Subscription.id == sub_id)
            .values(last_statuses=json.dumps(statuses, sort_keys=True))
        )
