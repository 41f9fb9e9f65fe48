"""PURE: confirmation and approval prompts, their decided state, the create-another question."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ConfirmObject, SectionBlock

from bot.render.core import ACTION_CANCEL, ACTION_CONFIRM, Message, _context, _mrkdwn, _msg, when
from bot.render.mrkdwn import Mrkdwn, clip, escape, md, unbold, user

if TYPE_CHECKING:  # the commands import the escape: no import of them at run time
    from bot.commands import Command


@dataclass(frozen=True)
class Twin:
    """A database that has the name a create asks for, or a create of it in flight."""

    db_id: str | None = None
    status: str | None = None
    creating_by: str | None = None  # the requester of a create still in flight


@dataclass(frozen=True)
class Target:
    """The database a confirmation is about, as it was resolved."""

    name: str | None
    id: str
    status: str


#: What the confirmation of each destructive command (by permission) asks about: the
#: command's fields by name, and ``on``, the database it acts on.
ASKS: dict[str, str] = {
    "db.delete": "terminate database {on}.",
    "db.park": "park database {on}.",
    "keyspace.delete": "delete keyspace `{keyspace}` of {on}.",
    "region.remove": "remove region `{region}` from {on}.",
    "access-list.remove": "remove `{cidr}` from the access list of {on}.",
    "token.revoke": "revoke application token `{client_id}`.",
    "user.remove": "remove user `{user}` from the organization.",
    "role.delete": "delete Astra role `{role}`.",
    "telemetry.audit-log.delete": "stop streaming the organization's audit log.",
    "private-link.principal.remove": "stop allowing `{principal}` on the private link of {on}.",
    "private-link.endpoint.reject": "reject endpoint `{endpoint}` on the private link of {on}.",
    "custom-domain.remove": (
        "remove these custom domains: private-link hostnames under them stop resolving."
    ),
    "peering.delete": "delete the VPC peering of {on}: the peered VPC loses its route to it.",
    # these say their diff instead, read from Astra (@summarizes in handlers/acl_writes.py
    # and iam_writes.py); the line is what is said should that read fail
    "access-list.replace": "replace the whole access list of {on}.",
    "access-list.update": "change `{cidr}` in the access list of {on}.",
    "access-list.clear": "delete the whole access list of {on}.",
    "access-list.devops.add": "add addresses to the DevOps API access list.",
    "access-list.devops.replace": "replace the DevOps API access list.",
    "access-list.devops.update": "change `{cidr}` in the DevOps API access list.",
    "access-list.devops.delete": "delete the DevOps API access list.",
    "role.update": "update Astra role `{role}`.",
}


def summary(cmd: Command, db: Target | None) -> str:
    """What a confirmation asks about, in a few words."""
    on = f"*{db.name}* (`{db.id}`, {db.status})" if db else ""
    template = ASKS.get(cmd.permission)
    if template is None:
        return f"{cmd.spec.summary.split(' (')[0]}{' on ' + on if on else ''}."
    fields = {f.name: getattr(cmd, f.name) for f in dataclasses.fields(cmd)}
    return template.format(on=on, **fields)


def create_another(name: str, twin: Twin) -> tuple[Mrkdwn, Mrkdwn]:
    """What a create asks when the name exists (Astra names are not unique): the summary
    and the question, in the words of what was typed."""
    if twin.creating_by is not None:
        what = md(
            "is being created by {}{}",
            user(twin.creating_by),
            md(" (id `{}`)", twin.db_id) if twin.db_id else "",
        )
    else:
        what = md("already exists (id `{}`, {})", twin.db_id, twin.status)
    return md("`{}` {}.", name, what), md("Create another database named *{}*?", name)


@dataclass(frozen=True)
class Prompt:
    """What a confirmation says: its ``summary``, a ``question`` asked instead of naming
    the command, its button's label, whether it is red (``danger``) with Slack's dialog
    saying it cannot be undone (unless ``undoable``)."""

    summary: str
    question: str | None = None
    ok_label: str | None = None
    danger: bool = True
    undoable: bool = False


def confirmation(
    conf_id: str, command: str, requester_id: str, expires_at: float, approval: bool, p: Prompt
) -> Message:
    """Confirm / Cancel buttons. Destructive: red, with Slack's own confirm dialog (which
    says it cannot be undone unless ``undoable``). With a ``question``, the message asks it
    (after ``summary``) instead of naming the command; ``approval``: a second person must."""
    summary, question, ok_label = p.summary, p.question, p.ok_label
    if question is not None:
        head = md(":warning: {} {} asks: {}", summary, user(requester_id), question)
        ok = ok_label or "Confirm"
    elif approval:
        head = md(
            ":lock: {} asks to run `{}`: {}\n"
            "This database is protected: *another person* with the right must approve.",
            user(requester_id),
            command,
            summary,
        )
        ok = ok_label or "Approve"
    else:
        head = md(":warning: {} asks to run `{}`: {}", user(requester_id), command, summary)
        ok = ok_label or "Confirm"
    confirm_btn = ButtonElement(
        text=ok,
        action_id=ACTION_CONFIRM,
        value=conf_id,
        style="danger" if p.danger else "primary",
        confirm=ConfirmObject(
            title="Are you sure?",
            text=clip(
                escape(summary) if p.undoable else md("{} This cannot be undone.", summary), 300
            ),
            confirm=ok,
            deny="Back",
            style="danger",
        )
        if p.danger
        else None,
    )
    cancel_btn = ButtonElement(text="Cancel", action_id=ACTION_CANCEL, value=conf_id)
    blocks: list[Block] = [
        SectionBlock(text=_mrkdwn(head)),
        ActionsBlock(block_id=f"conf:{conf_id}", elements=[confirm_btn, cancel_btn]),
        _context(md("Expires {}. Nothing happens until someone allowed clicks.", when(expires_at))),
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


def already_decided(state: str, by: str | None = None) -> Mrkdwn:
    """Why a click on a decided confirmation does nothing: its state, and who decided it."""
    return md("This request was already {}{}.", state, md(" by {}", user(by)) if by else "")
