"""No change reaches Astra without its audit row, on SQLite and on PostgreSQL.

- A NUL byte (which Slack never sends, and PostgreSQL cannot store in text) is refused when
  the command is parsed: a usage message, nothing sent to Astra, and the refusal audited.
- Before every mutating Astra call a "requested" audit row is written; when the store cannot
  write it the command fails closed: the requester is told, Astra is not called.
- The store's own failures are translated into :class:`bot.errors.StoreError` (one place,
  bot/store/), never a driver traceback.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.astra.emulator import AstraEmulator
from bot.errors import StoreError
from bot.intents import COMMANDS
from bot.render import ACTION_CONFIRM
from bot.store.db import make_engine, migrate
from tests.conftest import BotHarness, FakeClock, bot_harness, fresh_pg_database
from tests.fakes.slack_api import FakeSlack
from tests.test_every_command_http import ROWS

NUL_COMMANDS = [
    'access-list add orders 10.0.0.1 --description "a\x00b"',
    'token create --role "Read Only User" --description "a\x00b"',
    "db create a\x00b",
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def store_bot(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    slack: FakeSlack,
    emulator: AstraEmulator,
    clock: FakeClock,
) -> AsyncIterator[BotHarness]:
    if request.param == "sqlite":
        async with bot_harness(tmp_path, slack, emulator, clock) as harness:
            yield harness
        return
    async with fresh_pg_database(request.getfixturevalue("pg_url")) as url:
        engine = make_engine(url)
        await migrate(engine)
        await engine.dispose()
        async with bot_harness(tmp_path, slack, emulator, clock, DATABASE_URL=url) as harness:
            yield harness


async def _break_audit(bot: BotHarness) -> None:
    """Make the store refuse every new audit row (a real database failure, not a mock)."""
    engine = bot.components.engine
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(
                text(
                    "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'audit storage is down'; END $$"
                )
            )
            await conn.execute(
                text(
                    "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_audit()"
                )
            )
        else:
            await conn.execute(
                text(
                    "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log "
                    "BEGIN SELECT RAISE(ABORT, 'audit storage is down'); END"
                )
            )


def _writes(bot: BotHarness) -> list[str]:
    return [f"{r.method} {r.path}" for r in bot.emulator.requests if r.method != "GET"]


@pytest.mark.parametrize("command", NUL_COMMANDS, ids=["access-list", "token", "db-create"])
async def test_a_nul_byte_is_refused_at_parse_time_and_audited(
    store_bot: BotHarness, command: str, caplog: pytest.LogCaptureFixture
) -> None:
    bot = store_bot
    bot.emulator.add_database("orders")
    bot.emulator.reset_requests()
    await bot.command(command)
    assert _writes(bot) == []
    (answer,) = bot.private_texts()
    assert "NUL" in answer and "Astra" not in answer.split("NUL")[0], answer
    assert bot.channel_posts() == []
    rows = await bot.store.audit_entries(limit=5)
    assert [r.decision for r in rows] == ["invalid"]
    assert "\x00" not in rows[0].command and "a" in rows[0].command
    assert not [r for r in caplog.records if r.exc_info]


async def _listed(bot: BotHarness) -> None:
    """`orders` with an access list in force, so that an add runs at once (the first entry
    of an empty list is confirmed first)."""
    db_id = bot.emulator.add_database("orders")
    await bot.components.astra.add_access_list_addresses(db_id, [("192.0.2.1", "seed")])
    bot.emulator.reset_requests()


async def test_the_requested_row_precedes_the_astra_call(store_bot: BotHarness) -> None:
    bot = store_bot
    await _listed(bot)
    await bot.command("access-list add orders 10.0.0.1 --description office")
    (write,) = _writes(bot)
    assert write.startswith("POST /v2/databases/") and write.endswith("/access-list")
    rows = list(reversed(await bot.store.audit_entries(limit=5)))
    assert [r.decision for r in rows] == ["requested", "allow"]
    assert rows[0].correlation_id == rows[1].correlation_id
    # written before the change was sent: only the look-up of the database precedes it
    assert "POST" not in (rows[0].astra_request or "") and "POST" in rows[1].astra_request


async def test_a_failing_audit_fails_closed(
    store_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    bot = store_bot
    await _listed(bot)
    await _break_audit(bot)
    bot.emulator.reset_requests()
    caplog.set_level(logging.INFO)
    await bot.command("access-list add orders 10.0.0.1 --description office")
    assert _writes(bot) == []
    answer = bot.private_texts()[-1]
    assert "audit" in answer and "nothing was sent to Astra" in answer, answer
    assert bot.channel_posts() == []
    # translated once: no driver traceback in the logs
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]


async def test_store_errors_are_translated(store_bot: BotHarness) -> None:
    await _break_audit(store_bot)
    with pytest.raises(StoreError) as caught:
        await store_bot.store.audit(
            correlation_id="c", actor_id="U1", source="cli", command="x", decision="allow"
        )
    assert "store" in caught.value.user_message


async def test_an_overlong_or_nul_value_is_still_audited(store_bot: BotHarness) -> None:
    """PostgreSQL refuses a NUL in text and a value wider than its VARCHAR: the audit row
    is written anyway (the NUL shown as \\0, the value clipped), never lost."""
    await store_bot.store.audit(
        correlation_id="c",
        actor_id="U1",
        source="cli",
        command="/astra x\x00y",
        decision="invalid",
        database="n" * 400,
        reason="r\x00",
    )
    (row,) = await store_bot.store.audit_entries(limit=5)
    assert row.command == "/astra x\\0y" and row.reason == "r\\0"
    assert row.database is not None and row.database.startswith("n" * 100)
    assert len(row.database) <= 128


MUTATING = sorted(c.permission for c in COMMANDS if c.mutating and c.noun not in {"perm", "watch"})


@pytest.mark.parametrize("permission", MUTATING)
async def test_no_astra_change_without_its_audit_row(bot: BotHarness, permission: str) -> None:
    """Every command of the grammar that changes Astra, with the audit table refusing rows:
    the command (or its confirmation click) sends no change to Astra."""
    bot.emulator.add_database("orders", keyspaces=["default_keyspace", "extra"])
    bot.emulator.add_database(
        "legacy", tier="C10", capacity_units=2, cloud_provider="AWS", region="us-east-1"
    )
    bot.emulator.add_database("parked", tier="C10", status="PARKED")
    bot.emulator.add_database("multi", extra_regions=["us-central1"])
    command, setup = ROWS[permission]
    bot.vars = {}
    await setup(bot)
    await _break_audit(bot)
    bot.emulator.reset_requests()
    await bot.command(command.format(**bot.vars))
    confirm = [
        e["value"]
        for p in bot.channel_posts()
        for b in p.get("blocks", [])
        for e in b.get("elements", [])
        if e.get("action_id") == ACTION_CONFIRM
    ]
    if confirm:
        await bot.click(ACTION_CONFIRM, confirm[-1])
    assert _writes(bot) == [], f"{command!r} reached Astra with no audit row"
    shown = bot.private_texts() + [str(p.get("text")) for p in bot.channel_posts()]
    assert any("nothing was sent to Astra" in t for t in shown), shown
