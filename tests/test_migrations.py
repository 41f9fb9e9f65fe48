"""Alembic migrations upgrade and downgrade on SQLite and PostgreSQL, and match the models."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

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
    with warnings.catch_warnings():
        # SQLite cannot reflect the bindings' expression index (migration 0004), so
        # Alembic skips comparing it there; PostgreSQL compares it
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
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


_ROWS = {
    # id: (kind, state before 0003, detail, state after 0003)
    "retry": ("terminate", "sending", '{"retry": "terminate"}', "retrying"),
    "create": ("create", "sending", "{}", "sending"),
    "plain": ("terminate", "sending", "{}", "sending"),
    "done": ("terminate", "done", '{"retry": "terminate"}', "done"),
    "unreadable": ("terminate", "sending", "not json", "sending"),
}


async def _states(engine: AsyncEngine) -> dict[str, str]:
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT id, state FROM operations"))).all()
    return {row.id: row.state for row in rows}


async def _retrying_roundtrip(url: str) -> None:
    """0003 gives a terminate to send again its own state, and gives it back on downgrade;
    no other row moves."""
    engine = make_engine(url)
    try:
        await migrate(engine, "0002")
        async with engine.begin() as conn:
            for op_id, (kind, state, detail, _) in _ROWS.items():
                await conn.execute(
                    text(
                        "INSERT INTO operations (id, org_id, kind, database_id, database_name,"
                        " target_status, state, channel_id, requester_id, correlation_id,"
                        " detail, created_at, updated_at, deadline_at, next_check_at)"
                        " VALUES (:id, 'o', :kind, 'd', 'n', 'T', :state, 'C', 'U', 'c',"
                        " :detail, 0, 0, 0, 0)"
                    ),
                    {"id": op_id, "kind": kind, "state": state, "detail": detail},
                )
        await migrate(engine)
        assert await _states(engine) == {k: v[3] for k, v in _ROWS.items()}
        await downgrade(engine, "0002")
        assert await _states(engine) == {k: v[1] for k, v in _ROWS.items()}
    finally:
        await engine.dispose()


async def test_sqlite_0003_moves_terminate_retries_to_retrying(tmp_path: Path) -> None:
    await _retrying_roundtrip(f"sqlite+aiosqlite:///{tmp_path}/r.db")


@pytest.mark.postgres
async def test_postgres_0003_moves_terminate_retries_to_retrying(pg_database: str) -> None:
    await _retrying_roundtrip(pg_database)
