"""Several replicas on one PostgreSQL: the watchers share the work by leases and every
operation is announced exactly once, even with both ticking at the same moment."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest

from bot.astra.emulator import AstraEmulator
from bot.bootstrap import build
from bot.service import Request
from bot.store.db import make_engine, migrate
from tests.conftest import (
    SIGNING_SECRET,
    FakeClock,
    RecordingNotifier,
    RecordingReplier,
    bot_harness,
    make_settings,
)
from tests.fakes.slack_api import FakeSlack, sign_request, slash_command_body

pytestmark = pytest.mark.postgres


async def test_two_watchers_announce_each_operation_once(
    tmp_path: Path, pg_database: str, emulator: AstraEmulator, clock: FakeClock
) -> None:
    engine = make_engine(pg_database)
    await migrate(engine)
    await engine.dispose()
    notifier = RecordingNotifier()
    replicas = []
    for _ in range(2):
        settings = make_settings(tmp_path, DATABASE_URL=pg_database)
        c = await build(
            settings,
            notifier=notifier,
            emulator=emulator,
            poll_interval=1.0,
            astra_transport=httpx.ASGITransport(app=emulator.app),
            clock=clock,
        )
        replicas.append(c)
    try:
        names = [f"db{i:02d}" for i in range(24)]
        for i, name in enumerate(names):
            svc = replicas[i % 2].service
            await svc.handle_command(
                Request("UADMIN", f"C{i % 6}"), f"db create {name}", RecordingReplier()
            )
        progress = len(notifier.posts)
        for _ in range(40):
            clock.advance(1.0)
            await asyncio.gather(*(c.watcher.tick() for c in replicas))
            if (
                not await replicas[0].store.pending_operations(limit=1)
                and not await replicas[0].store.pending_notice_count()
            ):
                break
        finals = [m.text for _, m, _ in notifier.posts[progress:]]
        mentioned = [n for t in finals for n in re.findall(r"\bdb\d\d\b", t)]
        assert sorted(mentioned) == sorted(names), "each database announced exactly once"
        creates = [r for r in emulator.requests if r.method == "POST" and r.path == "/v2/databases"]
        assert len(creates) == len(names)
    finally:
        for c in replicas:
            await c.aclose()


async def test_a_request_replayed_to_another_replica_runs_once(
    tmp_path: Path, pg_database: str, emulator: AstraEmulator, clock: FakeClock, slack: FakeSlack
) -> None:
    """Issue 13 item 8 across replicas: the delivery key is in the shared store."""
    engine = make_engine(pg_database)
    await migrate(engine)
    await engine.dispose()
    body = slash_command_body(
        'token create --role "Read Only User"',
        user_id="UADMIN",
        response_url=slack.response_url("t"),
    )
    headers = {
        **sign_request(SIGNING_SECRET, body),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    async with (
        bot_harness(tmp_path / "a", slack, emulator, clock, DATABASE_URL=pg_database) as a,
        bot_harness(tmp_path / "b", slack, emulator, clock, DATABASE_URL=pg_database) as b,
    ):
        first = await a.http.post("/slack/events", content=body, headers=headers)
        await a.settle()
        again = await b.http.post("/slack/events", content=body, headers=headers)
        await b.settle()
    assert first.status_code == again.status_code == 200
    assert "already handled" in again.json()["text"]
    assert emulator.count("POST", "/v2/tokens") == 1
