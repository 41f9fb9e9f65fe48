"""Astra reads per watcher tick, in-process (item 2 of the benchmark).

For each N: a fresh SQLite store (migrated like ``serve`` does), an in-process
:class:`~bot.astra.emulator.AstraEmulator` (through ``httpx.ASGITransport``, so every request
the real :class:`~bot.astra.client.AstraClient` makes is in the emulator's log), an org of
D = N + ``--extra`` databases of which N are PENDING (they stay PENDING), N operations
inserted straight into the store and due now, and the real :class:`~bot.watcher.tick.Watcher`.
Then ``Watcher.tick()`` is called until every operation was looked at once (the store hands
out at most 500 due operations per claim), and for each tick we record the Astra requests
the emulator saw, what the tick claimed, its wall time and its SQL statements.

Also: a tick with nothing pending or watched, and a tick with only a ``watch all``
subscription. ``python -m tests.bench.watcher_reads [--n 1,10,100,1000]`` prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

from bot.astra.client import AstraClient
from bot.astra.emulator import SANDBOX_TOKEN, AstraEmulator, EmulatorConfig
from bot.astra.orgs import Org, Orgs
from bot.render import Message
from bot.service.views import db_view
from bot.settings import Settings
from bot.store.db import make_engine, migrate
from bot.store.models import Operation
from bot.store.repo import Store
from bot.watcher.tick import Watcher

PAGE = 100  # bot.astra.http.MAX_PAGE_SIZE: the largest page Astra serves


class NullNotifier:
    """Slack accepts everything (the notices are not what is measured here)."""

    def __init__(self) -> None:
        self.posts = 0
        self.updates = 0

    async def post(
        self,
        channel: str,
        message: Message,
        *,
        thread_ts: str | None = None,
        broadcast: bool = False,
    ) -> str | None:
        self.posts += 1
        return f"1700000000.{self.posts:06d}"

    async def update(self, channel: str, ts: str, message: Message) -> None:
        self.updates += 1


def settings_for(url: str, interval: float) -> Settings:
    return Settings.model_validate(
        {
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_SIGNING_SECRET": "s",
            "ASTRA_DB_APPLICATION_TOKEN": SANDBOX_TOKEN,
            "DATABASE_URL": url,
            "ASTRA_BOT_POLL_INTERVAL": str(interval),
        }
    )


async def insert_operations(
    store: Store,
    org_id: str,
    db_ids: list[str],
    *,
    prefix: str = "w",
    channels: int = 20,
    due_at: float | None = None,
) -> None:
    """N pending create operations, due now, as ``Service._create`` leaves them once Astra
    accepted the create (state ``pending``, last status PENDING, a progress message)."""
    now = time.time()
    rows = [
        Operation(
            id=str(uuid.uuid4()),
            org_id=org_id,
            kind="create",
            database_id=db_id,
            database_name=f"{prefix}-{i:05d}",
            target_status="ACTIVE",
            state="pending",
            last_status="PENDING",
            channel_id=f"CW{i % channels}",
            thread_ts=None,
            message_ts=f"1700000000.{i:06d}",
            requester_id="UBENCH",
            correlation_id=f"c{i}",
            detail="{}",
            created_at=now,
            updated_at=now,
            deadline_at=now + 3600,
            next_check_at=due_at if due_at is not None else now - 1.0,
        )
        for i, db_id in enumerate(db_ids)
    ]
    async with store.session() as s, s.begin():
        s.add_all(rows)


async def one_case(
    n: int, extra: int, *, subscription: bool = False, interval: float = 10.0
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="astra-bench-w-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bot.db'}"
        engine = make_engine(url)
        await migrate(engine)
        store = Store(engine)
        statements = 0

        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def _count(*_: Any) -> None:
            nonlocal statements
            statements += 1

        emu = AstraEmulator(EmulatorConfig())
        astra = AstraClient(
            SANDBOX_TOKEN, "http://astra-emulator", transport=httpx.ASGITransport(app=emu.app)
        )
        ids = [emu.add_database(f"w-{i:05d}", "PENDING") for i in range(n)]
        for j in range(extra):
            emu.add_database(f"x-{j:05d}", "ACTIVE")
        org = emu.config.org_id
        await insert_operations(store, org, ids)
        if subscription:
            await store.subscribe(
                org_id=org,
                channel_id="CSUB",
                database_id="*",
                database_name="all databases",
                by="UBENCH",
            )
        watcher = Watcher(
            settings_for(url, interval),
            store,
            Orgs([Org("default", astra)], "default"),
            NullNotifier(),
            db_view=db_view,
            poll_interval=interval,
        )
        dbs = n + extra
        ticks: list[dict[str, Any]] = []
        seen = 0
        try:
            # every operation looked at once (or one tick when there are none)
            while True:
                emu.reset_requests()
                statements = 0
                t0 = time.perf_counter()
                result = await watcher.tick()
                took = time.perf_counter() - t0
                ticks.append(
                    {
                        "claimed": result.claimed,
                        "astra_reads": emu.reads_count,
                        "astra_requests": len(emu.requests),
                        "list_calls": emu.count("GET", "/v2/databases")
                        - sum(
                            1
                            for r in emu.requests
                            if r.method == "GET" and r.path.startswith("/v2/databases/")
                        ),
                        "reported_astra_reads": result.astra_reads,
                        "seconds": round(took, 4),
                        "sql_statements": statements,
                    }
                )
                seen += result.claimed
                if seen >= n or result.claimed == 0 or len(ticks) >= 10:
                    break
        finally:
            await astra.aclose()
            await engine.dispose()
    reads = [t["astra_reads"] for t in ticks]
    return {
        "n_pending": n,
        "databases": dbs,
        "subscription": subscription,
        "pages_needed": math.ceil(dbs / PAGE) if (n or subscription) else 0,
        "cursor_pages": (dbs // PAGE + 1) if (n or subscription) else 0,
        "ticks_to_see_all": len(ticks),
        "reads_per_tick_max": max(reads),
        "reads_total": sum(reads),
        "per_database_polling": n,
        "tick_seconds_max": max(t["seconds"] for t in ticks),
        "sql_per_tick_max": max(t["sql_statements"] for t in ticks),
        "ticks": ticks,
    }


async def run(ns: list[int], extra: int) -> dict[str, Any]:
    cases = [await one_case(0, extra)]
    cases.append(await one_case(0, extra, subscription=True))
    for n in ns:
        cases.append(await one_case(n, extra))
    # an org whose size is a multiple of the page: cursor paging needs one more (empty) page
    cases.append(await one_case(100, 0))
    return {
        "method": "in-process: real Watcher.tick() + Store (SQLite file) + AstraClient "
        "→ AstraEmulator via ASGITransport; reads counted in the emulator log",
        "extra_databases": extra,
        "cases": cases,
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Astra reads per watcher tick")
    p.add_argument("--n", default="1,10,100,1000")
    p.add_argument(
        "--extra", type=int, default=50, help="databases in the org besides the N pending ones"
    )
    args = p.parse_args(argv)
    ns = [int(x) for x in args.n.split(",") if x]
    json.dump(asyncio.run(run(ns, args.extra)), sys.stdout)


if __name__ == "__main__":
    main()
