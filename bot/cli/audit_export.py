"""`astra-bot audit export --format jsonl [--since ISO] [--limit N] [--after-id N]`.

Writes one JSON object per audit row to a stream (stdout), oldest first, for shipping to
a SIEM. Rows are read in pages by id (keyset pagination), so a large table is neither
held in memory nor read in one long transaction; ``--after-id`` resumes after the last
``id`` shipped. Secrets were redacted before the rows were stored; every text field is
passed through :func:`bot.redact.redact` again here, defensively.

Each line::

    {"id": 42, "at": "2027-01-15T08:00:00.000Z", "ts": 1800000000.0,
     "correlation_id": "…", "org_id": "…", "actor_id": "U0ANA", "channel_id": "C0OPS",
     "source": "command", "command": "/astra db delete orders", "permission": "db.delete",
     "database": "orders", "decision": "confirm", "reason": "…", "astra_request": null,
     "outcome": "confirmation posted", "duration_ms": 12}
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any, TextIO

from bot.errors import ConfigError
from bot.redact import redact
from bot.store.models import AuditEntry
from bot.store.repo import Store

FIELDS = (
    "id",
    "at",
    "ts",
    "correlation_id",
    "org_id",
    "actor_id",
    "channel_id",
    "source",
    "command",
    "permission",
    "database",
    "decision",
    "reason",
    "astra_request",
    "outcome",
    "duration_ms",
)


def parse_since(value: str) -> float:
    """An ISO 8601 date or time (``2027-01-15``, ``2027-01-15T08:00:00Z``) as epoch seconds.

    A time without an offset is UTC."""
    raw = value.strip()
    try:
        if len(raw) == 10:
            d = date.fromisoformat(raw)
            moment = datetime(d.year, d.month, d.day, tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ConfigError(
            f"--since `{value}` is not an ISO 8601 date or time.",
            hint="Write it like 2027-01-15 or 2027-01-15T08:00:00Z.",
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def iso(epoch: float) -> str:
    stamp = datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


def row_to_json(row: AuditEntry) -> dict[str, Any]:
    """One audit row as a JSON-able dict, every text redacted again."""
    doc: dict[str, Any] = {
        "id": row.id,
        "at": iso(row.at),
        "ts": row.at,
        "correlation_id": row.correlation_id,
        "org_id": row.org_id,
        "actor_id": row.actor_id,
        "channel_id": row.channel_id,
        "source": row.source,
        "command": row.command,
        "permission": row.permission,
        "database": row.database,
        "decision": row.decision,
        "reason": row.reason,
        "astra_request": row.astra_request,
        "outcome": row.outcome,
        "duration_ms": row.duration_ms,
    }
    return {k: redact(v) if isinstance(v, str) and k != "at" else v for k, v in doc.items()}


async def export_jsonl(
    store: Store,
    out: TextIO,
    *,
    since: float | None = None,
    limit: int | None = None,
    after_id: int | None = None,
    page: int = 500,
) -> int:
    """Write the audit rows (oldest first) as JSON lines to ``out``; how many were written."""
    if limit is not None and limit < 1:
        raise ConfigError("--limit must be at least 1.")
    written = 0
    last = after_id or 0
    while limit is None or written < limit:
        size = page if limit is None else min(page, limit - written)
        async with store.transaction(doing="reading the audit log") as tx:
            rows = await tx.audit.page(after_id=last, size=size, since=since)
        # writing is outside the store's try: a reader that left (`| head -1`) is not a
        # store failure, and the command line ends quietly on it (bot/__main__.py)
        for row in rows:
            out.write(json.dumps(row_to_json(row), ensure_ascii=False) + "\n")
        written += len(rows)
        if len(rows) < size:
            break
        last = rows[-1].id
    out.flush()
    return written


__all__ = ["FIELDS", "export_jsonl", "iso", "parse_since", "row_to_json"]
