"""PURE: the typed commands of the bot in a channel: watches, the audit trail, help."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.base import Command
from bot.commands.values import Subject


@dataclass(frozen=True, kw_only=True)
class WatchDatabase(Command, permission="watch"):
    """`/astra watch`: tell this channel of every status change."""

    db: str


@dataclass(frozen=True, kw_only=True)
class ListWatches(Command, permission="watch.list"):
    """`/astra watch list`: list this channel's watches."""


@dataclass(frozen=True, kw_only=True)
class StopWatching(Command, permission="watch.stop"):
    """`/astra watch stop`: stop watching."""

    db: str


@dataclass(frozen=True, kw_only=True)
class ShowAudit(Command, permission="audit"):
    """`/astra audit`: recent audit entries."""

    limit: int | None = None
    user: Subject | None = None
    db: str | None = None


@dataclass(frozen=True, kw_only=True)
class ShowHelp(Command, permission="help"):
    """`/astra help`: what you may run here."""

    topic: str | None = None
