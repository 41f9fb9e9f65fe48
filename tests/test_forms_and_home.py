"""Slack-native UX through signed requests: the create modal (open, redraw, validate,
submit), the App Home tab, and Events API retries handled once."""

from __future__ import annotations

import json
from typing import Any

from bot.render import ACTION_FORM_CHANGE, FORM_CREATE
from tests.conftest import SIGNING_SECRET, BotHarness
from tests.fakes.slack_api import (
    block_actions_body,
    event_body,
    sign_request,
    view_submission_body,
)


def _state(**values: str) -> dict[str, dict[str, dict[str, Any]]]:
    selects = {"cloud", "region", "vector"}
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for name, value in values.items():
        if name in selects:
            action = ACTION_FORM_CHANGE if name == "cloud" else name
            out[name] = {
                action: {
                    "type": "static_select",
                    "selected_option": {
                        "value": value,
                        "text": {"type": "plain_text", "text": value},
                    },
                }
            }
        else:
            out[name] = {name: {"type": "plain_text_input", "value": value}}
    return out


async def _submit(bot: BotHarness, **values: str) -> Any:
    """Open the form in C1, then submit it with the state the bot signed into it."""
    await bot.command("db create")
    signed = bot.slack.calls("views.open")[-1].params["view"]["private_metadata"]
    body = view_submission_body(
        FORM_CREATE, _state(**values), user_id="UADMIN", private_metadata=signed
    )
    resp = await bot.post_signed(body, content_type="application/x-www-form-urlencoded")
    await bot.settle()
    return resp


async def test_create_without_a_name_opens_the_form(bot: BotHarness) -> None:
    await bot.command("db create")
    (opened,) = bot.slack.calls("views.open")
    view = opened.params["view"]
    assert view["type"] == "modal" and view["callback_id"] == FORM_CREATE
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert {"name", "cloud", "region", "keyspace", "vector", "capacity_units"} <= set(blocks)
    regions = [o["value"] for o in blocks["region"]["element"]["options"]]
    assert "us-east1" in regions and "us-east-1" not in regions  # gcp by default
    assert bot.emulator.writes_count == 0


async def test_a_stranger_gets_no_form(bot: BotHarness) -> None:
    await bot.command("db create", user="USTRANGER")
    assert bot.slack.calls("views.open") == []
    assert bot.private_texts()


async def test_changing_the_cloud_redraws_the_regions(bot: BotHarness) -> None:
    await bot.command("db create")
    view = bot.slack.calls("views.open")[0].params["view"]
    body = block_actions_body(
        ACTION_FORM_CHANGE,
        user_id="UADMIN",
        action_type="static_select",
        view={**view, "id": "V1", "hash": "h1", "state": {"values": _state(cloud="aws")}},
        state_values=_state(cloud="aws"),
    )
    await bot.post_signed(body, content_type="application/x-www-form-urlencoded")
    await bot.settle()
    (update,) = bot.slack.calls("views.update")
    blocks = {b["block_id"]: b for b in update.params["view"]["blocks"]}
    regions = [o["value"] for o in blocks["region"]["element"]["options"]]
    assert "us-east-1" in regions and "us-east1" not in regions


async def test_invalid_fields_are_shown_on_the_form(bot: BotHarness) -> None:
    resp = await _submit(
        bot,
        name="bad name!",
        cloud="gcp",
        region="us-east-1",
        keyspace="1x",
        vector="vector",
        capacity_units="500",
    )
    answer = resp.json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"name", "region", "keyspace", "capacity_units"}
    assert bot.emulator.writes_count == 0


async def test_a_valid_form_creates_like_the_typed_command(bot: BotHarness) -> None:
    resp = await _submit(
        bot,
        name="orders",
        cloud="gcp",
        region="us-east1",
        keyspace="shop",
        vector="non-vector",
        capacity_units="1",
    )
    assert resp.status_code == 200 and not resp.content
    (create,) = [r for r in bot.emulator.requests if r.method == "POST"]
    assert create.json["name"] == "orders" and create.json["keyspace"] == "shop"
    assert "dbType" not in create.json  # non-vector
    assert "PENDING" in bot.channel_posts()[-1]["text"]
    rows = await bot.store.audit_entries(limit=1)
    assert rows[0].source == "form" and rows[0].decision == "allow"


async def test_app_home_is_published_on_open_and_retries_are_handled_once(
    bot: BotHarness,
) -> None:
    bot.emulator.add_database("orders")
    await bot.command("db create shop")
    body = event_body({"type": "app_home_opened", "user": "UADMIN", "tab": "home"}, event_id="Ev1")
    first = await bot.post_signed(body, content_type="application/json")
    await bot.settle()
    assert first.status_code == 200
    (publish,) = bot.slack.calls("views.publish")
    view = publish.params["view"]
    text = json.dumps(view)
    assert view["type"] == "home" and publish.params["user_id"] == "UADMIN"
    assert "orders" in text and "Creating" in text and "admin" in text
    # Slack re-sends the same event (X-Slack-Retry-Num): acknowledged, not handled again
    retry = await bot.http.post(
        "/slack/events",
        content=body,
        headers={
            **sign_request(SIGNING_SECRET, body),
            "Content-Type": "application/json",
            "X-Slack-Retry-Num": "1",
            "X-Slack-Retry-Reason": "http_timeout",
        },
    )
    await bot.settle()
    assert retry.status_code == 200
    assert len(bot.slack.calls("views.publish")) == 1


async def test_app_home_of_a_stranger_shows_no_databases(bot: BotHarness) -> None:
    bot.emulator.add_database("secret-project")
    body = event_body(
        {"type": "app_home_opened", "user": "USTRANGER", "tab": "home"}, event_id="Ev2"
    )
    await bot.post_signed(body, content_type="application/json")
    await bot.settle()
    text = json.dumps(bot.slack.calls("views.publish")[0].params["view"])
    assert "secret-project" not in text and "no role" in text
