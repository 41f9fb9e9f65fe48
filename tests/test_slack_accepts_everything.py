"""Slack accepts everything the bot sends: every click (confirm, cancel, next-step and page
buttons, the form's cloud select and submit), the create form, the Home tab and every kind
of notice (ACTIVE, TERMINATED, ERROR, TIMED OUT, coalesced, watch changes) go through signed
requests to the bot and the strict fake Slack (tests/fakes/block_kit.py), and not one call
is refused. Every command of the grammar is driven in tests/test_every_command_http.py."""

from __future__ import annotations

import json
from typing import Any

from bot.render import ACTION_FORM_CHANGE, FORM_CREATE
from tests.conftest import ADMIN, BotHarness
from tests.fakes.slack_api import block_actions_body, event_body, view_submission_body


def _buttons(message: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """label → (block_id, button) of a message's actions blocks."""
    return {
        e["text"]["text"]: (b.get("block_id", ""), e)
        for b in message.get("blocks") or []
        if b["type"] == "actions"
        for e in b["elements"]
    }


async def _click(
    bot: BotHarness, message: dict[str, Any], label: str, *, user: str = ADMIN
) -> None:
    """Click ``label`` on ``message`` as Slack sends it: the button's own action_id, value
    and block_id, the message and its ts (stored, or an ephemeral answer without one)."""
    block_id, button = _buttons(message)[label]
    ts = message.get("ts", "1700000000.000001")
    bot._n += 1
    body = block_actions_body(
        button["action_id"],
        button.get("value"),
        user_id=user,
        channel_id=bot.channel,
        message_ts=ts,
        block_id=block_id,
        message={"type": "message", "ts": ts, **message},
        response_url=bot.slack.response_url(
            f"click{bot._n}", channel=bot.channel, message_ts=ts, user_id=user
        ),
    )
    resp = await bot.post_signed(body, content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 200
    await bot.settle()


def _last_post(bot: BotHarness, containing: str) -> dict[str, Any]:
    """The last message stored in the channel whose text contains ``containing``."""
    return next(m for m in reversed(bot.slack.messages(bot.channel)) if containing in m["text"])


def _last_private(bot: BotHarness) -> dict[str, Any]:
    return bot.slack.response_url_posts[-1].body


def _accepted(bot: BotHarness) -> None:
    assert bot.slack.not_accepted() == []


async def test_db_create_ends_in_one_accepted_active_notice_with_its_buttons(
    bot: BotHarness,
) -> None:
    await bot.command("db create orders")
    await bot.run_until_idle()
    notices = [
        c
        for c in bot.slack.calls("chat.postMessage")
        if "orders" in c.params["text"] and "ACTIVE" in c.params["text"]
    ]
    assert len(notices) == 1 and notices[0].ok
    assert set(_buttons(notices[0].params)) == {"Details", "Download bundle", "Watch"}
    _accepted(bot)


async def test_every_button_of_the_active_notice_and_of_db_get(bot: BotHarness) -> None:
    await bot.command("db create orders")
    await bot.run_until_idle()
    notice = _last_post(bot, "is ACTIVE")
    for label in ("Details", "Download bundle", "Watch"):
        await _click(bot, notice, label)
    await bot.command("db get orders")
    detail = _last_private(bot)
    labels = set(_buttons(detail))
    assert {"Watch", "Download bundle", "Keyspaces", "Delete"} <= labels
    for label in sorted(labels):
        await _click(bot, detail, label)
    # Delete asked for a confirmation in the channel: cancel it
    await _click(bot, _last_post(bot, "asks to run"), "Cancel")
    assert "Cancelled" in bot.slack.messages(bot.channel)[-1]["text"] or any(
        "Cancelled" in (p.text or "") for p in bot.slack.response_url_posts
    )
    await bot.run_until_idle()
    _accepted(bot)


async def test_confirm_and_the_terminated_notice(bot: BotHarness) -> None:
    bot.emulator.add_database("orders")
    await bot.command("db delete orders")
    await _click(bot, _last_post(bot, "asks to run"), "Confirm")
    await bot.run_until_idle()
    assert "orders is TERMINATED" in _last_post(bot, "TERMINATED")["text"]
    _accepted(bot)


async def test_pages_forward_and_back(bot: BotHarness) -> None:
    for i in range(45):
        bot.emulator.add_database(f"db{i:02d}")
    await bot.command("db list")
    await _click(bot, _last_private(bot), "Next ▶")
    page2 = _last_private(bot)
    assert "page 2 of 3" in page2["text"]
    await _click(bot, page2, "Next ▶")
    assert "page 3 of 3" in _last_private(bot)["text"]
    await _click(bot, _last_private(bot), "◀ Previous")
    assert "page 2 of 3" in _last_private(bot)["text"]
    _accepted(bot)


async def test_the_create_form_opens_redraws_and_submits(bot: BotHarness) -> None:
    await bot.command("db create")
    (opened,) = bot.slack.calls("views.open")
    assert opened.ok
    view = opened.response["view"] if opened.response else {}
    state = {
        "cloud": {
            ACTION_FORM_CHANGE: {
                "type": "static_select",
                "selected_option": {"value": "aws", "text": {"type": "plain_text", "text": "aws"}},
            }
        }
    }
    body = block_actions_body(
        ACTION_FORM_CHANGE,
        "aws",
        user_id=ADMIN,
        action_type="static_select",
        block_id="cloud",
        view={**view, "state": {"values": state}},
        state_values=state,
    )
    await bot.post_signed(body, content_type="application/x-www-form-urlencoded")
    await bot.settle()
    (update,) = bot.slack.calls("views.update")
    assert update.ok
    values = {
        "name": {"name": {"type": "plain_text_input", "value": "orders"}},
        **state,
        "region": {
            "region": {
                "type": "static_select",
                "selected_option": {
                    "value": "us-east-1",
                    "text": {"type": "plain_text", "text": "us-east-1"},
                },
            }
        },
    }
    submit = view_submission_body(
        FORM_CREATE,
        values,
        user_id=ADMIN,
        private_metadata=view["private_metadata"],
        view_id=view["id"],
    )
    resp = await bot.post_signed(submit, content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 200 and not resp.content, resp.text
    await bot.settle()
    await bot.run_until_idle()
    assert "orders is ACTIVE" in _last_post(bot, "ACTIVE")["text"]
    _accepted(bot)


async def test_the_home_tab(bot: BotHarness) -> None:
    for i in range(40):
        bot.emulator.add_database(f"db{i:02d}")
    await bot.command("db create shop")
    await bot.command("watch all")
    event = event_body({"type": "app_home_opened", "user": ADMIN, "tab": "home"})
    await bot.post_signed(event, content_type="application/json")
    await bot.settle()
    (published,) = bot.slack.calls("views.publish")
    assert published.ok and "shop" in json.dumps(published.params["view"])
    _accepted(bot)


async def test_error_and_timed_out_notices(bot: BotHarness) -> None:
    await bot.command("db create broken")
    (op,) = await bot.store.pending_operations()
    bot.emulator.set_status(op.database_id, "ERROR")
    await bot.run_until_idle()
    assert "broken is in ERROR" in _last_post(bot, "ERROR")["text"]
    await bot.command("db create stuck")
    (op,) = await bot.store.pending_operations()
    bot.emulator.set_status(op.database_id, "PENDING")
    await bot.run_until_idle(step=60, max_ticks=15)
    assert "TIMED OUT" in _last_post(bot, "TIMED OUT")["text"]
    _accepted(bot)


async def test_coalesced_notices_and_watch_changes(bot: BotHarness) -> None:
    for name in ("a1", "b2", "c3", "d4", "e5"):
        await bot.command(f"db create {name}")
    await bot.run_until_idle(step=5)
    assert _last_post(bot, "databases are")["text"].startswith("5 databases are ACTIVE")
    db_id = bot.emulator.add_database("legacy", tier="C10")
    await bot.command("watch legacy")
    await bot.tick(bot.components.watcher.watch_interval + 1)
    bot.emulator.set_status(db_id, "MAINTENANCE")
    await bot.tick(bot.components.watcher.watch_interval + 1)
    await bot.run_until_idle(step=5)
    assert "ACTIVE → MAINTENANCE" in _last_post(bot, "MAINTENANCE")["text"]
    _accepted(bot)
