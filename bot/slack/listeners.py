"""Bolt wiring: verify, ack at once, hand the work to the service (DESIGN §1).

- Slash command ``/astra``: ``ack()`` first (Slack's 3 s deadline; nothing slow runs before
  it), then the service parses, decides, calls Astra and replies.
- Buttons (``astra_confirm``, ``astra_cancel``, ``astra_run:<n>``, ``astra_page:prev|next``,
  and the bare ids of older messages): ``ack()``, then the service decides again for the
  person who clicks.
- HTTP requests are verified before they reach Bolt (bot/web.py: size cap, signature,
  shape); requests from another workspace and replays are stopped by bot/slack/guards.py.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.metrics import Metrics
from bot.render import ACTION_FAMILIES, ACTION_FORM_CHANGE, FORM_CREATE, action_pattern, form_view
from bot.service import Request, Service
from bot.slack import guards
from bot.slack.notifier import SlackReplier
from bot.slack.payloads import (
    BlockAction,
    FormChange,
    HomeOpened,
    SlashCommand,
    ViewSubmission,
    is_dm,
)
from bot.slack.web_api import note_view_refusal
from bot.store.repo import Store

log = logging.getLogger("astra_bot.slack")


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
    return {
        "block_actions": "action",
        "view_submission": "view",
        "view_closed": "view",
        "event_callback": "event",
        "block_suggestion": "options",
    }.get(str(body.get("type", "")), "other")


def install_ack_timer(app: AsyncApp, metrics: Metrics) -> None:
    """Ack latency (Slack's deadline is 3 s): a global middleware swaps the request's
    ``ack`` for one that records the time from this middleware to the listener's ack."""

    async def _ack_timer(
        body: dict[str, Any], context: AsyncBoltContext, next: Callable[[], Awaitable[None]]
    ) -> None:
        start, kind = time.perf_counter(), _request_kind(body)
        context["ack"] = _TimedAck(lambda t: metrics.ack(kind, t - start))
        await next()

    app.middleware(_ack_timer)


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


@dataclass(frozen=True)
class Listeners:
    """The bot's listeners: each acks, reads its payload once, and hands the work to the
    service in a task of its own."""

    service: Service
    client: AsyncWebClient
    on_started: Callable[[], None] | None = None
    session: aiohttp.ClientSession | None = None
    metrics: Metrics | None = None

    def install(self, app: AsyncApp) -> None:
        app.command("/astra")(self.command)
        # One listener per family: `astra_run:2` (ids unique within a block) and the bare
        # `astra_run` of messages posted before alike.
        for family in ACTION_FAMILIES:
            app.action(action_pattern(family))(self.click)
        app.action(ACTION_FORM_CHANGE)(self.form_change)
        app.view(FORM_CREATE)(self.form_submit)
        app.event("app_home_opened")(self.home)

    async def _then_wake(self, work: Awaitable[None]) -> None:
        await work
        if self.on_started is not None:
            self.on_started()

    def _replier(
        self, respond: Any, user: str, channel: str, trigger_id: str | None, url: str | None
    ) -> SlackReplier:
        """How to answer ``user`` privately (through the payload's response ``url``)."""
        return SlackReplier(
            respond,
            client=self.client,
            trigger_id=trigger_id,
            channel=channel,
            user=user,
            response_url=url,
            session=self.session,
            metrics=self.metrics,
        )

    def _asked(
        self, p: SlashCommand | BlockAction, respond: Any, source: str
    ) -> tuple[Request, SlackReplier]:
        """The request a command or click makes, and how to answer its person privately."""
        req = Request(p.user_id, p.channel_id, is_dm=is_dm(p.channel_id), source=source)
        return req, self._replier(respond, p.user_id, p.channel_id, p.trigger_id, p.response_url)

    async def command(self, ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        cmd = SlashCommand.of(body)
        req, reply = self._asked(cmd, respond, "command")
        work = self.service.handle_command(req, cmd.text, reply)
        self.service.background(self._then_wake(work), "command")

    async def click(
        self, ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any
    ) -> None:
        await ack()
        click = BlockAction.of(body, action)
        req, reply = self._asked(click, respond, "click")
        work = self.service.handle_action(
            req, click.action_id, click.value, click.message_ts, reply
        )
        self.service.background(self._then_wake(work), "click")

    async def form_change(self, ack: Any, body: dict[str, Any]) -> None:
        """The cloud changed in the create form: redraw it with that cloud's regions."""
        await ack()
        change = FormChange.of(body)
        signed = self.service.form_request(change.user_id, change.metadata)
        if signed is None:  # not a form the bot opened for this person: left as it is
            log.warning("not redrawing a form whose state the bot did not sign")
            return
        req: Request = signed

        async def redraw() -> None:
            form = await self.service.create_form(req, change.values)
            try:
                await self.client.views_update(
                    view_id=change.view_id, hash=change.view_hash, view=form_view(form)
                )
            except (TimeoutError, aiohttp.ClientError, SlackApiError) as exc:
                note_view_refusal("views.update", exc, self.metrics)
                log.warning("could not redraw the form: %s", type(exc).__name__)

        self.service.background(redraw(), "form redraw")

    async def form_submit(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        form = ViewSubmission.of(body, view)
        # the channel is the one the bot signed into the form, never what the payload says
        req = self.service.form_request(form.user_id, form.metadata)
        if req is None:
            refused = await self.service.form_refused(form.user_id, FORM_CREATE)
            await ack(response_action="errors", errors={"name": refused})
            return
        errors = await self.service.form_errors(FORM_CREATE, form.values)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        reply = self._replier(None, form.user_id, req.channel_id, None, None)
        work = self.service.submit_form(req, FORM_CREATE, form.values, reply)
        self.service.background(self._then_wake(work), "form")

    async def home(self, event: dict[str, Any]) -> None:
        opened = HomeOpened.of(event)
        if opened.tab != "home":
            return

        async def publish() -> None:
            view = await self.service.home(opened.user_id)
            try:
                await self.client.views_publish(user_id=opened.user_id, view=view)
            except (TimeoutError, aiohttp.ClientError, SlackApiError) as exc:
                note_view_refusal("views.publish", exc, self.metrics)
                log.warning("could not publish the Home tab: %s", type(exc).__name__)

        self.service.background(publish(), "home tab")


def build_bolt_app(
    service: Service,
    store: Store,
    client: AsyncWebClient,
    *,
    on_started: Callable[[], None] | None = None,
    session: aiohttp.ClientSession | None = None,
    metrics: Metrics | None = None,
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
    guards.install(app, store)  # another workspace, a replay: before any listener
    Listeners(service, client, on_started=on_started, session=session, metrics=metrics).install(app)
    return app
