"""The composition root: settings → engine → store → clients → service → watcher → app.

Nothing else in the package builds long-lived objects; there are no module-level globals
and no import side effects. :func:`build` makes the components, each given everything it
needs at construction (one :class:`Metrics` registry, one clock); nothing is set on an
object after it is built. :func:`bot.web.asgi_app` wraps them in the Starlette app that
uvicorn serves. The parts are imported where they are built, so that a command-line tool
that needs only the store (`astra-bot perm`, `audit`) does not load Slack's and Astra's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.errors import ConfigError
from bot.metrics import Metrics
from bot.redact import Redactor
from bot.settings import Settings
from bot.store.db import is_at_head, make_engine, migrate
from bot.store.repo import Store

if TYPE_CHECKING:
    import aiohttp
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.astra.client import AstraClient
    from bot.astra.emulator import AstraEmulator, EmulatorConfig
    from bot.astra.orgs import Orgs
    from bot.ports import Directory, Notifier
    from bot.service import Service
    from bot.watcher.tick import Watcher
    from bot.work import WorkSlots

log = logging.getLogger("astra_bot")

Clock = Callable[[], float]


@dataclass(frozen=True)
class SlackParts:
    """What the bot has of Slack when it talks to the real one (not a test's notifier)."""

    client: AsyncWebClient
    bolt: AsyncApp
    #: the HTTP session private answers (response_url posts) share
    session: aiohttp.ClientSession
    #: Socket Mode: the connection to Slack (SLACK_APP_TOKEN set), else None
    socket: AsyncSocketModeHandler | None = None


@dataclass
class Components:
    settings: Settings
    engine: AsyncEngine
    store: Store
    #: the configured orgs, each with its own Astra client (bot/astra/orgs.py)
    orgs: Orgs
    service: Service
    watcher: Watcher
    emulator: AstraEmulator | None = None
    slack_parts: SlackParts | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    metrics: Metrics = field(default_factory=Metrics)

    @property
    def astra(self) -> AstraClient:
        """The default org's Astra client (with one org, the bot's only one)."""
        return self.orgs.default.astra

    @property
    def bolt(self) -> AsyncApp | None:
        return self.slack_parts.bolt if self.slack_parts else None

    @property
    def slack(self) -> AsyncWebClient | None:
        return self.slack_parts.client if self.slack_parts else None

    @property
    def socket(self) -> AsyncSocketModeHandler | None:
        """Socket Mode: the connection to Slack (see :func:`build`)."""
        return self.slack_parts.socket if self.slack_parts else None

    async def aclose(self) -> None:
        """Graceful stop: stop taking envelopes (Socket Mode), refuse new work, let commands
        in flight finish (bounded), stop the watcher (it releases its leases), then close
        the clients."""
        if self.socket is not None:
            with contextlib.suppress(Exception):
                await self.socket.close_async()  # type: ignore[no-untyped-call]
        await self.service.drain(10.0)
        dropped = self.service.slots.close()
        if dropped:
            log.warning("shutdown: %d queued commands were not run", dropped)
        self.stop.set()
        for t in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(t, timeout=10)
        await self.watcher.drain()  # an org's look a tick left under way (a slow org)
        await self.orgs.aclose()
        if self.slack_parts is not None:
            await self.slack_parts.session.close()
        await self.engine.dispose()


def make_astra(
    settings: Settings,
    *,
    sandbox: bool,
    emulator: AstraEmulator | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    metrics: Metrics | None = None,
) -> tuple[AstraClient, AstraEmulator | None]:
    """The default org's client of :func:`make_orgs` (the real DevOps API, or one wired
    in-process to the built-in emulator). ``sleep`` is the client's back-off sleep."""
    orgs, emu = make_orgs(
        settings, sandbox=sandbox, emulator=emulator, transport=transport, sleep=sleep,
        metrics=metrics,
    )  # fmt: skip
    return orgs.default.astra, emu


def make_orgs(
    settings: Settings,
    *,
    sandbox: bool,
    emulator: AstraEmulator | None = None,
    emulated: Sequence[str] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    metrics: Metrics | None = None,
) -> tuple[Orgs, AstraEmulator | None]:
    """The orgs the bot serves, one Astra client each (DESIGN §2, §5), and the emulator
    when it is Astra.

    - the real DevOps API: one client per entry of ``settings.orgs`` (ASTRA_BOT_ORGS, or
      ASTRA_DB_APPLICATION_TOKEN alone as the org ``default``);
    - ``transport`` (tests): the same clients, sent through it (the emulator tells the
      orgs apart by their tokens, as Astra does);
    - the sandbox (or no token at all): the built-in emulator, with one org per name of
      ``emulated`` (``["sandbox", "sandbox-2"]``; each client bears
      :func:`~bot.astra.emulator.org_token` of its name), or one org as before.
    """
    from bot.astra.client import AstraClient
    from bot.astra.emulator import SANDBOX_TOKEN, AstraEmulator, org_token
    from bot.astra.orgs import Org, Orgs
    from bot.work import network_wait, shared_wait

    observer = metrics.astra_call if metrics is not None else None

    def client(token: str, url: str, via: httpx.AsyncBaseTransport | None) -> AstraClient:
        return AstraClient(
            token, url, transport=via, sleep=sleep, observer=observer,
            network_wait=network_wait, shared_wait=shared_wait,
        )  # fmt: skip

    tokens = {n: t.get_secret_value() for n, t in settings.orgs.items()}
    default = settings.default_org
    via: httpx.AsyncBaseTransport | None = transport
    url = settings.astra_api_url
    emu = emulator
    if transport is None and (sandbox or not tokens):
        names = list(emulated or [])
        emu = emulator or AstraEmulator(sandbox_config(settings.emulator_speed), orgs=names or None)
        tokens = {n: org_token(n) for n in names} or {default: SANDBOX_TOKEN}
        default = default if default in tokens else next(iter(tokens))
        via, url = httpx.ASGITransport(app=emu.app), "http://astra-emulator"
    elif not tokens:
        tokens = {default: SANDBOX_TOKEN}
    orgs = [Org(name, client(token, url, via)) for name, token in tokens.items()]
    return Orgs(orgs, default), emu


def sandbox_config(speed: float = 1.0) -> EmulatorConfig:
    """The emulator's default transitions, ``speed`` times faster."""
    from bot.astra.emulator import EmulatorConfig

    return EmulatorConfig.faster(speed)


async def open_store(settings: Settings, *, clock: Clock = time.time) -> tuple[AsyncEngine, Store]:
    """The store of ``DATABASE_URL``, for the bot and the command-line tools alike. SQLite:
    migrated in place. PostgreSQL: a store not at head is refused (DESIGN §2)."""
    engine = make_engine(settings.database_url)
    try:
        if not settings.is_postgres:
            await migrate(engine)
        elif not await is_at_head(engine):
            raise ConfigError(
                "The store is not migrated to the latest revision.",
                hint="Run `astra-bot migrate` (the Procfile's release phase) once, then start "
                "the replicas.",
            )
    except BaseException:
        await engine.dispose()
        raise
    return engine, Store(engine, clock=clock, redactor=Redactor(settings.secret_values()))


def _slack(
    settings: Settings,
    service: Service,
    store: Store,
    client: AsyncWebClient,
    *,
    on_started: Callable[[], None],
    metrics: Metrics,
    socket_ping_interval: float,
) -> SlackParts:
    """Bolt's app on the bot's client, and the Socket Mode connection when the app token
    is set. slack_sdk reconnects by itself: on a close frame or a ``disconnect`` message at
    once, on a silent drop within ``socket_ping_interval`` seconds."""
    import aiohttp
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    from bot.slack.listeners import build_bolt_app, install_ack_timer

    session = aiohttp.ClientSession()  # private answers reuse its connections
    bolt = build_bolt_app(
        service, store, client, on_started=on_started, session=session, metrics=metrics
    )
    install_ack_timer(bolt, metrics)
    socket = None
    if settings.socket_mode and settings.slack_app_token is not None:
        # Slack's WebSocket, opened with apps.connections.open through the bot's own Web
        # API client, so it is counted and goes to SLACK_API_URL
        socket = AsyncSocketModeHandler(
            bolt, settings.slack_app_token.get_secret_value(), ping_interval=socket_ping_interval
        )
    return SlackParts(client=client, bolt=bolt, session=session, socket=socket)


def _core(
    settings: Settings,
    store: Store,
    orgs: Orgs,
    notifier: Notifier,
    *,
    directory: Directory | None,
    extra_admins: Mapping[str, str] | None,
    poll_interval: float | None,
    metrics: Metrics,
    clock: Clock,
    slots: WorkSlots | None,
) -> tuple[Service, Watcher]:
    """The service and the watcher, on the same store, orgs and notifier."""
    from bot.service import Service
    from bot.service.views import db_view
    from bot.watcher.tick import Watcher

    service = Service(
        settings, store, orgs, notifier, directory=directory, clock=clock,
        extra_admins=extra_admins, poll_interval=poll_interval, metrics=metrics, slots=slots,
    )  # fmt: skip
    watcher = Watcher(
        settings, store, orgs, notifier, db_view=db_view, clock=clock,
        poll_interval=poll_interval, metrics=metrics,
    )  # fmt: skip
    return service, watcher


async def build(
    settings: Settings,
    *,
    sandbox: bool = False,
    notifier: Notifier | None = None,
    directory: Directory | None = None,
    astra_transport: httpx.AsyncBaseTransport | None = None,
    emulator: AstraEmulator | None = None,
    emulated_orgs: Sequence[str] | None = None,
    extra_admins: Mapping[str, str] | None = None,
    poll_interval: float | None = None,
    astra_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    metrics: Metrics | None = None,
    clock: Clock = time.time,
    socket_ping_interval: float = 10.0,
    work_slots: WorkSlots | None = None,
) -> Components:
    """Every long-lived part, built once, each given what it needs. ``notifier``: a test's
    (no Slack then); ``clock``: the store's, the service's and the watcher's time;
    ``work_slots``: where commands run after the ack (bot/work.py's defaults otherwise);
    ``emulated_orgs``: the sandbox's orgs by name (the shell's and `serve --sandbox`'s
    ``--orgs``; default: one). The orgs' ids are learned after start-up (bot/web.py)."""
    from bot.slack.directory import SlackDirectory
    from bot.slack.notifier import SlackNotifier
    from bot.slack.web_api import make_web_client

    metrics = metrics or Metrics()
    engine, store = await open_store(settings, clock=clock)
    orgs, emu = make_orgs(
        settings, sandbox=sandbox, emulator=emulator, emulated=emulated_orgs,
        transport=astra_transport, sleep=astra_sleep, metrics=metrics,
    )  # fmt: skip
    client = None
    if notifier is None:
        if settings.slack_bot_token is None:
            raise ConfigError("SLACK_BOT_TOKEN is not set.")
        client = make_web_client(
            settings.slack_bot_token.get_secret_value(), settings.slack_api_url, metrics=metrics
        )
        notifier = SlackNotifier(client, metrics=metrics)
        directory = directory or SlackDirectory(client)
    service, watcher = _core(
        settings, store, orgs, notifier, directory=directory, extra_admins=extra_admins,
        poll_interval=poll_interval, metrics=metrics, clock=clock, slots=work_slots,
    )  # fmt: skip
    parts = None
    if client is not None:
        parts = _slack(
            settings, service, store, client, on_started=watcher.wake, metrics=metrics,
            socket_ping_interval=socket_ping_interval,
        )  # fmt: skip
    return Components(
        settings=settings, engine=engine, store=store, orgs=orgs, service=service,
        watcher=watcher, emulator=emu, slack_parts=parts, metrics=metrics,
    )  # fmt: skip
