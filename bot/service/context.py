"""One request's context: who asks where, the rules read once, draining and work slots."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.astra.orgs import Org, Orgs
from bot.errors import BotError
from bot.logs import correlation
from bot.policy import Actor, Place, Rules
from bot.ports import Directory
from bot.settings import Settings
from bot.store.repo import Store
from bot.work import WorkSlots

log = logging.getLogger("astra_bot.service")

Clock = Callable[[], float]

RESTARTING = ":hourglass: astra-bot is restarting; try again in a few seconds."


@dataclass(frozen=True)
class Request:
    """Who asks, and where, and in which org. ``correlation_id`` ties logs, audit rows and
    error refs. ``org`` is None until the dispatcher decided the org of the command (once,
    bot/service/dispatch.py); every request it runs carries it."""

    user_id: str
    channel_id: str
    is_dm: bool = False
    thread_ts: str | None = None
    source: str = "command"
    correlation_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    org: Org | None = None

    @property
    def place(self) -> Place:
        """Where it runs, for the policy: the channel, and the org once decided."""
        return Place(self.channel_id, self.is_dm, self.org.name if self.org is not None else None)


def org_of(req: Request) -> Org:
    """The org a request runs in, once the dispatcher decided it (every one it runs)."""
    if req.org is None:
        raise BotError("This command was not given an organization to run in.")
    return req.org


@dataclass(eq=False)
class Context:
    """What every part of a command shares: the clock, the organizations, the admins, and
    the permission rules, read once per command or click (then reused by help, the buttons
    of `db get`, …) and never across two: a revoke applies to the next one."""

    settings: Settings
    store: Store
    orgs: Orgs
    directory: Directory | None = None
    clock: Clock = time.time
    #: admins the program running the bot adds (user id → why, as `perm list` says it)
    extra_admins: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.extra_admins = dict(self.extra_admins)
        self.admins = self.settings.admins | frozenset(self.extra_admins)
        self._rules: contextvars.ContextVar[Rules | None] = contextvars.ContextVar(
            "rules", default=None
        )
        self._rules_scope: contextvars.ContextVar[bool] = contextvars.ContextVar(
            "rules_scope", default=False
        )

    def now(self) -> float:
        return self.clock()

    async def rules(self) -> Rules:
        cached = self._rules.get()
        if cached is not None:
            return cached
        rules = await self.store.rules(self.admins, self.settings.default_guard)
        if self._rules_scope.get():
            self._rules.set(rules)
        return rules

    @contextlib.contextmanager
    def one_read_of_rules(self) -> Iterator[None]:
        scope = self._rules_scope.set(True)
        fresh = self._rules.set(None)
        try:
            yield
        finally:
            self._rules.reset(fresh)
            self._rules_scope.reset(scope)

    async def actor(self, user_id: str, rules: Rules) -> Actor:
        groups = frozenset(b.subject_id for b in rules.bindings if b.subject_type == "usergroup")
        if not groups or self.directory is None:
            return Actor(user_id)
        return Actor(user_id, await self.directory.usergroups_of(user_id, groups))

    async def rules_and_actor(self, user_id: str) -> tuple[Rules, Actor]:
        rules = await self.rules()
        return rules, await self.actor(user_id, rules)

    def admin_source(self, user_id: str) -> str:
        """Why a user is an admin outside the bindings: the setting, or the program."""
        if user_id in self.settings.admins:
            return "ASTRA_BOT_ADMINS"
        return self.extra_admins.get(user_id, "ASTRA_BOT_ADMINS")

    def usergroups_unreadable(self) -> bool:
        return self.directory is not None and bool(getattr(self.directory, "unavailable", False))


class Lifecycle:
    """Draining and work slots: what runs after the ack, and what shutdown waits for."""

    def __init__(self, ctx: Context, slots: WorkSlots) -> None:
        self.ctx = ctx
        self.closing = False
        self.slots = slots
        self._inflight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def background(self, work: Coroutine[Any, Any, None], what: str = "request") -> None:
        """Run ``work`` after the ack, when the work slots allow (bot/work.py), counted for
        draining from now on (not from when it starts), its failure logged."""
        self._begin()

        def _done(error: BaseException | None) -> None:
            self._end()
            if error is not None and not isinstance(error, asyncio.CancelledError):
                log.error("%s failed", what, exc_info=error)

        self.slots.submit(work, _done)

    @contextlib.asynccontextmanager
    async def request(self, req: Request) -> AsyncIterator[None]:
        """One command or click: counted for draining, its Astra calls noted for the audit,
        its correlation id on every log line, the rules read once."""
        self._begin()
        try:
            with (
                self.ctx.orgs.recording(),
                correlation(req.correlation_id),
                self.ctx.one_read_of_rules(),
            ):
                yield
        finally:
            self._end()

    def _begin(self) -> None:
        """One more command, click or queued work that drain() waits for."""
        self._inflight += 1
        self._idle.clear()

    def _end(self) -> None:
        self._inflight -= 1
        if self._inflight == 0:
            self._idle.set()

    async def warm(self) -> None:
        """Once at start-up, after the server listens: the store compiles and caches the
        statements every command runs (the rules), so that the first command does not
        pay for it while acks are waiting."""
        try:
            await self.ctx.rules()
        except BotError as err:
            log.warning("warm-up: %s", err.user_message)

    async def idle(self) -> None:
        """Until no command, click or other post-ack work is running or queued."""
        await self._idle.wait()

    async def drain(self, timeout_s: float) -> bool:
        """Stop taking new work and wait (bounded) for commands and clicks in flight."""
        self.closing = True
        try:
            await asyncio.wait_for(self._idle.wait(), timeout_s)
        except TimeoutError:
            log.warning(
                "shutdown: %d commands still running after %.0fs", self._inflight, timeout_s
            )
            return False
        return True
