"""The watcher's cost: one list call per org per tick, none when idle, seldom for watches."""

from __future__ import annotations

from bot.store.enums import OperationKind, OperationState
from bot.store.models import Operation
from bot.store.operations import NewOperation
from tests.conftest import ServiceHarness


async def test_no_astra_call_when_nothing_is_pending_or_watched(
    shell_bot: ServiceHarness,
) -> None:
    shell_bot.emulator.add_database("orders")
    for _ in range(5):
        shell_bot.clock.advance(10)
        result = await shell_bot.components.watcher.tick()
        assert result.astra_reads == 0
    assert shell_bot.emulator.requests == []


async def test_one_list_call_per_tick_whatever_the_number_of_operations(
    shell_bot: ServiceHarness,
) -> None:
    for i in range(30):
        shell_bot.emulator.add_database(f"db{i:02d}")
    for i in range(12):
        await shell_bot.run(f"keyspace create db{i:02d} ks{i}")
    shell_bot.emulator.reset_requests()
    shell_bot.clock.advance(1)
    result = await shell_bot.components.watcher.tick()
    assert result.claimed == 12 and result.astra_reads == 1
    assert [(r.method, r.path) for r in shell_bot.emulator.requests] == [("GET", "/v2/databases")]


async def test_an_org_of_exactly_100_databases_costs_one_page_per_tick(
    shell_bot: ServiceHarness,
) -> None:
    """Cursor paging cannot tell a full last page from a full middle one; the watcher stops
    as soon as it has seen every database it is waiting for."""
    for i in range(100):
        shell_bot.emulator.add_database(f"db{i:03d}")
    for i in (3, 50, 99):
        await shell_bot.run(f"keyspace create db{i:03d} ks{i}")
    shell_bot.emulator.reset_requests()
    shell_bot.clock.advance(1)
    result = await shell_bot.components.watcher.tick()
    assert result.claimed == 3
    assert shell_bot.emulator.count("GET", "/v2/databases") == 1
    # a watch needs the whole org: then the (empty) second page is read too
    await shell_bot.run("watch all")
    shell_bot.emulator.reset_requests()
    shell_bot.clock.advance(1)
    await shell_bot.components.watcher.tick()
    assert shell_bot.emulator.count("GET", "/v2/databases") == 2


async def test_watches_alone_are_looked_at_every_watch_interval(
    shell_bot: ServiceHarness,
) -> None:
    db_id = shell_bot.emulator.add_database("orders")
    await shell_bot.run("watch orders")
    w = shell_bot.components.watcher
    reads = []
    for _ in range(7):  # 0 s … 60 s, every 10 s; the watch interval is 30 s
        reads.append((await w.tick()).astra_reads)
        shell_bot.clock.advance(10)
    assert reads == [1, 0, 0, 1, 0, 0, 1]
    shell_bot.emulator.set_status(db_id, "MAINTENANCE")
    shell_bot.clock.advance(30)
    await w.tick()
    assert "ACTIVE → MAINTENANCE" in shell_bot.notifier.posts[-1][1].text


async def _operation_in(
    h: ServiceHarness, state: OperationState, kind: OperationKind, name: str, db_id: str
) -> str:
    async with h.components.store.transaction() as tx:
        op = await tx.operations.add(
            NewOperation(
                org_id="org-1",
                kind=kind,
                database_id=db_id,
                database_name=name,
                target_status="TERMINATED" if kind == OperationKind.TERMINATE else "ACTIVE",
                channel_id="C1",
                requester_id="U1",
                correlation_id="c1",
                timeout_s=3600,
                first_check_in=0,
                state=state,
            )
        )
        return op.id


async def _state_of(h: ServiceHarness, op_id: str) -> tuple[str, str, str | None]:
    async with h.components.store.transaction() as tx:
        op = await tx.session.get(Operation, op_id)
        assert op is not None
        return op.state, op.database_id, op.last_status


async def test_the_watcher_handles_each_state(shell_bot: ServiceHarness) -> None:
    """``sending`` is a create reconciled by name, ``retrying`` a terminate sent again,
    ``pending`` followed to its target; a finished one is not looked at."""
    h = shell_bot
    made = h.emulator.add_database("made")
    busy = h.emulator.add_database("busy")
    ready = h.emulator.add_database("ready")
    sending = await _operation_in(h, OperationState.SENDING, OperationKind.CREATE, "made", "")
    retrying = await _operation_in(
        h, OperationState.RETRYING, OperationKind.TERMINATE, "busy", busy
    )
    pending = await _operation_in(h, OperationState.PENDING, OperationKind.CREATE, "ready", ready)
    finished = [
        await _operation_in(h, state, OperationKind.CREATE, f"f-{state}", "")
        for state in OperationState
        if not state.is_open
    ]
    h.clock.advance(1)
    result = await h.components.watcher.tick()
    assert result.claimed == 3 and result.finished == 1
    assert await _state_of(h, sending) == (OperationState.PENDING, made, "ACTIVE")
    assert await _state_of(h, retrying) == (OperationState.PENDING, busy, "TERMINATING")
    assert h.emulator.count("POST", f"/v2/databases/{busy}/terminate") == 1
    assert h.emulator.count("POST", f"/v2/databases/{made}/terminate") == 0
    assert (await _state_of(h, pending))[0] == OperationState.DONE
    for op_id, state in zip(finished, [s for s in OperationState if not s.is_open], strict=True):
        assert (await _state_of(h, op_id))[0] == state
