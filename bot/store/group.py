"""The base of every table group's repository: bound to one transaction (bot/store/tx.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from bot.store.tx import Tx


R = TypeVar("R")


class TableGroup:
    """One table group's queries, in the transaction ``tx`` (its session is ``s``)."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.s = tx.session

    async def inserted(self, row: R) -> R:
        """``row`` added and flushed (its defaults and keys filled in)."""
        self.s.add(row)
        await self.s.flush()
        return row


def rowcount(result: Any) -> int:
    """How many rows a DML statement touched (SQLAlchemy types it loosely)."""
    return int(result.rowcount)
