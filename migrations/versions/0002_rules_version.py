"""rules version: a counter every write to the permission tables bumps (triggers)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 04:00:00

Each process keeps the permission rules it read with the version it read them at, and
re-reads them only when the version moved: one SELECT per command instead of four. The
triggers live in the store, so a write from anywhere (another replica, the perm CLI, an
operator's SQL) moves the version; a revoke still applies to the very next command.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("role_bindings", "custom_roles", "channel_guards", "protected_globs")
EVENTS = ("INSERT", "UPDATE", "DELETE")
BUMP = "UPDATE rules_version SET version = version + 1 WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        "rules_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rules_version")),
    )
    op.execute("INSERT INTO rules_version (id, version) VALUES (1, 0)")
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION astra_bot_bump_rules_version() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_bump_rules_version "
                f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION astra_bot_bump_rules_version()"
            )
    else:
        for table in TABLES:
            for event in EVENTS:
                op.execute(
                    f"CREATE TRIGGER {table}_{event.lower()}_bump_rules_version "
                    f"AFTER {event} ON {table} BEGIN {BUMP}; END"
                )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_bump_rules_version ON {table}")
        op.execute("DROP FUNCTION IF EXISTS astra_bot_bump_rules_version()")
    else:
        for table in TABLES:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{event.lower()}_bump_rules_version")
    op.drop_table("rules_version")
