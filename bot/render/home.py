"""PURE: the App Home tab: your rights, the databases, what is in progress and watched."""

from __future__ import annotations

from collections.abc import Sequence
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


def home_view(
    *,
    roles: str,
    allowed: Sequence[str],
    dbs: Sequence[DbView] | None,
    operations: Sequence[OpView],
    watches: Sequence[tuple[str, str]],
    now: float,
    note: str = "",
) -> dict[str, Any]:
    """The bot's Home tab: your rights, the databases, what is in progress, what is watched
    (``watches``: channel id and database name)."""
    from slack_sdk.models.views import View

    blocks: list[Block] = [
        HeaderBlock(text="astra-bot"),
        SectionBlock(text=_mrkdwn(escape(roles))),
        _context(
            clip(
                md(
                    "You may run: {}", _by_noun(allowed) or "nothing yet — ask an admin for a role."
                ),
                2000,
            )
        ),
        DividerBlock(),
    ]
    if dbs is None:
        blocks.append(SectionBlock(text=_mrkdwn(md("*Databases*\n{}", note or "Not shown."))))
    elif not dbs:
        blocks.append(SectionBlock(text=_mrkdwn(md("*Databases*\nNone in this organization."))))
    else:
        lines = [clip(_db_line(d), 300) for d in dbs[:30]]
        more = md("\n… and {} more: `/astra db list`", len(dbs) - 30) if len(dbs) > 30 else ""
        blocks.append(
            SectionBlock(
                text=_mrkdwn(
                    clip(md("*Databases ({})*\n{}{}", len(dbs), join("\n", lines), more), MAX_TEXT)
                )
            )
        )
    blocks.append(DividerBlock())
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
