"""The one place where the Astra client does I/O: send a built request, retry reads, note it."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import random
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, Self, TypeVar

import httpx

from bot.astra import http as api
from bot.astra.models import Database
from bot.errors import AstraError

#: Told of every attempt: ``(method, path, status, seconds)``; status is the HTTP status
#: (``"503"``), ``"timeout"`` or ``"unreachable"``. Metrics hook (bot/metrics.py).
Observer = Callable[[str, str, str, float], None]

#: Around every await on Astra (a request, a back-off sleep, a shared listing). The
#: composition root passes the work slots' ``network_wait`` (bot/work.py), so that a command
#: waiting on Astra holds no CPU slot; the client itself knows nothing of work slots.
#: ``shared_wait`` is around waiting on a request another call made (single flight): the
#: root passes ``bot.work.shared_wait``, so that such a wait holds no place in flight either.
NetworkWait = Callable[[], contextlib.AbstractAsyncContextManager[None]]

log = logging.getLogger("bot.astra")

T = TypeVar("T")


class Transport:
    """One ``httpx.AsyncClient`` for one organization's token; every call goes through
    :meth:`_send` (the contract of :mod:`bot.astra.client`)."""

    def __init__(
        self,
        token: str,
        base_url: str = api.DEFAULT_BASE_URL,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
        max_read_retries: int = 4,
        backoff_base: float = 0.5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rand: Callable[[], float] = random.random,
        observer: Observer | None = None,
        network_wait: NetworkWait = contextlib.nullcontext,
        shared_wait: NetworkWait = contextlib.nullcontext,
    ) -> None:
        token = token.strip()
        if token.lower().startswith("bearer "):
            token = token[7:].strip()
        self._secrets: tuple[str, ...] = (token,)
        self._base_url = base_url.rstrip("/")
        self._max_read_retries = max(0, max_read_retries)
        self._backoff_base = backoff_base
        self._sleep = sleep
        self._rand = rand
        self._observer = observer
        self._network_wait = network_wait
        self._shared_wait = shared_wait
        self._http = httpx.AsyncClient(
            base_url=self._base_url,
            transport=transport,
            timeout=httpx.Timeout(timeout),
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                "User-Agent": "astra-bot",
            },
            follow_redirects=False,
        )

        # The requests made on behalf of one command, for its audit row (see recording()).
        self._journal: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
            "astra_journal", default=None
        )
        # list_databases under way, by arguments, with the requests each made (single flight)
        self._listing: dict[
            tuple[str, str | None, int, int | None], tuple[asyncio.Task[list[Database]], list[str]]
        ] = {}

    def __repr__(self) -> str:
        return f"AstraClient(base_url={self._base_url!r})"

    @contextlib.contextmanager
    def recording(self, calls: list[str] | None = None) -> Iterator[list[str]]:
        """Within this block (this task), every request is noted as ``METHOD /path → status``
        — no query, no body, nothing secret — so the audit can say what was asked of Astra.
        Into ``calls`` when given (a shared listing's callers hold that list already)."""
        calls = [] if calls is None else calls
        token = self._journal.set(calls)
        try:
            yield calls
        finally:
            self._journal.reset(token)

    def recorded(self) -> list[str]:
        return list(self._journal.get() or [])

    def _note(self, req: api.ApiRequest, outcome: str) -> None:
        journal = self._journal.get()
        if journal is not None:
            journal.append(f"{req.method} {req.path} → {outcome}")

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # ----------------------------------------------------------------------------------
    # the one place that does I/O
    # ----------------------------------------------------------------------------------

    async def _ask(
        self, req: api.ApiRequest, parse: Callable[[api.ApiRequest, api.ApiResponse], T]
    ) -> T:
        """Send ``req`` and read its answer with ``parse`` (the shape of most calls)."""
        return parse(req, await self._send(req))

    async def _send(self, req: api.ApiRequest, retries: int | None = None) -> api.ApiResponse:
        reads = self._max_read_retries if retries is None else max(0, retries)
        attempts = 1 + (reads if req.is_read else 0)
        attempt = 0
        while True:
            try:
                return await self._send_once(req)
            except AstraError as error:
                attempt += 1
                if attempt >= attempts or not api.is_retryable(error):
                    raise
                delay = api.retry_delay(
                    attempt - 1,
                    base=self._backoff_base,
                    rand=self._rand(),
                    retry_after=getattr(error, "retry_after", None),
                )
                log.info(
                    "astra %s %s: %s; retry %d/%d in %.2fs",
                    req.method,
                    req.path,
                    type(error).__name__,
                    attempt,
                    attempts - 1,
                    delay,
                )
                async with self._network_wait():
                    await self._sleep(delay)

    def _observe(self, req: api.ApiRequest, status: str, started: float) -> None:
        if self._observer is not None:
            self._observer(req.method, req.path, status, time.monotonic() - started)

    async def _send_once(self, req: api.ApiRequest) -> api.ApiResponse:
        started = time.monotonic()
        try:
            async with self._network_wait():
                resp = await self._http.request(
                    req.method, req.path, params=list(req.params) or None, json=req.json
                )
        except httpx.TimeoutException as exc:
            self._observe(req, "timeout", started)
            self._note(req, "timed out")
            log.warning("astra %s %s: timed out", req.method, req.path)
            raise api.unavailable(req, "timed out") from exc
        except httpx.TransportError as exc:
            self._observe(req, "unreachable", started)
            self._note(req, "unreachable")
            log.warning("astra %s %s: %s", req.method, req.path, type(exc).__name__)
            raise api.unavailable(req, "connection failed") from exc
        self._observe(req, str(resp.status_code), started)
        self._note(req, str(resp.status_code))
        answer = api.ApiResponse(
            status=resp.status_code,
            headers={k.lower(): v for k, v in resp.headers.items()},
            body=resp.content,
        )
        log.debug(
            "astra %s %s → %d in %.0f ms",
            req.method,
            req.path,
            resp.status_code,
            (time.monotonic() - started) * 1000,
        )
        api.check(req, answer, secrets=self._secrets + req.secrets)
        return answer


P = ParamSpec("P")


def asking(
    build: Callable[P, api.ApiRequest], parse: Callable[[api.ApiRequest, api.ApiResponse], T]
) -> Callable[Concatenate[Transport, P], Coroutine[Any, Any, T]]:
    """A method that builds a request with ``build``'s own arguments, sends it and reads
    the answer with ``parse``."""

    async def call(self: Transport, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self._ask(build(*args, **kwargs), parse)

    call.__doc__ = build.__doc__
    return call


def sending(
    build: Callable[P, api.ApiRequest],
) -> Callable[Concatenate[Transport, P], Coroutine[Any, Any, None]]:
    """A method that sends what ``build`` makes of its arguments (an answer with no body)."""

    async def call(self: Transport, /, *args: P.args, **kwargs: P.kwargs) -> None:
        await self._send(build(*args, **kwargs))

    call.__doc__ = build.__doc__
    return call
