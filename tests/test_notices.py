"""Notices: paced to about one per second per channel, coalesced when many arrive at once."""

from __future__ import annotations

from tests.conftest import ServiceHarness


async def test_many_notices_for_one_channel_are_coalesced(shell_bot: ServiceHarness) -> None:
    for name in ("a1", "b2", "c3", "d4", "e5"):
        await shell_bot.run(f"db create {name}")
    progress = len(shell_bot.notifier.posts)
    await shell_bot.run_until_idle(step=5)
    notices = shell_bot.notifier.posts[progress:]
    assert len(notices) == 1
    text = notices[0][1].text
    assert text.startswith("5 databases are ACTIVE")
    for name in ("a1", "b2", "c3", "d4", "e5"):
        assert name in text
    assert await shell_bot.components.store.pending_notice_count() == 0


async def test_two_notices_for_one_channel_are_paced(shell_bot: ServiceHarness) -> None:
    await shell_bot.run("db create a1")
    await shell_bot.run("db create b2")
    base = len(shell_bot.notifier.posts)
    shell_bot.emulator.settle()
    shell_bot.clock.advance(1.0)  # the operations' first check is due
    w = shell_bot.components.watcher
    await w.tick()
    assert len(shell_bot.notifier.posts) == base + 1
    await w.tick()  # same instant: the second waits for the channel's next slot
    assert len(shell_bot.notifier.posts) == base + 1
    shell_bot.clock.advance(1.0)
    await w.tick()
    assert len(shell_bot.notifier.posts) == base + 2
    texts = [m.text for _, m, _ in shell_bot.notifier.posts[base:]]
    assert any("a1 is ACTIVE" in t for t in texts) and any("b2 is ACTIVE" in t for t in texts)


async def test_notices_to_different_channels_are_not_held_back(
    shell_bot: ServiceHarness,
) -> None:
    await shell_bot.run("db create a1", channel="C1")
    await shell_bot.run("db create b2", channel="C2")
    base = len(shell_bot.notifier.posts)
    shell_bot.emulator.settle()
    shell_bot.clock.advance(1.0)  # the operations' first check is due
    await shell_bot.components.watcher.tick()
    assert {c for c, _, _ in shell_bot.notifier.posts[base:]} == {"C1", "C2"}
