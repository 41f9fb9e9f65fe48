"""The physical floor of the ack benchmark: a bare Bolt app whose ``/astra`` only acks.

Same stack and settings as ``astra-bot serve`` (``bot.__main__._serve``): slack_bolt
``AsyncApp`` with the same signing secret and token (its Web API client pointed at the fake
Slack, which answers the one ``auth.test`` Bolt makes), behind Starlette's
``AsyncSlackRequestHandler`` on ``/slack/events``, ``GET /healthz``, served by uvicorn with
``host="0.0.0.0", log_config=None, lifespan="on", timeout_graceful_shutdown=10``.

``python -m tests.bench.bare_bolt`` reads ``PORT``, ``SLACK_BOT_TOKEN``,
``SLACK_SIGNING_SECRET`` and ``SLACK_API_URL`` like the bot.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import uvicorn
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def build() -> Starlette:
    client = AsyncWebClient(
        token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]
    )
    bolt = AsyncApp(
        client=client,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        process_before_response=False,
    )

    @bolt.command("/astra")
    async def _astra(ack: Any) -> None:
        await ack()

    handler = AsyncSlackRequestHandler(bolt)

    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            Route("/slack/events", slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


async def serve() -> None:
    config = uvicorn.Config(
        build(),
        host="0.0.0.0",
        port=int(os.environ["PORT"]),
        log_config=None,
        lifespan="on",
        timeout_graceful_shutdown=10,
    )
    await uvicorn.Server(config).serve()


if __name__ == "__main__":
    asyncio.run(serve())
