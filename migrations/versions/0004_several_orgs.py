"""several orgs: the org of each channel, org-scoped bindings, the org of each audit row

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 01:20:00

``channel_orgs`` keeps the org (by configured name) a channel's commands go to after
`/astra org use`; a channel without a row uses ASTRA_BOT_DEFAULT_ORG, so an existing store
behaves as before. ``role_bindings.org`` scopes a binding to one org (NULL: every org, what
every existing binding is); ``audit_log.org`` names the org a command ran in (NULL on the
rows written before).

The unique constraint of the bindings becomes an expression index that counts NULL as one
scope (``coalesce(org, '')``): a plain constraint would let the same unscoped binding in
twice, since NULLs never collide. On SQLite dropping a constraint rebuilds the table, which
drops its triggers, so the rules-version triggers of 0002 are made again after it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_UNIQUE = "uq_role_bindings_subject_type_subject_id_role_db_glob"
SCOPE = "uq_role_bindings_scope"
COLUMNS = ("subject_type", "subject_id", "role", "db_glob")
# as in 0002: every write to the bindings bumps the rules version
EVENTS = ("INSERT", "UPDATE", "DELETE")
BUMP = "UPDATE rules_version SET version = version + 1 WHERE id = 1"


def _sqlite() -> bool:
    return op.get_context().dialect.name == "sqlite"


def _sqlite_triggers() -> None:
    for event in EVENTS:
        op.execute(
            f"CREATE TRIGGER IF NOT EXISTS role_bindings_{event.lower()}_bump_rules_version "
            f"AFTER {event} ON role_bindings BEGIN {BUMP}; END"
        )


def upgrade() -> None:
    op.create_table(
        "channel_orgs",
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("org", sa.String(length=32), nullable=False),
        sa.Column("set_by", sa.String(length=32), nullable=False),
        sa.Column("set_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("channel_id", name=op.f("pk_channel_orgs")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("org", sa.String(length=32), nullable=True))
    with op.batch_alter_table("role_bindings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("org", sa.String(length=32), nullable=True))
        batch_op.drop_constraint(OLD_UNIQUE, type_="unique")
    op.create_index(
        SCOPE,
        "role_bindings",
        [*COLUMNS, sa.text("coalesce(org, '')")],
        unique=True,
    )
    if _sqlite():
        _sqlite_triggers()


def downgrade() -> None:
    # an org-scoped binding would widen to every org without its column: dropped instead
    op.execute("DELETE FROM role_bindings WHERE org IS NOT NULL")
    op.drop_index(SCOPE, table_name="role_bindings")
    with op.batch_alter_table("role_bindings", schema=None) as batch_op:
        batch_op.create_unique_constraint(OLD_UNIQUE, list(COLUMNS))
        batch_op.drop_column("org")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("org")
    op.drop_table("channel_orgs")
    if _sqlite():
        _sqlite_triggers()
