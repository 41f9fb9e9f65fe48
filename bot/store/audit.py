"""The audit log: append-only rows, each redacted of secrets and fitted to its columns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from bot.store.group import TableGroup
from bot.store.models import AuditEntry

if TYPE_CHECKING:
    from bot.redact import Redactor


def audit_row(redactor: Redactor, **fields: Any) -> AuditEntry:
    """An audit row, the one way one is made: every text redacted of secrets
    (bot/redact.py), and fitting its column — PostgreSQL refuses a NUL byte in text and a
    value wider than its VARCHAR, and an audit row is never to be lost to either (the NUL
    is kept visible as ``\\0``; an overlong value is clipped with ``…``)."""
    columns = AuditEntry.__table__.c
    for name, value in fields.items():
        if isinstance(value, str):
            value = redactor.text(value).replace("\x00", "\\0")
            width = getattr(columns[name].type, "length", None)
            if width is not None and len(value) > width:
                value = value[: width - 1] + "…"
            fields[name] = value
    return AuditEntry(**fields)


class AuditRepo(TableGroup):
    """The audit log, in one transaction."""

    def add(self, **fields: Any) -> AuditEntry:
        """Append a row (its ``at`` defaults to now); written when the transaction commits."""
        fields.setdefault("at", self.tx.clock())
        row = audit_row(self.tx.redactor, **fields)
        self.s.add(row)
        return row

    async def latest(
        self, *, limit: int = 20, actor_id: str | None = None, database: str | None = None
    ) -> list[AuditEntry]:
        """The newest rows first, optionally of one actor or one database."""
        q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if actor_id:
            q = q.where(AuditEntry.actor_id == actor_id)
        if database:
            q = q.where(AuditEntry.database == database)
        return list((await self.s.scalars(q)).all())

    async def page(
        self, *, after_id: int, size: int, since: float | None = None
    ) -> list[AuditEntry]:
        """Up to ``size`` rows after ``after_id``, oldest first (keyset pagination)."""
        q = select(AuditEntry).where(AuditEntry.id > after_id).order_by(AuditEntry.id).limit(size)
        if since is not None:
            q = q.where(AuditEntry.at >= since)
        return list((await self.s.scalars(q)).all())
