"""One organization's look of a tick: its list call, then its operations and watches, then
the notices they enqueued are delivered at once — whatever the other orgs are doing."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.errors import AstraError, BotError
from bot.store.enums import OperationState
from bot.watcher.astra_reads import Listing, list_org
from bot.watcher.lanes import OrgLanes, Work
from bot.watcher.operations import OperationFollower
from bot.watcher.reconcile import Reconciler
from bot.watcher.watches import WatchChecker

log = logging.getLogger("astra_bot.watcher")

#: At most this many orgs' list calls are under way at once (one watcher): a bound on what
#: the bot asks of Astra and of its own network, not a batch — a slow org holds one slot.
LIST_CONCURRENCY = 8


@dataclass
class Tally:
    """What the orgs' looks did since the last tick read it (a look that outlives its tick
    is counted in a later one)."""

    astra_reads: int = 0
    finished: int = 0
    notices_sent: int = 0


@dataclass
class Lane:
    """One org's look under way: its task, and whether its list has answered yet."""

    task: asyncio.Task[None] | None = None
    listed: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class OrgLook:
    """Runs one org's look of a tick (:meth:`start`), as a task of its own."""

    lanes: OrgLanes
    operations: OperationFollower
    reconciler: Reconciler
    watches: WatchChecker
    #: delivers the pending notices (the watcher's, one delivery at a time)
    deliver: Callable[[], Awaitable[int]]
    tally: Tally = field(default_factory=Tally)
    _bound: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(LIST_CONCURRENCY))

    def start(self, work: Work, next_check: float, covered: set[tuple[str, str]]) -> Lane:
        """Begin the look of ``work``'s org; its lane is busy until the look ends."""
        lane = Lane()
        name = work.org.name
        lane.task = asyncio.get_running_loop().create_task(
            self._run(work, lane, next_check, covered), name=f"watcher-org-{name}"
        )
        self.lanes.busy[name] = lane.task
        held = {op.id for op in work.ops}
        self.lanes.held |= held

        def done(_: asyncio.Task[None]) -> None:
            self.lanes.busy.pop(name, None)
            self.lanes.held -= held

        lane.task.add_done_callback(done)
        return lane

    async def _run(
        self, work: Work, lane: Lane, next_check: float, covered: set[tuple[str, str]]
    ) -> None:
        name = work.org.name
        try:
            listing = await self._list(work, lane)
            told = await (
                self._unanswered(work)
                if listing is None
                else self._follow(work, listing, next_check, covered)
            )
            if told:
                # this org's news goes out now, not when the slowest org has answered
                self.tally.notices_sent += await self.deliver()
        except BotError as err:
            log.warning("watcher: the look of org %s failed: %s", name, err.user_message)
        except Exception:
            log.exception("watcher: the look of org %s crashed; the next tick looks again", name)
        finally:
            lane.listed.set()

    async def _list(self, work: Work, lane: Lane) -> Listing | None:
        org = work.org
        label = org.name if self.lanes.label_orgs else None
        try:
            async with self._bound:
                listing = await list_org(org, work.ops, work.subs, label=label)
        except AstraError as err:
            # Astra is down or refuses this org's token: keep its operations, look again
            # later; said once (not on every tick), with the org's name
            self.lanes.tell(
                f"org:{org.name}", f"watcher: the list of org {org.name} failed: {err.user_message}"
            )
            return None
        finally:
            lane.listed.set()
        self.lanes.recovered(f"org:{org.name}")
        self.tally.astra_reads += 1
        return listing

    async def _unanswered(self, work: Work) -> int:
        """The org did not answer: its operations wait (or time out at their deadline)."""
        ended = 0
        for op in work.ops:
            ended += await self.operations.unanswered(op)
        self.tally.finished += ended
        return ended

    async def _follow(
        self, work: Work, listing: Listing, next_check: float, covered: set[tuple[str, str]]
    ) -> int:
        """The org's operations and watches against its list; the notices enqueued."""
        told = 0
        for op in work.ops:
            if op.state == OperationState.SENDING:
                told += await self.reconciler.reconcile_create(op, listing)
            elif op.state == OperationState.RETRYING:
                told += await self.reconciler.retry_terminate(op, listing)
            else:
                done, reads = await self.operations.advance(op, listing)
                told += done
                self.tally.astra_reads += reads
        self.tally.finished += told
        await self.operations.flush(work.org.name, next_check)
        for sub in work.subs:
            reads, news = await self.watches.check(sub, listing, covered)
            self.tally.astra_reads += reads
            told += news
        return told
