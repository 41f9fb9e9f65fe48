"""Astra and Slack faults: the watcher rides through outages, ends operations that fail or
take too long with a notice that says so, and Slack's 429s are retried."""

from __future__ import annotations

from bot.render import ACTION_CONFIRM
from tests.conftest import BotHarness, ServiceHarness


async def test_watcher_rides_through_an_astra_outage(shell_bot: ServiceHarness) -> None:
    await shell_bot.run("db create orders")
    shell_bot.emulator.inject_fault(503, count=40, method="GET")
    for _ in range(3):
        shell_bot.clock.advance(1.0)
        result = await shell_bot.components.watcher.tick()
        assert result.finished == 0
    assert len(await shell_bot.components.store.pending_operations()) == 1
    shell_bot.emulator.clear_faults()
    await shell_bot.run_until_idle()
    assert "orders is ACTIVE" in shell_bot.notifier.posts[-1][1].text


async def test_reads_retry_429_with_retry_after(shell_bot: ServiceHarness) -> None:
    shell_bot.emulator.add_database("orders")
    shell_bot.emulator.inject_fault(429, count=2, method="GET", retry_after=1)
    r = await shell_bot.run("db list")
    assert "orders" in r.last
    assert shell_bot.emulator.count("GET", "/v2/databases") == 3
    assert len(shell_bot.clock.sleeps) == 2 and min(shell_bot.clock.sleeps) >= 1.0


async def test_reads_give_up_with_a_clear_message(shell_bot: ServiceHarness) -> None:
    shell_bot.emulator.inject_fault(500, count=20, method="GET")
    r = await shell_bot.run("db list")
    assert r.last.startswith(":x:") and "try again" in r.last.lower()


async def test_error_status_ends_the_operation_with_an_alert(shell_bot: ServiceHarness) -> None:
    await shell_bot.run("db create orders")
    (op,) = await shell_bot.components.store.pending_operations()
    shell_bot.emulator.set_status(op.database_id, "ERROR")
    await shell_bot.run_until_idle()
    text = shell_bot.notifier.posts[-1][1].text
    assert "orders is in ERROR" in text
    assert await shell_bot.components.store.pending_operations() == []


async def test_an_operation_that_takes_too_long_is_reported_timed_out(
    shell_bot: ServiceHarness,
) -> None:
    await shell_bot.run("db create orders")
    (op,) = await shell_bot.components.store.pending_operations()
    shell_bot.emulator.set_status(op.database_id, "PENDING")  # stuck
    await shell_bot.run_until_idle(step=60, max_ticks=15)
    text = shell_bot.notifier.posts[-1][1].text
    assert "TIMED OUT" in text and "last seen PENDING" in text


async def test_slack_429_is_retried_after_retry_after(bot: BotHarness) -> None:
    bot.emulator.add_database("orders")
    bot.slack.rate_limit("chat.postMessage", count=1, retry_after=1)
    await bot.command("db delete orders")
    posts = [c for c in bot.slack.calls("chat.postMessage")]
    assert [c.status for c in posts] == [429, 200]
    assert any(
        e.get("action_id") == ACTION_CONFIRM
        for b in bot.channel_posts()[-1]["blocks"]
        for e in b.get("elements", [])
    )
