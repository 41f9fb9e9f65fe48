"""PURE: outcomes and errors → Slack messages (Block Kit from ``slack_sdk.models``) and text.

Every reply is a :class:`Message`: a fallback ``text`` (notifications, screen readers) and
``blocks`` as plain dicts, built with ``slack_sdk.models.blocks`` so that Slack's limits are
checked when they are built. :func:`to_text` renders the same blocks for the terminal
shell, with buttons as numbered choices, so the shell shows exactly what Slack shows.

Button values carry only an opaque confirmation id; what a click does is decided again on
the server for the person who clicks (DESIGN §3).

Foreign text is inert (DESIGN §3): every text a renderer takes is a plain ``str`` — foreign,
escaped here by :func:`bot.mrkdwn.escape` — or :class:`~bot.mrkdwn.Mrkdwn` the bot built with
:func:`bot.mrkdwn.md` and the mention builders. Every mrkdwn text object and every fallback
``text`` is made from ``Mrkdwn`` only (:func:`_mrkdwn` and :func:`_msg` take nothing else), so
a name from Astra or a typed description can never become a mention or a link. Plain-text
objects (headers, button labels, options) are shown literally by Slack and are not escaped.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.errors import Ambiguous, BotError, UsageError
from bot.intents import CommandSpec
from bot.mrkdwn import (
    Mrkdwn,
    channel,
    clip,
    escape,
    join,
    md,
    ours,
    unbold,
    unescape,
    upper_first,
    user,
)

MAX_BLOCKS = 50
MAX_TEXT = 3000
# A section's fields: "Maximum length for the text in each item is 2000 characters."
# https://api.slack.com/reference/block-kit/blocks#section
MAX_FIELD = 2000
# Action ids name a family: what a click does. Within one block each button needs an id of
# its own ("action_id … should be unique among all other action_ids in the containing
# block", https://api.slack.com/reference/block-kit/block-elements#button; Slack refuses the
# whole message otherwise), so a button's id is ``<family>:<tag>``; the bare family is what
# messages posted before carry, and it is still understood (see action_family).
ACTION_CONFIRM = "astra_confirm"
ACTION_CANCEL = "astra_cancel"
ACTION_PAGE = "astra_page"  # astra_page:prev|next; value: the command to show instead
ACTION_RUN = "astra_run"  # astra_run:<n>; value: a command to run as the person who clicks
ACTION_FAMILIES = (ACTION_CONFIRM, ACTION_CANCEL, ACTION_PAGE, ACTION_RUN)


def button_id(family: str, tag: str | int) -> str:
    """The id of one button of ``family``, unique within its block by ``tag``."""
    return f"{family}:{tag}"


def action_family(clicked: str) -> str:
    """``astra_run:2`` → ``astra_run``; a bare family (older messages) is itself."""
    return clicked.split(":", 1)[0]


def action_pattern(family: str) -> re.Pattern[str]:
    """What a listener of ``family`` matches: the bare id and every ``family:<tag>``."""
    return re.compile(rf"^{re.escape(family)}(:.*)?$")

STATUS_EMOJI: Mapping[str, str] = {
    "ACTIVE": ":large_green_circle:",
    "PENDING": ":hourglass_flowing_sand:",
    "PREPARING": ":hourglass_flowing_sand:",
    "PREPARED": ":hourglass_flowing_sand:",
    "INITIALIZING": ":hourglass_flowing_sand:",
    "ASSOCIATING": ":hourglass_flowing_sand:",
    "MAINTENANCE": ":wrench:",
    "RESIZING": ":wrench:",
    "PARKING": ":parking:",
    "PARKED": ":parking:",
    "UNPARKING": ":parking:",
    "HIBERNATED": ":zzz:",
    "HIBERNATING": ":zzz:",
    "RESUMING": ":hourglass_flowing_sand:",
    "TERMINATING": ":wastebasket:",
    "TERMINATED": ":black_circle:",
    "ERROR": ":red_circle:",
    "TIMED OUT": ":warning:",
}


def emoji(status: str | None) -> Mrkdwn:
    return escape(STATUS_EMOJI.get((status or "").upper(), ":white_circle:"))


@dataclass(frozen=True)
class Message:
    text: str
    blocks: tuple[dict[str, Any], ...] = ()
    #: a secret shown once to its requester (a new token, a signed link): redaction
    #: (bot/redact.py) leaves its content alone, the bot's own credentials excepted
    secret: bool = False

    def to_slack(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": list(self.blocks)}


@dataclass(frozen=True)
class DbView:
    """What the renderer needs of a database (built from the Astra model by the service)."""

    id: str
    name: str
    status: str
    cloud: str = ""
    region: str = ""
    tier: str = ""
    keyspaces: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    endpoint: str | None = None
    created: str | None = None
    capacity_units: int | None = None
    db_type: str | None = None
    message: str | None = None


def _mrkdwn(text: Mrkdwn) -> MarkdownTextObject:
    return MarkdownTextObject(text=clip(text, MAX_TEXT))


def _clip(text: str, n: int) -> str:
    """For plain-text objects (headers, labels, options): Slack shows them literally."""
    return text if len(text) <= n else text[: n - 1] + "…"


def _msg(text: Mrkdwn, blocks: Iterable[Block]) -> Message:
    built = []
    for b in blocks:
        b.validate_json()
        built.append(b.to_dict())
    if len(built) > MAX_BLOCKS:
        built = [
            *built[: MAX_BLOCKS - 1],
            _context(md("… {} more not shown", len(built) - MAX_BLOCKS + 1)).to_dict(),
        ]
    return Message(text=clip(text, 3000), blocks=tuple(built))


def _context(text: Mrkdwn) -> ContextBlock:
    return ContextBlock(elements=[_mrkdwn(text)])


def plain_only(message: Message) -> Message:
    """The same message as plain text alone, for where Slack refused its blocks."""
    return Message(text=clip(ours(message.text), MAX_TEXT))


def plain(text: str) -> Message:
    """One section; ``text`` is foreign unless it is ``Mrkdwn`` (then it is the bot's)."""
    safe = escape(text)
    return _msg(safe, [SectionBlock(text=_mrkdwn(safe))])


def stored_notice(text: str, blocks: str | None) -> Message:
    """A notice as the renderer made it before it was queued in the store."""
    return Message(text=ours(text), blocks=tuple(json.loads(blocks or "[]")))


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 permission``, ``2 permissions``; ``plural`` where adding an s is wrong (entries).
    The one place where a number meets its noun."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def elapsed(seconds: float) -> str:
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m}m {s:02d}s"
    h, m = divmod(m, 60)
    return f"{h}h {m:02d}m"


