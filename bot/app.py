"""The composition root: settings → engine → store → clients → service → watcher → app.

Nothing else in the package builds long-lived objects; there are no module-level globals
and no import side effects. :func:`build` makes the components; :func:`asgi_app` wraps them
in the Starlette app that uvicorn serves (``/slack/events``, ``/healthz``, ``/readyz``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import httpx
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot import org_commands
from bot.astra.client import AstraClient
from bot.astra.emulator import SANDBOX_TOKEN, AstraEmulator, EmulatorConfig
from bot.errors import BotError, ConfigError
from bot.ports import Directory, Notifier
from bot.service import Service
from bot.settings import Settings
from bot.slack.app import SlackDirectory, SlackNotifier, build_bolt_app, make_web_client
from bot.store.db import is_at_head, make_engine, migrate
from bot.store.repo import Store
from bot.watcher import Watcher

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

    async def aclose(self) -> None:
        """Graceful stop: refuse new work, let commands in flight finish (bounded), stop the
        watcher (it releases its leases), then close the clients."""
        await self.service.drain(10.0)
        self.stop.set()
        for t in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(t, timeout=10)
        await self.astra.aclose()
        await self.engine.dispose()


def make_astra(
    settings: Settings,
    *,
    sandbox: bool,
    emulator: AstraEmulator | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> tuple[AstraClient, AstraEmulator | None]:
    """The real DevOps API client, or one wired in-process to the built-in emulator.
    ``sleep`` is the client's back-off sleep (tests make it instant)."""
    if transport is not None:
        token = settings.astra_token.get_secret_value() if settings.astra_token else SANDBOX_TOKEN
        return AstraClient(token, settings.astra_api_url, transport=transport,
                           sleep=sleep), emulator
    if sandbox or settings.astra_token is None:
        emu = emulator or AstraEmulator(sandbox_config(settings.emulator_speed))
        client = AstraClient(SANDBOX_TOKEN, "http://astra-emulator",
                             transport=httpx.ASGITransport(app=emu.app))
        return client, emu
    return AstraClient(settings.astra_token.get_secret_value(), settings.astra_api_url), None


def sandbox_config(speed: float = 1.0) -> EmulatorConfig:
    """The emulator's default transitions, ``speed`` times faster."""
    base = EmulatorConfig()
    durations = {f: getattr(base, f) / speed for f in (
        "pending_s", "initializing_s", "terminating_s", "maintenance_s", "parking_s",
        "unparking_s", "resizing_s", "datacenter_s")}
    return EmulatorConfig(**durations)


async def prepare_store(settings: Settings, engine: AsyncEngine) -> Store:
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
    return Store(engine)


async def build(
    settings: Settings,
    *,
    sandbox: bool = False,
    notifier: Notifier | None = None,
    directory: Directory | None = None,
    astra_transport: httpx.AsyncBaseTransport | None = None,
    emulator: AstraEmulator | None = None,
    extra_admins: frozenset[str] = frozenset(),
    poll_interval: float | None = None,
    astra_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Components:
    engine = make_engine(settings.database_url)
    try:
        store = await prepare_store(settings, engine)
    except BaseException:
        await engine.dispose()
        raise
    astra, emu = make_astra(settings, sandbox=sandbox, emulator=emulator,
                            transport=astra_transport, sleep=astra_sleep)
    bolt = None
    if notifier is None:
        if settings.slack_bot_token is None:
            raise ConfigError("SLACK_BOT_TOKEN is not set.")
        client = make_web_client(settings.slack_bot_token.get_secret_value(),
                                 settings.slack_api_url)
        notifier = SlackNotifier(client)
        directory = directory or SlackDirectory(client)
    service = Service(settings, store, astra, notifier, directory=directory,
                      extra_admins=extra_admins, poll_interval=poll_interval)
    org_commands.register(service)
    watcher = Watcher(settings, store, astra, notifier, poll_interval=poll_interval)
    if isinstance(notifier, SlackNotifier):
        secret = (None if settings.socket_mode or settings.slack_signing_secret is None
                  else settings.slack_signing_secret.get_secret_value())
        bolt = build_bolt_app(service, notifier.client, signing_secret=secret,
                              on_started=watcher.wake)
    return Components(settings=settings, engine=engine, store=store, astra=astra,
                      service=service, watcher=watcher, emulator=emu, bolt=bolt)


def asgi_app(components: Components, *, with_watcher: bool = True) -> Starlette:
    """The HTTP app: Slack's request URL, health and readiness."""
    assert components.bolt is not None
    handler = AsyncSlackRequestHandler(components.bolt)

    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"ok": True})

    async def readyz(_: Request) -> Response:
        problems: list[str] = []
        try:
            await components.store.ping()
            if not await is_at_head(components.engine):
                problems.append("store not migrated to head")
        except BotError as err:
            problems.append(err.user_message)
        status = 200 if not problems else 503
        return JSONResponse({"ok": not problems, "problems": problems}, status_code=status)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if with_watcher:
            components.tasks.append(
                asyncio.create_task(components.watcher.run(components.stop)))
        try:
            yield
        finally:
            await components.aclose()

    return Starlette(
        routes=[
            Route("/slack/events", slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
