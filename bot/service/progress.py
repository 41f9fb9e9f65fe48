"""The progress message of a long operation: posted once in the channel, then updated."""

from __future__ import annotations

import json
import logging
from dataclasses import replace

from bot import render
from bot.errors import BotError
from bot.ports import Notifier, Replier
from bot.service.context import Context, Request
from bot.store.models import Operation

log = logging.getLogger("astra_bot.service")


def op_view(op: Operation) -> render.OpView:
    return render.OpView(
        kind=op.kind,
        database_name=op.database_name,
        database_id=op.database_id,
        status=op.last_status,
        target_status=op.target_status,
        requester_id=op.requester_id,
        started_at=op.created_at,
        detail=json.loads(op.detail or "{}"),
    )


class Progress:
    """Shows an operation's progress in its channel (a failure to post is told privately)."""

    def __init__(self, ctx: Context, notifier: Notifier) -> None:
        self.ctx = ctx
        self.notifier = notifier

    async def show(
        self, req: Request, op: Operation, *, status: str | None, reply: Replier | None
    ) -> None:
        msg = render.progress(replace(op_view(op), status=status), self.ctx.now())
        try:
            if op.message_ts:
                await self.notifier.update(op.channel_id, op.message_ts, msg)
            else:
                ts = await self.notifier.post(op.channel_id, msg, thread_ts=op.thread_ts)
                if ts:
                    op.message_ts = ts
                    async with self.ctx.store.transaction(doing="noting a message") as tx:
                        await tx.operations.set_message(op.id, ts)
        except BotError as err:
            log.warning(
                "progress message not posted: %s",
                err.user_message,
                extra={"correlation_id": req.correlation_id},
            )
            if reply is not None:
                verb = render.OP_VERBS.get(op.kind, op.kind)
                failed = BotError(
                    f"{verb} {op.database_name} has started, but I could not post in this "
                    f"channel: {err.user_message}",
                    hint=err.hint,
                )
                await reply.private(render.error(failed, req.correlation_id))
