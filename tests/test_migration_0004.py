"""Migration 0004 (several orgs) upgrades an existing single-org store on SQLite and
PostgreSQL: its bindings, operations and watches are intact, every binding holds in every
org, the rules version still moves on a write (the SQLite triggers survive the rebuild), and
the same binding scoped to two orgs is two bindings while an unscoped one is still one."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.db import downgrade, make_engine, migrate
from bot.store.repo import Store

BEFORE = "0003"

ROWS = [
    "INSERT INTO role_bindings (subject_type, subject_id, role, db_glob, created_by, created_at)"
    " VALUES ('user', 'UANA', 'operator', '', 'UADMIN', 1)",
    "INSERT INTO role_bindings (subject_type, subject_id, role, db_glob, created_by, created_at)"
    " VALUES ('usergroup', 'S1', 'viewer', 'orders-*', 'UADMIN', 2)",
    "INSERT INTO operations (id, org_id, kind, database_id, database_name, target_status, state,"
    " channel_id, requester_id, correlation_id, detail, created_at, updated_at, deadline_at,"
    " next_check_at) VALUES ('op1', 'org-1', 'create', 'db1', 'orders', 'ACTIVE', 'pending',"
    " 'C1', 'UANA', 'c1', '{}', 0, 0, 100, 0)",
    "INSERT INTO subscriptions (org_id, channel_id, database_id, database_name, last_statuses,"
    " created_by, created_at) VALUES ('org-1', 'C1', '*', 'all', '{}', 'UANA', 3)",
    "INSERT INTO audit_log (at, correlation_id, org_id, actor_id, source, command, decision,"
    " reason, outcome) VALUES (1, 'c1', 'org-1', 'UANA', 'command', '/astra db list', 'allow',"
    " '', '')",
]


async def _scalar(engine: AsyncEngine, sql: str) -> object:
    async with engine.connect() as conn:
        return (await conn.execute(text(sql))).scalar()


async def _upgrade_single_org_store(url: str) -> None:
    engine = make_engine(url)
    try:
        await migrate(engine, BEFORE)
        async with engine.begin() as conn:
            for sql in ROWS:
                await conn.execute(text(sql))
        await migrate(engine)
        store = Store(engine)
        rules = await store.rules(frozenset())
        assert {(b.subject_id, b.role, b.db_glob) for b in rules.bindings} == {
            ("UANA", "operator", None),
            ("S1", "viewer", "orders-*"),
        }
        assert await _scalar(engine, "SELECT count(*) FROM role_bindings WHERE org IS NULL") == 2
        assert [o.id for o in await store.pending_operations()] == ["op1"]
        assert [(s.org_id, s.database_id) for s in await store.subscriptions("C1")] == [
            ("org-1", "*")
        ]
        assert await _scalar(engine, "SELECT org FROM audit_log") is None
        assert await _scalar(engine, "SELECT count(*) FROM channel_orgs") == 0

        version = await _scalar(engine, "SELECT version FROM rules_version")
        # the same unscoped binding again is no new binding
        assert not await store.grant("user", "UANA", "operator", None, "UADMIN")
        assert await _scalar(engine, "SELECT count(*) FROM role_bindings") == 2
        await store.grant("user", "UBOB", "viewer", None, "UADMIN")
        assert await _scalar(engine, "SELECT version FROM rules_version") != version
        # one role scoped to two orgs: two bindings, each once
        for org in ("prod", "dev", "dev"):
            async with engine.begin() as conn:
                await conn.execute(
                    text(
                        "INSERT INTO role_bindings (subject_type, subject_id, role, db_glob,"
                        " org, created_by, created_at) VALUES ('user', 'UANA', 'admin', '',"
                        " :org, 'UADMIN', 4) ON CONFLICT DO NOTHING"
                    ),
                    {"org": org},
                )
        assert await _scalar(engine, "SELECT count(*) FROM role_bindings WHERE role = 'admin'") == 2

        await downgrade(engine, BEFORE)  # the org-scoped ones go: they would widen
        assert await _scalar(engine, "SELECT count(*) FROM role_bindings") == 3
        assert not await store.grant("user", "UANA", "operator", None, "UADMIN")
        await migrate(engine)
    finally:
        await engine.dispose()


async def test_sqlite_single_org_store_upgrades_intact(tmp_path: Path) -> None:
    await _upgrade_single_org_store(f"sqlite+aiosqlite:///{tmp_path}/o.db")


@pytest.mark.postgres
async def test_postgres_single_org_store_upgrades_intact(pg_database: str) -> None:
    await _upgrade_single_org_store(pg_database)
