"""The shell's composer: a typed line as Slack's composer would send it (mentions escaped)."""

from __future__ import annotations

import re

# A Slack id as the composer would send it. The shell knows no names, so only ids are
# mentioned; a channel may be typed as the shell shows it (`#cshell`).
_USER = re.compile(r"(?<![\w<@|^/])@([UW][A-Z0-9]{2,})(?![\w-])")
_GROUP = re.compile(r"(?<![\w<@|^/])@(S[A-Z0-9]{2,})(?![\w-])")
_CHANNEL = re.compile(r"(?<![\w<#|&/])#([CGD][A-Z0-9]{2,}|[cgd][a-z0-9]{2,})(?![\w-])")


def compose(line: str) -> str:
    """A typed line as Slack's composer sends it: ``@U0DEV`` → ``<@U0DEV>``, ``#C0OPS`` →
    ``<#C0OPS>``, ``@S0ENG`` → ``<!subteam^S0ENG>`` (Slack escapes mentions so that a
    bot gets ids: https://api.slack.com/reference/surfaces/formatting#escaping)."""
    line = _USER.sub(r"<@\1>", line)
    line = _GROUP.sub(r"<!subteam^\1>", line)
    return _CHANNEL.sub(lambda m: f"<#{m[1].upper()}>", line)


def slack_id(text: str, kinds: str) -> str | None:
    """``U0BOB``, ``@U0BOB``, ``<@U0BOB|bob>``, ``#c0ops`` … as an id whose first letter
    is one of ``kinds``; None if it is no such id."""
    text = re.sub(r"^<[@#](.*?)(?:\|.*)?>$", r"\1", text.strip()).lstrip("@#").upper()
    return text if re.fullmatch(f"[{kinds}][A-Z0-9]{{2,}}", text) else None
