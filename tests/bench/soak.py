"""Soak: a few hundred operations through injected faults; every one must end with exactly
one final notice. ``python -m tests.bench.soak [--creates 200] [--deletes 100]
[--seconds 60] [--watchers 2] [--seed 1]``; exit code 1 when a notice is lost or duplicated
or a create was sent to Astra twice.

In one process: the bot's real components (``bot.bootstrap.build``: service, store on a SQLite
file, the real ``SlackNotifier`` → ``AsyncWebClient`` with its 429 retry handler), the fake
Slack Web API (a real local HTTP server), the Astra emulator (through
``httpx.ASGITransport``, transitions shortened), and ``--watchers`` real watchers sharing
the store (replicas: DESIGN §5 says no notification is sent twice).

Driven through the service (``Service.handle_command``; deletes confirmed with
``Service.handle_action``, as a click does), creates and deletes are spread over
``--seconds`` while a fault injector keeps Astra and Slack unreliable:

- Astra reads: 500/502/503 and 429 with Retry-After (the client retries reads);
- Astra slow answers (every method, 0.3–1.5 s), and a few creates whose answer comes after the
  client's 10 s timeout (the bot must reconcile them, never send them twice);
- Slack: 429 + Retry-After on chat.postMessage / chat.update, ``fail()`` (ok: false) and
  HTTP 500 answers.

Then the faults stop, the watchers run until no operation and no notice is pending (bounded),
and each operation row is matched with the final notices Slack accepted (a line naming its
database with ACTIVE / TERMINATED / ERROR / TIMED OUT / "may not have reached Astra").
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from bot.astra.emulator import SANDBOX_TOKEN, AstraEmulator, EmulatorConfig
from bot.bootstrap import build
from bot.render import ACTION_CONFIRM, Message
from bot.service import Request
from bot.service.views import db_view
from bot.settings import Settings
from bot.store.models import Confirmation, Notice, Operation
from bot.watcher.tick import Watcher
from tests.fakes.slack_api import DEFAULT_BOT_TOKEN, FakeSlack

ADMIN = "USOAK"
FINAL = re.compile(
    r"is ACTIVE|is TERMINATED|is PARKED|is in ERROR|TIMED OUT|"
    r"may not have reached Astra"
)


class Replier:
    """What the requester is told privately (kept for the report)."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    async def private(self, message: Message) -> None:
        self.messages.append(message.text)


def settings_for(tmp: Path, slack_api: str, interval: float) -> Settings:
    return Settings.model_validate(
        {
            "SLACK_BOT_TOKEN": DEFAULT_BOT_TOKEN,
            "SLACK_SIGNING_SECRET": "soak",
            "SLACK_API_URL": slack_api,
            "ASTRA_DB_APPLICATION_TOKEN": SANDBOX_TOKEN,
            "ASTRA_API_URL": "http://astra-emulator",
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'soak.db'}",
            "ASTRA_BOT_ADMINS": ADMIN,
            "ASTRA_BOT_POLL_INTERVAL": str(interval),
            "ASTRA_BOT_LOG_FORMAT": "text",
        }
    )


async def inject_faults(
    emu: AstraEmulator,
    slack: FakeSlack,
    rnd: random.Random,
    stop: asyncio.Event,
    counts: dict[str, int],
) -> None:
    def bump(k: str, n: int = 1) -> None:
        counts[k] = counts.get(k, 0) + n

    while not stop.is_set():
        roll = rnd.random()
        if roll < 0.25:
            n = rnd.randint(1, 3)
            emu.inject_fault(rnd.choice((500, 502, 503)), count=n, method="GET")
            bump("astra_5xx_reads", n)
        elif roll < 0.40:
            n = rnd.randint(1, 2)
            emu.inject_fault(429, count=n, method="GET", retry_after=rnd.choice((0.2, 0.5, 1)))
            bump("astra_429_reads", n)
        elif roll < 0.55:
            n = rnd.randint(1, 4)
            emu.inject_fault(0, count=n, latency_s=rnd.uniform(0.3, 1.5))
            bump("astra_slow", n)
        elif roll < 0.70:
            n = rnd.randint(1, 2)
            slack.rate_limit(rnd.choice(("chat.postMessage", "chat.update")), n, retry_after=1)
            bump("slack_429", n)
        elif roll < 0.85:
            n = rnd.randint(1, 2)
            slack.fail(
                "chat.postMessage",
                rnd.choice(("internal_error", "fatal_error", "service_unavailable")),
                n,
            )
            bump("slack_fail", n)
        else:
            slack.http_error(rnd.choice(("chat.postMessage", "chat.update")), 500, 1)
            bump("slack_http_500")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), rnd.uniform(0.2, 0.8))


