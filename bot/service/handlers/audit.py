"""audit: the newest rows of the audit log, privately."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.chat import ShowAudit
from bot.render import chat
from bot.service.outcome import Outcome
from bot.service.registry import Call, Handlers, handles
from bot.store.repo import Store


@dataclass(frozen=True)
class AuditHandlers(Handlers):
    """The `audit` command."""

    store: Store

    @handles(ShowAudit)
    async def audit(self, cmd: ShowAudit, call: Call) -> Outcome:
        rows = await self.store.audit_entries(
            limit=cmd.limit or 20,  # 1–100: the parser said so
            actor_id=cmd.user.id if cmd.user else None,
            database=cmd.db,
        )
        audit, message = chat.audit_log(rows)
        return Outcome(audit, private=message)
