"""The watcher over many orgs, in-process: Astra reads per tick, a slow org's cost, notices.

20 orgs (``--orgs``) of 100 databases (``--dbs``) each, every database PENDING with its create
operation pending in a SQLite store (migrated like ``serve`` does), one in-process
:class:`~bot.astra.emulator.AstraEmulator` serving every org (told apart by token), one
:class:`~bot.astra.client.AstraClient` per org as the bot builds them, the real
:class:`~bot.watcher.tick.Watcher`. Three parts:

1. **reads** — one ``Watcher.tick()``: the list calls each org's token made (the emulator's
   log) against the pages that org needs (⌈databases / 100⌉); asserted equal, nothing else.
2. **slow org, one tick** — one org answers its list after 2.5 s, the others after 0.2 s
   (``--latency``; emulator faults of one org each), 5 databases per org turn ACTIVE: the
   tick's wall time against the slowest org's list and the sum of every org's list time;
   the notices posted when the tick returned.
3. **notices, running** — ``Watcher.run()`` with the real clock, ASTRA_BOT_POLL_INTERVAL
   ``--interval`` (operations older than ten minutes: looked at every poll interval), the
   slow org at 2.5 s on every list (the others at ``--latency``), databases of every org
   set ACTIVE at random moments: the delay from ACTIVE to the notice, per org; the other
   orgs' worst delay must be within the poll interval + 0.5 s.

``python -m tests.bench.watcher_orgs [--orgs 20 --dbs 100 --interval 5 --seconds 30]`` prints
the JSON, then a Markdown table on stderr; exit 1 when a claim does not hold.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bot.astra.client import AstraClient
from bot.astra.emulator import AstraEmulator, EmulatorConfig, org_token
from bot.astra.orgs import Org, Orgs
from bot.render import Message
from bot.service.views import db_view
from bot.store.db import make_engine, migrate
from bot.store.models import Operation
from bot.store.repo import Store
from bot.watcher.tick import Watcher
from tests.bench.watcher_reads import settings_for

PAGE = 100  # bot.astra.http.MAX_PAGE_SIZE
LIST = ("GET", "/v2/databases")
SLOW_S = 2.5


class TimedNotifier:
    """Slack accepts everything; when each channel's notice was posted (monotonic)."""

    def __init__(self) -> None:
        self.posted: dict[str, float] = {}

    async def post(
        self,
        channel: str,
        message: Message,
        *,
        thread_ts: str | None = None,
        broadcast: bool = False,
    ) -> str | None:
        self.posted.setdefault(channel, time.monotonic())
        return f"1700000000.{len(self.posted):06d}"

    async def update(self, channel: str, ts: str, message: Message) -> None:
        return None


@dataclass
class Rig:
    emu: AstraEmulator
    store: Store
    orgs: Orgs
    watcher: Watcher
    notifier: TimedNotifier
    #: org name → its databases' ids, in order
    dbs: dict[str, list[str]]
    #: org name → how long each of its list calls took (s), as its client saw them
    list_s: dict[str, list[float]] = field(default_factory=dict)

    def channel(self, org: str, i: int) -> str:
        return f"C-{org}-{i:03d}"