def when(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(epoch))


# ---------------------------------------------------------------------------- errors


def did_you_mean(options: Iterable[str], otherwise: str = "") -> str:
    """"Did you mean `a` or `b`?", each option once (Astra names are not unique), or
    ``otherwise`` when there is none."""
    once = list(dict.fromkeys(options))
    if not once:
        return otherwise
    return "Did you mean " + " or ".join(f"`{o}`" for o in once) + "?"


def usage_error(err: UsageError) -> Message:
    lines = [md(":warning: {}", err.user_message)]
    if err.suggestions:
        lines.append(escape(did_you_mean(err.suggestions)))
    if err.hint:
        lines.append(escape(err.hint))
    text = join("\n", lines)
    blocks: list[Block] = [SectionBlock(text=_mrkdwn(text))]
    if err.usage:
        blocks.append(_context(md("Usage: `{}`", err.usage)))
    return _msg(text, blocks)


def error(err: BotError, ref: str | None = None) -> Message:
    """An error's message and hint are foreign unless the bot built them as ``Mrkdwn``
    (Astra's messages, typed names and Slack's error codes end up in them)."""
    if isinstance(err, UsageError):
        return usage_error(err)
    text = md(":x: {}", err.user_message)
    if err.hint:
        text += md("\n{}", err.hint)
    if isinstance(err, Ambiguous):
        candidates = join("\n", (md("• `{}` {} — {}, {}", c.id, c.name, c.status, c.region)
                                 for c in err.candidates))
        text = md(":x: {}\n{}\n{}", err.user_message, candidates, err.hint or "")
    blocks: list[Block] = [SectionBlock(text=_mrkdwn(text))]
    if ref:
        blocks.append(_context(md("error ref `{}`", ref)))
    return _msg(text, blocks)


