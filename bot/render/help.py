"""PURE: /astra help: the commands a person may run here, by noun."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from slack_sdk.models.blocks import Block, SectionBlock

from bot.render.core import MAX_BLOCKS, Message, _context, _mrkdwn, _msg, plain
from bot.render.mrkdwn import Mrkdwn, join, md

if TYPE_CHECKING:  # bot.intents imports the escape from this package
    from bot.intents import CommandSpec


def help_message(
    specs: Sequence[CommandSpec], *, topic: str | None, roles: str, org_line: Mrkdwn | None = None
) -> Message:
    """What the caller may run here, by noun; ``org_line``: how `--org` works, said only
    where several orgs are configured (with one, there is nothing to choose)."""
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
    if org_line is not None:
        blocks.append(_context(org_line))
    for noun, group in by_noun.items():
        lines = [md("*{}*", noun)]
        for s in group:
            lines.append(md("• `{}` — {}", s.usage, s.summary))
            if topic and s.example:
                lines.append(md("   e.g. `{}`", s.example))
        blocks.append(SectionBlock(text=_mrkdwn(join("\n", lines))))
    return _msg(md("/astra help"), blocks[:MAX_BLOCKS])
