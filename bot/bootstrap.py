"""The composition root: settings → engine → store → clients → service → watcher → app.

Nothing else in the package builds long-lived objects; there are no module-level globals
and no import side effects. :func:`build` makes the components (one :class:`Metrics`
registry, handed to every client); :func:`bot.web.asgi_app` wraps them in the Starlette app
that uvicorn serves.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

import aiohttp
import httpx
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.astra.client import AstraClient
from bot.astra.emulator import SANDBOX_TOKEN, AstraEmulator, EmulatorConfig
from bot.errors import ConfigError
from bot.metrics import Metrics
from bot.ports import Directory, Notifier
from bot.redact import Redactor
from bot.service import Service
from bot.service.views import db_view
from bot.settings import Settings
from bot.slack.app import (
    SlackDirectory,
    SlackNotifier,
    build_bolt_app,
    install_ack_timer,
    make_web_client,
)
from bot.store.db import is_at_head, make_engine, migrate
from bot.store.repo import Store
from bot.watcher.tick import Watcher

log = logging.getLogger("astra_bot")

@dataclass
class Components:
    settings: Settings
    engine: AsyncEngine
    store: Store
    astra: AstraClient
    service: Service
    watcher: Watcher
    emulator: AstraEmulator | None = None
    bolt: AsyncApp | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    metrics: Metrics = field(default_factory=Metrics)
    slack: AsyncWebClient | None = None
    #: Socket Mode: the connection to Slack (see :func:`socket_mode_handler`).
    socket: AsyncSocketModeHandler | None = None
    #: the HTTP session private answers (response_url posts) share
    session: aiohttp.ClientSession | None = None
    _probing: dict[str, asyncio.Lock] = field(default_factory=dict)

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
        await self.astra.aclose()
        if self.session is not None:
            await self.session.close()
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
    """The real DevOps API client, or one wired in-process to the built-in emulator.
    ``sleep`` is the client's back-off sleep (tests make it instant)."""
    observer = metrics.astra_call if metrics is not None else None
    if transport is not None:
        token = settings.astra_token.get_secret_value() if settings.astra_token else SANDBOX_TOKEN
        return AstraClient(token, settings.astra_api_url, transport=transport,
                           sleep=sleep, observer=observer), emulator
    if sandbox or settings.astra_token is None:
        emu = emulator or AstraEmulator(sandbox_config(settings.emulator_speed))
        client = AstraClient(SANDBOX_TOKEN, "http://astra-emulator",
                             transport=httpx.ASGITransport(app=emu.app), observer=observer)
        return client, emu
    return AstraClient(settings.astra_token.get_secret_value(), settings.astra_api_url,
                       observer=observer), None


def sandbox_config(speed: float = 1.0) -> EmulatorConfig:
    """The emulator's default transitions, ``speed`` times faster."""
    return EmulatorConfig.faster(speed)


async def prepare_store(settings: Settings, engine: AsyncEngine, *,
                        clock: Callable[[], float] = time.time) -> Store:
    """SQLite: migrate in place. PostgreSQL: refuse a store not at head (DESIGN §2)."""
    if settings.is_postgres:
        if not await is_at_head(engine):
            raise ConfigError(
                "The store is not migrated to the latest revision.",
                hint="Run `astra-bot migrate` (the Procfile's release phase) once, then start "
                "the replicas.",
            )
    else:
        await migrate(engine)
    return Store(engine, clock=clock, redactor=Redactor(settings.secret_values()))


async def build(
    settings: Settings,
    *,
    sandbox: bool = False,
    notifier: Notifier | None = None,
    directory: Directory | None = None,
    astra_transport: httpx.AsyncBaseTransport | None = None,
    emulator: AstraEmulator | None = None,
    extra_admins: Mapping[str, str] | None = None,
    poll_interval: float | None = None,
    astra_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    metrics: Metrics | None = None,
    clock: Callable[[], float] = time.time,
) -> Components:
    """Every long-lived part, built once, each given what it needs (``clock``: the store's,
    the service's and the watcher's time; tests give a fake one)."""
    metrics = metrics or Metrics()
    engine = make_engine(settings.database_url)
    try:
        store = await prepare_store(settings, engine, clock=clock)
    except BaseException:
        await engine.dispose()
        raise
    astra, emu = make_astra(settings, sandbox=sandbox, emulator=emulator,
                            transport=astra_transport, sleep=astra_sleep, metrics=metrics)
    bolt = None
    if notifier is None:
        if settings.slack_bot_token is None:
            raise ConfigError("SLACK_BOT_TOKEN is not set.")
        client = make_web_client(settings.slack_bot_token.get_secret_value(),
                                 settings.slack_api_url, metrics=metrics)
        notifier = SlackNotifier(client, metrics=metrics)
        directory = directory or SlackDirectory(client)
    service = Service(settings, store, astra, notifier, directory=directory, clock=clock,
                      extra_admins=extra_admins, poll_interval=poll_interval, metrics=metrics)
    watcher = Watcher(settings, store, astra, notifier, db_view=db_view, clock=clock,
                      poll_interval=poll_interval, metrics=metrics)
    slack = None
    session: aiohttp.ClientSession | None = None
    if isinstance(notifier, SlackNotifier):
        slack = notifier.client
        session = aiohttp.ClientSession()  # private answers reuse its connections
        bolt = build_bolt_app(service, notifier.client, on_started=watcher.wake,
                              session=session)
        install_ack_timer(bolt, metrics)
    return Components(settings=settings, engine=engine, store=store, astra=astra,
                      service=service, watcher=watcher, emulator=emu, bolt=bolt,
                      metrics=metrics, slack=slack, session=session)


def socket_mode_handler(components: Components, *,
                        ping_interval: float = 10.0) -> AsyncSocketModeHandler:
    """The Socket Mode connection of ``components`` (Slack's WebSocket, opened with
    ``apps.connections.open`` through the bot's own Web API client, so it is counted and
    goes to ``SLACK_API_URL``). slack_sdk reconnects by itself: on a close frame or a
    ``disconnect`` message at once, on a silent drop within ``ping_interval`` seconds."""
    settings = components.settings
    if components.bolt is None or settings.slack_app_token is None:
        raise ConfigError("Socket Mode needs SLACK_APP_TOKEN (xapp-…) and SLACK_BOT_TOKEN.")
    handler = AsyncSocketModeHandler(components.bolt, settings.slack_app_token.get_secret_value(),
                                     ping_interval=ping_interval)
    components.socket = handler
    return handler
