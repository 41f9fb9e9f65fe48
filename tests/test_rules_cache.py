"""The rules cache (migration 0002): the store re-reads the permission rules only when the
rules version moved, and every write moves it, whoever makes it — this store, another
replica's, or plain SQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.store.db import make_engine, migrate
from bot.store.repo import Store

ADMINS = frozenset({"UADMIN"})


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/rules.db"
    return str(request.getfixturevalue("pg_database"))


@pytest.fixture
async def replicas(url: str) -> AsyncIterator[tuple[Store, Store]]:
    """Two stores on one database, each with its own engine: two replicas."""
    a, b = make_engine(url), make_engine(url)
    await migrate(a)
    try:
        yield Store(a), Store(b)
    finally:
        await a.dispose()
        await b.dispose()


async def test_unchanged_rules_are_not_read_again(replicas: tuple[Store, Store]) -> None:
    one, _ = replicas
    await one.grant("user", "U1", "operator", None, "test")
    first = await one.rules(ADMINS)
    assert await one.rules(ADMINS) is first  # the cached object: nothing was re-read
    # other settings (admins, default guard) are not served from the cache
    assert (await one.rules(frozenset({"U9"}))).admins == {"U9"}
    assert (await one.rules(ADMINS, "viewer")).default_guard == "viewer"


async def test_every_write_from_another_replica_is_seen_at_once(
    replicas: tuple[Store, Store],
) -> None:
    one, other = replicas
    assert (await one.rules(ADMINS)).bindings == ()
    await other.grant("user", "U1", "operator", None, "test")
    assert [b.subject_id for b in (await one.rules(ADMINS)).bindings] == ["U1"]
    await other.revoke("user", "U1", "operator", None)
    assert (await one.rules(ADMINS)).bindings == ()
    await other.set_guard("C1", "viewer", "test")
    assert (await one.rules(ADMINS)).guards == {"C1": "viewer"}
    await other.set_guard("C1", "operator", "test")  # an UPDATE
    assert (await one.rules(ADMINS)).guards == {"C1": "operator"}
    await other.remove_guard("C1")
    assert (await one.rules(ADMINS)).guards == {}
    await other.protect("prod-*", "test")
    assert (await one.rules(ADMINS)).protected == ("prod-*",)
    await other.unprotect("prod-*")
    assert (await one.rules(ADMINS)).protected == ()
    await other.create_role("dba", ["db.*"], "test")
    assert (await one.rules(ADMINS)).custom_roles == {"dba": frozenset({"db.*"})}
    await other.create_role("dba", ["db.list"], "test")
    assert (await one.rules(ADMINS)).custom_roles == {"dba": frozenset({"db.list"})}
    await other.delete_role("dba")
    assert (await one.rules(ADMINS)).custom_roles == {}


async def test_a_write_in_plain_sql_is_seen_too(replicas: tuple[Store, Store]) -> None:
    one, other = replicas
    await one.grant("user", "U1", "admin", None, "test")
    assert len((await one.rules(ADMINS)).bindings) == 1
    async with other.engine.begin() as conn:
        await conn.execute(text("DELETE FROM role_bindings"))
    assert (await one.rules(ADMINS)).bindings == ()
