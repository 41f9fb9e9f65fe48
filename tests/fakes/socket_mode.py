"""A fake Slack Socket Mode server: a real local WebSocket server (aiohttp).

Speaks the protocol ``slack_sdk.socket_mode.aiohttp.SocketModeClient`` expects
(https://api.slack.com/apis/connections/socket-implement):

- the client gets the URL from ``apps.connections.open`` — point the fake Web API at this
  server with ``slack.socket_url = server.url``;
- on connect the server sends ``{"type": "hello", "num_connections": n, ...}``;
- envelopes are ``{"envelope_id", "type", "payload", "accepts_response_payload",
  "retry_attempt", "retry_reason"}`` (``slash_commands``, ``interactive``,
  ``events_api``); the client acks each with ``{"envelope_id": …[, "payload": …]}``;
- ``{"type": "disconnect", "reason": "refresh_requested"}`` asks the client to reconnect;
- the server can also drop a connection with a close frame (:meth:`drop`) or without one
  (:meth:`abort`, as a network failure would).

Everything received is recorded (``received``; acks by envelope id in ``acks``); tests wait
on it with :meth:`wait_ack` and :meth:`wait_connections`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSCloseCode, WSMsgType, web

from tests.fakes import serve_on_free_port
from tests.fakes.slack_api import block_actions_body, slash_command_body

__all__ = ["FakeSocketMode", "SocketConnection"]


@dataclass
class SocketConnection:
    """One WebSocket connection from a client."""

    ws: web.WebSocketResponse
    request: web.Request
    ticket: str
    received: list[dict[str, Any]] = field(default_factory=list)
    open: bool = True


class FakeSocketMode:
    def __init__(self, *, host: str = "127.0.0.1", app_id: str = "A1") -> None:
        self.host = host
        self.app_id = app_id
        self.connections: list[SocketConnection] = []
        self.received: list[dict[str, Any]] = []
        self.acks: dict[str, dict[str, Any]] = {}
        self._cond = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> FakeSocketMode:
        app = web.Application()
        app.router.add_get("/link/", self._handle)
        self._runner, self._port = await serve_on_free_port(app, self.host)
        return self

    async def stop(self) -> None:
        for conn in self.connections:
            if conn.open:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(conn.ws.close(code=WSCloseCode.GOING_AWAY), 1)
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> FakeSocketMode:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """What ``apps.connections.open`` should answer."""
        if self._port is None:
            raise RuntimeError("FakeSocketMode not started")
        return f"ws://{self.host}:{self._port}/link/?ticket=fake-ticket&app_id={self.app_id}"

    @property
    def open_connections(self) -> list[SocketConnection]:
        return [c for c in self.connections if c.open]

    # ------------------------------------------------------------------ server side

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        conn = SocketConnection(ws, request, request.query.get("ticket", ""))
        self.connections.append(conn)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len(self.open_connections),
                "debug_info": {
                    "host": "applink-fake",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": self.app_id},
            }
        )
        await self._notify()
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                data = json.loads(msg.data)
                conn.received.append(data)
                self.received.append(data)
                if isinstance(data, dict) and "envelope_id" in data:
                    self.acks[str(data["envelope_id"])] = data
                await self._notify()
        finally:
            conn.open = False
            await self._notify()
        return ws

    async def _notify(self) -> None:
        async with self._cond:
            self._cond.notify_all()

    async def _wait(self, what: str, ready: Any, timeout: float) -> None:  # noqa: ASYNC109
        try:
            async with asyncio.timeout(timeout), self._cond:
                await self._cond.wait_for(ready)
        except TimeoutError:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}") from None

    # ------------------------------------------------------------------ test API

    async def wait_connections(
        self,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - the fake's API
    ) -> SocketConnection:
        """Wait until ``count`` connections were made in all and one is open; the newest."""
        await self._wait(
            f"connection #{count}",
            lambda: len(self.connections) >= count and self.open_connections,
            timeout,
        )
        return self.open_connections[-1]

    async def send(
        self,
        type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool = False,
        retry_attempt: int = 0,
        retry_reason: str = "",
        envelope_id: str | None = None,
    ) -> str:
        """Send an envelope on the newest open connection; its envelope id."""
        conn = await self.wait_connections(1)
        eid = envelope_id or str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": eid,
            "type": type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if type == "events_api":
            envelope |= {"retry_attempt": retry_attempt, "retry_reason": retry_reason}
        await conn.ws.send_json(envelope)
        return eid

    async def slash_command(self, text: str, **kwargs: Any) -> str:
        """A ``slash_commands`` envelope; ``kwargs`` as ``slack_api.slash_command_body``."""
        payload = dict(parse_qsl(slash_command_body(text, **kwargs)))
        return await self.send("slash_commands", payload, accepts_response_payload=True)

    async def block_actions(self, action_id: str, value: str | None = None, **kwargs: Any) -> str:
        """An ``interactive`` envelope of a ``block_actions`` payload (a button click)."""
        body = dict(parse_qsl(block_actions_body(action_id, value, **kwargs)))
        return await self.send("interactive", json.loads(body["payload"]))

    async def wait_ack(
        self,
        envelope_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109 - the fake's API
    ) -> dict[str, Any]:
        await self._wait(f"the ack of {envelope_id}", lambda: envelope_id in self.acks, timeout)
        return self.acks[envelope_id]

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the client to reconnect, as Slack does before a server goes away."""
        conn = await self.wait_connections(1)
        await conn.ws.send_json(
            {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}}
        )

    async def drop(self) -> None:
        """Close the newest connection with a close frame (a server restart)."""
        conn = await self.wait_connections(1)
        await conn.ws.close(code=WSCloseCode.GOING_AWAY, message=b"server restart")

    async def abort(self) -> None:
        """Cut the newest connection without a close frame (a network failure)."""
        conn = await self.wait_connections(1)
        transport = conn.request.transport
        if transport is not None:
            transport.abort()
