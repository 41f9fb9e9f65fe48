"""audit: the newest rows of the audit log, privately."""

from __future__ import annotations

from bot import render
from bot.astra.models import Database
from bot.intents import Intent
from bot.ports import Replier
from bot.render.mrkdwn import md, user
from bot.service.context import Context, Request
from bot.service.handlers.common import clip
from bot.service.outcome import Outcome
from bot.service.registry import Entry


class AuditHandlers:
    """The `audit` command."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def entries(self) -> list[Entry]:
        return [
            Entry("audit", handler=self.audit),
        ]

    async def audit(
        self, req: Request, intent: Intent, reply: Replier, db: Database | None
    ) -> Outcome:
        limit = intent.opt_num("limit") or 20  # 1–100: the parser said so
        who = intent.opt_subject("user")
        rows = await self.ctx.store.audit_entries(
            limit=limit, actor_id=who.id if who else None, database=intent.opt("db")
        )
        lines = [
            md(
                "{} {} `{}` → *{}* {}",
                render.when(r.at),
                user(r.actor_id),
                clip(r.command, 80),
                r.decision,
                clip(r.outcome or r.reason, 80),
            )
            for r in rows
        ]
        return Outcome(
            render.count(len(rows), "audit entry", "audit entries"),
            private=render.bullet_list("Audit log (newest first)", lines),
        )
