"""Socket Mode end to end, against a local fake of Slack's WebSocket server.

The fake Web API answers ``apps.connections.open`` with the ``ws://127.0.0.1:…`` URL of
:class:`~tests.fakes.socket_mode.FakeSocketMode`, which sends envelopes (a slash command, a
button click) and records the bot's acks; the bot's replies reach the fake Web API
(``chat.postMessage``) and its ``response_url``s. The bot is the real one: Bolt, slack_sdk's
aiohttp Socket Mode client, the service, the store, the Astra emulator.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.astra.emulator import AstraEmulator
from bot.bootstrap import Components, build
from tests.conftest import ADMIN, FakeClock, make_settings
from tests.fakes.slack_api import DEFAULT_APP_TOKEN, DEFAULT_BOT_TOKEN, FakeSlack
from tests.fakes.socket_mode import FakeSocketMode


@dataclass
class SocketHarness:
    components: Components
    server: FakeSocketMode
    slack: FakeSlack
    emulator: AstraEmulator
    handler: AsyncSocketModeHandler
    n: int = 0

    async def command(self, text: str, *, user: str = ADMIN) -> tuple[str, str]:
        """Send `/astra text`; (envelope id, response_url id)."""
        self.n += 1
        rid = f"r{self.n}"
        eid = await self.server.slash_command(
            text, user_id=user, channel_id="C1", response_url=self.slack.response_url(rid)
        )
        return eid, rid

    async def private_reply(self, rid: str) -> str:
        posts = await self.slack.wait_for_response_url(predicate=lambda p: p.id == rid)
        return (posts[-1].text or "") + json.dumps(posts[-1].blocks or [])


@pytest.fixture
async def socket_bot(
    tmp_path: Path, slack: FakeSlack, emulator: AstraEmulator, clock: FakeClock
) -> AsyncIterator[SocketHarness]:
    async with FakeSocketMode() as server:
        slack.socket_url = server.url
        settings = make_settings(
            tmp_path, SLACK_API_URL=slack.api_url, SLACK_APP_TOKEN=DEFAULT_APP_TOKEN
        )
        components = await build(
            settings,
            astra_transport=httpx.ASGITransport(app=emulator.app),
            emulator=emulator,
            poll_interval=1.0,
            astra_sleep=clock.sleep,
            # a short ping interval: a silently dropped connection is
            # noticed within ~1 s
            clock=clock,
            socket_ping_interval=0.5,
        )
        handler = components.socket
        assert handler is not None
        await handler.connect_async()
        try:
            yield SocketHarness(components, server, slack, emulator, handler)
        finally:
            await components.aclose()


async def test_slash_command_and_button_click_over_socket_mode(socket_bot: SocketHarness) -> None:
    h = socket_bot
    hello_conn = await h.server.wait_connections(1)
    assert h.slack.calls("apps.connections.open")[0].token == DEFAULT_APP_TOKEN
    db_id = h.emulator.add_database("orders")

    eid, _ = await h.command("db delete orders")
    # Acked with its envelope id (and nothing else: the answer comes afterwards)
    assert await h.server.wait_ack(eid) == {"envelope_id": eid}
    (post,) = await h.slack.wait_for("chat.postMessage")
    buttons = [
        e for b in post.params["blocks"] if b.get("type") == "actions" for e in b["elements"]
    ]
    confirm = next(e for e in buttons if e["action_id"] == "astra_confirm")
    assert h.emulator.count("POST") == 0  # nothing destructive before the click

    click = await h.server.block_actions(
        "astra_confirm",
        confirm["value"],
        user_id=ADMIN,
        channel_id="C1",
        message_ts=post.response["ts"],
        response_url=h.slack.response_url("click"),
    )
    assert await h.server.wait_ack(click) == {"envelope_id": click}
    await h.slack.wait_for("chat.update")
    for _ in range(200):
        if h.emulator.count("POST", f"/v2/databases/{db_id}/terminate"):
            break
        await asyncio.sleep(0.01)
    assert h.emulator.count("POST", f"/v2/databases/{db_id}/terminate") == 1
    assert h.emulator.status_of(db_id) == "TERMINATING"
    assert len(h.server.connections) == 1 and hello_conn.open

    text = h.components.metrics.render().decode()
    assert 'astra_bot_ack_seconds_count{kind="command"} 1.0' in text
    assert 'astra_bot_ack_seconds_count{kind="action"} 1.0' in text
    assert 'astra_bot_commands_total{intent="db.delete",outcome="confirm"} 1.0' in text


async def _still_answers(h: SocketHarness) -> None:
    eid, rid = await h.command("help db")
    assert await h.server.wait_ack(eid) == {"envelope_id": eid}
    assert "db create" in await h.private_reply(rid)


async def test_reconnects_after_the_server_closes_the_connection(socket_bot: SocketHarness) -> None:
    h = socket_bot
    first = await h.server.wait_connections(1)
    await h.server.drop()
    second = await h.server.wait_connections(2)
    assert not first.open and second is not first
    # a fresh URL was asked for, with the app token
    assert len(h.slack.calls("apps.connections.open")) >= 2
    await _still_answers(h)


async def test_reconnects_when_slack_asks_to_refresh(socket_bot: SocketHarness) -> None:
    h = socket_bot
    await h.server.wait_connections(1)
    await h.server.disconnect("refresh_requested")
    await h.server.wait_connections(2)
    await _still_answers(h)


async def test_reconnects_after_a_silent_network_drop(socket_bot: SocketHarness) -> None:
    h = socket_bot
    await h.server.wait_connections(1)
    await h.server.abort()  # no close frame: only the client's monitor can notice
    await h.server.wait_connections(2, timeout=10)
    await _still_answers(h)


async def test_another_workspace_is_refused_over_socket_mode(socket_bot: SocketHarness) -> None:
    """Item 5 of issue 13 in Socket Mode: the guard is Bolt's, so it holds here too."""
    h = socket_bot
    db_id = h.emulator.add_database("orders")
    eid = await h.server.slash_command(
        "db delete orders",
        user_id=ADMIN,
        channel_id="C1",
        team_id="T2",
        response_url=h.slack.response_url("x"),
    )
    ack = await h.server.wait_ack(eid)
    # the refusal is the ack's payload, which Slack shows privately to the caller
    assert ack["payload"]["response_type"] == "ephemeral"
    assert "only the workspace it is installed in" in ack["payload"]["text"]
    click = await h.server.block_actions(
        "astra_run",
        f"db delete {db_id}",
        user_id=ADMIN,
        channel_id="C1",
        team_id="T2",
        response_url=h.slack.response_url("y"),
    )
    assert await h.server.wait_ack(click) == {"envelope_id": click}
    await _still_answers(h)  # the own workspace still is served, after both
    assert h.emulator.count("POST") == 0
    assert h.slack.calls("chat.postMessage") == []


