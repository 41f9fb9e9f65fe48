"""The org each channel uses (`/astra org use`): one row per channel that chose one."""

from __future__ import annotations

from sqlalchemy import select

from bot.store.group import TableGroup
from bot.store.models import ChannelOrg


class ChannelOrgRepo(TableGroup):
    """The channels' orgs, in one transaction. An org is kept by its configured name; a
    channel without a row uses the default org (the caller knows which that is)."""

    async def of(self, channel_id: str) -> str | None:
        """The org ``channel_id`` chose, or None (it uses the default)."""
        return await self.s.scalar(
            select(ChannelOrg.org).where(ChannelOrg.channel_id == channel_id)
        )

    async def use(self, channel_id: str, org: str, by: str) -> str | None:
        """Make ``channel_id`` use ``org``; the org it chose before (None: none)."""
        row = await self.s.get(ChannelOrg, channel_id)
        if row is None:
            await self.inserted(
                ChannelOrg(channel_id=channel_id, org=org, set_by=by, set_at=self.tx.clock())
            )
            return None
        before = row.org
        row.org, row.set_by, row.set_at = org, by, self.tx.clock()
        await self.s.flush()
        return before

    async def all(self) -> dict[str, str]:
        """Channel id → the org it chose, for every channel that chose one."""
        rows = await self.s.execute(select(ChannelOrg.channel_id, ChannelOrg.org))
        return {row.channel_id: row.org for row in rows}
