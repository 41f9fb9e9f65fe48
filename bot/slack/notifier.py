"""The message ports as Slack Web API calls: the :class:`SlackNotifier` (channel messages,
``chat.postMessage`` / ``chat.update``) and the per-request :class:`SlackReplier`
(private answers through ``response_url`` or ``chat.postEphemeral``, forms as modals)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Unpack

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.metrics import Metrics
from bot.ports import Where
from bot.render import Form, Message, form_view
from bot.slack.web_api import MALFORMED, Refused, note_view_refusal, send_or_plain, slack_error
from bot.work import network_wait

log = logging.getLogger("astra_bot.slack")


@dataclass(frozen=True)
class SlackNotifier:
    """Channel messages: posted, and updated in place (progress)."""

    client: AsyncWebClient
    metrics: Metrics | None = None

    async def post(self, channel: str, message: Message, **where: Unpack[Where]) -> str | None:
        extra: dict[str, Any] = {}
        if thread_ts := where.get("thread_ts"):
            extra["thread_ts"] = thread_ts
            if where.get("broadcast"):
                extra["reply_broadcast"] = True

        async def send(m: Message) -> Any:
            return await self.client.chat_postMessage(
                channel=channel, text=m.text, blocks=list(m.blocks) or None, **extra
            )

        try:
            async with network_wait():
                resp = await send_or_plain("chat.postMessage", message, send, self.metrics)
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
            raise slack_error(exc, "post a message") from exc
        ts = resp.get("ts")
        return str(ts) if ts else None

    async def update(self, channel: str, ts: str, message: Message) -> None:
        async def send(m: Message) -> Any:
            return await self.client.chat_update(
                channel=channel, ts=ts, text=m.text, blocks=list(m.blocks)
            )

        try:
            async with network_wait():
                await send_or_plain("chat.update", message, send, self.metrics)
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
            raise slack_error(exc, "update a message") from exc


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
        self._webhook = (
            AsyncWebhookClient(response_url, session=session)
            if response_url and session is not None
            else None
        )
        self._client = client
        self._trigger_id = trigger_id
        self._channel = channel
        self._user = user

    async def _deliver(self, m: Message, *, replace: bool) -> None:
        answer: Any = None
        blocks = list(m.blocks) or None
        if self._webhook is not None:
            answer = await self._webhook.send(
                text=m.text, blocks=blocks, response_type="ephemeral", replace_original=replace
            )
        elif self._respond is not None:
            answer = await self._respond(
                text=m.text, blocks=blocks, response_type="ephemeral", replace_original=replace
            )
        elif self._client is not None and self._channel and self._user:
            await self._client.chat_postEphemeral(
                channel=self._channel, user=self._user, text=m.text, blocks=blocks
            )
        status = getattr(answer, "status_code", 200)
        if status >= 300:
            body = str(getattr(answer, "body", "") or "").strip()
            if body in MALFORMED:
                raise Refused(body)
            log.warning("response_url refused the answer (%d)", status)

    async def _send(self, message: Message, *, replace: bool) -> None:
        by_url = self._webhook is not None or self._respond is not None
        method = "response_url" if by_url else "chat.postEphemeral"

        async def send(m: Message) -> None:
            await self._deliver(m, replace=replace)

        try:
            async with network_wait():
                await send_or_plain(method, message, send, self._metrics)
        except (TimeoutError, aiohttp.ClientError, ValueError, SlackApiError, Refused) as exc:
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
