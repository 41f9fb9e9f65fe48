"""Shared fixtures: the Astra emulator, a fake Slack Web API, the bot wired to both.

- ``clock``: a fake clock the emulator and the bot share, so transitions take no real time.
- ``emulator``: the stateful Astra emulator (in-process, through ``httpx.ASGITransport``).
- ``slack``: the local HTTP fake of the Slack Web API (a real aiohttp server on a port).
- ``bot``: the bot's real ASGI app (Bolt + Starlette) with the store on SQLite in a temp dir,
  Astra = the emulator, Slack = the fake; ``bot.command()`` and ``bot.click()`` send requests
  signed with slack_sdk's SignatureVerifier; ``bot.tick()`` runs one watcher pass.
- ``bot2``: the same, serving two orgs, ``prod`` (the default) and ``dev``, each its own
  org of ``emulator2`` (``emulator2.org("dev")``), told apart by token as Astra does.
- ``shell_bot``: the same service with a recording notifier, for tests below the HTTP layer.
- ``pg_url``: a PostgreSQL URL (TEST_DATABASE_URL), or the test is skipped with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.astra.emulator import SANDBOX_TOKEN, AstraEmulator, EmulatorConfig, org_token
from bot.bootstrap import Components, build
from bot.metrics import Metrics
from bot.render import Message
from bot.service import Request
from bot.settings import Settings
from bot.web import asgi_app
from bot.work import WorkSlots
from tests.fakes.slack_api import (
    DEFAULT_BOT_TOKEN,
    FakeSlack,
    block_actions_body,
    sign_request,
    slash_command_body,
)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SIGNING_SECRET = "test-signing-secret"
ADMIN = "UADMIN"


class FakeClock:
    """Starts at the real time (the emulator stamps creation times with it)."""

    def __init__(self, start: float | None = None) -> None:
        self.now = time.time() if start is None else start
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        """The Astra client's back-off: recorded, and instant (fake time advances)."""
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


FAST = {
    "pending_s": 1.0,
    "initializing_s": 2.0,
    "terminating_s": 2.0,
    "maintenance_s": 1.0,
    "parking_s": 2.0,
    "unparking_s": 2.0,
    "resizing_s": 2.0,
    "datacenter_s": 2.0,
}


@pytest.fixture
def emulator(clock: FakeClock) -> AstraEmulator:
    return AstraEmulator(EmulatorConfig(clock=clock, **FAST))  # type: ignore[arg-type]


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


def make_settings(tmp_path: Path, **over: Any) -> Settings:
    env = {
        "SLACK_BOT_TOKEN": DEFAULT_BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "ASTRA_DB_APPLICATION_TOKEN": SANDBOX_TOKEN,
        "ASTRA_API_URL": "http://astra-emulator",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        "ASTRA_BOT_ADMINS": ADMIN,
        "ASTRA_BOT_POLL_INTERVAL": "1",
    }
    env.update({k: str(v) for k, v in over.items()})
    return Settings.model_validate(env)


