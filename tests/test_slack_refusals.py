"""A message Slack refuses as malformed is not retried as is: it goes again as plain text at
once (the channel is still told), the refusal is logged once with Slack's reasons, and it is
counted in /metrics as astra_bot_slack_refused_total{method,error}."""

from __future__ import annotations

import logging

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import BotHarness
from tests.fakes.slack_api import RESPONSE_URL

REASON = (
    "duplicate action_id `astra_run` in this block [json-pointer:/blocks/1/elements/1/action_id]"
)


async def _refused(bot: BotHarness, method: str, error: str) -> float:
    resp = await bot.http.get("/metrics")
    for family in text_string_to_metric_families(resp.text):
        for s in family.samples:
            if s.name == "astra_bot_slack_refused_total" and s.labels == {
                "method": method,
                "error": error,
            }:
                return float(s.value)
    return 0.0


def _refusal_logs(caplog: pytest.LogCaptureFixture, error: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if error in r.getMessage()]


async def test_a_refused_notice_goes_out_as_plain_text_at_once(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await bot.command("db create orders")
    bot.emulator.settle()
    bot.slack.fail("chat.postMessage", "invalid_blocks", errors=[REASON])
    await bot.tick(1)  # ACTIVE: the notice is refused, then posted as plain text
    posts = [c for c in bot.slack.calls("chat.postMessage") if "ACTIVE" in c.params["text"]]
    assert [c.ok for c in posts] == [False, True]
    plain = posts[-1].params
    assert "orders is ACTIVE" in plain["text"] and not plain.get("blocks")
    assert await bot.store.pending_notice_count() == 0  # sent: nothing left to retry
    await bot.run_until_idle(step=60)
    assert len(bot.slack.calls("chat.postMessage")) == len(posts) + 1  # + the progress post
    (logged,) = _refusal_logs(caplog, "invalid_blocks")
    assert "chat.postMessage" in logged and REASON in logged
    assert await _refused(bot, "chat.postMessage", "invalid_blocks") == 1


async def test_a_refused_progress_update_goes_out_as_plain_text(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.command("db create orders")
    bot.slack.fail("chat.update", "invalid_blocks", errors=[REASON])
    await bot.tick(1)  # PENDING → INITIALIZING: the progress message is updated
    updates = bot.slack.calls("chat.update")
    assert [c.ok for c in updates[:2]] == [False, True]
    assert updates[1].params["text"] == updates[0].params["text"]
    assert not updates[1].params.get("blocks")
    assert len(_refusal_logs(caplog, "invalid_blocks")) == 1
    assert await _refused(bot, "chat.update", "invalid_blocks") == 1


async def test_a_refused_private_answer_goes_out_as_plain_text(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    bot.emulator.add_database("orders")
    bot.slack.fail(RESPONSE_URL, "invalid_blocks")  # as a webhook: HTTP 400, the bare code
    await bot.command("db get orders")
    refused, plain = bot.slack.response_url_posts
    assert refused.status == 400 and refused.blocks
    assert plain.status == 200 and plain.blocks is None and "orders" in (plain.text or "")
    assert len(_refusal_logs(caplog, "invalid_blocks")) == 1
    assert await _refused(bot, "response_url", "invalid_blocks") == 1


async def test_other_errors_are_not_taken_for_malformed_messages(bot: BotHarness) -> None:
    await bot.command("db create orders")
    bot.emulator.settle()
    bot.slack.fail("chat.postMessage", "channel_not_found")
    await bot.tick(1)
    assert await bot.store.pending_notice_count() == 1  # retried later, with its buttons
    assert await _refused(bot, "chat.postMessage", "channel_not_found") == 0
    await bot.run_until_idle(step=60)
    notice = bot.channel_posts()[-1]
    assert "orders is ACTIVE" in notice["text"] and notice.get("blocks")
