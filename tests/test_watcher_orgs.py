"""The watcher with several orgs: each org listed once per tick with its own client, the
orgs concurrently; a slow or failing org delays no other org's notices; each operation is
followed in its own org after a restart and across replicas."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.astra.client import AstraClient
from bot.astra.emulator import AstraEmulator, EmulatorConfig, org_token
from bot.astra.orgs import Org, Orgs
from bot.service.views import db_view
from bot.store.db import make_engine, migrate
from bot.store.models import Operation
from bot.store.repo import Store
from bot.watcher.tick import Watcher
from tests.conftest import FAST, FakeClock, RecordingNotifier, make_settings

ORGS = ["prod", "dev"]


def make_orgs(emu: AstraEmulator, clock: FakeClock, names: list[str] = ORGS) -> Orgs:
    """The bot's orgs, each with its own client bearing its own token (as in production)."""
    transport = httpx.ASGITransport(app=emu.app)
    clients = [
        Org(
            n,
            AstraClient(
                org_token(n), "http://astra-emulator", transport=transport, sleep=clock.sleep
            ),
        )
        for n in names
    ]
    return Orgs(clients, names[0])


@dataclass
class Two:
    """Two emulated orgs, the bot's store, and a watcher over both."""

    emu: AstraEmulator
    clock: FakeClock
    store: Store
    notifier: RecordingNotifier
    watcher: Watcher
    tmp: Path

    def new_watcher(self, orgs: Orgs | None = None, *, store: Store | None = None) -> Watcher:
        return Watcher(
            make_settings(self.tmp),
            store or self.store,
            orgs or make_orgs(self.emu, self.clock),
            self.notifier,
            db_view=db_view,
            clock=self.clock,
            poll_interval=1.0,
        )

    async def operation(
        self, org: str, name: str, *, status: str = "PENDING", channel: str | None = None
    ) -> Operation:
        """A create Astra accepted in ``org`` (as the service leaves it), due now."""
        return await add_create(self.store, self.emu, org, name, status=status, channel=channel)

    def told(self, caplog: pytest.LogCaptureFixture, what: str) -> list[str]:
        """The watcher's log lines that mention ``what``."""
        return [
            r.getMessage()
            for r in caplog.records
            if r.name == "astra_bot.watcher" and what in r.getMessage()
        ]

    def finals(self) -> list[str]:
        return [m.text for _, m, _ in self.notifier.posts]

    def lists_by_org(self) -> list[str | None]:
        return [r.org for r in self.emu.requests if (r.method, r.path) == ("GET", "/v2/databases")]


async def add_create(
    store: Store,
    emu: AstraEmulator,
    org: str,
    name: str,
    *,
    status: str = "PENDING",
    channel: str | None = None,
) -> Operation:
    db_id = emu.org(org).add_database(name, status)
    return await store.add_operation(
        org_id=emu.org(org).config.org_id,
        kind="create",
        database_id=db_id,
        database_name=name,
        target_status="ACTIVE",
        channel_id=channel or f"C-{org}",
        requester_id="UANA",
        correlation_id="c1",
        timeout_s=3600,
        first_check_in=0,
        last_status=status,
    )


@contextlib.asynccontextmanager
async def two_orgs(
    tmp_path: Path, database_url: str | None = None, *, orgs: list[str] = ORGS
) -> AsyncIterator[Two]:
    clock = FakeClock()
    emu = AstraEmulator(EmulatorConfig(clock=clock, **FAST), orgs=orgs)  # type: ignore[arg-type]
    engine = make_engine(database_url or f"sqlite+aiosqlite:///{tmp_path}/bot.db")
    await migrate(engine)
    store = Store(engine, clock=clock)
    notifier = RecordingNotifier()
    bot_orgs = make_orgs(emu, clock, orgs)
    watcher = Watcher(
        make_settings(tmp_path),
        store,
        bot_orgs,
        notifier,
        db_view=db_view,
        clock=clock,
        poll_interval=1.0,
    )
    try:
        yield Two(emu, clock, store, notifier, watcher, tmp_path)
    finally:
        await watcher.drain()
        await bot_orgs.aclose()
        await engine.dispose()


@pytest.fixture
async def two(tmp_path: Path) -> AsyncIterator[Two]:
    async with two_orgs(tmp_path) as t:
        yield t


async def test_each_org_is_listed_once_per_tick_with_its_own_token(tmp_path: Path) -> None:
    async with two_orgs(tmp_path, orgs=[*ORGS, "idle"]) as two:
        for org in ORGS:
            for i in range(3):
                await two.operation(org, f"{org}-{i}")
        two.emu.org("idle").add_database("quiet")
        await two.watcher.deps.orgs.learn()  # at start-up (bot/web.py)
        two.emu.reset_requests()
        result = await two.watcher.tick()
        assert result.claimed == 6
        # one list per org with due work, each with that org's token; none for "idle"
        assert sorted(two.lists_by_org()) == ["dev", "prod"]
        assert len(two.emu.requests) == 2 and result.astra_reads == 2


