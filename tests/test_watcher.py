"""The watcher's cost: one list call per org per tick, none when idle, seldom for watches."""

from __future__ import annotations

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
