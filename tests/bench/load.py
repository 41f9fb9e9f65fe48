"""The load client: signed ``/astra`` slash commands at a fixed concurrency, from its own
process, timing each request from the first byte sent to the last byte of the answer (the
ack Slack waits for).

``python -m tests.bench.load --url http://127.0.0.1:P/slack/events --concurrency 10
--requests 200 --text "db create ld-{i}" [--response-base URL] [--rid-prefix r]``

A closed loop: ``concurrency`` workers, each sends its next request when the previous one was
answered. aiohttp with a keep-alive pool as large as the concurrency (httpx's pool is slow
under concurrency); each body is signed just before it is sent (Slack's timestamp window).
Prints one JSON document: per-request ``[rid, sent_at (time.time), latency_ms, status]``, the
client's own CPU seconds (to show it is not the bottleneck) and the wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

import aiohttp

from tests.bench.common import ADMIN, SIGNING_SECRET
from tests.fakes.slack_api import sign_request, slash_command_body


async def run(args: argparse.Namespace) -> dict[str, Any]:
    rows: list[list[Any]] = []
    errors: list[str] = []
    counter = iter(range(args.requests))
    connector = aiohttp.TCPConnector(limit=args.concurrency, limit_per_host=args.concurrency)
    timeout = aiohttp.ClientTimeout(total=args.timeout)

    def body_for(i: int) -> tuple[str, str]:
        rid = f"{args.rid_prefix}{i}"
        response_url = (
            f"{args.response_base}/response_url/{rid}"
            if args.response_base
            else "http://127.0.0.1:1/response_url/unset"
        )
        body = slash_command_body(
            args.text.format(i=i, rid=rid),
            user_id=ADMIN,
            channel_id=f"{args.channel_prefix}{i % args.channels}",
            response_url=response_url,
        )
        return rid, body

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        # one untimed request per connection first: connections open, Bolt's auth.test done
        async def warm(i: int) -> None:
            base = args.response_base or "http://127.0.0.1:1"
            body = slash_command_body(
                args.warmup_text,
                user_id=ADMIN,
                channel_id="CWARM",
                response_url=f"{base}/response_url/warm{i}",
            )
            headers = {
                **sign_request(SIGNING_SECRET, body),
                "Content-Type": "application/x-www-form-urlencoded",
            }
            async with http.post(args.url, data=body.encode(), headers=headers) as r:
                await r.read()

        if args.warmup:
            await asyncio.gather(
                *(warm(args.warmup_base + i) for i in range(min(args.concurrency, args.warmup)))
            )

        async def worker() -> None:
            for i in counter:
                rid, body = body_for(i)
                headers = {
                    **sign_request(SIGNING_SECRET, body),
                    "Content-Type": "application/x-www-form-urlencoded",
                }
                data = body.encode()
                sent = time.time()
                t0 = time.perf_counter()
                try:
                    async with http.post(args.url, data=data, headers=headers) as r:
                        await r.read()
                        status = r.status
                except (aiohttp.ClientError, TimeoutError) as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
                    status = 0
                rows.append([rid, sent, (time.perf_counter() - t0) * 1000, status])

        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return {
        "rows": rows,
        "errors": errors[:20],
        "error_count": len(errors),
        "client_cpu_s": cpu,
        "wall_s": wall,
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="signed slash-command load client")
    p.add_argument("--url", required=True)
    p.add_argument("--concurrency", type=int, default=1)
    p.add_argument("--requests", type=int, default=100)
    p.add_argument("--text", default="db list")
    p.add_argument("--response-base", default="")
    p.add_argument("--rid-prefix", default="r")
    p.add_argument("--channel-prefix", default="CLOAD")
    p.add_argument("--channels", type=int, default=10)
    p.add_argument("--warmup", type=int, default=0, help="untimed requests first (≤ conc.)")
    p.add_argument("--warmup-base", type=int, default=0)
    p.add_argument("--warmup-text", default="perm whoami")
    p.add_argument("--timeout", type=float, default=30.0)
    args = p.parse_args(argv)
    out = asyncio.run(run(args))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