async def test_socket_mode_serves_no_unsigned_http_route(socket_bot: SocketHarness) -> None:
    """In Socket Mode nothing verifies an HTTP request: /slack/events must not exist."""
    from bot.web import asgi_app

    app = asgi_app(socket_bot.components, with_watcher=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bot"
    ) as http:
        resp = await http.post(
            "/slack/events",
            content="command=%2Fastra&text=db+list",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert resp.status_code == 404
        assert (await http.get("/healthz")).status_code == 200


# ---------------------------------------------------------------------------- `serve`


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp_path: Path, slack: FakeSlack, port: int, **extra: str) -> dict[str, str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "ASTRA_", "DATABASE_URL", "PORT"))
    }
    return {
        **base,
        "SLACK_BOT_TOKEN": DEFAULT_BOT_TOKEN,
        "SLACK_APP_TOKEN": DEFAULT_APP_TOKEN,
        "SLACK_API_URL": slack.api_url,
        "PORT": str(port),
        "ASTRA_BOT_ADMINS": ADMIN,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        "ASTRA_BOT_EMULATOR_SPEED": "50",
        "ASTRA_BOT_LOG_FORMAT": "json",
        **extra,
    }


async def _get(url: str) -> httpx.Response | None:
    async with httpx.AsyncClient() as http:
        try:
            return await http.get(url)
        except httpx.TransportError:
            return None


async def test_serve_in_socket_mode_answers_health_metrics_and_commands(
    tmp_path: Path, slack: FakeSlack
) -> None:
    """`astra-bot serve --sandbox` with SLACK_APP_TOKEN: Socket Mode, with /healthz,
    /readyz and /metrics on $PORT, reconnecting after the server drops it, exit 0 on
    SIGTERM."""
    port = _free_port()
    async with FakeSocketMode() as server:
        slack.socket_url = server.url
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "serve",
            "--sandbox",
            cwd=tmp_path,
            env=_env(tmp_path, slack, port),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            await server.wait_connections(1, timeout=15)
            for _ in range(200):
                if (r := await _get(f"{base}/healthz")) is not None and r.status_code == 200:
                    break
                await asyncio.sleep(0.05)
            ready = await _get(f"{base}/readyz")
            assert ready is not None and ready.status_code == 200, ready and ready.text
            rid = "p1"
            eid = await server.slash_command(
                "db list", user_id=ADMIN, channel_id="C1", response_url=slack.response_url(rid)
            )
            assert await server.wait_ack(eid) == {"envelope_id": eid}
            await slack.wait_for_response_url(predicate=lambda p: p.id == rid)

            await server.drop()
            await server.wait_connections(2, timeout=10)
            eid = await server.slash_command(
                "help", user_id=ADMIN, channel_id="C1", response_url=slack.response_url("p2")
            )
            await server.wait_ack(eid)

            metrics = await _get(f"{base}/metrics")
            assert metrics is not None and metrics.status_code == 200
            assert (
                'astra_bot_commands_total{intent="db.list",outcome="allowed"} 1.0' in metrics.text
            )
            assert "astra_bot_slack_api_requests_total" in metrics.text
            gone = await _get(f"{base}/slack/events")
            assert gone is not None and gone.status_code == 404  # nothing unsigned in
            proc.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(proc.wait(), 15) == 0
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        assert proc.stderr is not None
        logs = (await proc.stderr.read()).decode()
        assert DEFAULT_APP_TOKEN not in logs and DEFAULT_BOT_TOKEN not in logs


async def test_serve_refuses_an_app_token_slack_rejects(tmp_path: Path, slack: FakeSlack) -> None:
    slack.app_tokens = set()  # Slack no longer knows the app-level token
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        "--sandbox",
        cwd=tmp_path,
        env=_env(tmp_path, slack, _free_port()),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 2
    assert "Slack refuses SLACK_APP_TOKEN (invalid_auth)" in err.decode()
    assert "astra-bot doctor" in err.decode()