@contextlib.asynccontextmanager
async def rig(
    names: list[str], n_dbs: int, interval: float, *, old: bool = False
) -> AsyncIterator[Rig]:
    with tempfile.TemporaryDirectory(prefix="astra-bench-orgs-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bot.db'}"
        engine = make_engine(url)
        await migrate(engine)
        store = Store(engine)
        emu = AstraEmulator(EmulatorConfig(), orgs=names)
        transport = httpx.ASGITransport(app=emu.app)
        list_s: dict[str, list[float]] = {n: [] for n in names}

        def observer(name: str) -> Any:
            def seen(method: str, path: str, status: int | None, seconds: float) -> None:
                if (method, path) == LIST:
                    list_s[name].append(seconds)

            return seen

        orgs = Orgs(
            [
                Org(n, AstraClient(org_token(n), "http://astra-emulator", transport=transport,
                                   observer=observer(n)))
                for n in names
            ],
            names[0],
        )  # fmt: skip
        dbs: dict[str, list[str]] = {}
        for n in names:
            dbs[n] = [emu.org(n).add_database(f"{n}-{i:03d}", "PENDING") for i in range(n_dbs)]
        notifier = TimedNotifier()
        watcher = Watcher(
            settings_for(url, interval), store, orgs, notifier, db_view=db_view,
            poll_interval=interval,
        )  # fmt: skip
        r = Rig(emu, store, orgs, watcher, notifier, dbs, list_s)
        created = time.time() - (3600 if old else 0)
        for n in names:
            await insert(r, n, emu.org(n).config.org_id, created)
        await orgs.learn()  # at start-up (bot/web.py)
        try:
            yield r
        finally:
            await watcher.drain()
            await orgs.aclose()
            await engine.dispose()


async def insert(r: Rig, org: str, org_id: str, created: float) -> None:
    """The org's pending creates, due now, as the service leaves them once Astra accepted."""
    now = time.time()
    rows = [
        Operation(
            id=str(uuid.uuid4()), org_id=org_id, kind="create", database_id=db_id,
            database_name=f"{org}-{i:03d}", target_status="ACTIVE", state="pending",
            last_status="PENDING", channel_id=r.channel(org, i), thread_ts=None,
            message_ts=f"1700000000.{i:06d}", requester_id="UBENCH", correlation_id=f"c{i}",
            detail="{}", created_at=created, updated_at=now, deadline_at=now + 7200,
            next_check_at=now - 1.0,
        )
        for i, db_id in enumerate(r.dbs[org])
    ]  # fmt: skip
    async with r.store.session() as s, s.begin():
        s.add_all(rows)


async def reads(names: list[str], n_dbs: int) -> dict[str, Any]:
    async with rig(names, n_dbs, 10.0) as r:
        r.emu.reset_requests()
        t0 = time.perf_counter()
        result = await r.watcher.tick()
        took = time.perf_counter() - t0
        per_org = {n: 0 for n in names}
        for req in r.emu.requests:
            if (req.method, req.path) == LIST and req.org in per_org:
                per_org[req.org] += 1
        pages = {n: math.ceil(len(r.dbs[n]) / PAGE) for n in names}
        return {
            "orgs": len(names),
            "databases_per_org": n_dbs,
            "operations_claimed": result.claimed,
            "pages_needed_sum": sum(pages.values()),
            "list_calls_sum": sum(per_org.values()),
            "astra_requests": len(r.emu.requests),
            "lists_per_org_equal_pages": per_org == pages,
            "tick_s": round(took, 3),
        }


def slow_down(r: Rig, names: list[str], slow: str, latency: float) -> None:
    """Every org answers its lists after ``latency``; ``slow`` after SLOW_S (faults of one
    org each: the emulator's own latency would hold every org alike)."""
    for n in names:
        r.emu.inject_fault(0, count=10**6, method="GET", path_prefix="/v2/databases",
                           org=n, latency_s=SLOW_S if n == slow else latency)  # fmt: skip


async def slow_tick(names: list[str], n_dbs: int, slow: str, latency: float) -> dict[str, Any]:
    async with rig(names, n_dbs, 10.0) as r:
        slow_down(r, names, slow, latency)
        for n in names:
            for db_id in r.dbs[n][:5]:
                r.emu.org(n).set_status(db_id, "ACTIVE")
        t0 = time.perf_counter()
        await r.watcher.tick()
        took = time.perf_counter() - t0
        fast_told = sum(1 for ch in r.notifier.posted if not ch.startswith(f"C-{slow}-"))
        await r.watcher.drain()
        slowest = max(max(v) for v in r.list_s.values())
        return {
            "slow_org_latency_s": SLOW_S,
            "other_orgs_latency_s": latency,
            "tick_s": round(took, 3),
            "slowest_list_s": round(slowest, 3),
            "sum_of_lists_s": round(sum(sum(v) for v in r.list_s.values()), 3),
            "other_orgs_notices_when_tick_returned": fast_told,
            "other_orgs_notices_expected": 5 * (len(names) - 1),
            "slow_org_notices_after_drain": sum(
                1 for ch in r.notifier.posted if ch.startswith(f"C-{slow}-")
            ),
        }


async def running(
    names: list[str], n_dbs: int, slow: str, args: argparse.Namespace
) -> dict[str, Any]:
    rnd = random.Random(args.seed)
    interval, seconds = args.interval, args.seconds
    async with rig(names, n_dbs, interval, old=True) as r:
        slow_down(r, names, slow, args.latency)
        stop = asyncio.Event()
        loop = asyncio.create_task(r.watcher.run(stop))
        flips = sorted(
            (rnd.uniform(1.0, seconds), n, i) for n in names for i in rnd.sample(range(n_dbs), 3)
        )
        active_at: dict[str, float] = {}
        t0 = time.monotonic()
        for at, n, i in flips:
            await asyncio.sleep(max(0.0, t0 + at - time.monotonic()))
            r.emu.org(n).set_status(r.dbs[n][i], "ACTIVE")
            active_at[r.channel(n, i)] = time.monotonic()
        await asyncio.sleep(interval + SLOW_S + 2.0)
        stop.set()
        await loop
        delays = {
            ch: r.notifier.posted[ch] - a for ch, a in active_at.items() if ch in r.notifier.posted
        }
        fast = sorted(d for ch, d in delays.items() if not ch.startswith(f"C-{slow}-"))
        slows = sorted(d for ch, d in delays.items() if ch.startswith(f"C-{slow}-"))
        return {
            "poll_interval_s": interval,
            "flips": len(flips),
            "missing": sorted(set(active_at) - set(delays)),
            "other_orgs_delay_p50_s": round(fast[len(fast) // 2], 2) if fast else None,
            "other_orgs_delay_max_s": round(max(fast), 2) if fast else None,
            "slow_org_delay_max_s": round(max(slows), 2) if slows else None,
            "bound_s": interval + 0.5,
        }


def claims(res: dict[str, Any]) -> list[str]:
    """What does not hold (empty: every claim holds)."""
    bad = []
    rd, st, rn = res["reads"], res["slow_tick"], res["running"]
    if not (rd["lists_per_org_equal_pages"] and rd["astra_requests"] == rd["pages_needed_sum"]):
        bad.append(
            f"reads per tick {rd['astra_requests']} != pages needed {rd['pages_needed_sum']}"
        )
    if st["tick_s"] > st["slowest_list_s"] + 0.5:
        bad.append(f"tick {st['tick_s']} s > slowest org {st['slowest_list_s']} s + 0.5")
    if st["other_orgs_notices_when_tick_returned"] != st["other_orgs_notices_expected"]:
        bad.append("the other orgs' notices waited for the slow org")
    if rn["missing"] or (rn["other_orgs_delay_max_s"] or 99) > rn["bound_s"]:
        bad.append(f"other orgs' notice delay {rn['other_orgs_delay_max_s']} s > {rn['bound_s']} s")
    return bad


def table(res: dict[str, Any]) -> str:
    rd, st, rn = res["reads"], res["slow_tick"], res["running"]
    return "\n".join(
        [
            "| orgs × databases | reads per tick | pages needed | tick (s), no latency "
            "| tick (s), one org at 2.5 s | slowest org's list (s) | sum of the orgs' lists (s) "
            "| others' notice delay p50 / max (s) | poll interval + 0.5 (s) | slow org's max (s) |",
            "|---|---|---|---|---|---|---|---|---|---|",
            f"| {rd['orgs']} × {rd['databases_per_org']} | {rd['astra_requests']} "
            f"| {rd['pages_needed_sum']} | {rd['tick_s']} | {st['tick_s']} "
            f"| {st['slowest_list_s']} | {st['sum_of_lists_s']} "
            f"| {rn['other_orgs_delay_p50_s']} / {rn['other_orgs_delay_max_s']} "
            f"| {rn['bound_s']} | {rn['slow_org_delay_max_s']} |",
        ]
    )


async def run(args: argparse.Namespace) -> dict[str, Any]:
    names = [f"org-{i:02d}" for i in range(args.orgs)]
    slow = names[min(7, len(names) - 1)]
    return {
        "method": "in-process: real Watcher + Store (SQLite file) + one AstraClient per org "
        "→ one AstraEmulator serving every org via ASGITransport; one org slowed by an "
        "emulator fault of that org only",
        "load_1min": os.getloadavg()[0],
        "slow_org": slow,
        "reads": await reads(names, args.dbs),
        "slow_tick": await slow_tick(names, args.dbs, slow, args.latency),
        "running": await running(names, args.dbs, slow, args),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="the watcher over many orgs")
    p.add_argument("--orgs", type=int, default=20)
    p.add_argument("--dbs", type=int, default=100)
    p.add_argument("--interval", type=float, default=5.0, help="ASTRA_BOT_POLL_INTERVAL (s)")
    p.add_argument("--seconds", type=float, default=30.0, help="how long databases turn ACTIVE")
    p.add_argument("--seed", type=int, default=16)
    p.add_argument("--latency", type=float, default=0.2, help="the other orgs' list latency (s)")
    args = p.parse_args(argv)
    res = asyncio.run(run(args))
    res["failed"] = claims(res)
    json.dump(res, sys.stdout)
    print("\n" + table(res), file=sys.stderr)
    for line in res["failed"]:
        print(f"FAILED: {line}", file=sys.stderr)
    raise SystemExit(1 if res["failed"] else 0)


if __name__ == "__main__":
    main()
