"""The audit trail of commands and clicks: one row per decision, the change's row first."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot import render
from bot.errors import StoreError
from bot.policy import Decision
from bot.ports import Replier
from bot.service.context import Context, Request

if TYPE_CHECKING:
    from bot.metrics import Metrics

log = logging.getLogger("astra_bot.service")


@dataclass(frozen=True)
class Auditor:
    """Writes audit rows (and counts them in the metrics, when there are metrics)."""

    ctx: Context
    metrics: Metrics | None = None

    async def record(
        self,
        req: Request,
        command: str,
        decision: str,
        *,
        reason: str = "",
        permission: str | None = None,
        database: str | None = None,
        astra_request: str | None = None,
        outcome: str = "",
        started: float | None = None,
        required: bool = False,
    ) -> None:
        """One audit row. ``required``: the row of a change about to be made (decision
        "requested"), written before the change is sent; if the store cannot write it the
        change must not happen, so the failure is raised (fail closed), not logged."""
        if self.metrics is not None:  # counted even if the audit write fails
            self.metrics.command(permission, decision)
        try:
            async with self.ctx.store.transaction(doing="writing the audit log") as tx:
                tx.audit.add(
                    correlation_id=req.correlation_id,
                    actor_id=req.user_id,
                    source=req.source,
                    channel_id=req.channel_id,
                    org_id=req.org.id if req.org else None,
                    org=req.org.name if req.org else None,
                    command=command,
                    reason=reason,
                    permission=permission,
                    database=database,
                    decision=decision,
                    astra_request=astra_request or "; ".join(self.ctx.orgs.recorded()) or None,
                    outcome=outcome,
                    duration_ms=int((self.ctx.now() - started) * 1000) if started else None,
                )
        except StoreError as err:
            if required:
                raise StoreError(
                    "The bot could not write this command to its audit log, so nothing was "
                    "sent to Astra.",
                    hint=err.hint,
                ) from err
            log.warning(
                "audit write failed: %s",
                err.user_message,
                extra={"correlation_id": req.correlation_id},
            )

    async def deny(
        self,
        req: Request,
        shown: str,
        decision: Decision,
        reply: Replier,
        started: float,
        database: str | None,
    ) -> None:
        """Tell the caller why not, privately, and keep the refusal."""
        await reply.private(
            render.denied(decision.reason, guard=decision.capped_by, channel_id=req.channel_id)
        )
        await self.record(
            req,
            shown,
            "deny",
            reason=decision.reason,
            permission=decision.permission,
            database=database,
            started=started,
        )
