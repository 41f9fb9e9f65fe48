"""PURE: the typed commands of the bot in a channel: watches, the audit trail, help."""

from __future__ import annotations

from typing import Annotated

from bot.commands.base import Command
from bot.commands.spec import Flag, Param
from bot.commands.values import Subject


class WatchDatabase(Command, command="watch", level="viewer", mutating=True):
    """tell this channel of every status change

    /astra watch orders
    """

    db: Annotated[str, Param("db", "db", help="database name or id, or `all`")]


class ListWatches(Command, command="watch list", level="viewer"):
    """list this channel's watches"""


class StopWatching(Command, command="watch stop", level="viewer", mutating=True):
    """stop watching"""

    db: Annotated[str, Param("db", "db")]


class ShowAudit(Command, command="audit"):
    """recent audit entries

    /astra audit --limit 20
    """

    limit: Annotated[int | None, Flag("limit", "int", bounds=(1, 100))] = None
    user: Annotated[Subject | None, Flag("user", "subject")] = None
    db: Annotated[str | None, Flag("db", "text")] = None


class ShowHelp(Command, command="help", open_to_all=True):
    """what you may run here"""

    topic: Annotated[str | None, Param("topic", "text", optional=True)] = None
