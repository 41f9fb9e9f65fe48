"""Org-scoped bindings in the store (SQLite and PostgreSQL): granted, read into the policy,
revoked by their scope; the same unscoped grant twice is still one binding."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.policy import Binding
from bot.store.db import make_engine, migrate
from bot.store.repo import Store
from tests.conftest import fresh_pg_database


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
        engine = make_engine(url)
        await migrate(engine)
        try:
            yield Store(engine, clock=lambda: 1000.0)
        finally:
            await engine.dispose()
        return
    pg_url = request.getfixturevalue("pg_url")
    async with fresh_pg_database(pg_url) as url:
        engine = make_engine(url)
        await migrate(engine)
        try:
            yield Store(engine, clock=lambda: 1000.0)
        finally:
            await engine.dispose()


async def test_scoped_and_unscoped_bindings_are_read_with_their_org(store: Store) -> None:
    assert await store.grant("user", "UANA", "operator", None, "U0", "dev")
    assert await store.grant("user", "UANA", "operator", None, "U0")
    assert await store.grant("user", "UANA", "operator", "dev-*", "U0", "prod")
    assert not await store.grant("user", "UANA", "operator", None, "U0", "dev")
    assert not await store.grant("user", "UANA", "operator", None, "U0")  # NULL org: one row
    rules = await store.rules(frozenset())
    assert rules.bindings == (
        Binding("user", "UANA", "operator", None, "dev"),
        Binding("user", "UANA", "operator", None, None),
        Binding("user", "UANA", "operator", "dev-*", "prod"),
    )


async def test_revoke_removes_only_the_scope_named(store: Store) -> None:
    await store.grant("user", "UANA", "operator", None, "U0", "dev")
    await store.grant("user", "UANA", "operator", None, "U0", "prod")
    assert await store.revoke("user", "UANA", "operator", None) == 0  # no unscoped one
    assert await store.revoke("user", "UANA", "operator", None, "dev") == 1
    rules = await store.rules(frozenset())
    assert [b.org for b in rules.bindings] == ["prod"]
