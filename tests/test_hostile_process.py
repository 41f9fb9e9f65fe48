"""Hostile requests against the real process (issue 13, items 6 and 7): `astra-bot serve
--sandbox` on a free port, the fake Slack Web API in this process, uvicorn in between.

A 50 MB upload is cut off at the cap while real commands are acked; malformed bodies get a
4xx and one log line, never a traceback; a long command text is refused privately.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.intents import MAX_TEXT_CHARS
from tests.conftest import ADMIN, SIGNING_SECRET
from tests.fakes.slack_api import DEFAULT_BOT_TOKEN, FakeSlack, sign_request, slash_command_body
from tests.test_restart import BASE_ENV, _free_port, _wait_http

FORM = "application/x-www-form-urlencoded"


@dataclass
class Served:
    url: str
    port: int
    slack: FakeSlack
    log: Path
    n: int = 0

    async def command(self, http: httpx.AsyncClient, text: str) -> tuple[httpx.Response, str]:
        """A signed `/astra text`: the ack, and the response_url id its answer goes to."""
        self.n += 1
        rid = f"r{self.n}"
        body = slash_command_body(text, user_id=ADMIN, response_url=self.slack.response_url(rid))
        headers = {**sign_request(SIGNING_SECRET, body), "Content-Type": FORM}
        return await http.post(f"{self.url}/slack/events", content=body, headers=headers), rid

    async def answer(self, rid: str) -> str:
        posts = await self.slack.wait_for_response_url(predicate=lambda p: p.id == rid, timeout=10)
        return (posts[-1].text or "") + json.dumps(posts[-1].blocks or [])

    def log_lines(self) -> list[str]:
        return self.log.read_text(errors="replace").splitlines()


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    port = _free_port()
    log = tmp_path / "bot.log"
    async with FakeSlack() as slack:
        env = {
            **BASE_ENV,
            "SLACK_BOT_TOKEN": DEFAULT_BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "PORT": str(port),
            "ASTRA_BOT_ADMINS": ADMIN,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
            "ASTRA_BOT_LOG_FORMAT": "json",
            "ASTRA_BOT_EMULATOR_SPEED": "50",
        }
        with log.open("wb") as out:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "serve",
                "--sandbox",
                cwd=tmp_path,
                env=env,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
            )
            try:
                await _wait_http(f"http://127.0.0.1:{port}/healthz")
                yield Served(f"http://127.0.0.1:{port}", port, slack, log)
            finally:
                proc.terminate()
                await asyncio.wait_for(proc.wait(), 20)


async def _status_line(reader: asyncio.StreamReader) -> int:
    line = await asyncio.wait_for(reader.readline(), 10)
    return int(line.split()[1])


async def test_a_50mb_upload_is_cut_off_while_real_commands_are_acked(served: Served) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
    writer.write(
        b"POST /slack/events HTTP/1.1\r\nHost: bot\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"a" * (256 * 1024)
    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    status = asyncio.create_task(_status_line(reader))
    try:
        # half the cap is in: the upload is open, and Slack's requests are still served
        for _ in range(2):
            writer.write(framed)
            await writer.drain()
        async with httpx.AsyncClient() as http:
            acks = await asyncio.gather(*(served.command(http, "help db") for _ in range(5)))
            assert [r.status_code for r, _ in acks] == [200] * 5
            for _, rid in acks:
                assert "db create" in await served.answer(rid)
        assert not status.done(), "the upload was still open while the commands were acked"
        # the rest of 50 MB: refused as soon as it passes the cap
        sent = 2 * len(chunk)
        with contextlib.suppress(ConnectionError):
            while sent < 50_000_000 and not status.done():
                writer.write(framed)
                await writer.drain()
                sent += len(chunk)
        assert await status == 413
        assert sent < 50_000_000, "the bot answered before the upload was over"
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def test_a_declared_50mb_body_is_refused_before_it_is_sent(served: Served) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
    try:
        writer.write(
            b"POST /slack/events HTTP/1.1\r\nHost: bot\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 52428800\r\n\r\n"
        )
        await writer.drain()
        assert await _status_line(reader) == 413  # not one byte of the body was sent
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def test_malformed_bodies_get_a_4xx_and_one_log_line(served: Served) -> None:
    bodies = ["payload=notjson", "payload=%5B1%2C2%5D", "payload=%7B%22type%22%3A"]
    async with httpx.AsyncClient() as http:
        for body in bodies:
            signed = {**sign_request(SIGNING_SECRET, body), "Content-Type": FORM}
            assert (
                await http.post(f"{served.url}/slack/events", content=body, headers=signed)
            ).status_code == 400
            unsigned = {"Content-Type": FORM}
            assert (
                await http.post(f"{served.url}/slack/events", content=body, headers=unsigned)
            ).status_code == 401
        for body in ("[]", '{"type": "event_callback",'):
            signed = {**sign_request(SIGNING_SECRET, body), "Content-Type": "application/json"}
            assert (
                await http.post(f"{served.url}/slack/events", content=body, headers=signed)
            ).status_code == 400
        # a real command still works afterwards
        resp, rid = await served.command(http, "help db")
        assert resp.status_code == 200 and "db create" in await served.answer(rid)
    lines = served.log_lines()
    assert not [line for line in lines if "Traceback" in line or '"exc"' in line]
    refusals = [
        json.loads(line) for line in lines if "/slack/events" in line and line.startswith("{")
    ]
    assert len([r for r in refusals if "malformed" in r.get("msg", "")]) == 5
    assert len([r for r in refusals if "unsigned" in r.get("msg", "")]) == 3


async def test_a_long_command_text_is_refused_privately(served: Served) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        resp, rid = await served.command(http, "db create " + "x" * 1_000_000)
        assert resp.status_code == 200
        answer = await served.answer(rid)
        assert "too long" in answer and f"{MAX_TEXT_CHARS:,}" in answer
        # 10 MB of text is beyond the body cap: refused before it is read
        resp, _ = await served.command(http, "db create " + "x" * 10_000_000)
        assert resp.status_code == 413
        resp, rid = await served.command(http, "help db")
        assert resp.status_code == 200 and "db create" in await served.answer(rid)
    assert not [line for line in served.log_lines() if "Traceback" in line]