def denied(
    reason: str,
    *,
    guard: str | None = None,
    channel_id: str | None = None,
    what_next: str | None = None,
) -> Message:
    """A refusal. What to do next follows the cause: a missing role is asked of an admin; a
    channel guard caps even an admin, who can lift it where they stand (DESIGN §3)."""
    text = (
        md(":no_entry: You are not allowed to do that: {}", reason)
        if not reason.startswith("you ")
        else md(":no_entry: {}", upper_first(escape(reason)))
    )
    if what_next is None:
        here = channel(channel_id) if channel_id else "#this-channel"
        what_next = (
            md("This channel is guarded to {}: run it in another channel, or an admin can "
               "lift the guard with `/astra perm unguard {}`.", guard, here)
            if guard is not None
            else md("Ask an admin for a role: `/astra perm grant @you {}`. `/astra perm "
                    "whoami` shows your roles.", "<role>")
        )
    return _msg(text, [SectionBlock(text=_mrkdwn(text)), _context(escape(what_next))])


# ---------------------------------------------------------------------------- databases


def _db_line(db: DbView) -> Mrkdwn:
    where = f"{db.cloud.lower()}/{db.region}" if db.region else db.cloud.lower()
    ks = md(" · keyspaces: {}", ", ".join(db.keyspaces)) if db.keyspaces else ""
    return md("{} *{}* `{}` {} · {}{}", emoji(db.status), db.name, db.id, db.status, where, ks)


PAGE_SIZE = 20


