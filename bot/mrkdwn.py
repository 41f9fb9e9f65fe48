"""The old path of :mod:`bot.render.mrkdwn` (the one escape of foreign text), while issue 15
moves the modules that import it; new code imports ``bot.render.mrkdwn``."""

from bot.render.mrkdwn import (
    Mrkdwn,
    channel,
    clip,
    escape,
    join,
    link,
    md,
    ours,
    subject,
    unbold,
    unescape,
    upper_first,
    user,
    usergroup,
)

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
