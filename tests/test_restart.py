"""Real processes: `kill -9` of the bot loses nothing, SIGTERM stops it cleanly.

The emulator runs in its own process here, so that Astra's state outlives the bot."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.astra.emulator import SANDBOX_TOKEN
from tests.conftest import SIGNING_SECRET
from tests.fakes.slack_api import DEFAULT_BOT_TOKEN, FakeSlack, sign_request, slash_command_body

BASE_ENV = {
    k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ASTRA_", "DATABASE_URL"))
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _wait_http(url: str, limit_s: float = 15.0) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(int(limit_s / 0.05)):
            try:
                if (await http.get(url)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError(f"{url} never answered")


@pytest.fixture
async def emulator_url() -> AsyncIterator[str]:
    port = _free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.astra.emulator",
        "--port",
        str(port),
        "--speed",
        "2",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        await _wait_http(f"{url}/_emulator/health")
        yield url
    finally:
        proc.kill()
        await proc.wait()


class Bot:
    def __init__(self, tmp_path: Path, slack: FakeSlack, astra_url: str) -> None:
        self.port = _free_port()
        self.env = {
            **BASE_ENV,
            "SLACK_BOT_TOKEN": DEFAULT_BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "PORT": str(self.port),
            "ASTRA_BOT_ADMINS": "UADMIN",
            "ASTRA_API_URL": astra_url,
            "ASTRA_DB_APPLICATION_TOKEN": SANDBOX_TOKEN,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
            "ASTRA_BOT_POLL_INTERVAL": "0.2",
        }
        self.cwd = tmp_path
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "serve",
            cwd=self.cwd,
            env=self.env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        await _wait_http(f"http://127.0.0.1:{self.port}/healthz")

    async def command(self, text: str, slack: FakeSlack) -> None:
        body = slash_command_body(
            text, user_id="UADMIN", channel_id="C1", response_url=slack.response_url("x")
        )
        headers = {
            **sign_request(SIGNING_SECRET, body),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        async with httpx.AsyncClient() as http:
            r = await http.post(
                f"http://127.0.0.1:{self.port}/slack/events", content=body, headers=headers
            )
        assert r.status_code == 200

    async def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def terminate(self) -> int:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.proc.wait(), 20)


def _notices(slack: FakeSlack, word: str) -> list[str]:
    return [
        str(c.params.get("text"))
        for c in slack.calls("chat.postMessage")
        if c.ok and f"is {word}" in str(c.params.get("text"))
    ]


async def _creates(url: str) -> int:
    async with httpx.AsyncClient() as http:
        reqs = (await http.get(f"{url}/_emulator/requests")).json()
    items = reqs["requests"] if isinstance(reqs, dict) else reqs
    return sum(1 for r in items if r["method"] == "POST" and r["path"] == "/v2/databases")


async def test_kill9_while_waiting_then_restart_announces_once(
    tmp_path: Path, emulator_url: str
) -> None:
    async with FakeSlack() as slack:
        bot = Bot(tmp_path, slack, emulator_url)
        await bot.start()
        try:
            await bot.command("db create orders", slack)
            await slack.wait_for("chat.postMessage", timeout=10)  # the progress message
            await bot.kill9()
            assert _notices(slack, "ACTIVE") == []
            await bot.start()
            await slack.wait_for("chat.postMessage", count=2, timeout=20)
            await asyncio.sleep(1.0)  # a few more ticks: nothing more may be posted
            assert len(_notices(slack, "ACTIVE")) == 1
            assert await _creates(emulator_url) == 1
        finally:
            assert await bot.terminate() in (0, -signal.SIGKILL)


async def test_sigterm_exits_cleanly(tmp_path: Path, emulator_url: str) -> None:
    async with FakeSlack() as slack:
        bot = Bot(tmp_path, slack, emulator_url)
        await bot.start()
        await bot.command("db list", slack)
        assert await bot.terminate() == 0


async def test_kill9_while_the_create_is_in_flight_is_reconciled(
    tmp_path: Path, emulator_url: str
) -> None:
    async with FakeSlack() as slack, httpx.AsyncClient() as http:
        # Astra takes 2 s to answer the create; the bot dies before it answers.
        await http.post(
            f"{emulator_url}/_emulator/faults",
            json={"status": 0, "method": "POST", "path_prefix": "/v2/databases", "latency_s": 2.0},
        )
        bot = Bot(tmp_path, slack, emulator_url)
        bot.env["ASTRA_BOT_RECONCILE_TIMEOUT"] = "8"
        await bot.start()
        try:
            await bot.command("db create orders", slack)
            await asyncio.sleep(0.5)
            await bot.kill9()
            await bot.start()
            posts = await slack.wait_for(
                "chat.postMessage",
                timeout=30,
                predicate=lambda c: (
                    "is ACTIVE" in str(c.params.get("text"))
                    or "outcome is unknown" in str(c.params.get("text"))
                ),
            )
            await asyncio.sleep(1.0)
            finals = _notices(slack, "ACTIVE") + [
                str(c.params.get("text"))
                for c in slack.calls("chat.postMessage")
                if "outcome is unknown" in str(c.params.get("text"))
            ]
            assert len(finals) == 1, finals
            assert posts
            assert await _creates(emulator_url) <= 1
        finally:
            await bot.terminate()
