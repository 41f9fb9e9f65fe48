"""operations: a terminate to send again gets its own state, ``retrying``

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 00:40:00

Until now ``sending`` meant two things: a create whose outcome Astra has not told (the
watcher reconciles it by name) and a terminate Astra refused while the database was busy
(the watcher sends it again; its ``detail`` says ``"retry": "terminate"``). The second is
now ``retrying``. The column is a plain string, so only rows change: the open terminate
rows marked for a retry move to ``retrying`` (and back on downgrade).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPERATIONS = sa.table(
    "operations",
    sa.column("id", sa.String),
    sa.column("kind", sa.String),
    sa.column("state", sa.String),
    sa.column("detail", sa.Text),
)


def _is_retry(detail: str | None) -> bool:
    # detail is JSON text written by the bot; a row it cannot read is left as it is
    try:
        value = json.loads(detail or "{}")
    except ValueError:
        return False
    return isinstance(value, dict) and value.get("retry") == "terminate"


def _move(old: str, new: str) -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(OPERATIONS.c.id, OPERATIONS.c.detail).where(
            OPERATIONS.c.state == old, OPERATIONS.c.kind == "terminate"
        )
    ).all()
    ids = [row.id for row in rows if _is_retry(row.detail)]
    if ids:
        conn.execute(
            sa.update(OPERATIONS)
            .where(OPERATIONS.c.id.in_(ids), OPERATIONS.c.state == old)
            .values(state=new)
        )


def upgrade() -> None:
    _move("sending", "retrying")


def downgrade() -> None:
    _move("retrying", "sending")
