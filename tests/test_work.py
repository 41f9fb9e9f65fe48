"""The post-ack work bound (bot/work.py): CPU steps are bounded, network waits are not."""

from __future__ import annotations

import asyncio

import pytest

from bot.work import WorkSlots, network_wait


async def _steps(running: list[int], peak: list[int], n: int = 5) -> None:
    for _ in range(n):
        running[0] += 1
        peak[0] = max(peak[0], running[0])
        await asyncio.sleep(0)  # a yield between two CPU steps, not a network wait
        running[0] -= 1


async def test_at_most_size_commands_run_between_waits() -> None:
    slots = WorkSlots(3)
    running, peak = [0], [0]
    await asyncio.gather(*(slots.run(_steps(running, peak)) for _ in range(20)))
    assert peak[0] == 3
    assert running[0] == 0


async def test_a_command_waiting_on_the_network_holds_no_slot() -> None:
    slots = WorkSlots(2)
    answer = asyncio.Event()
    waiting = 0

    async def slow_astra() -> None:
        nonlocal waiting
        async with network_wait():
            waiting += 1
            await answer.wait()

    slow = [asyncio.create_task(slots.run(slow_astra())) for _ in range(5)]
    for _ in range(20):
        await asyncio.sleep(0)
    assert waiting == 5  # all five are in their wait: none is holding a slot
    done = asyncio.Event()

    async def help_command() -> None:
        done.set()

    await asyncio.wait_for(slots.run(help_command()), 1.0)
    assert done.is_set()
    answer.set()
    await asyncio.gather(*slow)
    # every slot is back: `size` more can run at once, and no more
    running, peak = [0], [0]
    await asyncio.gather(*(slots.run(_steps(running, peak)) for _ in range(6)))
    assert peak[0] == 2


async def test_a_task_the_command_starts_does_not_give_its_slot_away() -> None:
    slots = WorkSlots(1)
    other_ran = asyncio.Event()

    async def child() -> None:
        async with network_wait():  # not the slot's owner: changes nothing
            await asyncio.sleep(0)

    async def parent() -> None:
        await asyncio.create_task(child())
        for _ in range(5):
            await asyncio.sleep(0)
        assert not other_ran.is_set(), "the child freed the parent's slot"

    async def other() -> None:
        other_ran.set()

    await asyncio.gather(slots.run(parent()), slots.run(other()))
    assert other_ran.is_set()


async def test_cancelled_work_gives_its_slot_back() -> None:
    slots = WorkSlots(1)
    hold = asyncio.Event()

    async def stuck() -> None:
        await hold.wait()

    first = asyncio.create_task(slots.run(stuck()))
    queued = asyncio.create_task(slots.run(stuck()))
    await asyncio.sleep(0.01)
    assert slots.waiting == 1
    queued.cancel()
    first.cancel()
    for t in (first, queued):
        with pytest.raises(asyncio.CancelledError):
            await t
    ran = asyncio.Event()

    async def after() -> None:
        ran.set()

    await asyncio.wait_for(slots.run(after()), 1.0)
    assert ran.is_set()
    assert slots.waiting == 0


def test_size_must_be_positive() -> None:
    with pytest.raises(ValueError):
        WorkSlots(0)
