"""PURE: a Message as terminal text for the shell, buttons as numbered choices."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.render.core import Message
from bot.render.mrkdwn import unescape


@dataclass(frozen=True)
class Choice:
    label: str
    action_id: str
    value: str
    confirm: str | None = None


def _text_of(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text", ""))
    return str(obj or "")


# Slack's emoji shortcodes the bot uses, as terminal symbols
_EMOJI_TEXT = {
    # a terminating database is on its way out, not failed (✗ is a failure); parked is the
    # parking sign, not a letter that reads as part of the sentence
    "large_green_circle": "●",
    "hourglass_flowing_sand": "…",
    "wrench": "⚙",
    "parking": "Ⓟ",
    "zzz": "z",
    "wastebasket": "🗑",
    "black_circle": "○",
    "red_circle": "✗",
    "warning": "!",
    "white_circle": "○",
    "x": "✗",
    "no_entry": "⛔",
    "white_check_mark": "✓",
    "no_entry_sign": "⊘",
    "hourglass": "⌛",
    "lock": "🔒",
    "key": "🔑",
    "shield": "🛡",
    "eyes": "👀",
}
_CODE_SPAN = re.compile(r"`[^`\n]*`")
# Slack's bold: the opening `*` is followed, the closing one preceded, by a non-space
# (https://api.slack.com/reference/surfaces/formatting#basic-formatting)
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])")
_Sub = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]
# Mentions and links, which the terminal shows the way the shell takes them back (`@U0DEV`,
# `#c0ops`), also inside code spans: `/astra perm unguard <#C0OPS>` is meant to be typed.
_ENTITIES: tuple[_Sub, ...] = (
    (re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>"), lambda m: "@" + m[1]),
    # a channel is named as the shell names its channels (the id, lower case)
    (re.compile(r"<#([A-Z0-9]+)(?:\|[^>]*)?>"), lambda m: "#" + m[1].lower()),
    (re.compile(r"<!subteam\^([A-Z0-9]+)(?:\|([^>]*))?>"), lambda m: m[2] or "@" + m[1]),
    (re.compile(r"<!(here|channel|everyone)>"), lambda m: "@" + m[1]),
    (re.compile(r"<((?:https?|mailto):[^|>]+)\|([^>]+)>"), lambda m: f"{m[2]} ({m[1]})"),
    (re.compile(r"<((?:https?|mailto):[^|>]+)>"), lambda m: m[1]),
)
# Formatting, which a code span does not have
_FORMATTING: tuple[_Sub, ...] = (
    (_BOLD, lambda m: m[1]),
    (re.compile(":(" + "|".join(_EMOJI_TEXT) + "):"), lambda m: _EMOJI_TEXT[m[1]]),
)


def mrkdwn_text(text: str) -> str:
    """Slack mrkdwn as a terminal shows it: bold plain, mentions by id, emoji as symbols;
    a code span keeps its backticks and its text (a `*` in it is no formatting)."""
    spans: list[str] = []

    def keep(m: re.Match[str]) -> str:  # a placeholder no pattern below can match into
        spans.append(m[0])
        return f"\ue000{len(spans) - 1}\ue001"

    for pattern, repl in _ENTITIES:
        text = pattern.sub(repl, text)
    text = _CODE_SPAN.sub(keep, text)
    for pattern, repl in _FORMATTING:
        text = pattern.sub(repl, text)
    text = re.sub("\ue000(\\d+)\ue001", lambda m: spans[int(m[1])], text)
    return unescape(text)  # what Slack shows for the three characters it escapes


def to_text(message: Message, *, first: int = 1) -> tuple[str, list[Choice]]:
    """Render blocks as terminal text (:func:`mrkdwn_text`); buttons become choices
    numbered from ``first``."""
    if not message.blocks:
        return mrkdwn_text(message.text), []
    out: list[str] = []
    choices: list[Choice] = []
    for b in message.blocks:
        kind = b.get("type")
        if kind == "header":
            title = _text_of(b.get("text"))
            out.append(f"== {title} ==")
        elif kind == "section":
            if b.get("text"):
                out.append(_text_of(b["text"]))
            for f in b.get("fields", []) or []:
                k, _, v = _text_of(f).partition("\n")
                out.append(f"  {k.strip('*')}: {v}")
        elif kind == "context":
            out.append("  " + " ".join(_text_of(e) for e in b.get("elements", [])))
        elif kind == "divider":
            out.append("-" * 40)
        elif kind == "actions":
            labels = []
            for e in b.get("elements", []):
                if e.get("type") != "button":
                    continue
                choices.append(
                    Choice(
                        label=_text_of(e.get("text")),
                        action_id=str(e.get("action_id", "")),
                        value=str(e.get("value", "")),
                        confirm=_text_of(e["confirm"].get("text")) if e.get("confirm") else None,
                    )
                )
                labels.append(f"[{first + len(choices) - 1}] {_text_of(e.get('text'))}")
            out.append("  " + "   ".join(labels))
    return mrkdwn_text("\n".join(out)), choices
