"""The ports the service and the watcher talk through (Slack, the shell, tests).

- :class:`Notifier` posts and updates messages in channels (``chat.postMessage`` /
  ``chat.update`` in Slack; printed lines in the shell).
- :class:`Replier` answers the person behind one command or click, privately
  (``response_url`` / ephemeral in Slack), and can replace the message that was clicked.
- :class:`Directory` tells which usergroups a user is in (``usergroups.users.list``).

:class:`RedactedNotifier` and :class:`RedactedReplier` wrap the two that carry messages: the
service and the watcher hand every message to Slack (or the shell) through them, so nothing
they post or answer carries a secret (bot/redact.py; a :attr:`Message.secret` keeps its
content, minus the bot's own credentials).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypedDict, Unpack

from bot.redact import Redactor
from bot.render import Form, Message


class Where(TypedDict, total=False):
    """Where in a channel a post goes: in the thread of ``thread_ts`` (None: the channel),
    and ``broadcast`` also to the channel (``reply_broadcast``)."""

    thread_ts: str | None
    broadcast: bool


class Notifier(Protocol):
    async def post(self, channel: str, message: Message, **where: Unpack[Where]) -> str | None:
        """Post in a channel; returns the message ts (None where there is none)."""
        ...

    async def update(self, channel: str, ts: str, message: Message) -> None: ...


class Replier(Protocol):
    async def private(self, message: Message) -> None: ...

    async def replace(self, message: Message) -> None:
        """Replace the (private) message whose button was clicked, e.g. with another page."""
        ...

    async def open_form(self, form: Form) -> bool:
        """Show a form (a Slack modal; prompts in the shell). False where none can open."""
        ...


class Directory(Protocol):
    async def usergroups_of(self, user_id: str, groups: frozenset[str]) -> frozenset[str]:
        """Which of ``groups`` the user belongs to (empty where the API refuses)."""
        ...


def redacted(message: Message, redactor: Redactor) -> Message:
    """``message`` with its text and every string of its blocks redacted."""
    only = message.secret
    text = redactor.secrets_only(message.text) if only else redactor.text(message.text)
    blocks = redactor.data(list(message.blocks), secrets_only=only)
    return Message(text=text, blocks=tuple(blocks), secret=message.secret)


@dataclass(frozen=True)
class RedactedNotifier:
    """A :class:`Notifier` whose every post and update is redacted first."""

    inner: Notifier
    redactor: Redactor

    async def post(self, channel: str, message: Message, **where: Unpack[Where]) -> str | None:
        return await self.inner.post(channel, redacted(message, self.redactor), **where)

    async def update(self, channel: str, ts: str, message: Message) -> None:
        await self.inner.update(channel, ts, redacted(message, self.redactor))


@dataclass(frozen=True)
class RedactedReplier:
    """A :class:`Replier` whose every answer is redacted first."""

    inner: Replier
    redactor: Redactor

    async def private(self, message: Message) -> None:
        await self.inner.private(redacted(message, self.redactor))

    async def replace(self, message: Message) -> None:
        await self.inner.replace(redacted(message, self.redactor))

    async def open_form(self, form: Form) -> bool:
        return await self.inner.open_form(form)
