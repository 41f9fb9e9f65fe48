"""The post-ack work bounds (bot/work.py): CPU steps and commands in flight are bounded,
network waits hold no CPU slot, waits on a request another made hold no place in flight
either, work already begun resumes before queued work starts."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.bootstrap import make_astra
from bot.work import WorkSlots, network_wait, shared_wait
from tests.conftest import make_settings


async def _run_all(slots: WorkSlots, works: list[Coroutine[Any, Any, None]]) -> list[Any]:
    """Submit every work; wait until each is done; their outcomes (None or the error)."""
    loop = asyncio.get_running_loop()
    futures = [loop.create_future() for _ in works]
    for work, fut in zip(works, futures, strict=True):
        slots.submit(work, fut.set_result)
    return list(await asyncio.gather(*futures))


async def _steps(running: list[int], peak: list[int], n: int = 5) -> None:
    for _ in range(n):
        running[0] += 1
        peak[0] = max(peak[0], running[0])
        await asyncio.sleep(0)  # a yield between two CPU steps, not a network wait
        running[0] -= 1


async def test_at_most_size_commands_compute_at_once() -> None:
    slots = WorkSlots(3, 10)
    running, peak = [0], [0]
    assert await _run_all(slots, [_steps(running, peak) for _ in range(20)]) == [None] * 20
    assert peak[0] == 3
    assert running[0] == 0 and slots.running == 0 and slots.waiting == 0


async def test_waiting_on_the_network_holds_no_cpu_slot_but_counts_in_flight() -> None:
    slots = WorkSlots(2, 4)
    answer = asyncio.Event()
    in_wait = 0

    async def slow_astra() -> None:
        nonlocal in_wait
        async with network_wait():
            in_wait += 1
            await answer.wait()

    loop = asyncio.get_running_loop()
    slow = [loop.create_future() for _ in range(6)]
    for fut in slow:
        slots.submit(slow_astra(), fut.set_result)
    for _ in range(20):
        await asyncio.sleep(0)
    # four in flight (the limit), all in their network wait: more than the 2 CPU slots
    assert in_wait == 4 and slots.running == 4 and slots.waiting == 2
    answer.set()
    assert await asyncio.gather(*slow) == [None] * 6
    assert in_wait == 6
    running, peak = [0], [0]
    await _run_all(slots, [_steps(running, peak) for _ in range(6)])
    assert peak[0] == 2  # every slot came back, and no more


async def test_a_command_back_from_the_network_goes_before_queued_ones() -> None:
    slots = WorkSlots(1, 10)
    order: list[str] = []
    answer = asyncio.Event()

    async def begun() -> None:
        order.append("begun: start")
        async with network_wait():
            await answer.wait()
        order.append("begun: resumed")

    async def queued(i: int) -> None:
        order.append(f"queued {i}")
        await asyncio.sleep(0)

    loop = asyncio.get_running_loop()
    first = loop.create_future()
    slots.submit(begun(), first.set_result)
    await asyncio.sleep(0)

    async def blocker() -> None:
        answer.set()  # the answer comes in while this one holds the only slot
        await asyncio.sleep(0)
        order.append("blocker")

    rest = [blocker(), *(queued(i) for i in range(3))]
    assert await asyncio.gather(first, _run_all(slots, rest)) == [None, [None] * 4]
    assert order.index("begun: resumed") < order.index("queued 0"), order


async def test_a_task_the_command_starts_does_not_give_its_slot_away() -> None:
    slots = WorkSlots(1, 4)
    other_ran = asyncio.Event()
    errors: list[str] = []

    async def child() -> None:
        async with network_wait():  # not the slot's owner: changes nothing
            await asyncio.sleep(0)

    async def parent() -> None:
        await asyncio.create_task(child())
        for _ in range(5):
            await asyncio.sleep(0)
        if other_ran.is_set():
            errors.append("the child freed the parent's slot")

    async def other() -> None:
        other_ran.set()

    await _run_all(slots, [parent(), other()])
    assert other_ran.is_set() and errors == []


async def test_failures_are_reported_and_free_their_slot() -> None:
    slots = WorkSlots(1, 1)

    async def boom() -> None:
        raise RuntimeError("boom")

    async def fine() -> None:
        return None

    outcomes = await _run_all(slots, [boom(), fine()])
    assert isinstance(outcomes[0], RuntimeError) and outcomes[1] is None


async def test_cancelled_work_gives_its_slot_back_and_close_drops_the_queue() -> None:
    slots = WorkSlots(1, 1)
    hold = asyncio.Event()

    async def stuck() -> None:
        async with network_wait():
            await hold.wait()

    loop = asyncio.get_running_loop()
    first, queued = loop.create_future(), loop.create_future()
    slots.submit(stuck(), first.set_result)
    slots.submit(stuck(), queued.set_result)
    await asyncio.sleep(0.01)
    assert slots.running == 1 and slots.waiting == 1
    assert slots.close() == 1
    assert isinstance(queued.result(), asyncio.CancelledError)
    for task in list(slots._tasks):
        task.cancel()
    assert isinstance(await first, asyncio.CancelledError)
    ran = asyncio.Event()

    async def after() -> None:
        ran.set()

    await asyncio.wait_for(_run_all(slots, [after()]), 1.0)
    assert ran.is_set() and slots.running == 0


def test_bounds_must_make_sense() -> None:
    with pytest.raises(ValueError):
        WorkSlots(0, 4)
    with pytest.raises(ValueError):
        WorkSlots(4, 2)


async def test_work_runs_in_the_context_of_whoever_submitted_it() -> None:
    import contextvars

    who: contextvars.ContextVar[str] = contextvars.ContextVar("who", default="nobody")
    slots = WorkSlots(1, 1)
    seen: list[str] = []
    loop = asyncio.get_running_loop()
    futures = [loop.create_future() for _ in range(2)]

    async def first() -> None:
        who.set("first's request")  # set inside the first command only
        await asyncio.sleep(0)
        seen.append(who.get())

    async def second() -> None:
        seen.append(who.get())

    slots.submit(first(), futures[0].set_result)
    token = who.set("second's request")
    slots.submit(second(), futures[1].set_result)  # queued: started when first ends
    who.reset(token)
    await asyncio.gather(*futures)
    assert seen == ["first's request", "second's request"]


async def test_the_apps_astra_client_waits_for_astra_without_its_cpu_slot(
    tmp_path: Path,
) -> None:
    """The composition root gives the Astra client the network wait: a slow Astra holds no
    CPU slot (the client itself knows nothing of work slots, DESIGN §8)."""
    answer = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        await answer.wait()
        return httpx.Response(200, json=[])

    astra, _ = make_astra(
        make_settings(tmp_path), sandbox=False, transport=httpx.MockTransport(slow)
    )
    slots = WorkSlots(1, 4)
    order: list[str] = []

    async def listing() -> None:
        await astra.list_databases()
        order.append("listed")

    async def other() -> None:
        order.append("other ran")
        answer.set()

    loop = asyncio.get_running_loop()
    done = [loop.create_future() for _ in range(2)]
    slots.submit(listing(), done[0].set_result)
    slots.submit(other(), done[1].set_result)
    assert await asyncio.wait_for(asyncio.gather(*done), 10) == [None, None]
    assert order == ["other ran", "listed"]
    await astra.aclose()


async def test_a_wait_on_a_shared_request_holds_no_place_in_flight() -> None:
    slots = WorkSlots(1, 2)
    answer = asyncio.Event()
    in_wait = 0

    async def joiner() -> None:
        nonlocal in_wait
        async with shared_wait():
            in_wait += 1
            await answer.wait()

    loop = asyncio.get_running_loop()
    done = [loop.create_future() for _ in range(6)]
    for fut in done:
        slots.submit(joiner(), fut.set_result)
    for _ in range(20):
        await asyncio.sleep(0)
    # more than the two places in flight: none of them is held while the request is shared
    assert in_wait == 6 and slots.running == 0 and slots.waiting == 0
    answer.set()
    assert await asyncio.gather(*done) == [None] * 6
    assert slots.running == 0 and slots._free == 1
    running, peak = [0], [0]
    await _run_all(slots, [_steps(running, peak) for _ in range(4)])
    assert peak[0] == 1  # the CPU slot came back, and no more


async def test_a_burst_of_listings_shares_one_request_beyond_the_in_flight_bound(
    tmp_path: Path,
) -> None:
    """50 concurrent listings (a burst of `db list`) with 4 places in flight: they all start
    while the first one's request is under way and share its answer. Were a wait on the
    shared listing to hold a place, they would go in rounds of 4, one Astra round trip
    (and one request) each."""
    answer = asyncio.Event()
    asked: list[str] = []

    async def slow(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        await answer.wait()
        return httpx.Response(200, json=[])

    astra, _ = make_astra(
        make_settings(tmp_path), sandbox=False, transport=httpx.MockTransport(slow)
    )
    slots = WorkSlots(2, 4)
    listed: list[int] = []

    async def db_list() -> None:
        listed.append(len(await astra.list_databases()))

    loop = asyncio.get_running_loop()
    done = [loop.create_future() for _ in range(50)]
    for fut in done:
        slots.submit(db_list(), fut.set_result)
    for _ in range(500):
        if (slots.waiting, slots.running) == (0, 1):
            break
        await asyncio.sleep(0)
    started = (slots.waiting, slots.running)
    answer.set()
    # every command started; only the one whose call made the request holds a place
    assert started == (0, 1)
    assert await asyncio.wait_for(asyncio.gather(*done), 10) == [None] * 50
    assert listed == [0] * 50
    assert asked == ["/v2/databases"]
    assert slots.running == 0
    await astra.aclose()
