"""Bolt wiring: verify, ack at once, hand the work to the service (DESIGN §1).

- Slash command ``/astra``: ``ack()`` first (Slack's 3 s deadline; nothing slow runs before
  it), then the service parses, decides, calls Astra and replies.
- Buttons (``astra_confirm``, ``astra_cancel``, ``astra_run:<n>``, ``astra_page:prev|next``,
  and the bare ids of older messages): ``ack()``, then the service decides again for the
  person who clicks.
- HTTP requests are verified before they reach Bolt (bot/web.py: size cap, signature,
  shape); requests from another workspace and replays are stopped by bot/slack/guards.py.

The adapters here turn the service's ports into Slack Web API calls: the
:class:`SlackNotifier` (``chat.postMessage`` / ``chat.update``), a per-request
:class:`SlackReplier` (``response_url``, ephemeral) and the :class:`SlackDirectory`
(``usergroups.users.list`` with a short cache).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot import render
from bot.errors import SlackError
from bot.metrics import Metrics
from bot.render import (
    ACTION_FAMILIES,
    ACTION_FORM_CHANGE,
    FORM_CREATE,
    Form,
    Message,
    action_pattern,
    form_values,
    form_view,
)
from bot.service import Request, Service
from bot.slack import guards
from bot.work import network_wait

log = logging.getLogger("astra_bot.slack")


def make_web_client(token: str, base_url: str, *,
                    metrics: Metrics | None = None) -> AsyncWebClient:
    """An AsyncWebClient that retries Slack's 429s after Retry-After (slack_sdk handlers)
    and, given ``metrics``, counts every answer (retried 429s too)."""
    handlers: list[AsyncRetryHandler] = [] if metrics is None else [_Observer(metrics)]
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        retry_handlers=[
            *handlers,
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
        ],
    )


class _Observer(AsyncRetryHandler):
    """Not a retry handler: slack_sdk asks every handler about every answer (and every
    connection error) of every attempt, so the first one in the list sees them all. It
    counts and never asks for a retry."""

    def __init__(self, metrics: Metrics) -> None:
        super().__init__(max_retry_count=0)
        self.metrics = metrics

    async def can_retry_async(self, *, state: RetryState, request: HttpRequest,
                              response: HttpResponse | None = None,
                              error: Exception | None = None) -> bool:
        if response is not None:
            body = response.body if isinstance(response.body, dict) else {}
            error_code = body.get("error")
            self.metrics.slack_answer(request.url, response.status_code, body.get("ok") is True,
                                      error_code if isinstance(error_code, str) else None)
        elif error is not None:
            self.metrics.slack_unreachable(request.url, type(error).__name__)
        return False


class _TimedAck(AsyncAck):
    def __init__(self, observe: Callable[[float], None]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._observe: Callable[[float], None] | None = observe

    async def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        if self._observe is not None:
            self._observe(time.perf_counter())
            self._observe = None
        return await super().__call__(*args, **kwargs)


def _request_kind(body: dict[str, Any]) -> str:
    if body.get("command"):
        return "command"
    return {"block_actions": "action", "view_submission": "view", "view_closed": "view",
            "event_callback": "event", "block_suggestion": "options"}.get(
        str(body.get("type", "")), "other")


def install_ack_timer(app: AsyncApp, metrics: Metrics) -> None:
    """Ack latency (Slack's deadline is 3 s): a global middleware swaps the request's
    ``ack`` for one that records the time from this middleware to the listener's ack."""

    async def _ack_timer(body: dict[str, Any], context: AsyncBoltContext,
                         next: Callable[[], Awaitable[None]]) -> None:
        start, kind = time.perf_counter(), _request_kind(body)
        context["ack"] = _TimedAck(lambda t: metrics.ack(kind, t - start))
        await next()

    app.middleware(_ack_timer)


#: Slack's errors for a message it will never take as sent (chat.postMessage, "Errors";
#: https://api.slack.com/methods/chat.postMessage#errors). A response_url answers the same
#: codes as text with HTTP 400, like an incoming webhook. Sending such a message again is
#: pointless; sending its words as plain text is not.
MALFORMED = frozenset({
    "invalid_blocks", "invalid_blocks_format", "invalid_attachments", "too_many_attachments",
    "msg_too_long", "msg_blocks_too_long", "no_text", "invalid_metadata_format",
    "invalid_metadata_schema", "metadata_too_large", "markdown_text_conflict",
})
#: views.* answer a view that breaks Block Kit's rules with invalid_arguments
#: (https://api.slack.com/methods/views.open#errors).
MALFORMED_VIEW = MALFORMED | {"invalid_arguments"}

T = TypeVar("T")


class _Refused(Exception):
    """Slack refused a payload as malformed: its error code, and its reasons where it gave
    any (``errors`` of a Web API answer; a response_url gives none)."""

    def __init__(self, code: str, reasons: Sequence[str] = ()) -> None:
        super().__init__(code)
        self.code = code
        self.reasons = tuple(reasons)


def _refusal(exc: SlackApiError, codes: frozenset[str] = MALFORMED) -> _Refused | None:
    data = exc.response.data if exc.response is not None else None
    if not isinstance(data, dict) or data.get("error") not in codes:
        return None
    meta = data.get("response_metadata")
    reasons = data.get("errors") or (meta.get("messages") if isinstance(meta, dict) else None)
    return _Refused(str(data["error"]), [str(r) for r in reasons or ()])


def _note_refusal(method: str, refused: _Refused, metrics: Metrics | None) -> None:
    """The one record of a refusal: one log line with Slack's reasons, one count."""
    log.warning("Slack refused %s as malformed (%s): %s", method, refused.code,
                "; ".join(refused.reasons) or "no reason given")
    if metrics is not None:
        metrics.slack_refusal(method, refused.code)


async def _send_or_plain(method: str, message: Message,
                         send: Callable[[Message], Awaitable[T]],
                         metrics: Metrics | None) -> T:
    """Send ``message``; if Slack refuses it as malformed, note the refusal and send its
    words again at once as plain text (DESIGN §4: never retried as is, and the reader is
    still told). Every message the bot sends goes through here."""
    try:
        return await send(message)
    except _Refused as refused:
        _note_refusal(method, refused, metrics)
    except SlackApiError as exc:
        found = _refusal(exc)
        if found is None:
            raise
        _note_refusal(method, found, metrics)
    return await send(render.plain_only(message))


def _slack_error(exc: Exception, what: str) -> SlackError:
    if isinstance(exc, SlackApiError):
        code = exc.response.get("error", "unknown_error") if exc.response else "unknown_error"
        hint = {
            "channel_not_found": "Invite the bot to the channel (`/invite @astra-bot`).",
            "not_in_channel": "Invite the bot to the channel (`/invite @astra-bot`).",
            "invalid_auth": "SLACK_BOT_TOKEN is not valid; run `astra-bot doctor`.",
            "missing_scope": "The app lacks a scope; reinstall it from app_manifest.yml.",
            "ratelimited": "Slack is rate-limiting the bot; it will retry.",
        }.get(code)
        return SlackError(f"Slack refused to {what} ({code}).", hint=hint)
    return SlackError(f"Slack could not be reached to {what} ({type(exc).__name__}).")


class SlackNotifier:
    def __init__(self, client: AsyncWebClient, *, metrics: Metrics | None = None) -> None:
        self.client = client
        self.metrics = metrics

    async def post(
        self, channel: str, message: Message, *, thread_ts: str | None = None,
        broadcast: bool = False,
    ) -> str | None:
        extra: dict[str, Any] = {}
        if thread_ts:
            extra["thread_ts"] = thread_ts
            if broadcast:
                extra["reply_broadcast"] = True

        async def send(m: Message) -> Any:
            return await self.client.chat_postMessage(
                channel=channel, text=m.text, blocks=list(m.blocks) or None, **extra)

        try:
            async with network_wait():
                resp = await _send_or_plain("chat.postMessage", message, send, self.metrics)
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
            raise _slack_error(exc, "post a message") from exc
        ts = resp.get("ts")
        return str(ts) if ts else None

    async def update(self, channel: str, ts: str, message: Message) -> None:
        async def send(m: Message) -> Any:
            return await self.client.chat_update(channel=channel, ts=ts, text=m.text,
                                                 blocks=list(m.blocks))

        try:
            async with network_wait():
                await _send_or_plain("chat.update", message, send, self.metrics)
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
            raise _slack_error(exc, "update a message") from exc


class SlackReplier:
    """Private answers to one command or click: through its ``response_url`` where there is
    one, else ``chat.postEphemeral``; forms open as modals with the request's trigger id."""

    def __init__(
        self,
        respond: Callable[..., Awaitable[Any]] | None,
        *,
        client: AsyncWebClient | None = None,
        trigger_id: str | None = None,
        channel: str | None = None,
        user: str | None = None,
        response_url: str | None = None,
        session: aiohttp.ClientSession | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self._respond = respond
        self._metrics = metrics
        # With a shared session the response_url post reuses its connections (Bolt's
        # respond() opens a new session, and a new connection, for every answer).
        self._webhook = (AsyncWebhookClient(response_url, session=session)
                         if response_url and session is not None else None)
        self._client = client
        self._trigger_id = trigger_id
        self._channel = channel
        self._user = user

    async def _send(self, message: Message, *, replace: bool) -> None:
        method = "response_url" if self._webhook is not None or self._respond is not None \
            else "chat.postEphemeral"

        async def send(m: Message) -> None:
            answer: Any = None
            blocks = list(m.blocks) or None
            if self._webhook is not None:
                answer = await self._webhook.send(
                    text=m.text, blocks=blocks, response_type="ephemeral",
                    replace_original=replace)
            elif self._respond is not None:
                answer = await self._respond(text=m.text, blocks=blocks,
                                             response_type="ephemeral",
                                             replace_original=replace)
            elif self._client is not None and self._channel and self._user:
                await self._client.chat_postEphemeral(
                    channel=self._channel, user=self._user, text=m.text, blocks=blocks)
            status = getattr(answer, "status_code", 200)
            if status >= 300:
                body = str(getattr(answer, "body", "") or "").strip()
                if body in MALFORMED:
                    raise _Refused(body)
                log.warning("response_url refused the answer (%d)", status)

        try:
            async with network_wait():
                await _send_or_plain(method, message, send, self._metrics)
        except (TimeoutError, aiohttp.ClientError, ValueError, SlackApiError, _Refused) as exc:
            log.warning("could not answer privately: %s", type(exc).__name__)

    async def private(self, message: Message) -> None:
        await self._send(message, replace=False)

    async def replace(self, message: Message) -> None:
        await self._send(message, replace=True)

    async def open_form(self, form: Form) -> bool:
        if self._client is None or not self._trigger_id:
            return False
        try:
            await self._client.views_open(trigger_id=self._trigger_id, view=form_view(form))
        except (TimeoutError, aiohttp.ClientError, SlackApiError) as exc:
            note_view_refusal("views.open", exc, self._metrics)
            log.warning("could not open a form: %s", type(exc).__name__)
            return False
        return True


def note_view_refusal(method: str, exc: Exception, metrics: Metrics | None) -> None:
    """A view Slack refused as malformed is noted like a message (a view has no plain-text
    form to fall back to; its caller says what happens instead)."""
    found = _refusal(exc, MALFORMED_VIEW) if isinstance(exc, SlackApiError) else None
    if found is not None:
        _note_refusal(method, found, metrics)


class SlackDirectory:
    """Usergroup membership from ``usergroups.users.list``, cached for ``ttl`` seconds.

    Where Slack refuses the call (missing ``usergroups:read``, a free workspace), the bot
    keeps working without usergroup bindings and says so once in its log and in
    ``/astra perm list``.
    """

    def __init__(self, client: AsyncWebClient, *, ttl: float = 60.0) -> None:
        self.client = client
        self.ttl = ttl
        self.unavailable = False
        self._cache: dict[str, tuple[float, frozenset[str]]] = {}

    async def _members(self, group: str) -> frozenset[str]:
        now = time.monotonic()
        hit = self._cache.get(group)
        if hit and now - hit[0] < self.ttl:
            return hit[1]
        try:
            resp = await self.client.usergroups_users_list(usergroup=group)
        except SlackApiError as exc:
            code = exc.response.get("error") if exc.response else None
            if code in {"missing_scope", "paid_teams_only", "not_allowed_token_type",
                        "no_such_subteam", "subteam_not_found"}:
                if code != "no_such_subteam" and not self.unavailable:
                    log.warning("usergroup bindings disabled: usergroups.users.list says %s",
                                code)
                    self.unavailable = True
                members: frozenset[str] = frozenset()
                self._cache[group] = (now, members)
                return members
            raise _slack_error(exc, "read a usergroup") from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _slack_error(exc, "read a usergroup") from exc
        members = frozenset(resp.get("users") or [])
        self._cache[group] = (now, members)
        return members

    async def usergroups_of(self, user_id: str, groups: frozenset[str]) -> frozenset[str]:
        if self.unavailable:
            return frozenset()
        found = set()
        for g in sorted(groups):
            if user_id in await self._members(g):
                found.add(g)
        return frozenset(found)


def _is_dm(channel_id: str) -> bool:
    return channel_id.startswith("D")


class _NotThatTokenNotice(logging.Filter):
    """Bolt's AsyncApp reads SLACK_BOT_TOKEN from the environment by itself whenever no
    ``token`` is passed (``token = token or os.environ.get("SLACK_BOT_TOKEN")``), then warns
    "As you gave `client` as well, `token` will be unused." when a client is passed too.
    Passing the bot's client is the only way to give Bolt the bot's Web API URL and retry
    handlers (Bolt builds its own client from a token with neither), so with the variable
    set, as every deployment has it, no construction avoids the notice; it says nothing
    an operator can act on, so this one message, and only it, is left out."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


_NOT_THAT_TOKEN = _NotThatTokenNotice()


def _bolt_logger() -> logging.Logger:
    """The logger Bolt would use itself, with the one notice above left out (adding the
    same filter object again is a no-op, so building several apps adds it once)."""
    logger = logging.getLogger("slack_bolt.AsyncApp")
    logger.addFilter(_NOT_THAT_TOKEN)
    return logger


def build_bolt_app(
    service: Service,
    client: AsyncWebClient,
    *,
    on_started: Callable[[], None] | None = None,
    session: aiohttp.ClientSession | None = None,
) -> AsyncApp:
    """The Bolt app with the bot's listeners (the same in HTTP and Socket Mode)."""
    app = AsyncApp(
        # Only the client is given (it carries SLACK_API_URL, the retry handlers and the
        # metrics); Bolt's logger leaves out the one notice that this construction cannot
        # avoid (see _NotThatTokenNotice).
        logger=_bolt_logger(),
        client=client,
        # HTTP mode: bot/web.py verifies every request before its body is parsed (the one
        # signature check); Socket Mode has no signature.
        request_verification_enabled=False,
        # The listener acks, hands the work to a task of its own and returns: Bolt answers
        # Slack as soon as the listener returns, instead of polling every 10 ms for the ack
        # of a listener still running (process_before_response=False); the Astra call,
        # the store and the reply all run after the answer.
        process_before_response=True,
    )
    guards.install(app, service.store)  # another workspace, a replay: before any listener

    async def _then_wake(work: Awaitable[None]) -> None:
        await work
        if on_started is not None:
            on_started()

    def _asked(body: dict[str, Any], respond: Any, user: str, channel: str,
               source: str) -> tuple[Request, SlackReplier]:
        """Who asks where (a new correlation id), and how to answer them privately."""
        req = Request(user_id=user, channel_id=channel, is_dm=_is_dm(channel), source=source)
        reply = SlackReplier(respond, client=client, trigger_id=body.get("trigger_id"),
                             channel=channel, user=user,
                             response_url=body.get("response_url"), session=session,
                             metrics=service.metrics)
        return req, reply

    @app.command("/astra")
    async def _astra(ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        req, reply = _asked(body, respond, str(body.get("user_id", "")),
                            str(body.get("channel_id", "")), "command")
        service.background(_then_wake(service.handle_command(req, str(body.get("text", "")),
                                                             reply)), "command")

    async def _click(ack: Any, body: dict[str, Any], action: dict[str, Any],
                     respond: Any) -> None:
        await ack()
        channel = str((body.get("channel") or {}).get("id", "")
                      or (body.get("container") or {}).get("channel_id", ""))
        message_ts = (body.get("message") or {}).get("ts") or (
            body.get("container") or {}).get("message_ts")
        req, reply = _asked(body, respond, str((body.get("user") or {}).get("id", "")),
                            channel, "click")
        service.background(_then_wake(service.handle_action(
            req, str(action.get("action_id", "")), str(action.get("value", "")),
            str(message_ts) if message_ts else None, reply)), "click")

    # One listener per family: `astra_run:2` (ids unique within a block) and the bare
    # `astra_run` of messages posted before alike.
    for family in ACTION_FAMILIES:
        app.action(action_pattern(family))(_click)

    @app.action(ACTION_FORM_CHANGE)
    async def _form_change(ack: Any, body: dict[str, Any]) -> None:
        """The cloud changed in the create form: redraw it with that cloud's regions."""
        await ack()
        view = body.get("view") or {}
        values = form_values((view.get("state") or {}).get("values") or {})
        user = str((body.get("user") or {}).get("id", ""))
        signed = service.form_request(user, str(view.get("private_metadata") or ""))
        if signed is None:  # not a form the bot opened for this person: left as it is
            log.warning("not redrawing a form whose state the bot did not sign")
            return
        req: Request = signed

        async def redraw() -> None:
            form = await service.create_form(req, values)
            try:
                await client.views_update(view_id=view.get("id"), hash=view.get("hash"),
                                          view=form_view(form))
            except (TimeoutError, aiohttp.ClientError, SlackApiError) as exc:
                note_view_refusal("views.update", exc, service.metrics)
                log.warning("could not redraw the form: %s", type(exc).__name__)

        service.background(redraw(), "form redraw")

    @app.view(FORM_CREATE)
    async def _form_submit(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = form_values((view.get("state") or {}).get("values") or {})
        user = str((body.get("user") or {}).get("id", ""))
        # the channel is the one the bot signed into the form, never what the payload says
        req = service.form_request(user, str(view.get("private_metadata") or ""))
        if req is None:
            await ack(response_action="errors",
                      errors={"name": await service.form_refused(user, FORM_CREATE)})
            return
        errors = await service.form_errors(FORM_CREATE, values)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        reply = SlackReplier(None, client=client, channel=req.channel_id, user=user,
                             metrics=service.metrics)
        service.background(_then_wake(service.submit_form(req, FORM_CREATE, values, reply)),
                           "form")

    @app.event("app_home_opened")
    async def _home(event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        user = str(event.get("user", ""))

        async def publish() -> None:
            view = await service.home(user)
            try:
                await client.views_publish(user_id=user, view=view)
            except (TimeoutError, aiohttp.ClientError, SlackApiError) as exc:
                note_view_refusal("views.publish", exc, service.metrics)
                log.warning("could not publish the Home tab: %s", type(exc).__name__)

        service.background(publish(), "home tab")

    return app
