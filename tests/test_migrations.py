"""Alembic migrations upgrade and downgrade on SQLite and PostgreSQL, and match the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect

from bot.store.db import (
    current_revision,
    downgrade,
    head_revision,
    is_at_head,
    make_engine,
    migrate,
)
from bot.store.models import Base

TABLES = {
    "role_bindings",
    "custom_roles",
    "channel_guards",
    "protected_globs",
    "operations",
    "notices",
    "confirmations",
    "subscriptions",
    "audit_log",
    "seen_events",
    "rules_version",
}


def _tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


def _diff(conn: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))


async def _roundtrip(url: str) -> None:
    engine = make_engine(url)
    try:
        assert await current_revision(engine) is None
        await migrate(engine)
        assert await is_at_head(engine)
        assert await current_revision(engine) == head_revision()
        async with engine.connect() as conn:
            assert await conn.run_sync(_tables) >= TABLES
            assert await conn.run_sync(_diff) == [], "models and migrations disagree"
        await migrate(engine)  # idempotent
        await downgrade(engine, "base")
        assert await current_revision(engine) is None
        async with engine.connect() as conn:
            assert not (TABLES & await conn.run_sync(_tables))
        await migrate(engine)
        assert await is_at_head(engine)
    finally:
        await engine.dispose()


async def test_sqlite_upgrade_downgrade(tmp_path: Path) -> None:
    await _roundtrip(f"sqlite+aiosqlite:///{tmp_path}/m.db")


@pytest.mark.postgres
async def test_postgres_upgrade_downgrade(pg_database: str) -> None:
    await _roundtrip(pg_database)


def test_the_head_constant_is_alembics_head() -> None:
    from bot.store.db import HEAD

    assert head_revision() == HEAD, "update bot.store.db.HEAD with the new revision"
