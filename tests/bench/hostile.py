"""``python -m tests.bench.hostile`` — the costs of hostile input (issue 13, items 6 and 7).

1. Tokenizing one long word: ``shlex.split`` (what the bot used; the timing includes one
   ``split_words`` call, to check both agree) against ``bot.intents.split_words``, at 10 K,
   100 K, 300 K and 1 M characters.
2. Ack latency of a real ``astra-bot serve --sandbox`` (uvicorn, one process) for signed
   ``/astra help db`` commands, sent one after another, alone and while unsigned 50 MB
   uploads stream in as fast as loopback allows (chunked, so the size is not declared; each
   is cut off at the cap and started again); p50 / p99 / max and how many uploads were
   refused meanwhile. Slack's deadline is 3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bot.intents import split_words
from tests.bench.common import base_env, free_port, percentile
from tests.fakes.slack_api import DEFAULT_BOT_TOKEN, FakeSlack, sign_request, slash_command_body

SECRET = "bench-signing-secret"


def tokenize_timings() -> list[tuple[int, float | None, float]]:
    """(characters, shlex.split seconds, split_words seconds); shlex is not timed on 1 MB
    (a minute on a busy 2-core machine: quadratic)."""
    rows: list[tuple[int, float | None, float]] = []
    for size in (10_000, 100_000, 300_000, 1_000_000):
        text = "db create " + "x" * size
        old: float | None = None
        if size <= 300_000:
            t0 = time.perf_counter()
            assert shlex.split(text) == split_words(text)
            old = time.perf_counter() - t0
        t1 = time.perf_counter()
        split_words(text)
        rows.append((size, old, time.perf_counter() - t1))
    return rows


async def _flood(port: int, stop: asyncio.Event, refused: list[int]) -> None:
    chunk = b"a" * (1 << 20)
    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    while not stop.is_set():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(
                b"POST /slack/events HTTP/1.1\r\nHost: bot\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n"
            )
            answer = asyncio.create_task(reader.readline())
            with contextlib.suppress(ConnectionError):
                for _ in range(50):  # 50 MB
                    if answer.done() or stop.is_set():
                        break
                    writer.write(framed)
                    await writer.drain()
            line = await asyncio.wait_for(answer, 10)
            if line.split()[1:2] == [b"413"]:
                refused.append(1)
        except (ConnectionError, TimeoutError, IndexError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


async def _acks(url: str, slack: FakeSlack, n: int) -> list[float]:
    out = []
    async with httpx.AsyncClient() as http:
        for i in range(n):
            body = slash_command_body(
                "help db", user_id="UBENCH", response_url=slack.response_url(f"r{i}")
            )
            headers = {
                **sign_request(SECRET, body),
                "Content-Type": "application/x-www-form-urlencoded",
            }
            t0 = time.perf_counter()
            resp = await http.post(f"{url}/slack/events", content=body, headers=headers)
            out.append(time.perf_counter() - t0)
            assert resp.status_code == 200
            await asyncio.sleep(0.05)
    return out


async def ack_under_flood(n: int, floods: int) -> dict[str, object]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeSlack() as slack:
            env = {
                **base_env(),
                "SLACK_BOT_TOKEN": DEFAULT_BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": slack.api_url,
                "PORT": str(port),
                "ASTRA_BOT_ADMINS": "UBENCH",
                "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bot.db",
            }
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "serve",
                "--sandbox",
                cwd=tmp,
                env=env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            try:
                async with httpx.AsyncClient() as http:
                    for _ in range(300):
                        with contextlib.suppress(httpx.TransportError):
                            if (await http.get(f"{url}/healthz")).status_code == 200:
                                break
                        await asyncio.sleep(0.05)
                await _acks(url, slack, 3)  # warm-up
                calm = await _acks(url, slack, n)
                stop, refused = asyncio.Event(), []
                flood = [asyncio.create_task(_flood(port, stop, refused)) for _ in range(floods)]
                await asyncio.sleep(0.5)
                stormy = await _acks(url, slack, n)
                stop.set()
                await asyncio.gather(*flood)
            finally:
                proc.terminate()
                await proc.wait()

    def stats(xs: list[float]) -> dict[str, float | None]:
        return {"p50": percentile(xs, 50), "p99": percentile(xs, 99), "max": max(xs)}

    return {
        "alone": stats(calm),
        "flood": stats(stormy),
        "uploads_refused": len(refused),
        "floods": floods,
        "acks": n,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.bench.hostile", description=__doc__)
    p.add_argument("--acks", type=int, default=100)
    p.add_argument("--floods", type=int, default=4, help="concurrent 50 MB uploads")
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args(argv)
    result: dict[str, object] = {"cpus": os.cpu_count()}
    print("| one word of | shlex.split | split_words |\n|---|---|---|")
    rows = tokenize_timings()
    for size, old, new in rows:
        shown = "—" if old is None else f"{old * 1000:.0f} ms"
        print(f"| {size:,} chars | {shown} | {new * 1000:.1f} ms |")
    result["tokenize"] = [{"chars": s, "shlex_s": o, "split_words_s": n} for s, o, n in rows]
    acks = asyncio.run(ack_under_flood(args.acks, args.floods))
    result["acks"] = acks
    print(
        f"\n| signed `/astra help db` ack ({args.acks} each) | p50 | p99 | max |\n|---|---|---|---|"
    )
    for key in ("alone", "flood"):
        s = acks[key]
        assert isinstance(s, dict)
        label = key if key == "alone" else f"{args.floods} × 50 MB uploads streaming"
        print(
            f"| {label} | {s['p50'] * 1000:.1f} ms | {s['p99'] * 1000:.1f} ms "
            f"| {s['max'] * 1000:.1f} ms |"
        )
    print(f"\nuploads refused with 413 meanwhile: {acks['uploads_refused']}")
    if args.out:
        args.out.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
