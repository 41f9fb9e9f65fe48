"""PURE: outcomes and errors → Slack messages (Block Kit from ``slack_sdk.models``) and text.

Every reply is a :class:`Message`: a fallback ``text`` (notifications, screen readers) and
``blocks`` as plain dicts, built with ``slack_sdk.models.blocks`` so that Slack's limits are
checked when they are built. :func:`to_text` renders the same blocks for the terminal
shell, with buttons as numbered choices, so the shell shows exactly what Slack shows.

Button values carry only an opaque confirmation id; what a click does is decided again on
the server for the person who clicks (DESIGN §3).
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


def emoji(status: str | None) -> str:
    return STATUS_EMOJI.get((status or "").upper(), ":white_circle:")


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


def _mrkdwn(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=_clip(text, MAX_TEXT))


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _msg(text: str, blocks: Iterable[Block]) -> Message:
    built = []
    for b in blocks:
        b.validate_json()
        built.append(b.to_dict())
    if len(built) > MAX_BLOCKS:
        built = [
            *built[: MAX_BLOCKS - 1],
            _context(f"… {len(built) - MAX_BLOCKS + 1} more not shown").to_dict(),
        ]
    return Message(text=_clip(text, 3000), blocks=tuple(built))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[_mrkdwn(text)])


def plain_only(message: Message) -> Message:
    """The same message as plain text alone, for where Slack refused its blocks."""
    return Message(text=_clip(message.text, MAX_TEXT))


def plain(text: str) -> Message:
    return _msg(text, [SectionBlock(text=_mrkdwn(text))])


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
    lines = [f":warning: {err.user_message}"]
    if err.suggestions:
        lines.append(did_you_mean(err.suggestions))
    if err.hint:
        lines.append(err.hint)
    blocks: list[Block] = [SectionBlock(text=_mrkdwn("\n".join(lines)))]
    if err.usage:
        blocks.append(_context(f"Usage: `{err.usage}`"))
    return _msg("\n".join(lines), blocks)


def error(err: BotError, ref: str | None = None) -> Message:
    if isinstance(err, UsageError):
        return usage_error(err)
    text = f":x: {err.user_message}"
    if err.hint:
        text += f"\n{err.hint}"
    if isinstance(err, Ambiguous):
        text = (
            ":x: "
            + err.user_message
            + "\n"
            + "\n".join(f"• `{c.id}` {c.name} — {c.status}, {c.region}" for c in err.candidates)
            + f"\n{err.hint}"
        )
    blocks: list[Block] = [SectionBlock(text=_mrkdwn(text))]
    if ref:
        blocks.append(_context(f"error ref `{ref}`"))
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
        f":no_entry: You are not allowed to do that: {reason}"
        if not reason.startswith("you ")
        else f":no_entry: {reason[0].upper()}{reason[1:]}"
    )
    if what_next is None:
        here = f"<#{channel_id}>" if channel_id else "#this-channel"
        what_next = (
            f"This channel is guarded to {guard}: run it in another channel, or an admin can "
            f"lift the guard with `/astra perm unguard {here}`."
            if guard is not None
            else "Ask an admin for a role: `/astra perm grant @you <role>`. `/astra perm "
            "whoami` shows your roles."
        )
    return _msg(text, [SectionBlock(text=_mrkdwn(text)), _context(what_next)])


# ---------------------------------------------------------------------------- databases


def _db_line(db: DbView) -> str:
    where = f"{db.cloud.lower()}/{db.region}" if db.region else db.cloud.lower()
    ks = f" · keyspaces: {', '.join(db.keyspaces)}" if db.keyspaces else ""
    return f"{emoji(db.status)} *{db.name}* `{db.id}` {db.status} · {where}{ks}"


PAGE_SIZE = 20


def page_count(n: int) -> int:
    """How many pages ``n`` databases fill (at least one)."""
    return max(1, -(-n // PAGE_SIZE))


def db_list(
    dbs: Sequence[DbView], *, filters: str = "", page: int = 1, command: str = "db list"
) -> Message:
    """One page of databases, with Previous / Next buttons when there are more."""
    if not dbs:
        text = "No databases" + (f" match {filters}." if filters else " in this organization.")
        return plain(text)
    pages = page_count(len(dbs))
    page = min(max(1, page), pages)
    shown = list(dbs)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    header = count(len(dbs), "database") + (
        f" ({filters})" if filters else ""
    )
    if pages > 1:
        header += f" · page {page} of {pages}"
    blocks: list[Block] = [SectionBlock(text=_mrkdwn(f"*{header}*"))]
    chunk: list[str] = []
    size = 0
    for db in shown:
        line = _clip(_db_line(db), 600)
        if size + len(line) + 1 > 2800:
            blocks.append(SectionBlock(text=_mrkdwn("\n".join(chunk))))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        blocks.append(SectionBlock(text=_mrkdwn("\n".join(chunk))))
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
        blocks.append(_context("Narrow with `--name 'glob'`, `--status` or `--cloud`."))
    return _msg(header + "\n" + "\n".join(_db_line(d) for d in shown), blocks)


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
        f"*Status*\n{emoji(db.status)} {db.status}",
        f"*Id*\n`{db.id}`",
        f"*Cloud / region*\n{db.cloud.lower()} / {db.region}",
        f"*Tier*\n{db.tier or '—'}" + (f" · {db.capacity_units} CU" if db.capacity_units else ""),
        f"*Keyspaces*\n{', '.join(db.keyspaces) or '—'}",
        f"*Regions*\n{', '.join(db.regions) or db.region}",
    ]
    if db.db_type:
        fields.append(f"*Type*\n{db.db_type}")
    if db.created:
        fields.append(f"*Created*\n{db.created}")
    blocks: list[Block] = [
        HeaderBlock(text=_clip(db.name, 150)),
        SectionBlock(fields=[_mrkdwn(_clip(f, MAX_FIELD)) for f in fields[:10]]),
    ]
    if db.endpoint:
        blocks.append(SectionBlock(text=_mrkdwn(f"*Data API endpoint*\n{db.endpoint}")))
    if db.message:
        blocks.append(_context(db.message))
    buttons = run_buttons(actions)
    if buttons is not None:
        blocks.append(buttons)
    return _msg(f"{db.name} ({db.id}) is {db.status}", blocks)


def db_status(db: DbView) -> Message:
    return plain(f"{emoji(db.status)} *{db.name}* `{db.id}` is {db.status}.")


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


def _op_title(op: OpView) -> str:
    verb = OP_VERBS.get(op.kind, op.kind)
    extra = op.detail.get("keyspace") or op.detail.get("region") or ""
    extra = f" `{extra}` on" if extra and op.kind.startswith(("keyspace", "region")) else ""
    return f"{verb}{extra} *{op.database_name}*"


def in_progress_line(op: OpView, now: float) -> str:
    """One operation still under way (Home's "In progress", the shell's goodbye)."""
    return f"{emoji(op.status)} {_op_title(op)} — {op.status or 'PENDING'} " \
           f"({elapsed(now - op.started_at)})"


def progress(op: OpView, now: float, *, final: str | None = None) -> Message:
    """The one message of an operation, updated in place until ``final``."""
    status = final or op.status or "PENDING"
    took = elapsed(now - op.started_at)
    text = f"{emoji(status)} {_op_title(op)} — {status} ({took})"
    waiting = f"waiting for {op.target_status}" if final is None else f"done in {took}"
    blocks: list[Block] = [
        SectionBlock(text=_mrkdwn(text)),
        _context(f"`{op.database_id}` · requested by <@{op.requester_id}> · {waiting}"),
    ]
    return _msg(text.replace("*", ""), blocks)


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
        "keyspace_create": f"Keyspace `{ks}` created in *{name}*",
        "keyspace_delete": f"Keyspace `{ks}` deleted from *{name}*",
        "region_add": f"Region `{region}` added to *{name}*",
        "region_remove": f"Region `{region}` removed from *{name}*",
    }.get(op.kind)
    if final == "TIMED OUT":
        head = (
            f"{emoji(final)} {_op_title(op) if done else f'*{name}*'} TIMED OUT after "
            f"{elapsed(now - op.started_at)} (last seen {op.status or 'unknown'})."
        )
    elif final == "ERROR":
        head = (f"{emoji(final)} {_op_title(op)} failed: *{name}* is in ERROR." if done
                else f"{emoji(final)} *{name}* is in ERROR.")
    elif done and final == op.target_status:
        head = f"{emoji(final)} {done}, which is {final}."
    else:
        head = f"{emoji(final)} *{name}* is {final}."
    lines = [head, f"Id `{op.database_id}`"]
    if db is not None:
        if db.region:
            lines[-1] += f" · {db.cloud.lower()} / {db.region}"
        if db.endpoint and final == "ACTIVE":
            lines.append(f"Data API endpoint: {db.endpoint}")
    lines.append(f"Requested by <@{op.requester_id}> · took {elapsed(now - op.started_at)}")
    text = "\n".join(lines)
    blocks: list[Block] = [SectionBlock(text=_mrkdwn(text))]
    buttons = run_buttons(actions)
    if buttons is not None:
        blocks.append(buttons)
    return _msg(text.replace("*", ""), blocks)


def coalesced(texts: Sequence[str]) -> Message:
    """Several notices for one channel as one message (Slack's per-channel rate limit)."""
    firsts = [t.split("\n", 1)[0] for t in texts]
    finals = {m.group(1) for f in firsts if (m := _FINAL_RE.search(f))}
    if len(finals) == 1 and all(_FINAL_RE.search(f) for f in firsts):
        head = f"{count(len(texts), 'database')} {'is' if len(texts) == 1 else 'are'} " \
            f"{finals.pop()}"
    else:
        head = count(len(texts), "database update")
    return bullet_list(head, firsts)


_FINAL_RE = re.compile(r"is (ACTIVE|TERMINATED|PARKED|in ERROR)\b")


def status_change(name: str, db_id: str, old: str | None, new: str) -> Message:
    """A watched database changed (``old`` None: one not seen before, such as a new one)."""
    change = f": {old} → {new}" if old else f" is {new}"
    text = f"{emoji(new)} *{name}* `{db_id}`{change}"
    return _msg(text.replace("*", ""), [SectionBlock(text=_mrkdwn(text))])


# ---------------------------------------------------------------------------- confirmations


@dataclass(frozen=True)
class Twin:
    """A database that has the name a create asks for, or a create of it in flight."""

    db_id: str | None = None
    status: str | None = None
    creating_by: str | None = None  # the requester of a create still in flight


def create_another(name: str, twin: Twin) -> tuple[str, str]:
    """What a create asks when the name exists (Astra names are not unique): the summary
    and the question, in the words of what was typed."""
    if twin.creating_by is not None:
        what = f"is being created by <@{twin.creating_by}>" + (
            f" (id `{twin.db_id}`)" if twin.db_id else "")
    else:
        what = f"already exists (id `{twin.db_id}`, {twin.status})"
    return f"`{name}` {what}.", f"Create another database named *{name}*?"


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
        head = f":warning: {summary} <@{requester_id}> asks: {question}"
        ok = ok_label or "Confirm"
    elif needs_approval:
        head = (
            f":lock: <@{requester_id}> asks to run `{command}`: {summary}\n"
            "This database is protected: *another person* with the right must approve."
        )
        ok = ok_label or "Approve"
    else:
        head = f":warning: <@{requester_id}> asks to run `{command}`: {summary}"
        ok = ok_label or "Confirm"
    confirm_btn = ButtonElement(
        text=ok,
        action_id=ACTION_CONFIRM,
        value=conf_id,
        style="danger" if danger else "primary",
        confirm=ConfirmObject(
            title="Are you sure?",
            text=_clip(f"{summary} This cannot be undone.", 300),
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
        _context(f"Expires {when(expires_at)}. Nothing happens until someone allowed clicks."),
    ]
    return _msg(head.replace("*", ""), blocks)


def confirmation_decided(
    *, command: str, state: str, by: str, at: float, requester_id: str
) -> Message:
    verb = {
        "confirmed": ":white_check_mark: Confirmed",
        "cancelled": ":no_entry_sign: Cancelled",
        "expired": ":hourglass: Expired",
    }.get(state, state)
    who = f" by <@{by}>" if state != "expired" else ""
    text = f"{verb}{who} at {when(at)}: `{command}` (asked by <@{requester_id}>)"
    return _msg(text, [SectionBlock(text=_mrkdwn(text))])


# ---------------------------------------------------------------------------- help & perms


def help_message(specs: Sequence[CommandSpec], *, topic: str | None, roles: str) -> Message:
    if not specs:
        text = (
            "You may not run any /astra command here. "
            + roles
            + "\nAsk an admin: `/astra perm grant @you viewer`."
        )
        return plain(text)
    by_noun: dict[str, list[CommandSpec]] = {}
    for s in specs:
        by_noun.setdefault(s.noun, []).append(s)
    blocks: list[Block] = [
        SectionBlock(
            text=_mrkdwn(f"*/astra{' ' + topic if topic else ''}* — what you may run here. {roles}")
        )
    ]
    for noun, group in by_noun.items():
        lines = [f"*{noun}*"]
        for s in group:
            lines.append(f"• `{s.usage}` — {s.summary}")
            if topic and s.example:
                lines.append(f"   e.g. `{s.example}`")
        blocks.append(SectionBlock(text=_mrkdwn("\n".join(lines))))
    return _msg("/astra help", blocks[:MAX_BLOCKS])


def bullet_list(title: str, lines: Sequence[str], *, empty: str = "None.") -> Message:
    body = "\n".join(f"• {line}" for line in lines) if lines else empty
    blocks: list[Block] = [SectionBlock(text=_mrkdwn(f"*{title}*"))]
    chunk: list[str] = []
    for line in body.split("\n"):
        if sum(len(c) + 1 for c in chunk) + len(line) > 2800:
            blocks.append(SectionBlock(text=_mrkdwn("\n".join(chunk))))
            chunk = []
        chunk.append(line)
    blocks.append(SectionBlock(text=_mrkdwn("\n".join(chunk))))
    return _msg(f"{title}\n{body}", blocks)


def key_values(title: str, pairs: Sequence[tuple[str, str]]) -> Message:
    fields = [_mrkdwn(_clip(f"*{k}*\n{v or '—'}", MAX_FIELD)) for k, v in pairs]
    blocks: list[Block] = [SectionBlock(text=_mrkdwn(f"*{title}*"))]
    for i in range(0, len(fields), 10):
        blocks.append(SectionBlock(fields=fields[i : i + 10]))
    return _msg(title + "\n" + "\n".join(f"{k}: {v}" for k, v in pairs), blocks)


def secret_once(title: str, secret_lines: Sequence[str], warning: str) -> Message:
    text = f"*{title}*\n" + "\n".join(secret_lines) + f"\n:warning: {warning}"
    return replace(_msg(title, [SectionBlock(text=_mrkdwn(text))]), secret=True)


def json_block(title: str, data: Any) -> Message:
    body = json.dumps(data, indent=2, sort_keys=True, default=str)
    return _msg(title, [SectionBlock(text=_mrkdwn(f"*{title}*\n```{_clip(body, 2800)}```"))])


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


def _unescape(text: str) -> str:
    """What Slack shows for the three characters it escapes."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


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
    return _unescape(text)


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


def _by_noun(commands: Sequence[str]) -> str:
    """`db` list, get, create · `keyspace` list — a compact list of command names."""
    groups: dict[str, list[str]] = {}
    for c in commands:
        noun, _, verb = c.partition(" ")
        groups.setdefault(noun, []).append(verb or "·")
    parts = []
    for noun, verbs in groups.items():
        named = ", ".join(v for v in verbs if v != "·")
        bare = f"`{noun}`" if "·" in verbs else ""
        parts.append(", ".join(p for p in (bare, f"`{noun}` {named}" if named else "") if p))
    return " · ".join(parts)


def home_view(
    *,
    roles: str,
    allowed: Sequence[str],
    dbs: Sequence[DbView] | None,
    operations: Sequence[OpView],
    watches: Sequence[str],
    now: float,
    note: str = "",
) -> dict[str, Any]:
    """The bot's Home tab: your rights, the databases, what is in progress, what is watched."""
    from slack_sdk.models.views import View

    blocks: list[Block] = [
        HeaderBlock(text="astra-bot"),
        SectionBlock(text=_mrkdwn(roles)),
        _context(_clip("You may run: " + (_by_noun(allowed) or "nothing yet — ask an admin "
                                          "for a role."), 2000)),
        DividerBlock(),
    ]
    if dbs is None:
        blocks.append(SectionBlock(text=_mrkdwn("*Databases*\n" + (note or "Not shown."))))
    elif not dbs:
        blocks.append(SectionBlock(text=_mrkdwn("*Databases*\nNone in this organization.")))
    else:
        lines = [_clip(_db_line(d), 300) for d in dbs[:30]]
        more = f"\n… and {len(dbs) - 30} more: `/astra db list`" if len(dbs) > 30 else ""
        blocks.append(SectionBlock(text=_mrkdwn(_clip(
            f"*Databases ({len(dbs)})*\n" + "\n".join(lines) + more, MAX_TEXT))))
    blocks.append(DividerBlock())
    ops = [in_progress_line(o, now) for o in operations[:15]]
    blocks.append(SectionBlock(text=_mrkdwn(
        "*In progress*\n" + ("\n".join(ops) if ops else "Nothing."))))
    blocks.append(SectionBlock(text=_mrkdwn(_clip(
        "*Watched*\n" + ("\n".join(watches[:30]) if watches else "Nothing."), MAX_TEXT))))
    blocks.append(_context("Type `/astra help` in any channel for the commands."))
    view = View(type="home", blocks=blocks[:100])
    view.validate_json()
    return dict(view.to_dict())
