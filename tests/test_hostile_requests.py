"""Hostile requests at Slack's request URL (issue 13, items 5–8), in process, signed.

- another workspace (``team_id`` / ``enterprise_id``) is refused before anything runs;
- malformed bodies get a 4xx and one log line, oversized ones a 413, unsigned ones a 401
  before their body is parsed;
- a command text longer than Slack sends is refused privately;
- a signed request replayed inside the signing window runs once.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from urllib.parse import parse_qsl, quote, urlencode

import httpx
import pytest

from bot.intents import MAX_TEXT_CHARS
from bot.render import ACTION_CONFIRM, ACTION_RUN, FORM_CREATE
from bot.watcher.notices import SEEN_FORGET_EVERY_S, SEEN_KEEP_S
from bot.web import MAX_BODY_BYTES
from tests.conftest import ADMIN, SIGNING_SECRET, BotHarness
from tests.fakes.slack_api import (
    block_actions_body,
    event_body,
    sign_request,
    slash_command_body,
    view_submission_body,
)

FORM = "application/x-www-form-urlencoded"


def _refusals(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "another workspace" in r.getMessage()]


def _no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []


# ---------------------------------------------------------------- 5. other workspaces


@pytest.mark.parametrize(
    "extra", [{"team_id": "T2"}, {"enterprise_id": "E9"}], ids=["team", "enterprise"]
)
async def test_a_command_from_another_workspace_is_refused(
    bot: BotHarness, caplog: pytest.LogCaptureFixture, extra: dict[str, str]
) -> None:
    caplog.set_level(logging.INFO)
    fields = dict(
        parse_qsl(
            slash_command_body(
                "db create orders", user_id=ADMIN, response_url=bot.slack.response_url("x")
            )
        )
    )
    fields.update(extra)
    resp = await bot.post_signed(urlencode(fields), content_type=FORM)
    await bot.settle()
    # The answer is the ack itself (shown privately to the caller by Slack): nothing is sent
    # on the caller's behalf, no response_url post, no message anywhere.
    assert resp.status_code == 200
    assert resp.json()["response_type"] == "ephemeral"
    assert "only the workspace it is installed in" in resp.json()["text"]
    assert bot.emulator.requests == []
    assert bot.slack.response_url_posts == [] and bot.slack.calls("chat.postMessage") == []
    assert await bot.store.audit_entries(limit=10) == []
    assert len(_refusals(caplog)) == 1


async def test_a_click_from_another_workspace_runs_nothing(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    db_id = bot.emulator.add_database("orders")
    await bot.command("db delete orders")
    (post,) = bot.channel_posts()
    confirm = next(
        e
        for b in post["blocks"]
        if b.get("type") == "actions"
        for e in b["elements"]
        if e["action_id"] == ACTION_CONFIRM
    )
    before = len(bot.emulator.requests)
    caplog.set_level(logging.INFO)
    body = block_actions_body(
        ACTION_CONFIRM,
        confirm["value"],
        user_id=ADMIN,
        channel_id=bot.channel,
        team_id="T2",
        response_url=bot.slack.response_url("click"),
    )
    resp = await bot.post_signed(body, content_type=FORM)
    await bot.settle()
    # A click's ack is never shown to anyone: the refusal is silent (and logged).
    assert (resp.status_code, resp.text) == (200, "")
    assert bot.emulator.requests[before:] == []
    assert bot.emulator.status_of(db_id) == "ACTIVE"
    assert bot.slack.calls("chat.update") == [] and bot.slack.response_url_posts == []
    assert len(_refusals(caplog)) == 1


async def test_a_form_from_another_workspace_creates_nothing(bot: BotHarness) -> None:
    values = {"name": {"name": {"type": "plain_text_input", "value": "evil"}}}
    body = view_submission_body(
        FORM_CREATE, values, user_id=ADMIN, private_metadata=bot.channel, team_id="T2"
    )
    resp = await bot.post_signed(body, content_type=FORM)
    await bot.settle()
    assert resp.status_code == 200
    assert bot.emulator.requests == []


async def test_an_event_from_another_workspace_is_dropped(bot: BotHarness) -> None:
    body = event_body(
        {"type": "app_home_opened", "user": ADMIN, "tab": "home"},
        event_id="EvFOREIGN",
        team_id="T2",
    )
    resp = await bot.post_signed(body, content_type="application/json")
    await bot.settle()
    assert resp.status_code == 200
    assert bot.slack.calls("views.publish") == []


async def test_the_own_workspace_still_works(bot: BotHarness) -> None:
    await bot.command("db list")
    assert bot.slack.response_url_posts, "the owner's command was answered"
    assert len(bot.slack.calls("auth.test")) == 1


# ---------------------------------------------------------------- 6. malformed, oversized


MALFORMED = [
    ("payload=notjson", FORM),
    ("payload=%5B1%2C2%5D", FORM),  # payload=[1,2]
    ("payload=%7B%22type%22%3A", FORM),  # payload={"type":
    ("[]", "application/json"),
    ('{"type": "event_callback",', "application/json"),
    ("42", "application/json"),
    ("payload=%22just+a+string%22", FORM),
    ("payload=" + quote('{"type": "block_actions", "team": 5}'), FORM),  # ids Bolt can't read
    ("[" * 100_000, "application/json"),  # nested past the JSON decoder's recursion limit
]


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
async def test_malformed_signed_bodies_get_400_and_one_log_line(
    bot: BotHarness, caplog: pytest.LogCaptureFixture, body: str, content_type: str
) -> None:
    caplog.set_level(logging.INFO)
    resp = await bot.post_signed(body, content_type=content_type)
    assert resp.status_code == 400
    _no_traceback(caplog)
    assert len([r for r in caplog.records if "malformed" in r.getMessage()]) == 1
    assert bot.emulator.requests == []


async def test_a_non_utf8_signed_body_gets_400(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    raw = b"text=\xff\xfe&command=%2Fastra"
    ts = str(int(time.time()))
    # Slack signs the raw bytes (https://api.slack.com/authentication/verifying-requests-from-slack)
    sig = (
        "v0="
        + hmac.new(SIGNING_SECRET.encode(), f"v0:{ts}:".encode() + raw, hashlib.sha256).hexdigest()
    )
    resp = await bot.http.post(
        "/slack/events",
        content=raw,
        headers={
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": str(sig),
            "Content-Type": FORM,
        },
    )
    assert resp.status_code == 400
    _no_traceback(caplog)
    assert len([r for r in caplog.records if "malformed" in r.getMessage()]) == 1


@pytest.mark.parametrize(("body", "content_type"), [*MALFORMED, ("text=\udcff", FORM), ("", FORM)])
async def test_unsigned_bodies_are_refused_before_they_are_parsed(
    bot: BotHarness, caplog: pytest.LogCaptureFixture, body: str, content_type: str
) -> None:
    caplog.set_level(logging.INFO)
    resp = await bot.http.post(
        "/slack/events",
        content=body.encode("utf-8", "surrogateescape"),
        headers={"Content-Type": content_type},
    )
    assert resp.status_code == 401
    _no_traceback(caplog)
    resp = await bot.post_signed("payload=notjson", content_type=FORM, secret="wrong")
    assert resp.status_code == 401


async def test_an_old_signature_is_refused(bot: BotHarness) -> None:
    body = slash_command_body("db list", user_id=ADMIN)
    resp = await bot.post_signed(body, content_type=FORM, timestamp=int(time.time()) - 600)
    assert resp.status_code == 401


async def test_a_body_over_the_cap_is_refused_from_its_length(bot: BotHarness) -> None:
    big = "text=" + "a" * (MAX_BODY_BYTES + 1)
    resp = await bot.post_signed(big, content_type=FORM)
    assert resp.status_code == 413


async def test_a_chunked_body_over_the_cap_is_cut_off(bot: BotHarness) -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(50):  # 50 MB if it were all read
            sent += 1
            yield b"a" * 1_000_000

    resp = await bot.http.post("/slack/events", content=chunks(), headers={"Content-Type": FORM})
    assert resp.status_code == 413
    assert sent < 5, "the bot stopped reading at the cap"


async def test_the_largest_real_payloads_fit_under_the_cap(bot: BotHarness) -> None:
    # a command of the longest text Slack sends, every character escaped three times over
    body = slash_command_body(
        "€" * MAX_TEXT_CHARS, user_id=ADMIN, response_url=bot.slack.response_url("x")
    )
    assert len(body.encode()) < MAX_BODY_BYTES // 10
    resp = await bot.post_signed(body, content_type=FORM)
    assert resp.status_code == 200


# ---------------------------------------------------------------- 7. long command texts


async def test_a_text_longer_than_slack_sends_is_refused_privately(bot: BotHarness) -> None:
    await bot.command("db create " + "x" * 1_000_000)
    (answer,) = bot.private_texts()
    assert f"{MAX_TEXT_CHARS:,}" in answer and "too long" in answer
    assert bot.emulator.requests == []
    (row,) = await bot.store.audit_entries(limit=10)
    assert row.decision == "invalid" and len(row.command) < 2 * MAX_TEXT_CHARS


# ---------------------------------------------------------------- 8. replays


async def _send_twice(
    bot: BotHarness,
    text: str,
    *,
    between: Callable[[], Awaitable[object]] | None = None,
) -> tuple[httpx.Response, httpx.Response]:
    """The same signed request twice (same timestamp, same signature)."""
    body = slash_command_body(text, user_id=ADMIN, response_url=bot.slack.response_url("t"))
    headers = {**sign_request(SIGNING_SECRET, body), "Content-Type": FORM}
    first = await bot.http.post("/slack/events", content=body, headers=headers)
    await bot.settle()
    if between is not None:
        await between()
    again = await bot.http.post("/slack/events", content=body, headers=headers)
    await bot.settle()
    return first, again


async def test_a_replayed_token_create_runs_once(bot: BotHarness) -> None:
    first, again = await _send_twice(bot, 'token create --role "Read Only User"')
    assert first.status_code == 200
    assert bot.emulator.count("POST", "/v2/tokens") == 1
    assert again.status_code == 200
    answer = again.json()
    assert answer["response_type"] == "ephemeral" and "already handled" in answer["text"]
    assert len(bot.private_texts()) == 1  # the token was shown once


async def test_a_replayed_click_is_dropped(bot: BotHarness) -> None:
    body = block_actions_body(
        ACTION_RUN,
        "db list",
        user_id=ADMIN,
        channel_id=bot.channel,
        response_url=bot.slack.response_url("p"),
    )
    headers = {**sign_request(SIGNING_SECRET, body), "Content-Type": FORM}
    await bot.http.post("/slack/events", content=body, headers=headers)
    await bot.settle()
    seen = len(bot.slack.response_url_posts)
    assert seen == 1
    again = await bot.http.post("/slack/events", content=body, headers=headers)
    await bot.settle()
    assert again.status_code == 200
    assert len(bot.slack.response_url_posts) == seen


async def test_the_same_text_signed_again_runs_again(bot: BotHarness) -> None:
    """Not a replay: the user typed the command twice (a new timestamp, a new signature)."""
    body = slash_command_body("db list", user_id=ADMIN, response_url=bot.slack.response_url("a"))
    for ts_offset in (0, 1):
        await bot.post_signed(body, content_type=FORM, timestamp=int(time.time()) - ts_offset)
    await bot.settle()
    assert len(bot.slack.response_url_posts) == 2


async def test_seen_requests_are_forgotten_long_after_the_signing_window(
    bot: BotHarness,
) -> None:
    _, again = await _send_twice(bot, "db list", between=bot.tick)  # the tick keeps it
    assert "already handled" in again.json()["text"]
    await bot.tick(SEEN_KEEP_S + SEEN_FORGET_EVERY_S + 1)
    async with bot.store.transaction() as tx:
        forgotten = await tx.requests.forget_seen(before=bot.clock() + 1)
    assert forgotten == 0, "the watcher forgot it"
