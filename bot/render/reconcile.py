"""PURE: what the watcher tells a channel about an operation whose request may not have
reached Astra (bot/watcher/reconcile.py)."""

from __future__ import annotations

from bot.render.core import Message, plain
from bot.render.mrkdwn import md, user


def create_outcome_unknown(database_name: str, requester_id: str) -> Message:
    """A create Astra never confirmed, and no database of its name appeared."""
    return plain(
        md(
            ":warning: The create of *{}* asked by {} may not have reached Astra: no "
            "database of that name appeared. Its outcome is unknown; check "
            "`/astra db list` before running the command again.",
            database_name,
            user(requester_id),
        )
    )