async def test_the_same_name_in_two_orgs_is_announced_once_in_each_naming_its_org(
    two: Two,
) -> None:
    prod = await two.operation("prod", "orders")
    dev = await two.operation("dev", "orders")
    await two.watcher.tick()
    assert two.finals() == []
    two.emu.org("prod").set_status(prod.database_id, "ACTIVE")
    two.emu.org("dev").set_status(dev.database_id, "ACTIVE")
    for _ in range(3):
        two.clock.advance(1)
        await two.watcher.tick()
    finals = two.finals()
    assert len(finals) == 2, finals
    by_channel = {ch: m.text for ch, m, _ in two.notifier.posts}
    assert "orders (prod)" in by_channel["C-prod"] and "(dev)" not in by_channel["C-prod"]
    assert "orders (dev)" in by_channel["C-dev"] and "(prod)" not in by_channel["C-dev"]
    assert not await two.store.pending_operations(limit=5)


async def test_with_one_org_the_messages_do_not_name_it(tmp_path: Path) -> None:
    async with two_orgs(tmp_path) as t:
        one = t.new_watcher(make_orgs(t.emu, t.clock, ["prod"]))
        op = await t.operation("prod", "orders")
        t.emu.org("prod").set_status(op.database_id, "ACTIVE")
        await one.tick()
        assert len(t.finals()) == 1
        assert "orders" in t.finals()[0] and "(prod)" not in t.finals()[0]


async def test_a_failing_org_does_not_stop_the_other_and_is_logged_once(
    two: Two, caplog: pytest.LogCaptureFixture
) -> None:
    dev = await two.operation("dev", "dev-db")
    prod = await two.operation("prod", "prod-db")
    await two.watcher.deps.orgs.learn()
    two.emu.org("dev").set_status(dev.database_id, "ACTIVE")
    two.emu.org("prod").set_status(prod.database_id, "ACTIVE")
    two.emu.inject_fault(503, count=1000, method="GET", path_prefix="/v2/databases", org="dev")
    caplog.set_level(logging.WARNING, "astra_bot.watcher")
    await two.watcher.tick()
    assert [ch for ch, _, _ in two.notifier.posts] == ["C-prod"]
    for _ in range(4):
        two.clock.advance(1.0)  # the poll interval: dev's operation is due again
        await two.watcher.tick()
    failed = two.told(caplog, "org dev")
    assert len(failed) == 1, failed
    (left,) = await two.store.pending_operations(limit=5)
    assert left.id == dev.id and left.state == "pending"  # kept, not ended
    # not spun on: one look at dev per poll interval (5 ticks, 5 s), each a list call and
    # its one quick retry, never more
    assert two.lists_by_org().count("dev") == 5 * 2
    two.emu.clear_faults()
    two.clock.advance(1.0)
    await two.watcher.tick()
    assert [ch for ch, _, _ in two.notifier.posts] == ["C-prod", "C-dev"]
    assert "dev-db (dev)" in two.finals()[-1]


async def test_a_refused_token_keeps_its_operations_and_the_other_org_goes_on(
    two: Two, caplog: pytest.LogCaptureFixture
) -> None:
    dev = await two.operation("dev", "dev-db", status="ACTIVE")
    prod = await two.operation("prod", "prod-db", status="ACTIVE")
    await two.watcher.deps.orgs.learn()
    # dev's token is revoked after start-up: Astra answers 401 to every call of it
    two.emu.org("dev").config.tokens.clear()
    caplog.set_level(logging.WARNING, "astra_bot.watcher")
    for _ in range(3):
        await two.watcher.tick()
        two.clock.advance(1.0)
    assert [ch for ch, _, _ in two.notifier.posts] == ["C-prod"]
    assert [o.id for o in await two.store.pending_operations(limit=5)] == [dev.id]
    assert prod.id != dev.id
    told = two.told(caplog, "org dev")
    assert len(told) == 1, told


async def test_a_slow_org_does_not_delay_the_others_notices(tmp_path: Path) -> None:
    async with two_orgs(tmp_path) as two:
        dev = await two.operation("dev", "dev-db", status="ACTIVE")
        await two.operation("prod", "prod-db", status="ACTIVE")
        later = await two.operation("prod", "prod-later")
        await two.watcher.deps.orgs.learn()
        # dev answers its list after 3 s (real time); prod at once
        two.emu.inject_fault(0, method="GET", path_prefix="/v2/databases", org="dev", latency_s=3)
        started = time.perf_counter()
        first = await two.watcher.tick()
        took = time.perf_counter() - started
        assert [ch for ch, _, _ in two.notifier.posts] == ["C-prod"], "prod told at once"
        assert took < 2.5, f"the tick waited {took:.1f} s for the slow org"
        assert first.astra_reads == 1  # prod's list; dev's is still under way
        # the next tick goes on with prod, and does not list dev a second time
        two.emu.org("prod").set_status(later.database_id, "ACTIVE")
        two.clock.advance(1.0)
        await two.watcher.tick()
        assert [ch for ch, _, _ in two.notifier.posts] == ["C-prod", "C-prod"]
        assert two.lists_by_org().count("dev") == 1  # still under way: not listed again
        await two.watcher.drain()
        assert [ch for ch, _, _ in two.notifier.posts] == ["C-prod", "C-prod", "C-dev"]
        assert time.perf_counter() - started < 6
        assert not [o for o in await two.store.pending_operations(limit=5) if o.id == dev.id]
        assert two.lists_by_org().count("dev") == 1


