"""PURE: /astra help: the commands a person may run here, by noun (with several orgs: in
this org, and how many in each other one)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from slack_sdk.models.blocks import Block, SectionBlock

from bot.render.core import MAX_BLOCKS, Message, _context, _mrkdwn, _msg, count, plain
from bot.render.mrkdwn import Mrkdwn, join, md

if TYPE_CHECKING:  # bot.intents imports the escape from this package
    from bot.intents import CommandSpec


def _elsewhere(others: Mapping[str, int]) -> Mrkdwn:
    """What the other orgs allow: `In prod: 12 commands (`/astra help --org prod`).`"""
    return join(
        " ",
        (
            md("In {}: {} (`/astra help --org {}`).", org, count(n, "command"), org)
            for org, n in others.items()
        ),
    )


def help_message(
    specs: Sequence[CommandSpec],
    *,
    topic: str | None,
    roles: str,
    org: str | None = None,
    others: Mapping[str, int] | None = None,
    org_line: Mrkdwn | None = None,
) -> Message:
    """What the caller may run here, by noun. With several orgs: ``org``, the org it answers
    for; ``others``, how many commands the caller may run in each other org; ``org_line``,
    how `--org` works (with one org, none is said: there is nothing to choose)."""
    where = md(" in {}", org) if org else ""
    elsewhere = _elsewhere(others or {})
    if not specs:
        text = md(
            "You may not run any /astra command here{}. {}\n"
            "Ask an admin: `/astra perm grant @you viewer`.{}",
            where,
            roles,
            md("\n{}", elsewhere) if elsewhere else "",
        )
        return plain(text)
    by_noun: dict[str, list[CommandSpec]] = {}
    for s in specs:
        by_noun.setdefault(s.noun, []).append(s)
    blocks: list[Block] = [
        SectionBlock(
            text=_mrkdwn(
                md(
                    "*/astra{}* — what you may run here{}. {}",
                    " " + topic if topic else "",
                    where,
                    roles,
                )
            )
        )
    ]
    said = [line for line in (org_line, elsewhere) if line]
    if said:
        blocks.append(_context(join(" ", said)))
    for noun, group in by_noun.items():
        lines = [md("*{}*", noun)]
        for s in group:
            lines.append(md("• `{}` — {}", s.usage, s.summary))
            if topic and s.example:
                lines.append(md("   e.g. `{}`", s.example))
        blocks.append(SectionBlock(text=_mrkdwn(join("\n", lines))))
    return _msg(md("/astra help"), blocks[:MAX_BLOCKS])
