"""Work after the ack: how many commands run, and how many use the CPU, at once.

Every command and click is acked first and its work handed to :class:`WorkSlots`. Left
alone, a burst of such work fills the event loop's ready queue, and the next request's ack
waits behind all of it (Slack's deadline is 3 s; under a closed-loop burst the ack p99 was
5–10× the bare Bolt app's). Two bounds keep acks in front:

- **CPU slots** (``size``): a command holds one while it computes; at most ``size`` run
  between two awaits, so an ack waits at most a few short steps.
- **In flight** (``limit``): commands started and not finished, but for those waiting on a
  request another one made (:func:`shared_wait`). The rest wait in a queue as
  unstarted coroutines (no task, no parsed payloads), so a burst costs little memory and
  the garbage collector's full passes stay short (in the benchmark, 1000 queued ``db list``
  holding their parsed databases made 60–70 ms collector pauses).

A command waiting on the network gives its CPU slot back for the wait
(:func:`network_wait`, around Astra and Slack calls): a slow Astra holds no CPU slot. A
command waiting on a request another made (:func:`shared_wait`, a shared listing) gives
its place in flight back too: it costs neither Astra nor memory meanwhile.
When a slot frees, a command coming back from the network gets it before a queued one
starts: work already begun finishes first.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

#: Commands computing at once. Each runs a few milliseconds between two waits; 8 keeps the
#: ready queue short enough that an ack waits at most a few such steps.
DEFAULT_SLOTS = 8
#: Commands started and not finished (most of them waiting on Astra or Slack).
DEFAULT_IN_FLIGHT = 64

Work = Coroutine[Any, Any, None]


class _Held:
    """Whether the running command holds its CPU slot (it gives it back for a wait)."""

    __slots__ = ("held", "owner", "slots")

    def __init__(self, slots: WorkSlots) -> None:
        self.slots = slots
        self.held = True  # granted before the task starts
        # tasks the command starts inherit the context var, not the slot
        self.owner: asyncio.Task[Any] | None = None


_current: contextvars.ContextVar[_Held | None] = contextvars.ContextVar("work_slot", default=None)


class WorkSlots:
    def __init__(self, size: int = DEFAULT_SLOTS, limit: int = DEFAULT_IN_FLIGHT) -> None:
        if size < 1 or limit < size:
            raise ValueError("need 1 <= size <= limit")
        self.limit = limit
        self._free = size
        self.running = 0
        self._queued: collections.deque[
            tuple[Work, Callable[[BaseException | None], None], contextvars.Context]
        ] = collections.deque()
        self._resumers: collections.deque[asyncio.Future[None]] = collections.deque()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def waiting(self) -> int:
        """Queued, not started."""
        return len(self._queued)

    def submit(self, work: Work, done: Callable[[BaseException | None], None]) -> None:
        """Run ``work`` when a slot allows; ``done`` is called with its failure (or None)
        when it ends, also when it is cancelled or dropped unstarted."""
        # the work runs in the submitter's context (not in that of whichever task frees
        # the slot it gets: a finishing command must not lend its correlation id)
        self._queued.append((work, done, contextvars.copy_context()))
        self._dispatch()

    def _dispatch(self) -> None:
        while self._free > 0:
            if self._resumers:
                fut = self._resumers.popleft()
                if fut.done():  # cancelled while waiting
                    continue
                self._free -= 1
                fut.set_result(None)
            elif self._queued and self.running < self.limit:
                work, done, context = self._queued.popleft()
                self._free -= 1
                self.running += 1
                slot = _Held(self)
                task = asyncio.get_running_loop().create_task(
                    self._run(slot, work, done), context=context
                )
                slot.owner = task
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            else:
                return

    async def _run(
        self, slot: _Held, work: Work, done: Callable[[BaseException | None], None]
    ) -> None:
        _current.set(slot)
        error: BaseException | None = None
        try:
            await work
        except asyncio.CancelledError as exc:
            error = exc
            raise
        except Exception as exc:
            error = exc
        finally:
            self.running -= 1
            if slot.held:
                slot.held = False
                self._free += 1
            self._dispatch()
            done(error)

    def _release(self) -> None:
        self._free += 1
        self._dispatch()

    async def _reacquire(self) -> None:
        if self._free > 0 and not self._resumers:
            self._free -= 1
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._resumers.append(fut)
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():  # granted just as it was cancelled
                self._release()
            raise

    def close(self) -> int:
        """At shutdown: drop what never started (each ``done`` is told); how many."""
        dropped = 0
        while self._queued:
            work, done, _ = self._queued.popleft()
            work.close()
            done(asyncio.CancelledError())
            dropped += 1
        return dropped


@contextlib.asynccontextmanager
async def network_wait() -> AsyncIterator[None]:
    """Around an await on the network: the CPU slot of the running command (if any) is free
    meanwhile, and taken again (before queued commands start) when the answer is in. The
    command still counts in flight: its request is its own."""
    async with _away(in_flight=True):
        yield


@contextlib.asynccontextmanager
async def shared_wait() -> AsyncIterator[None]:
    """Around an await on a request another call made (a listing shared by single flight):
    the command adds no request to Astra and no answer to memory while it waits, so it
    gives back its place in flight as well as its CPU slot, and queued commands start (and
    join the same request). Without that, a burst waits in rounds of ``limit`` commands,
    one Astra round trip each, behind a request they could have shared. Back, it counts in
    flight again, also above the limit (no queued command starts until the count is
    under it again)."""
    async with _away(in_flight=False):
        yield


@contextlib.asynccontextmanager
async def _away(*, in_flight: bool) -> AsyncIterator[None]:
    slot = _current.get()
    if slot is None or not slot.held or slot.owner is not asyncio.current_task():
        yield
        return
    slots = slot.slots
    slot.held = False
    if not in_flight:
        slots.running -= 1
    slots._release()
    try:
        yield
    finally:
        if not in_flight:
            slots.running += 1  # before the await: a cancelled wait still ends in _run
        await slots._reacquire()
        slot.held = True
