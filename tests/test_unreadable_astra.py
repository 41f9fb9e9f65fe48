"""An answer the bot cannot read is an error, never "no databases"; and a database missing
from a list is only TERMINATED once a read of it says so.

Through signed requests and the emulator's body faults: Astra answering 200 with ``null``, an
empty body, a non-list or garbage must not make ``db list`` say the org is empty, nor the
watcher announce TERMINATED for a watched database or for a delete still TERMINATING.
"""

from __future__ import annotations

import pytest

from bot.render import ACTION_CONFIRM
from tests.conftest import BotHarness

BAD_BODIES = ["null", "", "  ", "{}", '{"databases": 3}', '"orders"', "<html>oops</html>", "[{]"]


def _terminated_notices(bot: BotHarness) -> list[str]:
    return [str(p.get("text")) for p in bot.channel_posts() if "TERMINATED" in str(p.get("text"))]


def _list_fault(bot: BotHarness, body: str, count: int = 1) -> None:
    bot.emulator.inject_fault(
        200, body=body, count=count, method="GET", path_prefix="/v2/databases"
    )


async def _delete(bot: BotHarness, name: str) -> None:
    await bot.command(f"db delete {name}")
    post = bot.channel_posts()[-1]
    conf = next(
        e["value"]
        for b in post["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == ACTION_CONFIRM
    )
    await bot.click(ACTION_CONFIRM, conf)


@pytest.mark.parametrize("body", BAD_BODIES)
async def test_db_list_answers_an_error_for_an_unreadable_answer(
    bot: BotHarness, body: str
) -> None:
    bot.emulator.add_database("orders")
    _list_fault(bot, body)
    await bot.command("db list")
    (answer,) = bot.private_texts()
    assert "could not read" in answer and "nothing was changed" in answer, answer
    assert "no database" not in answer.lower()


async def test_a_null_list_posts_no_terminated_notice(bot: BotHarness) -> None:
    bot.emulator.add_database("orders")
    bot.emulator.add_database("old")
    await bot.command("watch orders")
    await bot.tick()  # the watch's first look: orders is ACTIVE
    await _delete(bot, "old")  # TERMINATING in Astra for a while
    posts = len(bot.channel_posts())
    _list_fault(bot, "null", count=3)
    await bot.tick(advance=31)  # both the operation and the watch are due
    await bot.tick(advance=0.5)
    assert _terminated_notices(bot) == []
    assert len(bot.channel_posts()) == posts
    assert await bot.store.pending_operations(limit=5), "the delete is still followed"
    # once Astra answers again, the delete is announced once, the watch stays quiet
    await bot.run_until_idle()
    (notice,) = _terminated_notices(bot)
    assert "old" in notice


async def test_a_watched_database_missing_from_one_list_is_read_before_any_notice(
    bot: BotHarness,
) -> None:
    db_id = bot.emulator.add_database("orders")
    await bot.command("watch orders")
    await bot.tick()
    posts = len(bot.channel_posts())
    _list_fault(bot, "[]")  # one answer that omits it (a readable, empty list)
    bot.emulator.reset_requests()
    result = await bot.tick(advance=31)
    assert len(bot.channel_posts()) == posts, "no notice: the read found it ACTIVE"
    assert bot.emulator.count("GET", f"/v2/databases/{db_id}") == 1
    assert result.astra_reads == 2  # the list, and the one read of the missing database
    # really gone: announced once, and not read again on every tick afterwards
    bot.emulator.set_status(db_id, "TERMINATED")
    await bot.tick(advance=31)
    (notice,) = _terminated_notices(bot)
    assert "orders" in notice and "ACTIVE → TERMINATED" in notice
    bot.emulator.reset_requests()
    await bot.tick(advance=31)
    assert bot.emulator.count("GET", f"/v2/databases/{db_id}") == 0
    assert len(_terminated_notices(bot)) == 1


async def test_a_delete_still_terminating_but_missing_from_a_list_is_not_announced(
    bot: BotHarness,
) -> None:
    bot.emulator.add_database("old")
    await _delete(bot, "old")
    _list_fault(bot, "[]")
    await bot.tick(advance=1)
    assert _terminated_notices(bot) == []
    (op,) = await bot.store.pending_operations(limit=5)
    assert op.last_status == "TERMINATING"
    await bot.run_until_idle()
    assert len(_terminated_notices(bot)) == 1
