"""The Astra organizations the bot serves: each org's name, its client, and its org id.

One :class:`Org` per entry of ``ASTRA_BOT_ORGS`` (or the lone ``ASTRA_DB_APPLICATION_TOKEN``
as the org ``default``), DESIGN §2 and §5. An org's id is what its token belongs to, learned
from Astra (``GET /v2/currentOrg``) and kept: operations, confirmations and watches carry it,
and the watcher finds the org's client from it after a restart. One org's refused token or
outage is recorded on that org (:attr:`Org.problem`) and never stops the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bot.astra.client import AstraClient
from bot.errors import AstraError

log = logging.getLogger("astra_bot.astra")

#: At most this many orgs are asked at once (start-up, doctor): a bound, not a batch.
CONCURRENCY = 8


@dataclass
class Org:
    """One configured organization. ``id`` and ``title`` are Astra's, once learned."""

    name: str
    astra: AstraClient
    id: str | None = None
    title: str | None = None
    #: Why the last attempt to learn the org id failed (a user-fit message), or None.
    problem: str | None = None

    async def org_id(self) -> str:
        """Astra's id of this org (asked once, then kept); AstraError when Astra refuses."""
        if self.id is None:
            try:
                org = await self.astra.current_org()
            except AstraError as err:
                self.problem = err.user_message
                raise
            self.id, self.title, self.problem = org.id, org.name, None
        return self.id


class Orgs:
    """The configured orgs in their configured order, the default first among equals."""

    def __init__(self, orgs: Iterable[Org], default: str) -> None:
        self._orgs = {o.name: o for o in orgs}
        if not self._orgs:
            raise ValueError("at least one org")
        if default not in self._orgs:
            raise ValueError(f"the default org {default!r} is not configured")
        self._default = default

    def __iter__(self) -> Iterator[Org]:
        return iter(self._orgs.values())

    def __len__(self) -> int:
        return len(self._orgs)

    @property
    def names(self) -> list[str]:
        return list(self._orgs)

    @property
    def several(self) -> bool:
        """More than one org: messages then name the org of each database (DESIGN §2)."""
        return len(self._orgs) > 1

    @property
    def default(self) -> Org:
        return self._orgs[self._default]

    def get(self, name: str) -> Org | None:
        """The org of that name, or None (the caller says which names there are)."""
        return self._orgs.get(name)

    def by_id(self, org_id: str) -> Org | None:
        """The org whose token belongs to Astra org ``org_id``, among those learned."""
        return next((o for o in self._orgs.values() if o.id == org_id), None)

    async def learn(self) -> None:
        """Learn every org's id, at most :data:`CONCURRENCY` at once; a failure is kept on
        its org (and logged once, without the token) instead of raised."""
        bound = asyncio.Semaphore(CONCURRENCY)

        async def one(org: Org) -> None:
            async with bound:
                try:
                    await org.org_id()
                except AstraError as err:
                    log.warning("org %s: %s", org.name, err.user_message)

        await asyncio.gather(*(one(o) for o in self._orgs.values() if o.id is None))

    @contextlib.contextmanager
    def recording(self) -> Iterator[list[str]]:
        """Within this block (this task), the requests of every org's client are noted in
        one list (:meth:`AstraClient.recording`), which :meth:`recorded` reads: the audit
        says what was asked of Astra, whichever org a command ran in."""
        calls: list[str] = []
        with contextlib.ExitStack() as stack:
            for org in self._orgs.values():
                stack.enter_context(org.astra.recording(calls))
            yield calls

    def recorded(self) -> list[str]:
        """What :meth:`recording` noted so far in this task (every org's clients share it)."""
        return self.default.astra.recorded()

    async def aclose(self) -> None:
        for org in self._orgs.values():
            await org.astra.aclose()
