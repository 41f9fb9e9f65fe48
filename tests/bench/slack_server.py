"""The fake Slack Web API (:class:`tests.fakes.slack_api.FakeSlack`) in its own process, so
that it is never the bottleneck of the bot under test, with an HTTP control port.

``python -m tests.bench.slack_server --ctl-port N``; the Web API listens on a free port that
``GET /_ctl/info`` names. Controls:

- ``GET /_ctl/info`` ``{api_url, base_url}``
- ``GET /_ctl/calls?since=N&method=M`` ``{total, rows: [[i, method, at, status, ok, channel,
  text, ts], …]}`` — the recorded Web API calls (``text`` of chat.postMessage/chat.update).
- ``GET /_ctl/response_posts?since=N`` ``{total, rows: [[id, at, status], …]}``
- ``POST /_ctl/fault`` ``{method, kind: ratelimit|fail|http, count?, retry_after?, error?,
  status?}`` — the next ``count`` calls of ``method`` fail that way.
- ``POST /_ctl/clear`` — forget calls, posts, messages and faults.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from aiohttp import web

from tests.fakes.slack_api import FakeSlack


def control_app(slack: FakeSlack) -> web.Application:
    async def info(_: web.Request) -> web.Response:
        return web.json_response({"api_url": slack.api_url, "base_url": slack.base_url})

    async def calls(request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0"))
        method = request.query.get("method")
        recorded = slack._calls
        rows = []
        for i in range(since, len(recorded)):
            c = recorded[i]
            if method and c.method != method:
                continue
            text = c.params.get("text") if c.method.startswith("chat.") else None
            ts = (c.response or {}).get("ts")
            rows.append(
                [
                    i,
                    c.method,
                    c.at,
                    c.status,
                    c.ok,
                    c.params.get("channel"),
                    text if isinstance(text, str) else None,
                    ts,
                ]
            )
        return web.json_response({"total": len(recorded), "rows": rows})

    async def response_posts(request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0"))
        posts = slack.response_url_posts
        rows = [[p.id, p.at, p.status] for p in posts[since:]]
        return web.json_response({"total": len(posts), "rows": rows})

    async def fault(request: web.Request) -> web.Response:
        body = await request.json()
        method, kind = str(body["method"]), str(body.get("kind", "fail"))
        count = int(body.get("count", 1))
        if kind == "ratelimit":
            slack.rate_limit(method, count, int(body.get("retry_after", 1)))
        elif kind == "http":
            slack.http_error(method, int(body.get("status", 500)), count)
        else:
            slack.fail(method, str(body.get("error", "channel_not_found")), count)
        return web.json_response({"ok": True})

    async def clear(_: web.Request) -> web.Response:
        slack.reset()
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_get("/_ctl/info", info)
    app.router.add_get("/_ctl/calls", calls)
    app.router.add_get("/_ctl/response_posts", response_posts)
    app.router.add_post("/_ctl/fault", fault)
    app.router.add_post("/_ctl/clear", clear)
    return app


async def serve(ctl_port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with FakeSlack() as slack:
        runner = web.AppRunner(control_app(slack), access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", ctl_port).start()
        try:
            await stop.wait()
        finally:
            await runner.cleanup()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The fake Slack Web API, served alone.")
    parser.add_argument("--ctl-port", type=int, required=True)
    args = parser.parse_args(argv)
    asyncio.run(serve(args.ctl_port))


if __name__ == "__main__":
    main()
