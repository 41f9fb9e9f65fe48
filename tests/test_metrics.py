"""GET /metrics: Prometheus text, fed by the real clients (emulator, fake Slack), with
bounded labels (no database names, ids or user ids)."""

from __future__ import annotations

import asyncio
import re

import prometheus_client
from prometheus_client.parser import text_string_to_metric_families

from bot.astra import http as api
from bot.astra.models import CreateDatabase, Policy
from bot.metrics import Metrics, endpoint_template
from tests.conftest import ADMIN, BotHarness
from tests.test_api_cdc import cdc_requests
from tests.test_api_network import network_requests
from tests.test_api_pcu import pcu_requests


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


async def _scrape(
    bot: BotHarness,
) -> tuple[str, dict[tuple[str, tuple[tuple[str, str], ...]], float]]:
    resp = await bot.http.get("/metrics")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/plain; version=0.0.4")
    return resp.text, _samples(resp.text)


def _value(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# ---------------------------------------------------------------------------- pure parts


def test_every_devops_api_path_maps_to_a_template_without_ids() -> None:
    db, ks, dc, org, client, role, user = (
        "db-7f3a9c",
        "ks_orders",
        "dc-31",
        "org-5e6f",
        "cli-9a8b",
        "role-4c3d",
        "usr-2e1f",
    )
    requests = [
        api.list_databases("nonterminated", None, 100, None),
        api.get_database(db),
        api.create_database(CreateDatabase(name="orders", cloud_provider="gcp", region="us-east1")),
        api.terminate_database(db),
        api.park_database(db),
        api.unpark_database(db),
        api.resize_database(db, 3),
        api.create_keyspace(db, ks),
        api.delete_keyspace(db, ks),
        api.list_datacenters(db),
        api.add_datacenter(db, "gcp", "us-east4"),
        api.terminate_datacenter(db, dc),
        api.list_serverless_regions(),
        api.list_available_regions(),
        api.get_access_list(db),
        api.add_access_list_addresses(db, [("10.0.0.0/8", "vpn")]),
        api.delete_access_list_addresses(db, ["10.0.0.0/8"]),
        api.get_devops_access_list(org),
        api.secure_bundle_urls(db),
        api.current_org(),
        api.list_tokens(),
        api.create_token(["r"]),
        api.revoke_token(client),
        api.list_roles(),
        api.get_role(role),
        api.create_role("ops", ["org-db-view"], ["drn:astra:org:x"]),
        api.delete_role(role),
        api.list_users(),
        api.invite_user("a@b.c", org, [role]),
        api.remove_user(user),
        api.set_user_roles(user, [role]),
        api.get_metrics_telemetry(db),
        api.set_metrics_telemetry(db, "prometheus_remote", {}),
        api.get_audit_log_streaming(org),
        api.set_audit_log_streaming(org, {}),
        api.delete_audit_log_streaming(org),
        api.list_private_links(),
        api.list_custom_domains(),
        api.list_kms_keys(),
        api.get_vpc_peering("gcp", db),
        api.list_all_access_lists(),
        api.replace_access_list(db, [api.AddressEntry("10.0.0.0/8", True, "vpn")]),
        api.update_access_list(db, [], enabled=False),
        api.clear_access_list(db),
        api.validate_access_list([]),
        api.access_list_template(),
        api.add_devops_access_list(org, [api.AddressEntry("10.0.0.0/8", True, "vpn")]),
        api.replace_devops_access_list(org, [api.AddressEntry("10.0.0.0/8", True, "vpn")]),
        api.update_devops_access_list(org, api.AddressEntry("10.0.0.0/8", False, "vpn")),
        api.delete_devops_access_list(org),
        api.update_role(role, "ops", Policy(actions=["org-db-view"], resources=["drn:x"])),
        api.list_legacy_tokens(),
        api.create_legacy_token(["r"]),
        api.reset_password(db, "cassandra", "secret-enough"),
        api.update_engine_type(db, "serverless"),
        *network_requests(db, dc),
        *pcu_requests(db, dc),
        *cdc_requests(db),
    ]
    assert {r.action for r in requests} == set(api.PERMISSIONS)  # every operation covered
    for req in requests:
        template = endpoint_template(req.path)
        assert template != "other", req.path
        for ident in (db, ks, dc, org, client, role, user):
            assert ident not in template, (req.path, template)
    assert (
        endpoint_template(f"/v2/databases/{db}/keyspaces/{ks}")
        == "/v2/databases/{id}/keyspaces/{ks}"
    )
    assert endpoint_template("/v2/organizations/roles") == "/v2/organizations/roles"
    assert endpoint_template("/v3/anything/else") == "other"


def test_each_metrics_has_its_own_registry() -> None:
    a, b = Metrics(), Metrics()
    a.command("db.list", "allow")
    assert 'astra_bot_commands_total{intent="db.list",outcome="allowed"} 1.0' in a.render().decode()
    assert "astra_bot_commands_total{" not in b.render().decode()
    assert not any(
        n.startswith("astra_bot") for n in prometheus_client.REGISTRY._names_to_collectors
    )  # nothing global


def test_label_values_are_bounded() -> None:
    m = Metrics()
    m.command("db.drop-everything", "whatever")
    m.astra_call("BREW", "/v2/databases/secret-db-name/unknown", "teapot", 0.1)
    m.slack_answer("https://slack.com/api/<script>", 200, True, None)
    m.operation_finished("Create Now!", "exploded")
    text = m.render().decode()
    assert 'intent="other",outcome="other"' in text
    assert 'endpoint="other",method="OTHER",status="other"' in text
    assert 'method="other",outcome="ok"' in text
    assert 'kind="other",outcome="other"' in text
    assert "secret-db-name" not in text


# ---------------------------------------------------------------------------- through the bot


async def test_commands_by_intent_and_outcome(bot: BotHarness) -> None:
    await bot.command("db list")  # allowed (admin)
    await bot.command("db list", user="UNOBODY")  # denied
    await bot.command("db craete x")  # invalid
    bot.emulator.inject_fault(503, count=10, method="GET", path_prefix="/v2/databases")
    await bot.command("db list")  # failed: Astra 503
    _, s = await _scrape(bot)
    name = "astra_bot_commands_total"
    assert _value(s, name, intent="db.list", outcome="allowed") == 1
    assert _value(s, name, intent="db.list", outcome="denied") == 1
    assert _value(s, name, intent="none", outcome="invalid") == 1
    assert _value(s, name, intent="db.list", outcome="failed") == 1
    assert _value(s, "astra_bot_ack_seconds_count", kind="command") == 4


async def test_astra_calls_by_endpoint_template_and_status(bot: BotHarness) -> None:
    db_id = bot.emulator.add_database("orders-prod")
    await bot.command(f"db get {db_id}")
    bot.emulator.inject_fault(503, count=2, method="GET", path_prefix="/v2/databases")
    await bot.command("db list")  # two 503s, then a 200 (reads are retried)
    text, s = await _scrape(bot)
    name = "astra_bot_astra_requests_total"
    assert _value(s, name, method="GET", endpoint="/v2/databases", status="503") == 2
    assert _value(s, name, method="GET", endpoint="/v2/databases", status="200") >= 2
    assert (
        _value(s, "astra_bot_astra_request_seconds_count", method="GET", endpoint="/v2/databases")
        >= 4
    )
    # no database name, id or user id ever becomes a label value
    for value in (db_id, "orders-prod", ADMIN, "C1"):
        assert value not in text
    assert _value(s, "astra_bot_peer_up", peer="astra") == 1


async def test_slack_calls_and_429s(bot: BotHarness) -> None:
    bot.slack.rate_limit("chat.postMessage", count=1, retry_after=0)
    await bot.command("db create orders")  # posts progress in the channel: a 429, then ok
    _, s = await _scrape(bot)
    assert _value(s, "astra_bot_slack_api_ratelimited_total", method="chat.postMessage") == 1
    assert (
        _value(
            s,
            "astra_bot_slack_api_requests_total",
            method="chat.postMessage",
            outcome="ratelimited",
        )
        == 1
    )
    assert (
        _value(s, "astra_bot_slack_api_requests_total", method="chat.postMessage", outcome="ok")
        >= 1
    )
    bot.slack.fail("chat.postMessage", "channel_not_found")
    await bot.command("db create other", channel="CGONE")
    _, s = await _scrape(bot)
    assert (
        _value(s, "astra_bot_slack_api_requests_total", method="chat.postMessage", outcome="error")
        == 1
    )


async def test_operations_watcher_and_notices(bot: BotHarness) -> None:
    await bot.command("db create orders")
    _, s = await _scrape(bot)
    assert _value(s, "astra_bot_operations_pending", kind="create") == 1
    assert _value(s, "astra_bot_watcher_lag_seconds") == 0
    bot.clock.advance(120)  # nobody ticks for two minutes: the operation is overdue
    _, s = await _scrape(bot)
    assert 100 <= _value(s, "astra_bot_watcher_lag_seconds") <= 130
    await bot.run_until_idle()
    _, s = await _scrape(bot)
    assert _value(s, "astra_bot_operations_pending", kind="create") == 0
    assert _value(s, "astra_bot_operations_finished_total", kind="create", outcome="done") == 1
    assert _value(s, "astra_bot_notices_sent_total") == 1
    assert _value(s, "astra_bot_notices_pending") == 0
    assert _value(s, "astra_bot_watcher_ticks_total", result="ok") >= 1
    assert _value(s, "astra_bot_watcher_tick_seconds_count") >= 1
    assert _value(s, "astra_bot_watcher_last_tick_timestamp_seconds") > 0
    assert _value(s, "astra_bot_watcher_lag_seconds") == 0


async def test_failed_notices_and_timed_out_operations(bot: BotHarness) -> None:
    await bot.command("db create orders")
    (op,) = await bot.store.pending_operations()
    bot.emulator.set_status(op.database_id, "PENDING")  # stuck: it will never become ACTIVE
    bot.slack.fail("chat.postMessage", "not_in_channel", count=1)
    bot.clock.advance(10_000)  # past the create's deadline
    await bot.tick()
    _, s = await _scrape(bot)
    assert _value(s, "astra_bot_operations_finished_total", kind="create", outcome="timed_out") == 1
    assert _value(s, "astra_bot_notices_failed_total") == 1
    assert _value(s, "astra_bot_notices_pending") == 1


async def test_astra_failures_mark_the_peer_down(bot: BotHarness) -> None:
    await bot.command("db list")
    assert re.search(r'astra_bot_peer_up\{peer="astra"\} 1\.0', (await _scrape(bot))[0])
    bot.emulator.inject_fault(503, count=10, method="GET", path_prefix="/v2/databases")
    await bot.command("db list")
    assert re.search(r'astra_bot_peer_up\{peer="astra"\} 0\.0', (await _scrape(bot))[0])


async def test_an_operation_times_out_even_while_astra_is_down(bot: BotHarness) -> None:
    await bot.command("db create orders")
    bot.emulator.inject_fault(503, count=1000, method="GET", path_prefix="/v2/databases")
    bot.clock.advance(10_000)  # past the deadline while Astra cannot answer
    await bot.tick()
    assert not await bot.store.pending_operations(limit=1)


async def test_work_after_the_ack_is_visible_while_it_waits(one_slot_bot: BotHarness) -> None:
    bot = one_slot_bot  # one in flight: the rest queue
    bot.emulator.inject_fault(0, method="GET", path_prefix="/v2/databases", latency_s=0.3)
    for _ in range(3):
        await bot.command("db list", wait=False)
    await asyncio.sleep(0.1)
    _, samples = await _scrape(bot)
    assert _value(samples, "astra_bot_work", state="running") == 1
    assert _value(samples, "astra_bot_work", state="queued") == 2
    await bot.settle()
    _, samples = await _scrape(bot)
    assert _value(samples, "astra_bot_work", state="running") == 0
    assert _value(samples, "astra_bot_work", state="queued") == 0
