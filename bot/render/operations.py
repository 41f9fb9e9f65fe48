"""PURE: long operations as messages: progress, finished, coalesced, status changes."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import Block, SectionBlock

from bot.render.core import Message, _context, _mrkdwn, _msg, count, elapsed, emoji
from bot.render.databases import DbView, run_buttons
from bot.render.lists import bullet_list
from bot.render.mrkdwn import Mrkdwn, escape, join, md, ours, unbold, user

OP_VERBS: Mapping[str, str] = {
    "create": "Creating",
    "terminate": "Terminating",
    "park": "Parking",
    "unpark": "Unparking",
    "resize": "Resizing",
    "keyspace_create": "Creating keyspace",
    "keyspace_delete": "Deleting keyspace",
    "region_add": "Adding region",
    "region_remove": "Removing region",
}


@dataclass(frozen=True)
class OpView:
    kind: str
    database_name: str
    database_id: str
    status: str | None
    target_status: str
    requester_id: str
    started_at: float
    detail: Mapping[str, Any] = field(default_factory=dict)


def _op_title(op: OpView) -> Mrkdwn:
    verb = OP_VERBS.get(op.kind, op.kind)
    extra = op.detail.get("keyspace") or op.detail.get("region") or ""
    on = md(" `{}` on", extra) if extra and op.kind.startswith(("keyspace", "region")) else ""
    return md("{}{} *{}*", verb, on, op.database_name)


def in_progress_line(op: OpView, now: float) -> Mrkdwn:
    """One operation still under way (Home's "In progress", the shell's goodbye)."""
    return md(
        "{} {} — {} ({})",
        emoji(op.status),
        _op_title(op),
        op.status or "PENDING",
        elapsed(now - op.started_at),
    )


def progress(op: OpView, now: float, *, final: str | None = None) -> Message:
    """The one message of an operation, updated in place until ``final``."""
    status = final or op.status or "PENDING"
    took = elapsed(now - op.started_at)
    text = md("{} {} — {} ({})", emoji(status), _op_title(op), status, took)
    waiting = f"waiting for {op.target_status}" if final is None else f"done in {took}"
    blocks: list[Block] = [
        SectionBlock(text=_mrkdwn(text)),
        _context(md("`{}` · requested by {} · {}", op.database_id, user(op.requester_id), waiting)),
    ]
    return _msg(unbold(text), blocks)


def finished(
    op: OpView,
    final: str,
    now: float,
    db: DbView | None,
    actions: Sequence[tuple[str, str, bool]] = (),
) -> Message:
    """The one notice posted when an operation ends: ACTIVE, TERMINATED, ERROR, TIMED OUT."""
    name = op.database_name
    ks, region = op.detail.get("keyspace", ""), op.detail.get("region", "")
    # a change inside a database (a keyspace, a region) names the change, then the database
    done = {
        "keyspace_create": md("Keyspace `{}` created in *{}*", ks, name),
        "keyspace_delete": md("Keyspace `{}` deleted from *{}*", ks, name),
        "region_add": md("Region `{}` added to *{}*", region, name),
        "region_remove": md("Region `{}` removed from *{}*", region, name),
    }.get(op.kind)
    if final == "TIMED OUT":
        head = md(
            "{} {} TIMED OUT after {} (last seen {}).",
            emoji(final),
            _op_title(op) if done else md("*{}*", name),
            elapsed(now - op.started_at),
            op.status or "unknown",
        )
    elif final == "ERROR":
        head = (
            md("{} {} failed: *{}* is in ERROR.", emoji(final), _op_title(op), name)
            if done
            else md("{} *{}* is in ERROR.", emoji(final), name)
        )
    elif done and final == op.target_status:
        head = md("{} {}, which is {}.", emoji(final), done, final)
    else:
        head = md("{} *{}* is {}.", emoji(final), name, final)
    lines = [head, md("Id `{}`", op.database_id)]
    if db is not None:
        if db.region:
            lines[-1] += md(" · {} / {}", db.cloud.lower(), db.region)
        if db.endpoint and final == "ACTIVE":
            lines.append(md("Data API endpoint: {}", db.endpoint))
    lines.append(
        md("Requested by {} · took {}", user(op.requester_id), elapsed(now - op.started_at))
    )
    text = join("\n", lines)
    blocks: list[Block] = [SectionBlock(text=_mrkdwn(text))]
    buttons = run_buttons(actions)
    if buttons is not None:
        blocks.append(buttons)
    return _msg(unbold(text), blocks)


def coalesced(notices: Sequence[Message]) -> Message:
    """Several notices for one channel as one message (Slack's per-channel rate limit)."""
    firsts = [ours(n.text.split("\n", 1)[0]) for n in notices]
    finals = {m.group(1) for f in firsts if (m := _FINAL_RE.search(f))}
    if len(finals) == 1 and all(_FINAL_RE.search(f) for f in firsts):
        head = md(
            "{} {} {}",
            count(len(notices), "database"),
            "is" if len(notices) == 1 else "are",
            finals.pop(),
        )
    else:
        head = escape(count(len(notices), "database update"))
    return bullet_list(head, firsts)


_FINAL_RE = re.compile(r"is (ACTIVE|TERMINATED|PARKED|in ERROR)\b")


def status_change(name: str, db_id: str, old: str | None, new: str) -> Message:
    """A watched database changed (``old`` None: one not seen before, such as a new one)."""
    change = md(": {} → {}", old, new) if old else md(" is {}", new)
    text = md("{} *{}* `{}`{}", emoji(new), name, db_id, change)
    return _msg(unbold(text), [SectionBlock(text=_mrkdwn(text))])
