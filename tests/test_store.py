"""The store package: its vocabularies as enums, one session pattern, no SQL elsewhere."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store.db import make_engine, migrate
from bot.store.enums import (
    OPEN_STATES,
    ConfirmationState,
    NoticeState,
    OperationKind,
    OperationState,
)
from bot.store.repo import NewNotice, Store


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
        "pending",
        "done",
        "failed",
        "timed_out",
        "unknown",
    }
    assert set(OPEN_STATES) == {"pending", "sending"}
    assert [s for s in OperationState if s.is_open] == [
        OperationState.SENDING,
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
    assert await store.tracked_database_ids("o") == set()
    assert await store.operation_sent(op.id, "db-id", status="PENDING")
    assert await store.tracked_database_ids("o") == {"db-id"}
    (row,) = await store.pending_operations()
    assert row.state == OperationState.PENDING and row.kind == OperationKind.CREATE
    assert await store.pending_counts() == {OperationKind.CREATE: 1}
    notice = NewNotice(dedupe_key="k", org_id="o", channel_id="C1", text="done")
    assert await store.finish_operation(
        op.id, None, state=OperationState.DONE, last_status="ACTIVE", notice=notice
    )
    assert await store.pending_operations() == []
    assert await store.pending_notice_count() == 1
