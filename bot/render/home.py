"""PURE: the App Home tab: your rights, the databases, what is in progress and watched.

With several orgs, one section per org (its name, your roles and what you may run there, its
databases), then what is in progress and watched in any of them; with one org, no org is
named."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import Block, DividerBlock, HeaderBlock, SectionBlock

from bot.render.core import MAX_TEXT, _context, _mrkdwn
from bot.render.databases import DbView, _db_line
from bot.render.mrkdwn import Mrkdwn, channel, clip, escape, join, md
from bot.render.operations import OpView, in_progress_line

#: Why the Home tab shows no databases to someone who may not list them.
MAY_NOT_LIST = "You may not list databases (needs role viewer)."


def _by_noun(commands: Sequence[str]) -> Mrkdwn:
    """`db` list, get, create · `keyspace` list — a compact list of command names."""
    groups: dict[str, list[str]] = {}
    for c in commands:
        noun, _, verb = c.partition(" ")
        groups.setdefault(noun, []).append(verb or "·")
    parts = []
    for noun, verbs in groups.items():
        named = ", ".join(v for v in verbs if v != "·")
        bare = md("`{}`", noun) if "·" in verbs else ""
        parts.append(
            join(", ", (p for p in (bare, md("`{}` {}", noun, named) if named else "") if p))
        )
    return join(" · ", parts)


@dataclass(frozen=True)
class OrgHome:
    """One org's part of the Home tab: ``name`` None with a single org (then not said)."""

    name: str | None
    roles: str
    allowed: Sequence[str]
    dbs: Sequence[DbView] | None
    note: str = ""


def _org_blocks(org: OrgHome, shown: int) -> list[Block]:
    """Your rights in this org, and its databases (at most ``shown`` of them)."""
    title = md("*{}*\n", org.name) if org.name else ""
    may = _by_noun(org.allowed) or "nothing yet — ask an admin for a role."
    blocks: list[Block] = [
        SectionBlock(text=_mrkdwn(md("{}{}", title, escape(org.roles)))),
        _context(clip(md("You may run: {}", may), 2000)),
    ]
    if org.name is None:
        blocks.append(DividerBlock())
    head = md("*Databases in {}", org.name) if org.name else md("*Databases")
    if org.dbs is None:
        blocks.append(SectionBlock(text=_mrkdwn(md("{}*\n{}", head, org.note or "Not shown."))))
    elif not org.dbs:
        blocks.append(SectionBlock(text=_mrkdwn(md("{}*\nNone in this organization.", head))))
    else:
        dbs = org.dbs
        lines = [clip(_db_line(d), 300) for d in dbs[:shown]]
        more = md("\n… and {} more: `/astra db list`", len(dbs) - shown) if len(dbs) > shown else ""
        text = md("{} ({})*\n{}{}", head, len(dbs), join("\n", lines), more)
        blocks.append(SectionBlock(text=_mrkdwn(clip(text, MAX_TEXT))))
    return blocks


def home_view(
    *,
    orgs: Sequence[OrgHome],
    operations: Sequence[OpView],
    watches: Sequence[tuple[str, str]],
    now: float,
) -> dict[str, Any]:
    """The bot's Home tab: per org, your rights and its databases; then what is in progress,
    what is watched (``watches``: channel id and database name)."""
    from slack_sdk.models.views import View

    blocks: list[Block] = [HeaderBlock(text="astra-bot")]
    shown = 30 if len(orgs) == 1 else 10
    for org in orgs[:20]:
        blocks += [*_org_blocks(org, shown), DividerBlock()]
    ops = [in_progress_line(o, now) for o in operations[:15]]
    blocks.append(
        SectionBlock(text=_mrkdwn(md("*In progress*\n{}", join("\n", ops) if ops else "Nothing.")))
    )
    watched = [md("{}: *{}*", channel(c), name) for c, name in watches[:30]]
    blocks.append(
        SectionBlock(
            text=_mrkdwn(
                clip(md("*Watched*\n{}", join("\n", watched) if watched else "Nothing."), MAX_TEXT)
            )
        )
    )
    blocks.append(_context(md("Type `/astra help` in any channel for the commands.")))
    view = View(type="home", blocks=blocks[:100])
    view.validate_json()
    return dict(view.to_dict())
