"""/healthz and /readyz: the store reachable and at head, Slack and Astra reachable
recently — known from the calls the bot makes, probed only when nothing recent is known."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.astra.emulator import AstraEmulator
from bot.metrics import Metrics
from bot.store.db import downgrade, migrate
from bot.web import READY_FRESH_S, READY_RETRY_S
from tests.conftest import BotHarness, FakeClock, bot_harness
from tests.fakes.slack_api import FakeSlack


class Mono:
    """A fake monotonic clock for the peers' "recently"."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def bot(
    tmp_path: Path, slack: FakeSlack, emulator: AstraEmulator, clock: FakeClock
) -> AsyncIterator[BotHarness]:
    """The bot whose peers' "recently" is read on a fake monotonic clock (:class:`Mono`)."""
    metrics = Metrics(clock=Mono())
    async with bot_harness(tmp_path, slack, emulator, clock, metrics=metrics) as harness:
        yield harness


def _mono(bot: BotHarness) -> Mono:
    mono = bot.components.metrics.peers.clock
    assert isinstance(mono, Mono)
    return mono


async def _ready(bot: BotHarness) -> tuple[int, list[str]]:
    resp = await bot.http.get("/readyz")
    body = resp.json()
    assert body["ok"] is (resp.status_code == 200)
    return resp.status_code, body["problems"]


async def test_healthz_answers(bot: BotHarness) -> None:
    resp = await bot.http.get("/healthz")
    assert resp.status_code == 200 and resp.json() == {"ok": True}


async def test_ready_probes_once_then_trusts_recent_answers(bot: BotHarness) -> None:
    mono = _mono(bot)
    assert await _ready(bot) == (200, [])
    probes = len(bot.slack.calls("auth.test")), bot.emulator.count("GET", "/v2/currentOrg")
    assert probes == (1, 1)
    for _ in range(5):  # a load balancer probing every second costs nothing
        mono.now += 1
        assert await _ready(bot) == (200, [])
    assert (
        len(bot.slack.calls("auth.test")),
        bot.emulator.count("GET", "/v2/currentOrg"),
    ) == probes
    # traffic keeps the peers fresh: a command talks to both
    mono.now += READY_FRESH_S - 10
    await bot.command("db create orders")
    after = len(bot.slack.calls("auth.test")), bot.emulator.count("GET", "/v2/currentOrg")
    mono.now += 20  # the startup probe is stale now, the command's answers are not
    assert await _ready(bot) == (200, [])
    assert (len(bot.slack.calls("auth.test")), bot.emulator.count("GET", "/v2/currentOrg")) == after
    # idle for longer than READY_FRESH_S: one probe each again
    mono.now += READY_FRESH_S + 1
    assert await _ready(bot) == (200, [])
    assert (len(bot.slack.calls("auth.test")), bot.emulator.count("GET", "/v2/currentOrg")) == (
        after[0] + 1,
        after[1] + 1,
    )


async def test_not_ready_while_astra_fails_and_ready_again_after(bot: BotHarness) -> None:
    mono = _mono(bot)
    assert (await _ready(bot))[0] == 200
    bot.emulator.inject_fault(503, count=10, method="GET", path_prefix="/v2/databases")
    await bot.command("db list")  # a user's command meets the outage
    status, problems = await _ready(bot)
    assert status == 503
    assert problems == ["astra is unreachable or refuses the bot (HTTP 503)"]
    calls = bot.emulator.count("GET", "/v2/currentOrg")
    assert (await _ready(bot))[0] == 503  # the failure is recent: not asked again yet
    assert bot.emulator.count("GET", "/v2/currentOrg") == calls
    mono.now += READY_RETRY_S + 1  # later: asked again, and it answers
    assert await _ready(bot) == (200, [])
    assert bot.emulator.count("GET", "/v2/currentOrg") == calls + 1


async def test_not_ready_when_slack_rejects_the_token(bot: BotHarness) -> None:
    mono = _mono(bot)
    assert (await _ready(bot))[0] == 200
    bot.slack.bot_tokens = set()  # the app was uninstalled
    mono.now += READY_FRESH_S + 1
    status, problems = await _ready(bot)
    assert status == 503
    assert problems == ["slack is unreachable or refuses the bot (invalid_auth)"]


async def test_not_ready_when_astra_rejects_the_token(bot: BotHarness) -> None:
    mono = _mono(bot)
    assert (await _ready(bot))[0] == 200
    bot.emulator.config.tokens.clear()  # the token was revoked
    mono.now += READY_FRESH_S + 1
    status, problems = await _ready(bot)
    assert status == 503
    assert problems == ["astra is unreachable or refuses the bot (token rejected (401))"]


async def test_not_ready_when_the_store_is_not_at_head(bot: BotHarness) -> None:
    engine = bot.components.engine
    await downgrade(engine, "base")
    status, problems = await _ready(bot)
    assert status == 503
    assert problems == ["store not migrated to head (run `astra-bot migrate`)"]
    await migrate(engine)
    assert await _ready(bot) == (200, [])


async def test_metrics_and_health_need_no_signature(bot: BotHarness) -> None:
    """Probes and scrapers are not Slack: no signature asked; /slack/events still asks."""
    assert (await bot.http.get("/metrics")).status_code == 200
    resp = await bot.http.post(
        "/slack/events",
        content="command=%2Fastra&text=db+list",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert resp.status_code == 401
