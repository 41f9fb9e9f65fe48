"""PURE: errors and refusals as messages: usage, did-you-mean, failures, denials."""

from __future__ import annotations

from collections.abc import Iterable

from slack_sdk.models.blocks import Block, SectionBlock

from bot.errors import Ambiguous, BotError, UsageError
from bot.render.core import Message, _context, _mrkdwn, _msg
from bot.render.mrkdwn import channel, escape, join, md, upper_first


def did_you_mean(options: Iterable[str], otherwise: str = "") -> str:
    """ "Did you mean `a` or `b`?", each option once (Astra names are not unique), or
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
        candidates = join(
            "\n",
            (md("• `{}` {} — {}, {}", c.id, c.name, c.status, c.region) for c in err.candidates),
        )
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
            md(
                "This channel is guarded to {}: run it in another channel, or an admin can "
                "lift the guard with `/astra perm unguard {}`.",
                guard,
                here,
            )
            if guard is not None
            else md(
                "Ask an admin for a role: `/astra perm grant @you {}`. `/astra perm "
                "whoami` shows your roles.",
                "<role>",
            )
        )
    return _msg(text, [SectionBlock(text=_mrkdwn(text)), _context(escape(what_next))])
