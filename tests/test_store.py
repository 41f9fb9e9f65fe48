"""The store package: its vocabularies as enums, one session pattern, no SQL elsewhere."""

from __future__ import annotations

import ast
import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.errors import StoreError
from bot.store.db import make_engine, migrate
from bot.store.enums import (
    OPEN_STATES,
    ConfirmationState,
    NoticeState,
    OperationKind,
    OperationState,
)
from bot.store.repo import NewNotice, Store
from bot.store.tx import Tx


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'store.db'}")
    await migrate(engine)
    try:
        yield Store(engine, clock=lambda: 1000.0)
    finally:
        await engine.dispose()


def test_enum_values_are_the_stored_strings() -> None:
    # the values already in every store: changing one would need a data migration
    assert [str(k) for k in OperationKind] == [
        "create",
        "terminate",
        "park",
        "unpark",
        "resize",
        "keyspace_create",
        "keyspace_delete",
        "region_add",
        "region_remove",
    ]
    assert {str(s) for s in OperationState} == {
        "sending",
        "retrying",
        "pending",
        "done",
        "failed",
        "timed_out",
        "unknown",
    }
    assert set(OPEN_STATES) == {"pending", "sending", "retrying"}
    assert [s for s in OperationState if s.is_open] == [
        OperationState.SENDING,
        OperationState.RETRYING,
        OperationState.PENDING,
    ]
    assert {str(s) for s in NoticeState} == {"pending", "sent", "failed"}
    assert {str(s) for s in ConfirmationState} == {"pending", "confirmed", "cancelled", "expired"}


async def test_an_operation_round_trips_through_its_enums(store: Store) -> None:
    op = await store.add_operation(
        org_id="o",
        kind=OperationKind.CREATE,
        database_id="",
        database_name="db1",
        target_status="ACTIVE",
        channel_id="C1",
        requester_id="U1",
        correlation_id="c",
        timeout_s=60,
        first_check_in=0,
        state=OperationState.SENDING,
    )
    async with store.transaction() as tx:
        assert await tx.operations.tracked_database_ids("o") == set()
    assert await store.operation_sent(op.id, "db-id", status="PENDING")
    async with store.transaction() as tx:
        assert await tx.operations.tracked_database_ids("o") == {"db-id"}
    (row,) = await store.pending_operations()
    assert row.state == OperationState.PENDING and row.kind == OperationKind.CREATE
    notice = NewNotice(dedupe_key="k", org_id="o", channel_id="C1", text="done")
    async with store.transaction() as tx:
        assert await tx.operations.open_counts() == {OperationKind.CREATE: 1}
        assert await tx.operations.finish(
            op.id, None, state=OperationState.DONE, last_status="ACTIVE", notice=notice
        )
    assert await store.pending_operations() == []
    assert await store.pending_notice_count() == 1


async def test_one_transaction_spans_the_table_groups(store: Store) -> None:
    """A session opened at the edge: what the groups write in it commits or rolls back as
    one, and a duplicate row is no error that would end the transaction."""

    async def write(tx: Tx) -> None:
        assert await tx.rules.grant("user", "U1", "viewer", None, "U0")
        assert not await tx.rules.grant("user", "U1", "viewer", None, "U0")
        assert await tx.requests.first_time_seen("ev1")
        tx.audit.add(
            correlation_id="c", actor_id="U0", source="cli", command="grant", decision="allow"
        )

    with pytest.raises(RuntimeError):
        async with store.transaction() as tx:
            await write(tx)
            raise RuntimeError("abandoned")
    assert (await store.rules(frozenset())).bindings == ()
    assert await store.audit_entries() == []
    async with store.transaction() as tx:
        assert await tx.requests.first_time_seen("ev1")  # it was rolled back with the rest

    async with store.transaction() as tx:
        assert await tx.rules.grant("user", "U1", "viewer", None, "U0")
        assert not await tx.rules.grant("user", "U1", "viewer", None, "U0")
        tx.audit.add(
            correlation_id="c", actor_id="U0", source="cli", command="grant", decision="allow"
        )
    assert len((await store.rules(frozenset())).bindings) == 1
    assert [r.command for r in await store.audit_entries()] == ["grant"]


def test_a_store_failure_in_a_transaction_is_a_store_error(tmp_path: Path) -> None:
    async def run() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'unmigrated.db'}")
        try:
            with pytest.raises(StoreError, match="reading the audit log"):
                async with Store(engine).transaction(doing="reading the audit log") as tx:
                    await tx.audit.latest()
        finally:
            await engine.dispose()

    asyncio.run(run())


SQL_BUILDERS = {"select", "insert", "update", "delete", "text"}
ROOT = Path(__file__).resolve().parent.parent


def _sql_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found += [f"{node.module}.{a.name}" for a in node.names if a.name in SQL_BUILDERS]
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in SQL_BUILDERS
            and isinstance(node.value, ast.Name)
            and node.value.id in {"sqlalchemy", "sa"}
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_no_module_outside_the_store_writes_sql() -> None:
    """DESIGN §8: bot/store/ is the only place that writes SQL (migrations/ and tests/
    excepted); everyone else calls the store."""
    offenders = {
        str(path.relative_to(ROOT)): names
        for path in sorted((ROOT / "bot").rglob("*.py"))
        if "store" not in path.relative_to(ROOT / "bot").parts[:1] and (names := _sql_imports(path))
    }
    assert offenders == {}
    # and the check sees what it looks for
    assert _sql_imports(ROOT / "bot" / "store" / "rules.py")
