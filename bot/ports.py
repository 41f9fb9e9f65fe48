"""The ports the service and the watcher talk through (Slack, the shell, tests).

- :class:`Notifier` posts and updates messages in channels (``chat.postMessage`` /
  ``chat.update`` in Slack; printed lines in the shell).
- :class:`Replier` answers the person behind one command or click, privately
  (``response_url`` / ephemeral in Slack), and can replace the message that was clicked.
- :class:`Directory` tells which usergroups a user is in (``usergroups.users.list``).
"""

from __future__ import annotations

from typing import Protocol

from bot.render import Form, Message


class Notifier(Protocol):
    async def post(
        self,
        channel: str,
        message: Message,
        *,
        thread_ts: str | None = None,
        broadcast: bool = False,
    ) -> str | None:
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
