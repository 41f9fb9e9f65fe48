"""PURE: the one escape of foreign text into mrkdwn; the only builders of mentions and links.

Slack reads ``&``, ``<`` and ``>`` as control characters in mrkdwn and in a message's
fallback ``text``: ``<!channel>`` notifies everyone in a channel, ``<@U…>`` a person,
``<https://x|label>`` is a link (https://api.slack.com/reference/surfaces/formatting#escaping).
Text the bot did not write — names and fields from Astra, what a person typed, Slack fields —
reaches Slack with exactly those three characters escaped, so it can never become a mention
or a link (DESIGN §3 "Foreign text is inert").

The rule is held by a type. :class:`Mrkdwn` is text the bot wrote, or foreign text already
escaped; only this module makes one. Every renderer treats a plain ``str`` as foreign and
escapes it with :func:`escape`, and passes a ``Mrkdwn`` as it is. Bot text with foreign values
in it is built with :func:`md`, whose template is a literal without ``<`` (a test holds both)
and whose values are escaped unless they are ``Mrkdwn`` already. Mentions and links are built
only by :func:`user`, :func:`channel`, :func:`usergroup` and :func:`link`, from Slack IDs and
URLs checked here. Joining and adding keep the type and escape the plain side.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

__all__ = [
    "Mrkdwn",
    "channel",
    "clip",
    "escape",
    "join",
    "link",
    "md",
    "ours",
    "subject",
    "unbold",
    "unescape",
    "upper_first",
    "user",
    "usergroup",
]


class Mrkdwn(str):
    """Text safe to send as mrkdwn: the bot's own, with every foreign part escaped."""

    __slots__ = ()

    def __add__(self, other: str) -> Mrkdwn:
        return Mrkdwn(str.__add__(self, escape(other)))

    def __radd__(self, other: str) -> Mrkdwn:
        return Mrkdwn(str.__add__(escape(other), self))


def escape(value: object) -> Mrkdwn:
    """``value`` as inert mrkdwn: ``&``, ``<`` and ``>`` as Slack's entities. A value that is
    ``Mrkdwn`` already is returned as it is (it was escaped when it was made)."""
    if isinstance(value, Mrkdwn):
        return value
    text = str(value)
    return Mrkdwn(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def unescape(text: str) -> str:
    """What Slack shows for escaped text (the terminal shell shows the same)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


class _Formatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Mrkdwn):
            return str.__format__(value, format_spec)
        return escape(format(value, format_spec))


_FORMATTER = _Formatter()


def md(template: str, /, *args: object, **kwargs: object) -> Mrkdwn:
    """The bot's ``template`` (a literal: its ``*bold*`` and backticks are the bot's) with
    ``{}`` fields filled in: every value escaped unless it is ``Mrkdwn`` already."""
    return Mrkdwn(_FORMATTER.vformat(template, args, kwargs))


def join(sep: str, parts: Iterable[object]) -> Mrkdwn:
    """``sep.join(parts)`` with every part and the separator escaped unless ``Mrkdwn``."""
    return Mrkdwn(str.join(escape(sep), (escape(p) for p in parts)))


def ours(text: str) -> Mrkdwn:
    """Mrkdwn the bot rendered itself earlier and kept in its own store (a queued notice).
    Only the renderer calls this (a test holds that)."""
    return Mrkdwn(text)


def clip(text: Mrkdwn, n: int) -> Mrkdwn:
    """At most ``n`` characters, with an ellipsis; never cuts an entity (``&lt;``) in half."""
    if len(text) <= n:
        return text
    cut = str.__getitem__(text, slice(0, n - 1))
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return Mrkdwn(cut + "…")


def upper_first(text: Mrkdwn) -> Mrkdwn:
    """The first letter in capitals (a sentence that starts with a value)."""
    return Mrkdwn(text[:1].upper() + text[1:])


def unbold(text: Mrkdwn) -> Mrkdwn:
    """Without the ``*`` of bold (a notification's fallback text reads better plain)."""
    return Mrkdwn(text.replace("*", ""))


# ---------------------------------------------------------------------------- mentions, links

# Slack IDs are upper-case letters and digits after a type letter
# (https://api.slack.com/reference/surfaces/formatting#mentioning-users).
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,}")
_GROUP_ID = re.compile(r"S[A-Z0-9]{2,}")


def _mention(pattern: re.Pattern[str], ident: str, template: str) -> Mrkdwn:
    # Anything that is not a Slack ID stays text: it cannot break out of the brackets.
    if pattern.fullmatch(ident):
        return Mrkdwn(template.format(ident))
    return escape(ident)


def user(user_id: str) -> Mrkdwn:
    """``<@U…>``: a person, shown by Slack with their current name."""
    return _mention(_USER_ID, user_id, "<@{}>")


def channel(channel_id: str) -> Mrkdwn:
    """``<#C…>``: a channel."""
    return _mention(_CHANNEL_ID, channel_id, "<#{}>")


def usergroup(group_id: str) -> Mrkdwn:
    """``<!subteam^S…>``: a usergroup."""
    return _mention(_GROUP_ID, group_id, "<!subteam^{}>")


def subject(kind: str, ident: str) -> Mrkdwn:
    """The mention of a binding's subject: a user, a channel or a usergroup."""
    if kind == "user":
        return user(ident)
    if kind == "channel":
        return channel(ident)
    return usergroup(ident)


_LINK_SCHEMES: tuple[str, ...] = ("https://",)


def link(url: str, label: str) -> Mrkdwn:
    """``<url|label>`` for an https URL the bot was given (a signed bundle URL): the URL's
    ``<``, ``>``, ``|`` and spaces percent-encoded so it cannot end the link early, the label
    escaped. Anything else is shown as text, not as a link."""
    if not url.startswith(_LINK_SCHEMES):
        return md("{} ({})", label, url)
    safe = quote(url, safe="/:?&=%#+@,;~!$'()*[]-._")
    return Mrkdwn(f"<{safe}|{escape(label)}>")
