"""The bot's Slack Web API client, and what a refusal of Slack's means: a malformed payload
is sent again as plain text, other errors become a :class:`~bot.errors.SlackError`."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

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

from bot import render
from bot.errors import SlackError
from bot.metrics import Metrics
from bot.render import Message

log = logging.getLogger("astra_bot.slack")

T = TypeVar("T")


def make_web_client(token: str, base_url: str, *, metrics: Metrics | None = None) -> AsyncWebClient:
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

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None:
            body = response.body if isinstance(response.body, dict) else {}
            error_code = body.get("error")
            self.metrics.slack_answer(
                request.url,
                response.status_code,
                body.get("ok") is True,
                error_code if isinstance(error_code, str) else None,
            )
        elif error is not None:
            self.metrics.slack_unreachable(request.url, type(error).__name__)
        return False


#: Slack's errors for a message it will never take as sent (chat.postMessage, "Errors";
#: https://api.slack.com/methods/chat.postMessage#errors). A response_url answers the same
#: codes as text with HTTP 400, like an incoming webhook. Sending such a message again is
#: pointless; sending its words as plain text is not.
MALFORMED = frozenset(
    {
        "invalid_blocks",
        "invalid_blocks_format",
        "invalid_attachments",
        "too_many_attachments",
        "msg_too_long",
        "msg_blocks_too_long",
        "no_text",
        "invalid_metadata_format",
        "invalid_metadata_schema",
        "metadata_too_large",
        "markdown_text_conflict",
    }
)
#: views.* answer a view that breaks Block Kit's rules with invalid_arguments
#: (https://api.slack.com/methods/views.open#errors).
MALFORMED_VIEW = MALFORMED | {"invalid_arguments"}


class Refused(Exception):
    """Slack refused a payload as malformed: its error code, and its reasons where it gave
    any (``errors`` of a Web API answer; a response_url gives none)."""

    def __init__(self, code: str, reasons: Sequence[str] = ()) -> None:
        super().__init__(code)
        self.code = code
        self.reasons = tuple(reasons)


def _refusal(exc: SlackApiError, codes: frozenset[str] = MALFORMED) -> Refused | None:
    data = exc.response.data if exc.response is not None else None
    if not isinstance(data, dict) or data.get("error") not in codes:
        return None
    meta = data.get("response_metadata")
    reasons = data.get("errors") or (meta.get("messages") if isinstance(meta, dict) else None)
    return Refused(str(data["error"]), [str(r) for r in reasons or ()])


def _note_refusal(method: str, refused: Refused, metrics: Metrics | None) -> None:
    """The one record of a refusal: one log line with Slack's reasons, one count."""
    log.warning(
        "Slack refused %s as malformed (%s): %s",
        method,
        refused.code,
        "; ".join(refused.reasons) or "no reason given",
    )
    if metrics is not None:
        metrics.slack_refusal(method, refused.code)


async def send_or_plain(
    method: str,
    message: Message,
    send: Callable[[Message], Awaitable[T]],
    metrics: Metrics | None,
) -> T:
    """Send ``message``; if Slack refuses it as malformed, note the refusal and send its
    words again at once as plain text (DESIGN §4: never retried as is, and the reader is
    still told). Every message the bot sends goes through here."""
    try:
        return await send(message)
    except Refused as refused:
        _note_refusal(method, refused, metrics)
    except SlackApiError as exc:
        found = _refusal(exc)
        if found is None:
            raise
        _note_refusal(method, found, metrics)
    return await send(render.plain_only(message))


def note_view_refusal(method: str, exc: Exception, metrics: Metrics | None) -> None:
    """A view Slack refused as malformed is noted like a message (a view has no plain-text
    form to fall back to; its caller says what happens instead)."""
    found = _refusal(exc, MALFORMED_VIEW) if isinstance(exc, SlackApiError) else None
    if found is not None:
        _note_refusal(method, found, metrics)


def slack_error(exc: Exception, what: str) -> SlackError:
    """The user's words for a Web API call that failed (``what``: "post a message")."""
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
