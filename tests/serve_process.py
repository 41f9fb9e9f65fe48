"""Test helper: `astra-bot serve --sandbox` as a real process on a free port, answering
signed slash commands, stopped (SIGTERM) when the block ends."""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import SIGNING_SECRET
from tests.fakes.slack_api import DEFAULT_BOT_TOKEN, FakeSlack, sign_request, slash_command_body


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    """The running process and a client of its HTTP port."""

    proc: asyncio.subprocess.Process
    http: httpx.AsyncClient

    async def command(self, text: str, response_url: str) -> httpx.Response:
        """`/astra <text>` from UADMIN in C1, signed as Slack signs it."""
        body = slash_command_body(
            text, user_id="UADMIN", channel_id="C1", response_url=response_url
        )
        headers = {
            **sign_request(SIGNING_SECRET, body),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        return await self.http.post("/slack/events", content=body, headers=headers)

    async def logs(self) -> list[str]:
        """What the process wrote on stderr (once it has exited)."""
        assert self.proc.stderr is not None
        return (await self.proc.stderr.read()).decode().splitlines()


@asynccontextmanager
async def serve_sandbox(
    tmp_path: Path, slack: FakeSlack, base_env: dict[str, str], *args: str, **env: str
) -> AsyncIterator[Served]:
    """`serve --sandbox *args` with UADMIN as admin and a SQLite store in ``tmp_path``,
    once its /healthz answers 200."""
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve", "--sandbox", *args,
        cwd=tmp_path,
        env={
            **base_env,
            "SLACK_BOT_TOKEN": DEFAULT_BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "PORT": str(port),
            "ASTRA_BOT_ADMINS": "UADMIN",
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
            **env,
        },
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            for _ in range(100):
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            yield Served(proc, http)
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 15)
