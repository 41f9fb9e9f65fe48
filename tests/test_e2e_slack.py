"""End to end through Slack's wire format: signed HTTP requests to the bot's ASGI app, the
fake Slack Web API, and the Astra emulator (issue: `/astra db create` → ACTIVE notice)."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from bot.render import ACTION_CANCEL, ACTION_CONFIRM
from tests.conftest import ADMIN, SIGNING_SECRET, BotHarness
from tests.fakes.slack_api import slash_command_body


def _conf_id(post: dict) -> str:
    for block in post.get("blocks") or []:
        for el in block.get("elements", []):
            if el.get("action_id") == ACTION_CONFIRM:
                return str(el["value"])
    raise AssertionError("no confirm button in " + str(post))


async def test_bad_signature_is_rejected_and_changes_nothing(bot: BotHarness) -> None:
    body = slash_command_body("db create orders", user_id=ADMIN, channel_id="C1")
    resp = await bot.post_signed(
        body, content_type="application/x-www-form-urlencoded", secret="wrong-secret"
    )
    assert resp.status_code == 401
    stale = await bot.post_signed(
        body,
        content_type="application/x-www-form-urlencoded",
        secret=SIGNING_SECRET,
        timestamp=int(time.time()) - 3600,
    )
    assert stale.status_code == 401
    unsigned = await bot.http.post(
        "/slack/events", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert unsigned.status_code == 401
    await bot.settle()
    assert bot.emulator.requests == []
    assert bot.slack.calls("chat.postMessage") == []


async def test_create_is_acked_then_followed_to_active(bot: BotHarness) -> None:
    resp = await bot.command("db create orders --cloud gcp --region us-east1 --keyspace shop")
    assert resp.status_code == 200
    creates = [r for r in bot.emulator.requests if r.method == "POST" and r.path == "/v2/databases"]
    assert len(creates) == 1
    assert creates[0].json["name"] == "orders"
    assert creates[0].json["keyspace"] == "shop"
    assert creates[0].json["cloudProvider"] == "GCP"
    progress = bot.channel_posts()
    assert len(progress) == 1 and "PENDING" in progress[0]["text"]
    progress_ts = bot.slack.calls("chat.postMessage")[0].response["ts"]  # type: ignore[index]

    (op,) = await bot.store.pending_operations()
    db_id = op.database_id
    assert bot.emulator.status_of(db_id) == "PENDING"
    bot.emulator.reset_requests()
    await bot.run_until_idle()
    # one list call per tick, never a per-database GET
    assert {(r.method, r.path) for r in bot.emulator.requests} == {("GET", "/v2/databases")}
    updates = [c.params for c in bot.slack.calls("chat.update") if c.params["ts"] == progress_ts]
    texts = [u["text"] for u in updates]
    assert any("INITIALIZING" in t for t in texts)
    assert "ACTIVE" in texts[-1]
    posts = bot.channel_posts()
    assert len(posts) == 2, "exactly one final notice"
    notice = posts[-1]["text"]
    assert "orders is ACTIVE" in notice
    assert db_id in notice and "us-east1" in notice and "apps.astra.datastax.com" in notice
    # more ticks change nothing
    await bot.tick(30)
    assert len(bot.channel_posts()) == 2


async def test_list_and_get_answer_privately(bot: BotHarness) -> None:
    bot.emulator.add_database("orders", keyspaces=["shop", "default_keyspace"])
    bot.emulator.add_database("payments", region="us-central1")
    await bot.command("db list")
    post = bot.slack.response_url_posts[-1]
    assert post.response_type == "ephemeral"
    assert "orders" in str(post.blocks) and "payments" in str(post.blocks)
    assert "shop" in str(post.blocks)
    await bot.command("db get orders")
    post = bot.slack.response_url_posts[-1]
    assert post.blocks and post.blocks[0]["type"] == "header"
    assert bot.channel_posts() == []


async def test_delete_needs_a_confirm_click_by_an_allowed_person(bot: BotHarness) -> None:
    db_id = bot.emulator.add_database("orders")
    await bot.command("db delete orders")
    assert not any(r.path.endswith("/terminate") for r in bot.emulator.requests)
    post = bot.channel_posts()[-1]
    conf = _conf_id(post)
    button = next(
        e
        for b in post["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == ACTION_CONFIRM
    )
    assert button["style"] == "danger" and "confirm" in button

    # a stranger's click changes nothing
    await bot.click(ACTION_CONFIRM, conf, user="USTRANGER")
    assert not any(r.path.endswith("/terminate") for r in bot.emulator.requests)
    assert "not allowed" in bot.private_texts()[-1]

    await bot.grant("UOPS", "operator")
    await bot.click(ACTION_CONFIRM, conf, user="UOPS")
    terminates = [r for r in bot.emulator.requests if r.path.endswith("/terminate")]
    assert len(terminates) == 1 and db_id in terminates[0].path
    # a second click does nothing
    await bot.click(ACTION_CONFIRM, conf, user="UOPS")
    assert len([r for r in bot.emulator.requests if r.path.endswith("/terminate")]) == 1
    assert "already confirmed" in bot.private_texts()[-1]

    await bot.run_until_idle()
    assert "orders is TERMINATED" in bot.channel_posts()[-1]["text"]
    updated = [c.params["text"] for c in bot.slack.calls("chat.update")]
    assert any("Confirmed by" in t and "UOPS" in t for t in updated)


async def test_cancel(bot: BotHarness) -> None:
    bot.emulator.add_database("orders")
    await bot.command("db delete orders")
    conf = _conf_id(bot.channel_posts()[-1])
    await bot.click(ACTION_CANCEL, conf)
    await bot.click(ACTION_CONFIRM, conf)
    assert not any(r.path.endswith("/terminate") for r in bot.emulator.requests)
    assert any("Cancelled" in c.params["text"] for c in bot.slack.calls("chat.update"))


async def test_stranger_is_denied_privately_and_nothing_reaches_astra(bot: BotHarness) -> None:
    await bot.command("db create orders", user="USTRANGER")
    await bot.command("db list", user="USTRANGER")
    assert bot.emulator.requests == []
    texts = bot.private_texts()
    assert "not allowed" in texts[0] and "needs role operator" in texts[0]
    assert "needs role viewer" in texts[1]
    assert bot.channel_posts() == []


async def test_malformed_command_gets_usage_privately(bot: BotHarness) -> None:
    for text in ("db craete x", "db get", "db create x --clod gcp"):
        await bot.command(text)
    assert bot.emulator.requests == []
    texts = bot.private_texts()
    assert "Did you mean `/astra db create`" in texts[0]
    assert "needs &lt;db&gt;" in texts[1]  # escaped: a raw <db> is a link in Slack
    assert "`--cloud`" in texts[2]
    assert all(p.response_type == "ephemeral" for p in bot.slack.response_url_posts)


async def test_perm_grant_revoke_list(bot: BotHarness) -> None:
    await bot.command("perm grant <@UANA|ana> operator")
    await bot.command("db create ana-db", user="UANA")
    assert any(r.path == "/v2/databases" and r.method == "POST" for r in bot.emulator.requests)
    await bot.command("perm list")
    assert "UANA" in bot.private_texts()[-1] and "operator" in bot.private_texts()[-1]
    await bot.command("perm revoke <@UANA> operator")
    bot.emulator.reset_requests()
    await bot.command("db create ana-db2", user="UANA")
    assert bot.emulator.requests == []
    # only admins manage permissions
    await bot.command("perm grant <@UANA> admin", user="UANA")
    assert "not allowed" in bot.private_texts()[-1]


async def test_audit_rows_for_every_case(bot: BotHarness) -> None:
    await bot.command("db create orders")
    await bot.command("db create x", user="USTRANGER")
    await bot.command("db craete y")
    rows = await bot.store.audit_entries(limit=10)
    decisions = sorted(r.decision for r in rows)
    assert decisions == ["allow", "deny", "invalid", "requested"]
    assert all(r.correlation_id for r in rows)


async def test_healthz(bot: BotHarness) -> None:
    assert (await bot.http.get("/healthz")).status_code == 200
    ready = await bot.http.get("/readyz")
    assert ready.status_code == 200 and ready.json()["ok"] is True


async def test_create_is_followed_even_when_slack_refuses_the_progress_post(
    bot: BotHarness,
) -> None:
    bot.slack.fail("chat.postMessage", error="not_in_channel")
    await bot.command("db create orders")
    (op,) = await bot.store.pending_operations()
    assert op.message_ts is None
    assert "could not post in this channel" in bot.private_texts()[-1]
    assert "/invite" in bot.private_texts()[-1]
    await bot.run_until_idle()
    assert "orders is ACTIVE" in bot.channel_posts()[-1]["text"]


async def test_undeliverable_notice_stays_pending_and_is_retried(bot: BotHarness) -> None:
    await bot.command("db create orders")
    bot.slack.fail("chat.postMessage", error="channel_not_found", count=3)
    for _ in range(6):
        await bot.tick(1)
    assert await bot.store.pending_notice_count() == 1
    assert not any("ACTIVE" in p["text"] for p in bot.channel_posts())
    await bot.run_until_idle(step=60)
    assert sum("orders is ACTIVE" in p["text"] for p in bot.channel_posts()) == 1


async def test_slack_gets_its_answer_before_astra_is_asked(bot: BotHarness) -> None:
    """The ack does not wait for the work: with Astra answering in 0.3 s, the HTTP answer
    is back while the list is still on its way, and the reply follows."""
    bot.emulator.inject_fault(0, method="GET", path_prefix="/v2/databases", latency_s=0.3)
    resp = await bot.command("db list", wait=False)
    assert resp.status_code == 200
    assert bot.private_texts() == []
    await bot.settle()
    assert bot.private_texts(), "db list did not answer after the ack"


async def test_drain_waits_for_work_after_the_ack(bot: BotHarness) -> None:
    bot.emulator.inject_fault(0, method="GET", path_prefix="/v2/databases", latency_s=0.3)
    resp = await bot.command("db list", wait=False)
    assert resp.status_code == 200
    assert await bot.components.service.drain(5.0)
    assert bot.private_texts(), "drain returned before the queued command answered"


async def test_a_failure_after_the_ack_is_logged_and_does_not_block_draining(
    bot: BotHarness,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken() -> None:
        raise RuntimeError("unexpected")

    with caplog.at_level(logging.ERROR, logger="astra_bot.service"):
        bot.components.service.background(broken(), "command")
        await bot.settle()
    assert [r.getMessage() for r in caplog.records] == ["command failed"]
    assert caplog.records[0].exc_info is not None


async def test_commands_still_queued_at_shutdown_are_told_to_retry(
    one_slot_bot: BotHarness,
) -> None:
    from bot.service import RESTARTING

    bot = one_slot_bot  # one at a time: the others queue
    bot.emulator.inject_fault(0, method="GET", path_prefix="/v2/databases", latency_s=0.3)
    for _ in range(3):
        assert (await bot.command("db list", wait=False)).status_code == 200
    await asyncio.sleep(0.1)  # the first is waiting on Astra; two are queued
    assert bot.components.service.slots.waiting == 2
    assert await bot.components.service.drain(5.0)
    texts = bot.private_texts()
    assert len(texts) == 3
    assert sum(RESTARTING in t for t in texts) == 2, texts
