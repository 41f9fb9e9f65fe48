"""Slack's payloads as small typed values: what a listener needs of a slash command, a
button click, a form change or submission, an App Home visit (read once, here).

Field names follow Slack's payload reference: slash commands
(https://api.slack.com/interactivity/slash-commands#app_command_handling), block_actions and
view_submission (https://api.slack.com/reference/interaction-payloads), app_home_opened
(https://api.slack.com/events/app_home_opened)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.render import form_values


def _get(body: Mapping[str, Any] | None, *path: str) -> Any:
    """``body[path[0]][path[1]]…``, None where a level is missing or not an object."""
    node: Any = body
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _text(body: Mapping[str, Any] | None, *path: str) -> str:
    """The string at ``path``; empty where it is missing (or empty)."""
    value = _get(body, *path)
    return str(value) if value else ""


def _optional(body: Mapping[str, Any] | None, *path: str) -> str | None:
    return _text(body, *path) or None


def _state_values(view: Mapping[str, Any] | None) -> dict[str, str]:
    values = _get(view, "state", "values")
    return form_values(values if isinstance(values, dict) else {})


def is_dm(channel_id: str) -> bool:
    """A direct message with the bot (Slack's D… channel ids)."""
    return channel_id.startswith("D")


@dataclass(frozen=True)
class SlashCommand:
    """``/astra <text>``."""

    user_id: str
    channel_id: str
    text: str
    trigger_id: str | None
    response_url: str | None

    @classmethod
    def of(cls, body: Mapping[str, Any]) -> SlashCommand:
        return cls(
            user_id=_text(body, "user_id"),
            channel_id=_text(body, "channel_id"),
            text=_text(body, "text"),
            trigger_id=_optional(body, "trigger_id"),
            response_url=_optional(body, "response_url"),
        )


@dataclass(frozen=True)
class BlockAction:
    """A click on one of the bot's buttons, in a message (or an ephemeral answer)."""

    user_id: str
    channel_id: str
    action_id: str
    value: str
    #: the message the button is in, where Slack says
    message_ts: str | None
    trigger_id: str | None
    response_url: str | None

    @classmethod
    def of(cls, body: Mapping[str, Any], action: Mapping[str, Any]) -> BlockAction:
        return cls(
            user_id=_text(body, "user", "id"),
            # in a channel message: channel.id; in an ephemeral answer: the container's
            channel_id=_text(body, "channel", "id") or _text(body, "container", "channel_id"),
            action_id=_text(action, "action_id"),
            value=_text(action, "value"),
            message_ts=_optional(body, "message", "ts")
            or _optional(body, "container", "message_ts"),
            trigger_id=_optional(body, "trigger_id"),
            response_url=_optional(body, "response_url"),
        )


@dataclass(frozen=True)
class _Form:
    """What every form payload carries: who, what the bot signed into the form, its values."""

    user_id: str
    #: the view's private_metadata: what the bot signed into the form (its channel)
    metadata: str
    values: dict[str, str]

    @staticmethod
    def read(
        body: Mapping[str, Any], view: Mapping[str, Any] | None
    ) -> tuple[str, str, dict[str, str]]:
        return _text(body, "user", "id"), _text(view, "private_metadata"), _state_values(view)


@dataclass(frozen=True)
class FormChange(_Form):
    """A change inside an open form (a block action of a view): what it holds now."""

    view_id: str | None
    view_hash: str | None

    @classmethod
    def of(cls, body: Mapping[str, Any]) -> FormChange:
        view = _get(body, "view")
        return cls(*cls.read(body, view), _optional(view, "id"), _optional(view, "hash"))


@dataclass(frozen=True)
class ViewSubmission(_Form):
    """A form submitted; the service reads its channel from what the bot signed into it."""

    @classmethod
    def of(cls, body: Mapping[str, Any], view: Mapping[str, Any]) -> ViewSubmission:
        return cls(*cls.read(body, view))


@dataclass(frozen=True)
class HomeOpened:
    """``app_home_opened``: a user looked at one of the app's tabs."""

    user_id: str
    tab: str

    @classmethod
    def of(cls, event: Mapping[str, Any]) -> HomeOpened:
        tab = _get(event, "tab")  # absent in older events: the Home tab
        return cls(user_id=_text(event, "user"), tab="home" if tab is None else str(tab))