@dataclass
class BotHarness:
    components: Components
    http: httpx.AsyncClient
    slack: FakeSlack
    emulator: AstraEmulator
    clock: FakeClock
    channel: str = "C1"
    _n: int = field(default=0)
    vars: dict[str, str] = field(default_factory=dict)

    @property
    def store(self) -> Any:
        return self.components.store

    async def post_signed(
        self,
        body: str,
        *,
        content_type: str,
        secret: str = SIGNING_SECRET,
        timestamp: int | None = None,
    ) -> httpx.Response:
        headers = sign_request(secret, body, timestamp)
        headers["Content-Type"] = content_type
        return await self.http.post("/slack/events", content=body, headers=headers)

    async def command(
        self, text: str, *, user: str = ADMIN, channel: str | None = None, wait: bool = True
    ) -> httpx.Response:
        """Send a signed `/astra text`; wait until the bot answered (privately or publicly)."""
        self._n += 1
        rid = f"r{self._n}"
        body = slash_command_body(
            text,
            user_id=user,
            channel_id=channel or self.channel,
            response_url=self.slack.response_url(rid),
        )
        before = len(self.slack.calls())
        resp = await self.post_signed(body, content_type="application/x-www-form-urlencoded")
        if wait:
            await self.settle(before)
        return resp

    async def click(
        self,
        action_id: str,
        value: str,
        *,
        user: str = ADMIN,
        channel: str | None = None,
        message_ts: str = "1.0",
        wait: bool = True,
    ) -> httpx.Response:
        self._n += 1
        body = block_actions_body(
            action_id,
            value,
            user_id=user,
            channel_id=channel or self.channel,
            message_ts=message_ts,
            response_url=self.slack.response_url(f"r{self._n}"),
        )
        resp = await self.post_signed(body, content_type="application/x-www-form-urlencoded")
        if wait:
            await self.settle()
        return resp

    async def settle(self, _before: int = 0) -> None:
        """Let the work that runs after the ack finish (up to 10 s: a Slack 429 is retried
        after Retry-After)."""
        try:
            await asyncio.wait_for(self.components.service.idle(), 10)
        except TimeoutError:
            raise AssertionError("the bot's work after the ack did not finish") from None

    async def grant(self, user: str, role: str) -> None:
        await self.store.grant("user", user, role, None, "test")

    async def tick(self, advance: float = 0.0) -> Any:
        self.clock.advance(advance)
        return await self.components.watcher.tick()

    async def run_until_idle(self, *, step: float = 1.0, max_ticks: int = 50) -> None:
        """Advance time and tick until no operation is pending."""
        for _ in range(max_ticks):
            await self.tick(step)
            if (
                not await self.store.pending_operations(limit=1)
                and not await self.store.pending_notice_count()
            ):
                return
        raise AssertionError("operations still pending")

    def private_texts(self) -> list[str]:
        return [p.text or "" for p in self.slack.response_url_posts]

    def channel_posts(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Messages Slack accepted in the channel (refused attempts are left out)."""
        return [
            c.params
            for c in self.slack.calls("chat.postMessage")
            if c.ok and c.params.get("channel") == (channel or self.channel)
        ]


@contextlib.asynccontextmanager
async def bot_harness(
    tmp_path: Path,
    slack: FakeSlack,
    emulator: AstraEmulator,
    clock: FakeClock,
    work_slots: WorkSlots | None = None,
    metrics: Metrics | None = None,
    **settings: Any,
) -> AsyncIterator[BotHarness]:
    """The bot's real ASGI app wired to the fakes, with extra settings (TTL, PostgreSQL…)
    and, for a test of queueing or of readiness, its own work slots or metrics."""
    components = await build(
        make_settings(tmp_path, SLACK_API_URL=slack.api_url, **settings),
        astra_transport=httpx.ASGITransport(app=emulator.app),
        emulator=emulator,
        poll_interval=1.0,
        astra_sleep=clock.sleep,
        clock=clock,
        work_slots=work_slots,
        metrics=metrics,
    )
    app = asgi_app(components, with_watcher=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bot"
    ) as http:
        harness = BotHarness(components, http, slack, emulator, clock)
        try:
            yield harness
            await harness.settle()
        finally:
            await components.aclose()


@pytest.fixture
async def bot(
    tmp_path: Path, slack: FakeSlack, emulator: AstraEmulator, clock: FakeClock
) -> AsyncIterator[BotHarness]:
    async with bot_harness(tmp_path, slack, emulator, clock) as harness:
        yield harness


@pytest.fixture
async def one_slot_bot(
    tmp_path: Path, slack: FakeSlack, emulator: AstraEmulator, clock: FakeClock
) -> AsyncIterator[BotHarness]:
    """The bot with one work slot and room for one command: the others queue."""
    async with bot_harness(tmp_path, slack, emulator, clock, WorkSlots(1, 1)) as harness:
        yield harness


#: The orgs of ``bot2``, in their configured order (the first is the default).
TWO_ORGS = ("prod", "dev")


def orgs_setting(*names: str, **tokens: str) -> str:
    """ASTRA_BOT_ORGS for emulated orgs: each name with its emulated token, unless given."""
    return json.dumps({n: tokens.get(n, org_token(n)) for n in names})


@pytest.fixture
def emulator2(clock: FakeClock) -> AstraEmulator:
    """An emulator of two orgs, prod (``emulator2`` itself) and dev (``.org("dev")``)."""
    return AstraEmulator(EmulatorConfig(clock=clock, **FAST), orgs=TWO_ORGS)  # type: ignore[arg-type]


@pytest.fixture
async def bot2(
    tmp_path: Path, slack: FakeSlack, emulator2: AstraEmulator, clock: FakeClock
) -> AsyncIterator[BotHarness]:
    """The bot serving the orgs prod (the default) and dev of ``emulator2``."""
    orgs = orgs_setting(*TWO_ORGS)
    async with bot_harness(tmp_path, slack, emulator2, clock, ASTRA_BOT_ORGS=orgs) as harness:
        yield harness


class RecordingNotifier:
    """Records what would be posted/updated in channels (for service-level tests)."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, Message, str | None]] = []
        self.updates: list[tuple[str, str, Message]] = []
        self._n = 0

    async def post(
        self,
        channel: str,
        message: Message,
        *,
        thread_ts: str | None = None,
        broadcast: bool = False,
    ) -> str | None:
        self._n += 1
        ts = f"1700000000.{self._n:06d}"
        self.posts.append((channel, message, ts))
        return ts

    async def update(self, channel: str, ts: str, message: Message) -> None:
        self.updates.append((channel, ts, message))


class RecordingReplier:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.replaced: list[Message] = []

    async def private(self, message: Message) -> None:
        self.messages.append(message)

    async def replace(self, message: Message) -> None:
        self.replaced.append(message)
        self.messages.append(message)

    @property
    def last(self) -> str:
        return self.messages[-1].text if self.messages else ""


@dataclass
class ServiceHarness:
    components: Components
    notifier: RecordingNotifier
    emulator: AstraEmulator
    clock: FakeClock

    async def run(self, text: str, *, user: str = ADMIN, channel: str = "C1") -> RecordingReplier:
        reply = RecordingReplier()
        await self.components.service.handle_command(
            Request(user_id=user, channel_id=channel, correlation_id=uuid.uuid4().hex[:12]),
            text,
            reply,
        )
        return reply

    async def click(
        self, action_id: str, value: str, *, user: str = ADMIN, channel: str = "C1"
    ) -> RecordingReplier:
        reply = RecordingReplier()
        await self.components.service.handle_action(
            Request(user_id=user, channel_id=channel, source="click"), action_id, value, None, reply
        )
        return reply

    async def run_until_idle(self, *, step: float = 1.0, max_ticks: int = 60) -> None:
        store = self.components.store
        for _ in range(max_ticks):
            self.clock.advance(step)
            await self.components.watcher.tick()
            if (
                not await store.pending_operations(limit=1)
                and not await store.pending_notice_count()
            ):
                return
        raise AssertionError("operations still pending")


@pytest.fixture
async def shell_bot(
    tmp_path: Path, emulator: AstraEmulator, clock: FakeClock
) -> AsyncIterator[ServiceHarness]:
    settings = make_settings(tmp_path)
    notifier = RecordingNotifier()
    components = await build(
        settings,
        notifier=notifier,
        astra_transport=httpx.ASGITransport(app=emulator.app),
        emulator=emulator,
        poll_interval=1.0,
        astra_sleep=clock.sleep,
        clock=clock,
    )
    try:
        yield ServiceHarness(components, notifier, emulator, clock)
    finally:
        await components.aclose()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip(
            "PostgreSQL tests need TEST_DATABASE_URL "
            "(e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test); .ci/run sets it"
        )
    yield url


@contextlib.asynccontextmanager
async def fresh_pg_database(pg_url: str) -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database; dropped afterwards (skips when unusable)."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    name = f"astra_bot_t_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        await admin.dispose()
        pytest.skip(f"PostgreSQL at TEST_DATABASE_URL is not usable: {type(exc).__name__}")
    try:
        yield make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture
async def pg_database(pg_url: str) -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    async with fresh_pg_database(pg_url) as url:
        yield url


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "reference" / "astra-devops").is_dir():
        pytest.skip(f"needs ../shared/reference/astra-devops beside the repo ({SHARED})")
    return SHARED
