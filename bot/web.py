"""The ASGI app uvicorn serves: ``/slack/events`` (size-capped, verified before it is parsed),
``/healthz``, ``/readyz`` and ``/metrics``.

``/slack/events`` exists in HTTP mode only (in Socket Mode nothing signs requests, so the
route does not exist). Every request to it passes one gate, in this order, before Bolt sees
it:

1. **Size.** A body longer than :data:`MAX_BODY_BYTES` is refused with 413 — from its
   ``Content-Length`` without reading it, or as soon as a chunked body passes the cap — so a
   50 MB upload costs at most one cap's worth of reading and never holds the event loop.
2. **Signature.** Slack's ``X-Slack-Signature`` over the raw bytes, with the timestamp
   inside Slack's five-minute window
   (https://api.slack.com/authentication/verifying-requests-from-slack); otherwise 401.
   Nothing of an unsigned body is decoded or parsed. This is the only signature check
   (Bolt's own is off: one place for the rule).
3. **Shape.** The body is UTF-8 and parses, the way Bolt parses it, to a JSON object (a form
   body, a form's ``payload=`` field, or a JSON body); otherwise 400.

Each refusal is one log line (no traceback, nothing of the body). What passes goes to Bolt.

Readiness (``/readyz``): the store answers and is at the latest migration, and Slack and
Astra answered recently. "Recently" comes from the calls the bot makes anyway (the
clients' metrics hooks record every answer); only when a peer has not been heard from for
``READY_FRESH_S`` (``READY_RETRY_S`` after a failure) does a probe call it once
(``auth.test``, ``GET /v2/currentOrg``), so load balancers probing every second cost
nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import importlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import to_starlette_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import parse_body
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.bootstrap import Components
from bot.errors import BotError, ConfigError
from bot.metrics import CONTENT_TYPE
from bot.store.db import is_at_head

log = logging.getLogger("astra_bot.web")

#: The largest body ``/slack/events`` reads: 1 MiB. What this app's Slack surfaces send is
#: far smaller — a slash command is a form of a dozen fields and at most
#: ``intents.MAX_TEXT_CHARS`` characters of text (under 50 KB even with every character
#: percent-encoded as a 4-byte UTF-8 sequence), a ``view_submission`` of the create form
#: echoes that view (tens of KB), block actions and events a few KB. 1 MiB leaves a margin
#: of 20× and bounds what an unsigned request can make the bot read and hash.
MAX_BODY_BYTES = 1 << 20

#: Slack's replay window: a request whose timestamp is further than this from now is refused
#: (https://api.slack.com/authentication/verifying-requests-from-slack).
SIGNATURE_WINDOW_S = 300

#: A peer that answered within this long counts as reachable without asking it again.
READY_FRESH_S = 300.0
#: After a failed answer, readiness asks again once this long has passed.
READY_RETRY_S = 15.0


class Refused(Exception):
    """A request the gate answers itself: ``status`` and a one-line ``reason``."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def _read_capped(request: Request, cap: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise Refused(400, "a Content-Length that is not a number")
        if int(declared) > cap:
            raise Refused(413, f"a body of {int(declared)} bytes (the cap is {cap})")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise Refused(413, f"a body of more than {cap} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _bolt_request(request: Request, raw: bytes) -> AsyncBoltRequest:
    """The Bolt request of a verified body, or :class:`Refused` if it is not an object."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        text = raw.decode("utf-8")
        # the same reading of the body as Bolt's (form, form `payload=`, JSON), done first
        # so that what Bolt would choke on is refused here
        if not isinstance(parse_body(text, content_type or None), dict):
            raise Refused(400, "a body that is not a JSON object")
        return AsyncBoltRequest(body=text, query=request.url.query, headers=dict(request.headers))
    except UnicodeDecodeError:
        raise Refused(400, "a body that is not UTF-8") from None
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        # broken JSON, or an object whose ids Bolt cannot read (`"team": 5`)
        raise Refused(400, f"a body that does not parse ({type(exc).__name__})") from None


class SlackEvents:
    """The ``/slack/events`` endpoint: the gate of the module docstring, then Bolt."""

    def __init__(
        self,
        bolt: AsyncApp,
        signing_secret: str,
        *,
        max_body_bytes: int = MAX_BODY_BYTES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bolt = bolt
        self._secret = signing_secret.encode()
        self.max_body_bytes = max_body_bytes
        self.clock = clock

    def _verify(self, request: Request, raw: bytes) -> None:
        """Slack's v0 signature: HMAC-SHA256 of ``v0:<timestamp>:<raw body>`` with the
        signing secret, over the raw bytes (slack_sdk's verifier decodes the body as UTF-8
        first, so it cannot even look at a body that is not)."""
        timestamp = request.headers.get("x-slack-request-timestamp", "")
        signature = request.headers.get("x-slack-signature", "")
        if not timestamp or not signature:
            raise Refused(401, "no Slack signature")
        if not timestamp.isdigit() or abs(self.clock() - int(timestamp)) > SIGNATURE_WINDOW_S:
            raise Refused(401, "a Slack signature outside the five-minute window")
        expected = (
            "v0="
            + hmac.new(
                self._secret, b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256
            ).hexdigest()
        )
        if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
            raise Refused(401, "a bad Slack signature")

    async def handle(self, request: Request) -> Response:
        try:
            raw = await _read_capped(request, self.max_body_bytes)
            self._verify(request, raw)
            bolt_request = _bolt_request(request, raw)
        except Refused as refused:
            what = {400: "a malformed", 401: "an unsigned", 413: "an oversized"}
            # unsigned requests are the internet's background noise: not a warning
            log.log(
                logging.INFO if refused.status == 401 else logging.WARNING,
                "refused %s request to /slack/events: %s",
                what.get(refused.status, "a"),
                refused.reason,
            )
            return PlainTextResponse(refused.reason, status_code=refused.status)
        return to_starlette_response(await self.bolt.async_dispatch(bolt_request))


class Readiness:
    """``/readyz``: the store answers and is at head, Slack and Astra answered recently, and
    Socket Mode (when it is used) is connected."""

    def __init__(self, components: Components) -> None:
        self.components = components
        #: one probe of a peer at a time (the others wait for its answer)
        self._probing: dict[str, asyncio.Lock] = {}

    async def problems(self) -> list[str]:
        c = self.components
        problems: list[str] = []
        try:
            await c.store.ping()
            if not await is_at_head(c.engine):
                problems.append("store not migrated to head (run `astra-bot migrate`)")
        except BotError as err:
            problems.append(err.user_message)
        if c.slack is not None and (why := await self._peer_problem("slack", c.slack.auth_test)):
            problems.append(why)
        if why := await self._peer_problem("astra", c.astra.current_org):
            problems.append(why)
        if c.socket is not None and not await c.socket.client.is_connected():
            problems.append("Socket Mode is not connected to Slack")
        return problems

    async def endpoint(self, _: Request) -> Response:
        problems = await self.problems()
        status = 200 if not problems else 503
        return JSONResponse({"ok": not problems, "problems": problems}, status_code=status)

    def _known(self, peer: str) -> bool:
        health = self.components.metrics.peers
        c = health.last(peer)
        fresh = READY_FRESH_S if c is not None and c.ok else READY_RETRY_S
        return c is not None and health.clock() - c.at <= fresh

    async def _peer_problem(self, peer: str, probe: Callable[[], Awaitable[object]]) -> str | None:
        """Why ``peer`` does not count as reachable (None if it does). Asks it only when
        nothing recent is known (see READY_FRESH_S / READY_RETRY_S)."""
        health = self.components.metrics.peers
        if not self._known(peer):
            async with self._probing.setdefault(peer, asyncio.Lock()):
                if not self._known(peer):
                    try:
                        await probe()
                    except Exception as exc:  # a probe never makes readiness crash
                        # An HTTP answer was recorded by the clients' hooks; anything else
                        # (no connection, a timeout) is recorded here.
                        if not self._known(peer):
                            health.record(peer, False, type(exc).__name__)
        contact = health.last(peer)
        if contact is None:
            return f"{peer} has not answered yet"
        if not contact.ok:
            return f"{peer} is unreachable or refuses the bot ({contact.detail})"
        return None


async def healthz(_: Request) -> Response:
    return JSONResponse({"ok": True})


def _metrics_endpoint(components: Components) -> Callable[[Request], Awaitable[Response]]:
    async def metrics(_: Request) -> Response:
        slots = components.service.slots
        components.metrics.set_work(slots.running, slots.waiting)
        try:
            await components.metrics.refresh_from_store(components.store, components.store.clock())
        except BotError as err:  # the counters are still worth scraping
            log.warning("metrics: store gauges not refreshed: %s", err.user_message)
        return Response(components.metrics.render(), media_type=CONTENT_TYPE)

    return metrics


def _lifespan(
    components: Components, *, with_watcher: bool
) -> Callable[[Starlette], contextlib.AbstractAsyncContextManager[None]]:
    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if with_watcher:
            components.tasks.append(asyncio.create_task(components.watcher.run(components.stop)))
        if components.socket is not None:
            components.tasks.append(asyncio.create_task(_connect(components.socket)))
        components.service.background(_warm(components), "warm-up")
        try:
            yield
        finally:
            await components.aclose()

    return lifespan


def _events_routes(components: Components) -> list[Route]:
    """``/slack/events``, in HTTP mode only (nothing signs a Socket Mode envelope)."""
    settings = components.settings
    if settings.socket_mode:
        return []
    assert components.bolt is not None
    if settings.slack_signing_secret is None:
        raise ConfigError("SLACK_SIGNING_SECRET is not set (HTTP mode needs it).")
    events = SlackEvents(components.bolt, settings.slack_signing_secret.get_secret_value())
    return [Route("/slack/events", events.handle, methods=["POST"])]


def asgi_app(components: Components, *, with_watcher: bool = True) -> Starlette:
    """The HTTP app: Slack's request URL (HTTP mode), health, readiness and metrics. With
    ``components.socket`` set, the lifespan also connects Socket Mode (in the background:
    health answers while Slack is being reached) and closes it first on shutdown."""
    assert components.bolt is not None
    return Starlette(
        routes=[
            *_events_routes(components),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", Readiness(components).endpoint, methods=["GET"]),
            Route("/metrics", _metrics_endpoint(components), methods=["GET"]),
        ],
        lifespan=_lifespan(components, with_watcher=with_watcher),
    )


#: Modules the first Astra call imports lazily (httpx's transport picks its network backend
#: on first use): imported after start-up instead, so that the first command does not pause
#: the event loop — and the acks waiting on it — while they load.
_LAZY_IMPORTS = ("httpcore._backends.anyio", "anyio._backends._asyncio")


async def _warm(components: Components) -> None:
    for name in _LAZY_IMPORTS:
        try:
            importlib.import_module(name)
        except ImportError:  # another httpx version: the first call imports what it needs
            log.debug("warm-up: %s not found", name)
        await asyncio.sleep(0)
    await components.service.warm()
    # each org's Astra id, for the confirmations and operations stored with it; a refused
    # token is kept on its org (and logged), and the other orgs are served as usual
    await components.orgs.learn()


async def _connect(socket: AsyncSocketModeHandler) -> None:
    await socket.connect_async()  # type: ignore[no-untyped-call]
    log.info("Socket Mode connected")
