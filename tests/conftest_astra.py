"""Shared helpers of the Astra client, emulator and contract tests.

Plain classes and functions (no fixtures): test modules import what they need and
declare their own fixtures, so nothing here is collected implicitly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.astra.client import AstraClient
from bot.astra.emulator import SANDBOX_TOKEN, AstraEmulator, EmulatorConfig

#: Durations small enough that a fake clock crosses them with one ``advance(1)``.
FAST = {
    "pending_s": 0.01,
    "initializing_s": 0.02,
    "terminating_s": 0.03,
    "maintenance_s": 0.01,
    "parking_s": 0.02,
    "unparking_s": 0.02,
    "resizing_s": 0.02,
    "datacenter_s": 0.05,
}

BASE_URL = "https://api.astra.datastax.com"


class FakeClock:
    """A clock tests move by hand (``EmulatorConfig.clock``)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


class SleepRecorder:
    """An injected ``sleep`` that records the delays and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def make_emulator(clock: FakeClock | None = None, **config: Any) -> AstraEmulator:
    settings: dict[str, Any] = {**FAST, **config}
    return AstraEmulator(EmulatorConfig(clock=clock or FakeClock(), **settings))


def make_client(
    emulator: AstraEmulator | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    token: str = SANDBOX_TOKEN,
    sleep: SleepRecorder | None = None,
    **kwargs: Any,
) -> AstraClient:
    if transport is None:
        assert emulator is not None
        transport = httpx.ASGITransport(app=emulator.app)
    return AstraClient(
        token,
        BASE_URL,
        transport=transport,
        sleep=sleep or SleepRecorder(),
        rand=kwargs.pop("rand", lambda: 0.5),
        **kwargs,
    )


@dataclass
class Exchange:
    request: httpx.Request
    request_body: bytes
    response: httpx.Response
    response_body: bytes


@dataclass
class RecordingTransport(httpx.AsyncBaseTransport):
    """Wraps a transport and keeps every request/response pair, bodies read."""

    inner: httpx.AsyncBaseTransport
    exchanges: list[Exchange] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        response = await self.inner.handle_async_request(request)
        content = await response.aread()
        self.exchanges.append(Exchange(request, body, response, content))
        return httpx.Response(
            response.status_code, headers=response.headers, content=content, request=request
        )


@dataclass
class FlakyTransport(httpx.AsyncBaseTransport):
    """Raises ``make_error(request)`` for the first ``failures`` requests, then delegates."""

    inner: httpx.AsyncBaseTransport
    make_error: Callable[[httpx.Request], Exception]
    failures: int = 1
    calls: int = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.make_error(request)
        return await self.inner.handle_async_request(request)


def static_transport(
    status: int,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> httpx.MockTransport:
    """Answers every request the same way (for payload shapes the emulator never sends)."""

    def handler(request: httpx.Request) -> httpx.Response:
        if raw is not None:
            return httpx.Response(status, content=raw, headers=headers)
        if body is None:
            return httpx.Response(status, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return httpx.MockTransport(handler)
