"""Several replicas on one PostgreSQL: the watchers share the work by leases and every
operation is announced exactly once, even with both ticking at the same moment."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest

from bot.app import build
from bot.astra.emulator import AstraEmulator
from bot.service import Request
from bot.store.db import make_engine, migrate
from tests.conftest import FakeClock, RecordingNotifier, RecordingReplier, make_settings

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
        c = await build(settings, notifier=notifier, emulator=emulator, poll_interval=1.0,
                        astra_transport=httpx.ASGITransport(app=emulator.app))
        c.store.clock = c.service.clock = c.watcher.clock = clock
        replicas.append(c)
    try:
        names = [f"db{i:02d}" for i in range(24)]
        for i, name in enumerate(names):
            svc = replicas[i % 2].service
            await svc.handle_command(Request("UADMIN", f"C{i % 6}"), f"db create {name}",
                                     RecordingReplier())
        progress = len(notifier.posts)
        for _ in range(40):
            clock.advance(1.0)
            await asyncio.gather(*(c.watcher.tick() for c in replicas))
            if not await replicas[0].store.pending_operations(limit=1) and \
                    not await replicas[0].store.pending_notice_count():
                break
        finals = [m.text for _, m, _ in notifier.posts[progress:]]
        mentioned = [n for t in finals for n in re.findall(r"\bdb\d\d\b", t)]
        assert sorted(mentioned) == sorted(names), "each database announced exactly once"
        creates = [r for r in emulator.requests if r.method == "POST"
                   and r.path == "/v2/databases"]
        assert len(creates) == len(names)
    finally:
        for c in replicas:
            await c.aclose()
