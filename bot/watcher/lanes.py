"""Which organization each due operation and watch is in, and which orgs are still being
looked at: one lane per org, so that a slow or failing org never holds up another's.

An operation carries Astra's id of its org (``org_id``); its org's client is found with
:meth:`bot.astra.orgs.Orgs.by_id`, so after a restart, or on another replica, each operation
is followed in its own org. An org id no configured org has (an org removed from
``ASTRA_BOT_ORGS``, or one whose token Astra refuses, so its id cannot be learned) is kept
waiting, told once in the log, and looked at again only every poll interval.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.astra.orgs import Org, Orgs
from bot.store.models import Operation, Subscription

log = logging.getLogger("astra_bot.watcher")

#: An org id no configured org has is looked up again (GET /v2/currentOrg of the orgs not
#: learned yet) at most this often: a refused token is not asked on every tick.
LEARN_EVERY_S = 60.0


@dataclass
class Work:
    """What one org's lane does this tick: its operations and watches due."""

    org: Org
    ops: list[Operation] = field(default_factory=list)
    subs: list[Subscription] = field(default_factory=list)


@dataclass
class Plan:
    """A tick's work, by org name; what no org of the bot has (kept), and what waits for
    its org's lane still busy with an earlier tick (not listed twice)."""

    work: dict[str, Work] = field(default_factory=dict)
    orphans: list[Operation] = field(default_factory=list)
    deferred: list[Operation] = field(default_factory=list)


class OrgLanes:
    """The orgs' lanes of one watcher: the org of each operation and watch, the lanes still
    running (``busy``: org name → its task), and each org's trouble told once."""

    def __init__(self, orgs: Orgs, clock: Callable[[], float]) -> None:
        self.orgs = orgs
        self.clock = clock
        self.busy: dict[str, asyncio.Task[None]] = {}
        #: the operations a busy lane holds (their lease is this watcher's until it ends)
        self.held: set[str] = set()
        self._told: dict[str, str] = {}
        self._learned_at = float("-inf")

    @property
    def label_orgs(self) -> bool:
        """Messages name the org only when the bot serves several (DESIGN §2)."""
        return self.orgs.several

    async def plan(self, ops: list[Operation], subs: list[Subscription]) -> Plan:
        """Group the due work by org (learning the org ids not known yet, seldom)."""
        ids = {op.org_id for op in ops} | {s.org_id for s in subs}
        if any(self.org_of(i) is None for i in ids):
            await self._learn()
        plan = Plan()
        for op in ops:
            org = self.org_of(op.org_id)
            if org is None:
                self.tell(f"id:{op.org_id}", self._unknown(op.org_id))
                plan.orphans.append(op)
            elif org.name in self.busy:
                if op.id not in self.held:
                    plan.deferred.append(op)
            else:
                plan.work.setdefault(org.name, Work(org)).ops.append(op)
        for sub in subs:
            org = self.org_of(sub.org_id)
            if org is None:
                self.tell(f"id:{sub.org_id}", self._unknown(sub.org_id))
            elif org.name not in self.busy:
                plan.work.setdefault(org.name, Work(org)).subs.append(sub)
        return plan

    def org_of(self, org_id: str) -> Org | None:
        """The configured org of ``org_id``. With one org whose id is not learned yet, that
        org: a single-org bot follows its operations as it always did."""
        org = self.orgs.by_id(org_id)
        if org is None and len(self.orgs) == 1 and self.orgs.default.id is None:
            return self.orgs.default
        return org

    def tell(self, key: str, message: str) -> None:
        """Log ``message`` once for ``key`` (an org), until :meth:`recovered` forgets it."""
        if self._told.get(key) != message:
            self._told[key] = message
            log.warning("%s", message)

    def recovered(self, key: str) -> None:
        if self._told.pop(key, None) is not None:
            log.info("watcher: org %s answers again", key.removeprefix("org:"))

    async def _learn(self) -> None:
        now = self.clock()
        if now - self._learned_at < LEARN_EVERY_S:
            return
        self._learned_at = now
        if any(o.id is None for o in self.orgs):
            await self.orgs.learn()

    def _unknown(self, org_id: str) -> str:
        troubled = [f"{o.name} ({o.problem or 'not asked yet'})" for o in self.orgs if o.id is None]
        why = f"; orgs whose id is unknown: {', '.join(troubled)}" if troubled else ""
        return (
            f"watcher: no configured org has the Astra org id {org_id}: its operations are "
            f"kept and looked at again later (is the org still in ASTRA_BOT_ORGS?{why})"
        )
