"""Lists that fit (pages), buttons on results that respect rights, next-step buttons."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import Block

from bot import render
from bot.render import ACTION_PAGE, ACTION_RUN, DbView
from tests.conftest import BotHarness, ServiceHarness
from tests.fakes.block_kit import check_message

MAX_MESSAGE_CHARS = 13_000  # what Slack accepts in one message's blocks, roughly


def _buttons(message: render.Message) -> dict[str, str]:
    return {
        e["text"]["text"]: e["value"]
        for b in message.blocks
        if b["type"] == "actions"
        for e in b["elements"]
    }


def _fits(message: render.Message) -> None:
    assert check_message(message.to_slack()) is None, check_message(message.to_slack())
    assert len(message.blocks) <= 50
    assert len(json.dumps(list(message.blocks))) <= MAX_MESSAGE_CHARS * 2
    for b in message.blocks:
        Block.parse(b).validate_json()  # type: ignore[union-attr]
        text = (b.get("text") or {}).get("text", "")
        assert len(text) <= 3000


def test_a_thousand_databases_page_within_slacks_limits() -> None:
    dbs = [
        DbView(
            id=f"{i:08d}-aaaa-bbbb-cccc-{i:012d}",
            name=f"database-number-{i}",
            status="ACTIVE",
            cloud="GCP",
            region="us-east1",
            keyspaces=tuple(f"keyspace_{k}" for k in range(100)),
        )
        for i in range(1000)
    ]
    first = render.db_list(dbs, page=1)
    _fits(first)
    assert "page 1 of 50" in first.text
    assert set(_buttons(first)) == {"Next ▶"}
    middle = render.db_list(dbs, page=25)
    _fits(middle)
    assert set(_buttons(middle)) == {"◀ Previous", "Next ▶"}
    assert _buttons(middle)["Next ▶"] == "db list --page 26"
    last = render.db_list(dbs, page=99)
    assert "page 50 of 50" in last.text and set(_buttons(last)) == {"◀ Previous"}


def test_a_database_with_a_hundred_keyspaces_fits() -> None:
    db = DbView(
        id="x" * 36,
        name="big",
        status="ACTIVE",
        cloud="AWS",
        region="us-east-1",
        keyspaces=tuple(f"keyspace_number_{k:03d}" for k in range(100)),
    )
    _fits(render.db_detail(db, [("Watch", "watch x", False)]))


async def test_next_page_replaces_the_list_for_the_clicker(shell_bot: ServiceHarness) -> None:
    for i in range(45):
        shell_bot.emulator.add_database(f"db{i:02d}")
    r = await shell_bot.run("db list --name 'db*'")
    assert "page 1 of 3" in r.last and "db00" in r.last and "db20" not in r.last
    nxt = _buttons(r.messages[-1])["Next ▶"]
    assert nxt == "db list --name 'db*' --page 2"
    click = await shell_bot.click(ACTION_PAGE, nxt)
    assert click.replaced and "page 2 of 3" in click.replaced[-1].text
    assert "db20" in click.replaced[-1].text
    stranger = await shell_bot.click(ACTION_PAGE, nxt, user="USTRANGER")
    assert "not allowed" in stranger.last and "db20" not in stranger.last


async def test_db_get_shows_only_the_actions_the_caller_may_run(
    shell_bot: ServiceHarness,
) -> None:
    db_id = shell_bot.emulator.add_database("orders")
    admin = _buttons((await shell_bot.run("db get orders")).messages[-1])
    assert {"Watch", "Download bundle", "Keyspaces", "Delete"} <= set(admin)
    assert "Park" not in admin  # serverless
    await shell_bot.components.store.grant("user", "UVIEW", "viewer", None, "t")
    viewer = _buttons((await shell_bot.run("db get orders", user="UVIEW")).messages[-1])
    assert set(viewer) == {"Watch", "Keyspaces"}
    # a button runs its command as the person who clicks, through the policy
    r = await shell_bot.click(ACTION_RUN, admin["Delete"], user="UVIEW")
    assert "not allowed" in r.last
    await shell_bot.click(ACTION_RUN, admin["Delete"])
    assert "asks to run `/astra db delete" in shell_bot.notifier.posts[-1][1].text
    assert not any(q.path.endswith("/terminate") for q in shell_bot.emulator.requests)
    assert db_id in admin["Delete"]


async def test_active_notice_has_next_step_buttons(bot: BotHarness) -> None:
    await bot.command("db create orders")
    await bot.run_until_idle()
    notice = bot.channel_posts()[-1]
    labels = [
        e["text"]["text"] for b in notice["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert labels == ["Details", "Download bundle", "Watch"]
    watch = next(
        e["value"]
        for b in notice["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["text"]["text"] == "Watch"
    )
    await bot.click(ACTION_RUN, watch, user="USTRANGER")
    assert "not allowed" in bot.private_texts()[-1]
    await bot.click(ACTION_RUN, watch)
    assert "is watching" in bot.channel_posts()[-1]["text"]


def _action_ids(blocks: list[dict[str, object]]) -> dict[str, str]:
    """Button label → its action_id."""
    return {
        e["text"]["text"]: e["action_id"]
        for b in blocks
        if b["type"] == "actions"  # type: ignore[index]
        for e in b["elements"]
    }  # type: ignore[attr-defined]


async def test_next_step_buttons_have_ids_of_their_own_and_old_ids_still_click(
    bot: BotHarness,
) -> None:
    await bot.command("db create orders")
    await bot.run_until_idle()
    notice = bot.channel_posts()[-1]
    ids = _action_ids(notice["blocks"])
    # Slack refuses a block whose buttons share an action_id (the strict fake too)
    assert len(set(ids.values())) == 3
    assert all(i.startswith(f"{ACTION_RUN}:") for i in ids.values())
    value = next(
        e["value"]
        for b in notice["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["text"]["text"] == "Watch"
    )
    await bot.click(ids["Watch"], value)
    assert "is watching" in bot.channel_posts()[-1]["text"]
    # a message posted before the ids changed still carries the bare id: it still works
    details = value.replace("watch", "db get")
    await bot.click(ACTION_RUN, details)
    assert "orders" in bot.private_texts()[-1]
    assert bot.slack.refusals == []


async def test_page_buttons_have_ids_of_their_own_and_old_ids_still_click(
    bot: BotHarness,
) -> None:
    for i in range(45):
        bot.emulator.add_database(f"db{i:02d}")
    await bot.command("db list")
    first = bot.slack.response_url_posts[-1]
    assert first.blocks is not None and "page 1 of 3" in (first.text or "")
    nxt = _action_ids(first.blocks)["Next ▶"]
    assert nxt == f"{ACTION_PAGE}:next"
    await bot.click(nxt, "db list --page 2")
    second = bot.slack.response_url_posts[-1]
    assert second.status == 200 and second.replace_original
    assert second.blocks is not None and "page 2 of 3" in (second.text or "")
    assert _action_ids(second.blocks) == {
        "◀ Previous": f"{ACTION_PAGE}:prev",
        "Next ▶": f"{ACTION_PAGE}:next",
    }
    await bot.click(ACTION_PAGE, "db list --page 3")  # the bare id of an older message
    assert "page 3 of 3" in (bot.slack.response_url_posts[-1].text or "")
    assert bot.slack.refusals == []


async def test_a_page_past_the_last_says_how_many_pages_there_are(bot: BotHarness) -> None:
    for i in range(25):
        bot.emulator.add_database(f"db{i:02d}")
    await bot.command("db list --page 99")
    assert "`--page 99`: there are 2 pages of databases (1–2)." in bot.private_texts()[-1]
    await bot.command("db list --page 0")
    assert "--page: `0` is too small: use 1 or more." in bot.private_texts()[-1]
    await bot.command("db list --page 2")
    assert "page 2 of 2" in bot.private_texts()[-1]
