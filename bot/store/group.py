"""The base of every table group's repository: bound to one transaction (bot/store/tx.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.store.tx import Tx


class TableGroup:
    """One table group's queries, in the transaction ``tx`` (its session is ``s``)."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.s = tx.session


def rowcount(result: Any) -> int:
    """How many rows a DML statement touched (SQLAlchemy types it loosely)."""
    return int(result.rowcount)
