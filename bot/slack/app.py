"""Bolt wiring: verify, ack at once, hand the work to the service (DESIGN §1).

- Slash command ``/astra``: ``ack()`` first (Slack's 3 s deadline; nothing slow runs before
  it), then the service parses, decides, calls Astra and replies.
- Buttons ``astra_confirm`` / ``astra_cancel``: ``ack()``, then the service decides again
  for the person who clicks.
- Requests are verified by Bolt's signature check (HTTP mode) — a bad signature gets 401 and
  never reaches a listener.

The adapters here turn the service's ports into Slack Web API calls: the
:class:`SlackNotifier` (``chat.postMessage`` / ``chat.update``), a per-request
:class:`SlackReplier` (``response_url``, ephemeral) and the :class:`SlackDirectory`
(``usergroups.users.list`` with a short cache).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import SlackError
from bot.render import ACTION_CANCEL, ACTION_CONFIRM, ACTION_PAGE, ACTION_RUN, Message
from bot.service import Request, Service

log = logging.getLogger("astra_bot.slack")


def make_web_client(token: str, base_url: str) -> AsyncWebClient:
    """An AsyncWebClient that retries Slack's 429s after Retry-After (slack_sdk handlers)."""
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
        ],
    )


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
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def post(
        self, channel: str, message: Message, *, thread_ts: str | None = None,
        broadcast: bool = False,
    ) -> str | None:
        kwargs: dict[str, Any] = {"channel": channel, "text": message.text,
                                  "blocks": list(message.blocks) or None}
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
            if broadcast:
                kwargs["reply_broadcast"] = True
        try:
            resp = await self.client.chat_postMessage(**kwargs)
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
            raise _slack_error(exc, "post a message") from exc
        ts = resp.get("ts")
        return str(ts) if ts else None

    async def update(self, channel: str, ts: str, message: Message) -> None:
        try:
            await self.client.chat_update(channel=channel, ts=ts, text=message.text,
                                          blocks=list(message.blocks))
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
            raise _slack_error(exc, "update a message") from exc


class SlackReplier:
    """Private answers to one command or click, through its ``response_url``."""

    def __init__(self, respond: Callable[..., Awaitable[Any]]) -> None:
        self._respond = respond

    async def private(self, message: Message) -> None:
        try:
            await self._respond(text=message.text, blocks=list(message.blocks),
                                response_type="ephemeral", replace_original=False)
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            log.warning("could not answer privately: %s", type(exc).__name__)

    async def replace(self, message: Message) -> None:
        try:
            await self._respond(text=message.text, blocks=list(message.blocks),
                                response_type="ephemeral", replace_original=True)
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            log.warning("could not replace a message: %s", type(exc).__name__)


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


def build_bolt_app(
    service: Service,
    client: AsyncWebClient,
    *,
    signing_secret: str | None,
    on_started: Callable[[], None] | None = None,
) -> AsyncApp:
    """The Bolt app with the bot's listeners. ``signing_secret`` None means Socket Mode."""
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret,
        # Socket Mode has no signature; HTTP mode always verifies.
        request_verification_enabled=signing_secret is not None,
        process_before_response=False,
    )

    @app.command("/astra")
    async def _astra(ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        channel = str(body.get("channel_id", ""))
        req = Request(
            user_id=str(body.get("user_id", "")),
            channel_id=channel,
            is_dm=_is_dm(channel),
            source="command",
            correlation_id=uuid.uuid4().hex[:12],
        )
        await service.handle_command(req, str(body.get("text", "")), SlackReplier(respond))
        if on_started is not None:
            on_started()

    async def _click(ack: Any, body: dict[str, Any], action: dict[str, Any],
                     respond: Any) -> None:
        await ack()
        channel = str((body.get("channel") or {}).get("id", "")
                      or (body.get("container") or {}).get("channel_id", ""))
        message_ts = (body.get("message") or {}).get("ts") or (
            body.get("container") or {}).get("message_ts")
        req = Request(
            user_id=str((body.get("user") or {}).get("id", "")),
            channel_id=channel,
            is_dm=_is_dm(channel),
            source="click",
            correlation_id=uuid.uuid4().hex[:12],
        )
        await service.handle_action(req, str(action.get("action_id", "")),
                                    str(action.get("value", "")),
                                    str(message_ts) if message_ts else None,
                                    SlackReplier(respond))
        if on_started is not None:
            on_started()

    for action in (ACTION_CONFIRM, ACTION_CANCEL, ACTION_PAGE, ACTION_RUN):
        app.action(action)(_click)
    return app