async def test_after_a_restart_each_operation_is_followed_in_its_org(two: Two) -> None:
    ops = {org: await two.operation(org, "orders") for org in ORGS}
    await two.watcher.tick()
    await two.watcher.drain()
    for org, op in ops.items():
        two.emu.org(org).set_status(op.database_id, "ACTIVE")
    # a new process: new clients, the org ids not learned yet, the same store
    restarted = two.new_watcher()
    two.emu.reset_requests()
    two.clock.advance(1.0)
    await restarted.tick()
    await restarted.drain()
    assert sorted(r.org for r in two.emu.requests if r.path == "/v2/currentOrg") == sorted(ORGS)
    by_channel = {ch: m.text for ch, m, _ in two.notifier.posts}
    assert "orders (prod)" in by_channel["C-prod"] and "orders (dev)" in by_channel["C-dev"]
    # each database was looked for in its own org only: no read of one org's id in the other
    assert not [r for r in two.emu.requests if r.path.startswith("/v2/databases/")]
    await restarted.deps.orgs.aclose()


async def test_an_operation_of_an_org_not_configured_is_kept_and_logged_once(
    two: Two, caplog: pytest.LogCaptureFixture
) -> None:
    gone = await two.store.add_operation(
        org_id="org-gone",
        kind="create",
        database_id="db-gone",
        database_name="old",
        target_status="ACTIVE",
        channel_id="C-old",
        requester_id="UANA",
        correlation_id="c1",
        timeout_s=1,
        first_check_in=0,
    )
    caplog.set_level(logging.WARNING, "astra_bot.watcher")
    for _ in range(5):
        await two.watcher.tick()
        two.clock.advance(2.0)  # past its deadline too: nobody can look, so it is kept
    told = two.told(caplog, "org-gone")
    assert len(told) == 1, told
    (left,) = await two.store.pending_operations(limit=5)
    assert left.id == gone.id and left.next_check_at > two.clock() - 2.0
    assert two.notifier.posts == []
    # the orgs' ids were asked once (learned, then known): no Astra call per tick for it
    assert two.emu.count("GET", "/v2/currentOrg") == 2
    assert two.emu.count("GET", "/v2/databases") == 0


async def test_a_watch_is_followed_in_its_org(two: Two) -> None:
    await two.watcher.deps.orgs.learn()
    db_id = two.emu.org("dev").add_database("events")
    await two.store.subscribe(
        org_id=two.emu.org("dev").config.org_id,
        channel_id="C-watch",
        database_id=db_id,
        database_name="events",
        by="UANA",
    )
    await two.watcher.tick()
    two.emu.org("dev").set_status(db_id, "MAINTENANCE")
    two.clock.advance(60)
    two.emu.reset_requests()
    await two.watcher.tick()
    assert two.lists_by_org() == ["dev"]
    (post,) = two.notifier.posts
    assert re.search(r"events \(dev\).*ACTIVE → MAINTENANCE", post[1].text), post[1].text


@pytest.mark.postgres
async def test_two_watchers_on_postgresql_announce_once_across_orgs(
    tmp_path: Path, pg_database: str
) -> None:
    async with two_orgs(tmp_path, pg_database) as two:
        engine = make_engine(pg_database)
        other_store = Store(engine, clock=two.clock)
        other = two.new_watcher(store=other_store)
        names = {org: [f"{org}-{i:02d}" for i in range(12)] for org in ORGS}
        ops = [await two.operation(org, n, channel=f"C-{n}") for org in ORGS for n in names[org]]
        for op in ops:
            org = next(o for o in ORGS if op.database_name.startswith(o))
            two.emu.org(org).set_status(op.database_id, "ACTIVE")
        try:
            for _ in range(10):
                two.clock.advance(1.0)
                await asyncio.gather(two.watcher.tick(), other.tick())
                if not await two.store.pending_operations(limit=1):
                    break
            await asyncio.gather(two.watcher.drain(), other.drain())
            await asyncio.gather(two.watcher.tick(), other.tick())  # the last notices
            texts = two.finals()
            said = [
                m for t in texts for m in re.findall(r"\b(?:prod|dev)-\d\d \((?:prod|dev)\)", t)
            ]
            expected = [f"{n} ({org})" for org in ORGS for n in names[org]]
            assert sorted(said) == sorted(expected), "each operation announced exactly once"
        finally:
            await other.deps.orgs.aclose()
            await engine.dispose()