def page_count(n: int) -> int:
    """How many pages ``n`` databases fill (at least one)."""
    return max(1, -(-n // PAGE_SIZE))


def db_list(
    dbs: Sequence[DbView], *, filters: str = "", page: int = 1, command: str = "db list"
) -> Message:
    """One page of databases, with Previous / Next buttons when there are more."""
    if not dbs:
        text = md("No databases match {}.", filters) if filters else md(
            "No databases in this organization.")
        return plain(text)
    pages = page_count(len(dbs))
    page = min(max(1, page), pages)
    shown = list(dbs)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    header = escape(count(len(dbs), "database")) + (
        md(" ({})", filters) if filters else ""
    )
    if pages > 1:
        header += md(" · page {} of {}", page, pages)
    blocks: list[Block] = [SectionBlock(text=_mrkdwn(md("*{}*", header)))]
    chunk: list[Mrkdwn] = []
    size = 0
    for db in shown:
        line = clip(_db_line(db), 600)
        if size + len(line) + 1 > 2800:
            blocks.append(SectionBlock(text=_mrkdwn(join("\n", chunk))))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        blocks.append(SectionBlock(text=_mrkdwn(join("\n", chunk))))
    if pages > 1:
        buttons = []
        if page > 1:
            buttons.append(ButtonElement(text="◀ Previous",
                                         action_id=button_id(ACTION_PAGE, "prev"),
                                         value=f"{command} --page {page - 1}"))
        if page < pages:
            buttons.append(ButtonElement(text="Next ▶", action_id=button_id(ACTION_PAGE, "next"),
                                         value=f"{command} --page {page + 1}"))
        blocks.append(ActionsBlock(block_id="pages", elements=buttons))
        blocks.append(_context(md("Narrow with `--name 'glob'`, `--status` or `--cloud`.")))
    return _msg(header + md("\n") + join("\n", (_db_line(d) for d in shown)), blocks)


def run_buttons(actions: Sequence[tuple[str, str, bool]]) -> ActionsBlock | None:
    """Buttons that run a command as the person who clicks: (label, command, danger)."""
    if not actions:
        return None
    return ActionsBlock(
        block_id="next",
        elements=[
            ButtonElement(text=label, action_id=button_id(ACTION_RUN, n), value=command,
                          style="danger" if danger else None)
            for n, (label, command, danger) in enumerate(actions[:5])
        ],
    )


def db_detail(db: DbView, actions: Sequence[tuple[str, str, bool]] = ()) -> Message:
    fields = [
        md("*Status*\n{} {}", emoji(db.status), db.status),
        md("*Id*\n`{}`", db.id),
        md("*Cloud / region*\n{} / {}", db.cloud.lower(), db.region),
        md("*Tier*\n{}", db.tier or "—")
        + (md(" · {} CU", db.capacity_units) if db.capacity_units else ""),
        md("*Keyspaces*\n{}", ", ".join(db.keyspaces) or "—"),
        md("*Regions*\n{}", ", ".join(db.regions) or db.region),
    ]
    if db.db_type:
        fields.append(md("*Type*\n{}", db.db_type))
    if db.created:
        fields.append(md("*Created*\n{}", db.created))
    blocks: list[Block] = [
        HeaderBlock(text=_clip(db.name, 150)),
        SectionBlock(fields=[_mrkdwn(clip(f, MAX_FIELD)) for f in fields[:10]]),
    ]
    if db.endpoint:
        blocks.append(SectionBlock(text=_mrkdwn(md("*Data API endpoint*\n{}", db.endpoint))))
    if db.message:
        blocks.append(_context(escape(db.message)))
    buttons = run_buttons(actions)
    if buttons is not None:
        blocks.append(buttons)
    return _msg(md("{} ({}) is {}", db.name, db.id, db.status), blocks)


def db_status(db: DbView) -> Message:
    return plain(md("{} *{}* `{}` is {}.", emoji(db.status), db.name, db.id, db.status))


# ---------------------------------------------------------------------------- operations

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
    return md("{} {} — {} ({})", emoji(op.status), _op_title(op), op.status or "PENDING",
              elapsed(now - op.started_at))


def progress(op: OpView, now: float, *, final: str | None = None) -> Message:
    """The one message of an operation, updated in place until ``final``."""
    status = final or op.status or "PENDING"
    took = elapsed(now - op.started_at)
    text = md("{} {} — {} ({})", emoji(status), _op_title(op), status, took)
    waiting = f"waiting for {op.target_status}" if final is None else f"done in {took}"
    blocks: list[Block] = [
        SectionBlock(text=_mrkdwn(text)),
        _context(md("`{}` · requested by {} · {}", op.database_id, user(op.requester_id),
                    waiting)),
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
        head = md("{} {} TIMED OUT after {} (last seen {}).", emoji(final),
                  _op_title(op) if done else md("*{}*", name), elapsed(now - op.started_at),
                  op.status or "unknown")
    elif final == "ERROR":
        head = (md("{} {} failed: *{}* is in ERROR.", emoji(final), _op_title(op), name) if done
                else md("{} *{}* is in ERROR.", emoji(final), name))
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
    lines.append(md("Requested by {} · took {}", user(op.requester_id),
                    elapsed(now - op.started_at)))
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
        head = md("{} {} {}", count(len(notices), "database"),
                  "is" if len(notices) == 1 else "are", finals.pop())
    else:
        head = escape(count(len(notices), "database update"))
    return bullet_list(head, firsts)


_FINAL_RE = re.compile(r"is (ACTIVE|TERMINATED|PARKED|in ERROR)\b")


def status_change(name: str, db_id: str, old: str | None, new: str) -> Message:
    """A watched database changed (``old`` None: one not seen before, such as a new one)."""
    change = md(": {} → {}", old, new) if old else md(" is {}", new)
    text = md("{} *{}* `{}`{}", emoji(new), name, db_id, change)
    return _msg(unbold(text), [SectionBlock(text=_mrkdwn(text))])


# ---------------------------------------------------------------------------- confirmations


@dataclass(frozen=True)
class Twin:
    """A database that has the name a create asks for, or a create of it in flight."""

    db_id: str | None = None
    status: str | None = None
    creating_by: str | None = None  # the requester of a create still in flight


def create_another(name: str, twin: Twin) -> tuple[Mrkdwn, Mrkdwn]:
    """What a create asks when the name exists (Astra names are not unique): the summary
    and the question, in the words of what was typed."""
    if twin.creating_by is not None:
        what = md("is being created by {}{}", user(twin.creating_by),
                  md(" (id `{}`)", twin.db_id) if twin.db_id else "")
    else:
        what = md("already exists (id `{}`, {})", twin.db_id, twin.status)
    return md("`{}` {}.", name, what), md("Create another database named *{}*?", name)


def confirmation(
    *,
    conf_id: str,
    command: str,
    summary: str,
    requester_id: str,
    expires_at: float,
    needs_approval: bool,
    question: str | None = None,
    ok_label: str | None = None,
    danger: bool = True,
) -> Message:
    """Confirm / Cancel buttons. Destructive: red, with Slack's own confirm dialog. With a
    ``question``, the message asks it (after ``summary``) instead of naming the command."""
    if question is not None:
        head = md(":warning: {} {} asks: {}", summary, user(requester_id), question)
        ok = ok_label or "Confirm"
    elif needs_approval:
        head = md(
            ":lock: {} asks to run `{}`: {}\n"
            "This database is protected: *another person* with the right must approve.",
            user(requester_id), command, summary)
        ok = ok_label or "Approve"
    else:
        head = md(":warning: {} asks to run `{}`: {}", user(requester_id), command, summary)
        ok = ok_label or "Confirm"
    confirm_btn = ButtonElement(
        text=ok,
        action_id=ACTION_CONFIRM,
        value=conf_id,
        style="danger" if danger else "primary",
        confirm=ConfirmObject(
            title="Are you sure?",
            text=clip(md("{} This cannot be undone.", summary), 300),
            confirm=ok,
            deny="Back",
            style="danger",
        )
        if danger
        else None,
    )
    cancel_btn = ButtonElement(text="Cancel", action_id=ACTION_CANCEL, value=conf_id)
    blocks: list[Block] = [
        SectionBlock(text=_mrkdwn(head)),
        ActionsBlock(block_id=f"conf:{conf_id}", elements=[confirm_btn, cancel_btn]),
        _context(md("Expires {}. Nothing happens until someone allowed clicks.",
                    when(expires_at))),
    ]
    return _msg(unbold(head), blocks)


def confirmation_decided(
    *, command: str, state: str, by: str, at: float, requester_id: str
) -> Message:
    verb = {
        "confirmed": ":white_check_mark: Confirmed",
        "cancelled": ":no_entry_sign: Cancelled",
        "expired": ":hourglass: Expired",
    }.get(state, state)
    who = md(" by {}", user(by)) if state != "expired" else ""
    text = md("{}{} at {}: `{}` (asked by {})", verb, who, when(at), command, user(requester_id))
    return _msg(text, [SectionBlock(text=_mrkdwn(text))])


# ---------------------------------------------------------------------------- help & perms


def help_message(specs: Sequence[CommandSpec], *, topic: str | None, roles: str) -> Message:
    if not specs:
        text = md("You may not run any /astra command here. {}\n"
                  "Ask an admin: `/astra perm grant @you viewer`.", roles)
        return plain(text)
    by_noun: dict[str, list[CommandSpec]] = {}
    for s in specs:
        by_noun.setdefault(s.noun, []).append(s)
    blocks: list[Block] = [
        SectionBlock(
            text=_mrkdwn(md("*/astra{}* — what you may run here. {}",
                            " " + topic if topic else "", roles))
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


def bullet_list(title: str, lines: Sequence[str], *, empty: str = "None.") -> Message:
    """A title and bullets; each line is foreign unless it is ``Mrkdwn``."""
    rows = [md("• {}", line) for line in lines] if lines else [escape(empty)]
    body = join("\n", rows)
    blocks: list[Block] = [SectionBlock(text=_mrkdwn(md("*{}*", title)))]
    chunk: list[Mrkdwn] = []
    for row in rows:
        for line in row.split("\n"):
            part = ours(line)  # a line of a row escaped above
            if sum(len(c) + 1 for c in chunk) + len(part) > 2800:
                blocks.append(SectionBlock(text=_mrkdwn(join("\n", chunk))))
                chunk = []
            chunk.append(part)
    blocks.append(SectionBlock(text=_mrkdwn(join("\n", chunk))))
    return _msg(md("{}\n{}", title, body), blocks)


def key_values(title: str, pairs: Sequence[tuple[str, str]]) -> Message:
    fields = [_mrkdwn(clip(md("*{}*\n{}", k, v or "—"), MAX_FIELD)) for k, v in pairs]
    blocks: list[Block] = [SectionBlock(text=_mrkdwn(md("*{}*", title)))]
    for i in range(0, len(fields), 10):
        blocks.append(SectionBlock(fields=fields[i : i + 10]))
    return _msg(md("{}\n{}", title, join("\n", (md("{}: {}", k, v) for k, v in pairs))),
                blocks)


def secret_once(title: str, secret_lines: Sequence[str], warning: str) -> Message:
    text = md("*{}*\n{}\n:warning: {}", title, join("\n", secret_lines), warning)
    return replace(_msg(escape(title), [SectionBlock(text=_mrkdwn(text))]), secret=True)


def json_block(title: str, data: Any) -> Message:
    body = json.dumps(data, indent=2, sort_keys=True, default=str)
    return _msg(escape(title),
                [SectionBlock(text=_mrkdwn(md("*{}*\n```{}```", title, _clip(body, 2800))))])


# ---------------------------------------------------------------------------- the shell


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
    "large_green_circle": "●", "hourglass_flowing_sand": "…", "wrench": "⚙", "parking": "Ⓟ",
    "zzz": "z", "wastebasket": "🗑", "black_circle": "○", "red_circle": "✗", "warning": "!",
    "white_circle": "○", "x": "✗", "no_entry": "⛔", "white_check_mark": "✓",
    "no_entry_sign": "⊘", "hourglass": "⌛", "lock": "🔒", "key": "🔑", "shield": "🛡",
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


__all__ = [
    "ACTION_CANCEL",
    "ACTION_CONFIRM",
    "Choice",
    "DbView",
    "DividerBlock",
    "Message",
    "OpView",
]


# ---------------------------------------------------------------------------- forms (modals)

FORM_CREATE = "astra_form_create"
ACTION_FORM_CHANGE = "astra_form_change"  # a select that redraws the form (cloud → regions)


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str = "text"  # text | select
    options: tuple[tuple[str, str], ...] = ()  # (value, label)
    initial: str | None = None
    optional: bool = False
    hint: str = ""
    redraws: bool = False  # changing it redraws the form (its options depend on it)


@dataclass(frozen=True)
class Form:
    """A form: a Slack modal, or prompts in the shell. Submitting it builds a command."""

    callback_id: str
    title: str
    submit: str
    fields: tuple[FormField, ...]
    context: str = ""  # carried through the submission (Slack private_metadata)


def form_view(form: Form) -> dict[str, Any]:
    from slack_sdk.models.blocks import (
        InputBlock,
        Option,
        PlainTextInputElement,
        StaticSelectElement,
    )
    from slack_sdk.models.views import View

    blocks: list[Block] = []
    for f in form.fields:
        element: Any
        if f.kind == "select":
            options = [Option(value=v, text=_clip(label, 75)) for v, label in f.options[:100]]
            initial = next((o for o in options if o.value == f.initial), None)
            element = StaticSelectElement(
                action_id=ACTION_FORM_CHANGE if f.redraws else f.name,
                options=options, initial_option=initial)
        else:
            element = PlainTextInputElement(action_id=f.name, initial_value=f.initial or None)
        blocks.append(InputBlock(block_id=f.name, label=f.label, element=element,
                                 optional=f.optional or None, hint=f.hint or None,
                                 dispatch_action=True if f.redraws else None))
    view = View(type="modal", callback_id=form.callback_id, title=_clip(form.title, 24),
                submit=form.submit, close="Cancel", blocks=blocks,
                private_metadata=form.context)
    view.validate_json()
    return dict(view.to_dict())


def form_values(state: Mapping[str, Any]) -> dict[str, str]:
    """The values of a submitted modal (``view.state.values``), by field name."""
    out: dict[str, str] = {}
    for block_id, actions in (state or {}).items():
        for action in (actions or {}).values():
            if not isinstance(action, Mapping):
                continue
            selected = action.get("selected_option")
            value = selected.get("value") if isinstance(selected, Mapping) else action.get("value")
            if value is not None:
                out[str(block_id)] = str(value)
    return out


# ---------------------------------------------------------------------------- App Home


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
        parts.append(join(", ", (p for p in (bare, md("`{}` {}", noun, named) if named else "")
                                 if p)))
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
        _context(clip(md("You may run: {}", _by_noun(allowed) or "nothing yet — ask an admin "
                                                                   "for a role."), 2000)),
        DividerBlock(),
    ]
    if dbs is None:
        blocks.append(SectionBlock(text=_mrkdwn(md("*Databases*\n{}", note or "Not shown."))))
    elif not dbs:
        blocks.append(SectionBlock(text=_mrkdwn(md("*Databases*\nNone in this organization."))))
    else:
        lines = [clip(_db_line(d), 300) for d in dbs[:30]]
        more = md("\n… and {} more: `/astra db list`", len(dbs) - 30) if len(dbs) > 30 else ""
        blocks.append(SectionBlock(text=_mrkdwn(clip(
            md("*Databases ({})*\n{}{}", len(dbs), join("\n", lines), more), MAX_TEXT))))
    blocks.append(DividerBlock())
    ops = [in_progress_line(o, now) for o in operations[:15]]
    blocks.append(SectionBlock(text=_mrkdwn(
        md("*In progress*\n{}", join("\n", ops) if ops else "Nothing."))))
    watched = [md("{}: *{}*", channel(c), name) for c, name in watches[:30]]
    blocks.append(SectionBlock(text=_mrkdwn(clip(
        md("*Watched*\n{}", join("\n", watched) if watched else "Nothing."), MAX_TEXT))))
    blocks.append(_context(md("Type `/astra help` in any channel for the commands.")))
    view = View(type="home", blocks=blocks[:100])
    view.validate_json()
    return dict(view.to_dict())
