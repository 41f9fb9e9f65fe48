"""PURE: what a channel is told of its watches, and the audit log, as messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.render.core import Message, count, plain, shorten, when
from bot.render.lists import bullet_list
from bot.render.mrkdwn import md, user


class Watched(Protocol):
    """One watch of a channel (the store's row): a database, or every one (``*``)."""

    @property
    def database_id(self) -> str: ...
    @property
    def database_name(self) -> str: ...


class AuditRow(Protocol):
    """One row of the audit log (the store's row)."""

    @property
    def at(self) -> float: ...
    @property
    def actor_id(self) -> str: ...
    @property
    def command(self) -> str: ...
    @property
    def decision(self) -> str: ...
    @property
    def outcome(self) -> str | None: ...
    @property
    def reason(self) -> str: ...


def watching(by: str, name: str, added: bool) -> Message:
    """A new watch (announced in the channel), or one the channel had already."""
    if added:
        return plain(
            md(
                ":eyes: {} is watching *{}*: this channel will be told of every status change.",
                user(by),
                name,
            )
        )
    return plain(md("This channel already watches *{}*.", name))


def watch_list(watches: Sequence[Watched]) -> tuple[str, Message]:
    lines = [
        md("*{}*", w.database_name) + (md(" `{}`", w.database_id) if w.database_id != "*" else "")
        for w in watches
    ]
    return count(len(watches), "watch", "watches"), bullet_list("Watched in this channel", lines)


def watch_stopped(name: str) -> Message:
    return plain(md("Stopped watching *{}* here.", name))


def audit_log(rows: Sequence[AuditRow]) -> tuple[str, Message]:
    """The newest rows first: the audit line (how many), and the list."""
    lines = [
        md(
            "{} {} `{}` → *{}* {}",
            when(r.at),
            user(r.actor_id),
            shorten(r.command, 80),
            r.decision,
            shorten(r.outcome or r.reason, 80),
        )
        for r in rows
    ]
    return (
        count(len(rows), "audit entry", "audit entries"),
        bullet_list("Audit log (newest first)", lines),
    )
