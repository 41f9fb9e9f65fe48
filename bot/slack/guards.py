"""Bolt middlewares that stop a request before any listener: one from another workspace, and
one the bot has already handled (a replay, or Slack re-sending an event).

Both run in HTTP and in Socket Mode, after Bolt's authorization (which asked ``auth.test``
once and keeps its answer: the workspace the bot token belongs to) and before every
listener, so a refused request reaches neither the service nor Astra. The answer to a
refused slash command is the ack itself, which Slack shows privately to the caller; clicks,
forms and events get an empty ack (Slack shows nothing for those, and nothing is sent on a
refused request's behalf).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.store.repo import Store

log = logging.getLogger("astra_bot.slack")

ELSEWHERE = (
    ":no_entry: This Astra bot serves only the workspace it is installed in; nothing was run."
)
ALREADY_HANDLED = ":repeat: This request was already handled; it was not run again."

Next = Callable[[], Awaitable[BoltResponse]]


def _answer(body: Mapping[str, Any], text: str) -> BoltResponse:
    """The ack of a refused request: a private message for a slash command, else nothing."""
    if body.get("command"):
        return BoltResponse(
            status=200,
            body=json.dumps({"response_type": "ephemeral", "text": text}),
            headers={"content-type": "application/json;charset=utf-8"},
        )
    return BoltResponse(status=200, body="")


def _clip(value: object) -> str:
    return str(value)[:32]


def delivery_key(headers: Mapping[str, Sequence[str]], body: Mapping[str, Any]) -> str | None:
    """What makes one delivery from Slack unique, at most 64 characters (the store's key).

    An Events API event: its ``event_id`` (Slack re-sends an event it thinks was lost, with
    the same id and a new signature). Any other signed request: its timestamp and signature —
    the signature covers the timestamp and the whole body, so a replay of the same request
    carries the same pair, and a command typed again carries a new one. Socket Mode requests
    are not signed (nothing can replay them but Slack): only events are keyed there."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if isinstance(event_id, str) and event_id:
        return event_id if len(event_id) <= 64 else hashlib.sha256(event_id.encode()).hexdigest()
    timestamp = next(iter(headers.get("x-slack-request-timestamp") or ()), None)
    signature = next(iter(headers.get("x-slack-signature") or ()), None)
    if timestamp and signature:
        return hashlib.sha256(f"{timestamp}:{signature}".encode()).hexdigest()
    return None


def install(app: AsyncApp, store: Store) -> None:
    """Add both guards to ``app``, the workspace first (it costs nothing; a request from
    elsewhere must not take a row in the store)."""

    async def _own_workspace(
        context: AsyncBoltContext, body: dict[str, Any], next: Next
    ) -> BoltResponse:
        installed = context.authorize_result
        team, enterprise = context.team_id or None, context.enterprise_id or None
        if (
            installed is not None
            and team is not None
            and team == installed.team_id
            and enterprise == (installed.enterprise_id or None)
        ):
            return await next()
        log.warning(
            "refused a request from another workspace (team %s, enterprise %s)",
            _clip(team),
            _clip(enterprise),
        )
        return _answer(body, ELSEWHERE)

    async def _first_time(key: str) -> bool:
        async with store.transaction(doing="recording a Slack delivery") as tx:
            return await tx.requests.first_time_seen(key)

    async def _once(request: AsyncBoltRequest, body: dict[str, Any], next: Next) -> BoltResponse:
        """Each delivery runs once, whichever replica gets it: one INSERT on the ack path,
        into a table every replica shares (a second insert of the key fails)."""
        key = delivery_key(request.headers, body)
        if key is not None and not await _first_time(key):
            log.info("dropped a request already handled (a replay or a retry)")
            return _answer(body, ALREADY_HANDLED)
        return await next()

    app.middleware(_own_workspace)
    app.middleware(_once)