async def soak(args: argparse.Namespace) -> dict[str, Any]:
    rnd = random.Random(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="astra-soak-"))
    fast = {"pending_s": 0.3, "initializing_s": 0.6, "terminating_s": 0.6, "maintenance_s": 0.3}
    emu = AstraEmulator(EmulatorConfig(**fast))  # type: ignore[arg-type]
    delete_names = [f"soak-d-{i:04d}" for i in range(args.deletes)]
    for name in delete_names:
        emu.add_database(name)
    counts: dict[str, int] = {}
    replies: dict[str, list[str]] = {}
    async with FakeSlack() as slack:
        settings = settings_for(tmp, slack.api_url, args.interval)
        comps = await build(
            settings, astra_transport=httpx.ASGITransport(app=emu.app), emulator=emu
        )
        service, store = comps.service, comps.store
        watchers = [comps.watcher] + [
            Watcher(
                settings,
                store,
                comps.watcher.deps.orgs,
                comps.watcher.notifier,
                db_view=db_view,
                poll_interval=args.interval,
            )
            for _ in range(args.watchers - 1)
        ]
        stop_watch = asyncio.Event()
        stop_faults = asyncio.Event()
        runs = [asyncio.create_task(w.run(stop_watch)) for w in watchers]
        faults = asyncio.create_task(inject_faults(emu, slack, rnd, stop_faults, counts))
        # a few creates whose answer comes after the client's 10 s timeout
        slow_creates = set(rnd.sample(range(args.creates), min(args.slow_creates, args.creates)))
        started = time.monotonic()

        async def create(i: int) -> None:
            name = f"soak-c-{i:04d}"
            if i in slow_creates:
                emu.inject_fault(
                    0, count=1, method="POST", path_prefix="/v2/databases", latency_s=10.5
                )
                counts["astra_create_after_timeout"] = (
                    counts.get("astra_create_after_timeout", 0) + 1
                )
            r = Replier()
            req = Request(
                user_id=ADMIN,
                channel_id=f"CS{i % args.channels}",
                correlation_id=uuid.uuid4().hex[:12],
            )
            replies[name] = r.messages
            await service.handle_command(req, f"db create {name} --region us-east1", r)
            for w in watchers:
                w.wake()

        async def delete(i: int) -> None:
            name = delete_names[i]
            channel = f"CS{i % args.channels}"
            r = Replier()
            replies[name] = r.messages
            req = Request(user_id=ADMIN, channel_id=channel, correlation_id=uuid.uuid4().hex[:12])
            await service.handle_command(req, f"db delete {name}", r)
            async with store.session() as s:
                conf = (
                    await s.scalars(
                        select(Confirmation).where(
                            Confirmation.database_name == name, Confirmation.state == "pending"
                        )
                    )
                ).first()
            if conf is None:
                return
            click = Request(
                user_id=ADMIN,
                channel_id=channel,
                source="click",
                correlation_id=uuid.uuid4().hex[:12],
            )
            await service.handle_action(click, ACTION_CONFIRM, conf.id, conf.message_ts, r)
            for w in watchers:
                w.wake()

        jobs = [("c", i) for i in range(args.creates)] + [("d", i) for i in range(args.deletes)]
        rnd.shuffle(jobs)
        tasks = []
        for k, (kind, i) in enumerate(jobs):
            at = started + k * args.seconds / max(1, len(jobs))
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            tasks.append(asyncio.create_task(create(i) if kind == "c" else delete(i)))
        await asyncio.gather(*tasks)
        driven = time.monotonic() - started
        stop_faults.set()
        await faults
        emu.clear_faults()
        # run the watchers until nothing is pending (bounded)
        deadline = time.monotonic() + args.drain
        idle = False
        while time.monotonic() < deadline:
            if (
                not await store.pending_operations(limit=1)
                and not await store.pending_notice_count()
            ):
                idle = True
                break
            await asyncio.sleep(0.5)
        drained = time.monotonic() - started - driven
        stop_watch.set()
        await asyncio.gather(*runs, return_exceptions=True)

        async with store.session() as s:
            ops = list((await s.scalars(select(Operation))).all())
            notices = list((await s.scalars(select(Notice))).all())
        posted: list[str] = [
            str(c.params.get("text") or "") for c in slack.calls("chat.postMessage") if c.ok
        ]
        attempts = [
            (c.at, c.status, c.ok, str(c.params.get("text") or "").split("\n")[0])
            for c in slack.calls("chat.postMessage")
        ]
        await comps.aclose()
    lines = [ln for text in posted for ln in text.split("\n") if FINAL.search(ln)]
    by_name: dict[str, int] = {}
    for op in ops:
        pat = re.compile(rf"(?<![\w-]){re.escape(op.database_name)}(?![\w-])")
        by_name[op.id] = sum(1 for ln in lines if pat.search(ln))
    lost = sorted(op.database_name for op in ops if by_name[op.id] == 0)
    dup = sorted(op.database_name for op in ops if by_name[op.id] > 1)
    dup_lines = {
        n: [
            f"{at:.3f} {st} {ok} {t}"
            for at, st, ok, t in attempts
            if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", t)
        ]
        for n in dup[:5]
    }
    unfinished = sorted(op.database_name for op in ops if op.state in ("pending", "sending"))
    posts_per_name: dict[str, int] = {}
    for r in emu.requests:
        if r.method == "POST" and r.path == "/v2/databases" and isinstance(r.json, dict):
            n = str(r.json.get("name"))
            posts_per_name[n] = posts_per_name.get(n, 0) + 1
    with_ops = {op.database_name for op in ops}
    refused = [
        f"{n}: {' | '.join(m[:100] for m in ms)}"
        for n, ms in sorted(replies.items())
        if n not in with_ops
    ]
    sent_twice = sorted(n for n, k in posts_per_name.items() if k > 1)
    states: dict[str, int] = {}
    for op in ops:
        states[f"{op.kind}:{op.state}"] = states.get(f"{op.kind}:{op.state}", 0) + 1
    result = {
        "operations": len(ops),
        "commands": args.creates + args.deletes,
        "refused_before_an_operation": len(refused),
        "refused_examples": refused[:5],
        "final_states": states,
        "lost": len(lost),
        "lost_names": lost[:20],
        "duplicated": len(dup),
        "duplicated_names": dup[:20],
        "duplicated_lines": dup_lines,
        "unfinished": len(unfinished),
        "creates_sent_twice": sent_twice,
        "notice_rows": len(notices),
        "notices_not_sent": sum(1 for n in notices if n.state != "sent"),
        "faults_injected": counts,
        "watchers": args.watchers,
        "drive_s": round(driven, 1),
        "drain_s": round(drained, 1),
        "idle": idle,
    }
    if not args.keep:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.bench.soak", description=__doc__)
    p.add_argument("--creates", type=int, default=200)
    p.add_argument("--deletes", type=int, default=100)
    p.add_argument("--seconds", type=float, default=60.0, help="spread the commands over")
    p.add_argument("--drain", type=float, default=150.0, help="max seconds to go idle after")
    p.add_argument("--watchers", type=int, default=2, help="replicas sharing the store")
    p.add_argument("--interval", type=float, default=0.5, help="watcher poll interval")
    p.add_argument("--channels", type=int, default=8)
    p.add_argument(
        "--slow-creates", type=int, default=3, help="creates answered after the client's timeout"
    )
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--keep", action="store_true")
    args = p.parse_args(argv)
    import logging

    logging.basicConfig(level=logging.ERROR)
    result = asyncio.run(soak(args))
    print(json.dumps(result, indent=2))
    ok = (
        result["lost"] == 0
        and result["duplicated"] == 0
        and not result["creates_sent_twice"]
        and result["unfinished"] == 0
        and result["idle"]
    )
    print(
        f"soak: {result['operations']} operations, lost {result['lost']}, duplicated "
        f"{result['duplicated']}, unfinished {result['unfinished']}, creates sent twice "
        f"{len(result['creates_sent_twice'])} → {'OK' if ok else 'FAIL'}",
        file=sys.stderr,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
