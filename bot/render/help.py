"""PURE: /astra help: the commands a person may run here, by noun."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from slack_sdk.models.blocks import Block, SectionBlock

from bot.render.core import MAX_BLOCKS, Message, _mrkdwn, _msg, plain
from bot.render.mrkdwn import join, md

if TYPE_CHECKING:  # bot.intents imports the escape from this package
    from bot.intents import CommandSpec


def help_message(specs: Sequence[CommandSpec], *, topic: str | None, roles: str) -> Message:
    if not specs:
        text = md(
            "You may not run any /astra command here. {}\n"
            "Ask an admin: `/astra perm grant @you viewer`.",
            roles,
        )
        return plain(text)
    by_noun: dict[str, list[CommandSpec]] = {}
    for s in specs:
        by_noun.setdefault(s.noun, []).append(s)
    blocks: list[Block] = [
        SectionBlock(
            text=_mrkdwn(
                md("*/astra{}* — what you may run here. {}", " " + topic if topic else "", roles)
            )
        )
    ]
    for noun, group in by_noun.items():
        lines = [md("*{}*", noun)]
        for s in group:
            lines.append(md("• `{}` — {}", s.usage, s.summary))
            if topic and s.example:
                lines.append(md("   e.g. `{}`", s.example))
        blocks.append(SectionBlock(text=_mrkdwn(join("\n", lines))))
    return _msg(md("/astra help"), blocks[:MAX_BLOCKS])
