"""What a handler did: the audit row's one line, and the messages the dispatcher sends."""

from __future__ import annotations

from dataclasses import dataclass

from bot.ports import Notifier, Replier
from bot.render import Message
from bot.service.context import Request


@dataclass(frozen=True)
class Outcome:
    """A handler's result. ``audit``: what was done, in one line, for the audit row (never a
    secret); ``private``: the answer only the caller sees; ``channel``: what is announced in
    the channel (the thread) the command came from. The dispatcher sends the private answer
    first, then the announcement, then writes the audit row."""

    audit: str
    private: Message | None = None
    channel: Message | None = None


async def deliver(
    outcome: Outcome, req: Request, reply: Replier | None, notifier: Notifier
) -> None:
    """Send what a handler did: its private answer to the caller (a confirmed command has
    none: it came from a click), then its announcement in the request's channel."""
    if outcome.private is not None and reply is not None:
        await reply.private(outcome.private)
    if outcome.channel is not None:
        await notifier.post(req.channel_id, outcome.channel, thread_ts=req.thread_ts)
