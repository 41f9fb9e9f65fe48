"""Work after the ack: how many commands use the CPU at once.

Every command and click is acked first and then runs on a task of its own. Left alone, a
burst of such tasks fills the event loop's ready queue, and the next request's ack waits
behind all of them (Slack's deadline is 3 s; under a closed-loop burst the ack p99 was
5–10× the bare Bolt app's). :class:`WorkSlots` lets ``size`` of them run at once; the
others wait for a slot, in order, without running.

A command waiting on the network gives its slot back for the wait
(:func:`network_wait`, around Astra and Slack calls) and queues for one again with the
answer. A slow Astra therefore holds no slot: the bound is on CPU work, not on commands in
flight, and a 2.5 s Astra answer does not make the next user's ``help`` wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import AsyncIterator, Coroutine
from typing import Any

#: Commands doing CPU work at once. Each runs for a few milliseconds between two waits; 8
#: keeps the ready queue short enough that an ack waits at most a few of those steps.
DEFAULT_SLOTS = 8


class _Held:
    """Whether the current task holds its slot (a task may give it back for a wait)."""

    __slots__ = ("held", "owner", "sem")

    def __init__(self, sem: asyncio.Semaphore) -> None:
        self.sem = sem
        self.held = False
        # tasks the command starts inherit the context var, not the slot
        self.owner = asyncio.current_task()


_current: contextvars.ContextVar[_Held | None] = contextvars.ContextVar(
    "work_slot", default=None)


class WorkSlots:
    def __init__(self, size: int = DEFAULT_SLOTS) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self.size = size
        self._sem = asyncio.Semaphore(size)
        self.waiting = 0

    async def run(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` holding a slot (given back around :func:`network_wait`)."""
        slot = _Held(self._sem)
        token = _current.set(slot)
        try:
            self.waiting += 1
            try:
                await self._sem.acquire()
            finally:
                self.waiting -= 1
            slot.held = True
            await work
        finally:
            if slot.held:
                slot.held = False
                self._sem.release()
            _current.reset(token)
            work.close()  # never started when cancelled while waiting: no "never awaited"


@contextlib.asynccontextmanager
async def network_wait() -> AsyncIterator[None]:
    """Around an await on the network: the slot of the running command (if any) is free
    meanwhile, and taken again (in turn) before the command goes on."""
    slot = _current.get()
    if slot is None or not slot.held or slot.owner is not asyncio.current_task():
        yield
        return
    slot.held = False
    slot.sem.release()
    try:
        yield
    finally:
        await slot.sem.acquire()
        slot.held = True
