"""Permissions end to end (the permissions issue): signed Slack requests to the bot's ASGI
app, the fake Slack Web API and the Astra emulator on a fake clock.

What changes something is checked where it would show: a write reaching the emulator
(``emulator.requests``), a message in the channel (``chat.postMessage`` / ``chat.update``)
and the store (bindings, confirmations, audit rows).
"""

from __future__ import annotations

import asyncio
import json
import logging
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest

from bot import render
from bot.astra.emulator import AstraEmulator
from bot.astra.models import AddressEntry
from bot.intents import COMMANDS, CommandSpec, parse
from bot.render import ACTION_CANCEL, ACTION_CONFIRM
from bot.store.models import AuditEntry
from tests.conftest import ADMIN, BotHarness, FakeClock, bot_harness
from tests.fakes.slack_api import FakeSlack

STRANGER = "USTRANGER"


# ---------------------------------------------------------------------------- helpers


def writes(bot: BotHarness) -> list[tuple[str, str]]:
    """Requests that would change something in Astra (anything but a GET)."""
    return [(r.method, r.path) for r in bot.emulator.requests if r.method != "GET"]


def terminates(bot: BotHarness) -> list[str]:
    return [r.path for r in bot.emulator.requests if r.path.endswith("/terminate")]


def conf_id(post: dict[str, Any]) -> str:
    for block in post.get("blocks") or []:
        for el in block.get("elements", []):
            if el.get("action_id") == ACTION_CONFIRM:
                return str(el["value"])
    raise AssertionError("no confirm button in " + str(post))


def confirmation_posts(bot: BotHarness, channel: str | None = None) -> list[dict[str, Any]]:
    return [p for p in bot.channel_posts(channel) if ACTION_CONFIRM in json.dumps(p)]


def updates(bot: BotHarness) -> list[str]:
    return [str(c.params.get("text")) for c in bot.slack.calls("chat.update") if c.ok]


def last_private(bot: BotHarness) -> str:
    """The last private answer, text and blocks (help and lists put their lines in blocks)."""
    post = bot.slack.response_url_posts[-1]
    return (post.text or "") + "\n" + json.dumps(post.blocks or [])


async def audit_rows(bot: BotHarness) -> list[AuditEntry]:
    rows: list[AuditEntry] = await bot.store.audit_entries(limit=1000)
    return list(reversed(rows))


async def ask_delete(
    bot: BotHarness, db: str, *, user: str = ADMIN, channel: str | None = None
) -> str:
    """`/astra db delete <db>`; the id of the confirmation it posted."""
    before = len(confirmation_posts(bot, channel))
    await bot.command(f"db delete {db}", user=user, channel=channel)
    posts = confirmation_posts(bot, channel)
    assert len(posts) == before + 1, bot.private_texts()[-1:]
    return conf_id(posts[-1])


def harness(
    tmp_path: Path, slack: FakeSlack, emulator: AstraEmulator, clock: FakeClock, **settings: Any
) -> AbstractAsyncContextManager[BotHarness]:
    """A bot like conftest's ``bot`` fixture, with settings of its own (TTL, PostgreSQL…)."""
    return bot_harness(tmp_path, slack, emulator, clock, **settings)


# ---------------------------------------------------------------------------- strangers


async def test_a_strangers_command_and_click_change_nothing(bot: BotHarness) -> None:
    bot.emulator.add_database("orders")
    await bot.command("db delete orders", user=STRANGER)
    await bot.command("db create evil", user=STRANGER)
    await bot.command("perm grant <@USTRANGER> admin", user=STRANGER)
    await bot.command("perm guard <#COPS> viewer", user=STRANGER)
    assert writes(bot) == []
    assert bot.channel_posts() == []
    rules = await bot.store.rules(frozenset())
    assert rules.bindings == () and dict(rules.guards) == {}
    assert all("not allowed" in t for t in bot.private_texts())

    conf = await ask_delete(bot, "orders")
    posts, edits = len(bot.channel_posts()), len(updates(bot))
    await bot.click(ACTION_CONFIRM, conf, user=STRANGER)
    await bot.click(ACTION_CANCEL, conf, user=STRANGER)
    assert writes(bot) == []
    assert len(bot.channel_posts()) == posts and len(updates(bot)) == edits
    assert (await bot.store.get_confirmation(conf)).state == "pending"
    assert all("not allowed" in t for t in bot.private_texts()[-2:])

    rows = [r for r in await audit_rows(bot) if r.actor_id == STRANGER]
    assert [r.decision for r in rows] == ["deny"] * 6
    assert [r.source for r in rows][-2:] == ["click", "click"]
    assert all(r.reason and r.channel_id == "C1" for r in rows)

    # the stranger's clicks used nothing up: the confirmation still works for an admin
    await bot.click(ACTION_CONFIRM, conf)
    assert len(terminates(bot)) == 1


# ---------------------------------------------------------------------------- confirmations


async def test_expired_confirmation_changes_nothing_and_says_why(
    tmp_path: Path, slack: FakeSlack, emulator: AstraEmulator, clock: FakeClock
) -> None:
    async with harness(tmp_path, slack, emulator, clock, ASTRA_BOT_CONFIRM_TTL="30") as bot:
        emulator.add_database("orders")
        emulator.add_database("payments")
        first = await ask_delete(bot, "orders")
        second = await ask_delete(bot, "payments")
        assert f"Expires {render.when(clock.now + 30)}" in json.dumps(bot.channel_posts()[-1])

        clock.advance(29)  # still valid
        await bot.click(ACTION_CONFIRM, first)
        assert len(terminates(bot)) == 1

        clock.advance(2)  # past ASTRA_BOT_CONFIRM_TTL
        await bot.click(ACTION_CONFIRM, second)
        assert len(terminates(bot)) == 1
        assert (
            "expired" in bot.private_texts()[-1]
            and "run the command again" in bot.private_texts()[-1]
        )
        assert "Expired" in updates(bot)[-1] and "payments" in updates(bot)[-1]
        await bot.click(ACTION_CONFIRM, second)  # and again: still nothing
        assert len(terminates(bot)) == 1
        rows = [r for r in await audit_rows(bot) if r.source == "click"]
        assert "expired" in [r.decision for r in rows]
        assert all(r.database == "payments" for r in rows if r.decision == "expired")


async def test_replayed_confirmation_runs_once_and_says_why(bot: BotHarness) -> None:
    bot.emulator.add_database("orders")
    conf = await ask_delete(bot, "orders")
    await bot.click(ACTION_CONFIRM, conf)
    assert len(terminates(bot)) == 1
    confirmed = [u for u in updates(bot) if "Confirmed by" in u]
    assert len(confirmed) == 1 and f"<@{ADMIN}>" in confirmed[0] and "UTC" in confirmed[0]

    await bot.grant("UOTHER", "admin")
    for user, action in (
        (ADMIN, ACTION_CONFIRM),
        ("UOTHER", ACTION_CONFIRM),
        ("UOTHER", ACTION_CANCEL),
    ):
        await bot.click(action, conf, user=user)
        assert f"already confirmed by <@{ADMIN}>" in bot.private_texts()[-1]
    assert len(terminates(bot)) == 1
    assert len([u for u in updates(bot) if "Confirmed by" in u or "Cancelled" in u]) == 1
    stored = await bot.store.get_confirmation(conf)
    assert stored.state == "confirmed" and stored.decided_by == ADMIN
    rows = [r for r in await audit_rows(bot) if r.source == "click"]
    assert [r.decision for r in rows] == ["requested", "allow", "error", "error", "error"]


async def test_cancel_is_recorded_and_shown(bot: BotHarness) -> None:
    bot.emulator.add_database("orders")
    await bot.grant("UOPS", "operator")
    conf = await ask_delete(bot, "orders", user="UOPS")
    await bot.click(ACTION_CANCEL, conf, user="UOPS")  # the requester may cancel
    await bot.click(ACTION_CONFIRM, conf)
    assert writes(bot) == []
    assert any("Cancelled by <@UOPS>" in u for u in updates(bot))
    assert "already cancelled by <@UOPS>" in bot.private_texts()[-1]


async def test_every_click_is_a_new_decision(bot: BotHarness) -> None:
    bot.emulator.add_database("orders")
    await bot.grant("UOPS", "operator")
    conf = await ask_delete(bot, "orders", user="UOPS")
    await bot.command("perm revoke <@UOPS> operator")
    await bot.click(ACTION_CONFIRM, conf, user="UOPS")
    assert writes(bot) == []
    assert "not allowed" in bot.private_texts()[-1]
    assert (await bot.store.get_confirmation(conf)).state == "pending"


# ---------------------------------------------------------------------------- two-person rule


async def test_two_person_rule_refuses_self_approval(bot: BotHarness) -> None:
    db_id = bot.emulator.add_database("prod-orders")
    await bot.command("perm protect 'prod-*'")
    for user, role in (("UOPS1", "operator"), ("UOPS2", "operator"), ("UVIEW", "viewer")):
        await bot.grant(user, role)
    await bot.store.grant("user", "UDEV", "operator", "dev-*", "test")

    conf = await ask_delete(bot, "prod-orders", user="UOPS1")
    request = confirmation_posts(bot)[-1]
    assert "UOPS1" in request["text"] and "another person" in request["text"]
    assert "Approve" in json.dumps(request["blocks"])

    await bot.click(ACTION_CONFIRM, conf, user="UOPS1")
    assert "cannot approve your own request" in bot.private_texts()[-1]
    for outsider in ("UVIEW", "UDEV", STRANGER):  # no right on prod-orders
        await bot.click(ACTION_CONFIRM, conf, user=outsider)
        assert "not allowed" in bot.private_texts()[-1]
    assert writes(bot) == [] and updates(bot) == []
    assert (await bot.store.get_confirmation(conf)).state == "pending"

    await bot.click(ACTION_CONFIRM, conf, user="UOPS2")
    assert terminates(bot) == [f"/v2/databases/{db_id}/terminate"]
    approved = [u for u in updates(bot) if "Confirmed by" in u]
    assert len(approved) == 1 and "<@UOPS2>" in approved[0] and "<@UOPS1>" in approved[0]
    assert (await bot.store.get_confirmation(conf)).decided_by == "UOPS2"

    rows = await audit_rows(bot)
    asked = [r for r in rows if r.actor_id == "UOPS1"]
    assert [r.decision for r in asked] == ["approve", "deny"]
    assert asked[1].reason == "self-approval refused"
    assert [r.decision for r in rows if r.actor_id == "UOPS2"] == ["requested", "allow"]


async def test_unprotected_database_needs_one_click_only(bot: BotHarness) -> None:
    bot.emulator.add_database("dev-orders")
    await bot.command("perm protect 'prod-*'")
    conf = await ask_delete(bot, "dev-orders")
    assert "another person" not in confirmation_posts(bot)[-1]["text"]
    await bot.click(ACTION_CONFIRM, conf)  # the requester confirms their own
    assert len(terminates(bot)) == 1


async def test_protection_added_after_the_request_still_needs_a_second_person(
    bot: BotHarness,
) -> None:
    """The click is decided again: a db protected since the request needs another person."""
    bot.emulator.add_database("prod-orders")
    await bot.grant("UOPS", "operator")
    await bot.grant("UOPS2", "operator")
    conf = await ask_delete(bot, "prod-orders", user="UOPS")
    await bot.command("perm protect 'prod-*'")
    await bot.click(ACTION_CONFIRM, conf, user="UOPS")
    assert "cannot approve your own request" in bot.private_texts()[-1]
    assert terminates(bot) == []
    await bot.click(ACTION_CONFIRM, conf, user="UOPS2")
    assert len(terminates(bot)) == 1


async def test_a_destructive_command_that_cannot_run_is_refused_before_asking(
    bot: BotHarness,
) -> None:
    """No confirmation is posted for what no click could run (it used to be posted, and the
    click then failed with a KeyError after using the confirmation up)."""
    bot.components.service.confirmed.pop("token.revoke", None)
    await bot.command("token revoke client-1")
    assert confirmation_posts(bot) == []
    assert "not available" in bot.private_texts()[-1]
    assert [r.decision for r in await audit_rows(bot)] == ["error"]


# ---------------------------------------------------------------------------- guards, scopes


async def test_channel_guard_blocks_an_admin_in_that_channel_only(bot: BotHarness) -> None:
    bot.emulator.add_database("orders")
    before_guard = await ask_delete(bot, "orders", channel="CLOCKED")
    await bot.command("perm guard <#CLOCKED|locked> viewer")
    assert "guarded to *viewer*" in bot.private_texts()[-1]

    await bot.command("db create blocked", channel="CLOCKED")
    assert "guarded to viewer" in bot.private_texts()[-1]
    await bot.command("db delete orders", channel="CLOCKED")
    assert "guarded to viewer" in bot.private_texts()[-1]
    await bot.click(ACTION_CONFIRM, before_guard, channel="CLOCKED")  # decided again, here
    assert "guarded to viewer" in bot.private_texts()[-1]
    assert writes(bot) == []
    assert len(confirmation_posts(bot, "CLOCKED")) == 1

    await bot.command("db list", channel="CLOCKED")  # reads are within the guard
    assert "orders" in last_private(bot)
    await bot.command("db create allowed")  # and in C1 the admin is not capped
    assert writes(bot) == [("POST", "/v2/databases")]
    # the guard caps Astra actions, not the bot's administration (DESIGN §3)
    await bot.command("perm unguard <#CLOCKED>", channel="CLOCKED")
    assert "Removed the guard" in bot.private_texts()[-1]

    denied = [r for r in await audit_rows(bot) if r.decision == "deny"]
    assert len(denied) == 3 and all(r.channel_id == "CLOCKED" for r in denied)
    assert all("guarded to viewer" in r.reason for r in denied)


async def test_scoped_operator_cannot_touch_other_databases(bot: BotHarness) -> None:
    bot.emulator.add_database("dev-1")
    bot.emulator.add_database("prod-orders")
    await bot.command("perm grant <@UDEV> operator --db 'dev-*'")
    await bot.command("db delete prod-orders", user="UDEV")
    assert "not allowed" in bot.private_texts()[-1] and "prod-orders" in bot.private_texts()[-1]
    await bot.command("db create prod-new", user="UDEV")
    assert "not allowed" in bot.private_texts()[-1]
    assert writes(bot) == [] and confirmation_posts(bot) == []

    admin_conf = await ask_delete(bot, "prod-orders")  # nor approve someone else's
    await bot.click(ACTION_CONFIRM, admin_conf, user="UDEV")
    assert "not allowed" in bot.private_texts()[-1] and terminates(bot) == []

    await bot.command("db create dev-new", user="UDEV")
    assert writes(bot) == [("POST", "/v2/databases")]
    own = await ask_delete(bot, "dev-1", user="UDEV")
    await bot.click(ACTION_CONFIRM, own, user="UDEV")
    assert len(terminates(bot)) == 1


async def test_custom_role_from_slack(bot: BotHarness) -> None:
    bot.emulator.add_database("orders", keyspaces=["shop"])
    await bot.command("perm role create ksadmin keyspace.* db.list")
    await bot.command("perm role create bad db.craete")
    assert "names no command permission" in bot.private_texts()[-1]
    await bot.command("perm grant <@UKS> ksadmin")
    await bot.command("keyspace create orders cart", user="UKS")
    assert writes(bot) == [("POST", next(p for m, p in writes(bot)))]
    assert "keyspaces/cart" in writes(bot)[0][1]
    await bot.command("db create nope", user="UKS")
    assert "not allowed" in bot.private_texts()[-1]
    assert len(writes(bot)) == 1


# ---------------------------------------------------------------------------- usergroups


async def test_usergroup_bindings_work(bot: BotHarness) -> None:
    bot.slack.set_usergroup("SDBA", ["UANA"])
    await bot.command("perm grant <!subteam^SDBA|@dba> operator")
    await bot.command("db create ana-db", user="UANA")
    assert writes(bot) == [("POST", "/v2/databases")]
    await bot.command("db create bob-db", user="UBOB")
    assert "not allowed" in bot.private_texts()[-1]
    assert len(writes(bot)) == 1
    assert bot.slack.calls("usergroups.users.list")
    await bot.command("perm whoami", user="UANA")
    assert "subteam^SDBA" in bot.private_texts()[-1] and "operator" in bot.private_texts()[-1]
    await bot.command("perm list")
    assert "ignored" not in last_private(bot)


async def test_usergroup_bindings_degrade_when_slack_refuses(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="astra_bot")
    bot.slack.usergroups_error = "missing_scope"
    bot.slack.set_usergroup("SDBA", ["UANA"])
    await bot.command("perm grant <!subteam^SDBA> operator")
    await bot.command("perm grant <@UBOB> viewer")
    await bot.command("db create ana-db", user="UANA")
    assert "not allowed" in bot.private_texts()[-1]
    await bot.command("db create ana-db2", user="UANA")
    await bot.command("db list", user="UBOB")  # the bot keeps working without groups
    assert "No databases" in last_private(bot) or "database" in last_private(bot)
    assert "not allowed" not in bot.private_texts()[-1]
    assert writes(bot) == []

    await bot.command("perm list")
    listing = last_private(bot)
    assert "usergroup bindings are ignored" in listing and "SDBA" in listing
    said = [r for r in caplog.records if "usergroup bindings disabled" in r.getMessage()]
    assert len(said) == 1 and "missing_scope" in said[0].getMessage()


# ---------------------------------------------------------------------------- destructive


SAMPLES = {
    "db": "orders",
    "keyspace": "shop",
    "region": "europe-west1",
    "cidr": "10.0.0.0/24",
    "id": "client-1",
    "role": "reader",
    "text": "ana@example.com",
    "principal": "arn:aws:iam::123456789012:root",
    "domain": "db.example.com",
}
DESTRUCTIVE = [c for c in COMMANDS if c.destructive]


#: What a command needs besides its sample parameters to ask anything (a change that changes
#: nothing is refused before a confirmation): an address that is not listed yet, what an
#: update changes, and --force where the bot cannot tell its own address (no
#: ASTRA_BOT_EGRESS_CIDRS here). None of them skips the confirmation.
NEEDED = {
    "access-list.replace": ["203.0.113.9"],
    "access-list.update": ["--disable"],
    "access-list.devops.add": ["203.0.113.9", "--force"],
    "access-list.devops.replace": ["203.0.113.9", "--force"],
    "access-list.devops.update": ["--disable", "--force"],
    "role.update": ["--description", "changed"],
}


def sample_command(spec: CommandSpec, samples: dict[str, str] = SAMPLES) -> str:
    words = [spec.noun, *spec.verb]
    for p in spec.params:
        if p.optional:
            continue
        assert p.kind in samples, f"add a sample {p.kind} for `{spec.name}`"
        words.append(samples[p.kind])
    return " ".join([*words, *NEEDED.get(spec.permission, [])])


async def _all_samples_exist(bot: BotHarness) -> dict[str, str]:
    """What each sample names exists (a destructive command on nothing is refused before a
    confirmation is posted): a classic database, so that `db park` is possible too."""
    astra = bot.components.astra
    db_id = bot.emulator.add_database(
        "orders", tier="C10", keyspaces=["shop"], region=SAMPLES["region"]
    )
    await astra.add_access_list_addresses(db_id, [(SAMPLES["cidr"], "office")])
    org = (await astra.current_org()).id
    await astra.add_devops_access_list(org, [AddressEntry(SAMPLES["cidr"], True, "office")])
    roles = await astra.list_roles()
    token = await astra.create_token([roles[0].id])
    await astra.create_role(SAMPLES["role"], ["org-db-view"], ["drn:astra:org:*"])
    await astra.invite_user(SAMPLES["text"], org, [roles[0].id])
    await astra.allow_principals(db_id, f"{db_id}-1", [SAMPLES["principal"]], first=True)
    await astra.accept_private_endpoint(db_id, f"{db_id}-1", token.client_id)  # the `id` one
    await astra.set_custom_domains([SAMPLES["domain"]])
    await astra.create_vpc_peering("gcp", db_id, {"projectId": "p", "vpcNetworkName": "n"})
    await astra.set_audit_log_streaming(
        org,
        {
            "pulsar": {
                "endpoint": "pulsar+ssl://p.example.com:6651",
                "topic": "persistent://t/ns/audit",
                "auth_strategy": "token",
                "token": "jwt",
            }
        },
    )
    bot.emulator.reset_requests()  # the setup's writes are not the test's
    return {**SAMPLES, "id": token.client_id}


def test_destructive_commands_are_marked() -> None:
    """A command that deletes, removes, revokes or parks something in Astra is destructive (so
    it needs a click); a new one that forgets the flag fails here. (`perm` commands change the
    bot's own settings, which an admin can put back.)"""
    names = {c.name for c in DESTRUCTIVE}
    for c in COMMANDS:
        if c.noun != "perm" and set(c.verb) & {
            "delete",
            "remove",
            "revoke",
            "park",
            "terminate",
            "drop",
            "destroy",
        }:
            assert c.name in names, c.name
    assert {
        "db delete",
        "db park",
        "keyspace delete",
        "region remove",
        "access-list remove",
        "token revoke",
        "role delete",
        "user remove",
        "telemetry audit-log delete",
    } <= names
    assert all(c.mutating for c in DESTRUCTIVE)


async def test_no_destructive_intent_runs_from_the_command_alone(bot: BotHarness) -> None:
    samples = await _all_samples_exist(bot)
    for spec in DESTRUCTIVE:
        text = sample_command(spec, samples)
        assert parse(text).spec is spec
        before = len(confirmation_posts(bot))
        await bot.command(text)  # as ASTRA_BOT_ADMINS: every right there is
        assert writes(bot) == [], text
        posts = confirmation_posts(bot)
        assert len(posts) == before + 1, (text, bot.private_texts()[-1:])
        assert parse(text).canonical() in posts[-1]["text"]
        for bypass in ("--yes", "--force", "--confirm", "-y"):
            await bot.command(f"{text} {bypass}")
        assert writes(bot) == [] and len(confirmation_posts(bot)) == before + 1, text
        # a button that stands for the command (`astra_run`) asks for a confirmation too
        await bot.click(render.ACTION_RUN, text)
        assert writes(bot) == [] and len(confirmation_posts(bot)) == before + 2, text
        await bot.click(render.ACTION_RUN, text, user=STRANGER)
        assert writes(bot) == [] and len(confirmation_posts(bot)) == before + 2, text
    rows = [r for r in await audit_rows(bot) if r.decision == "confirm"]
    assert sorted(r.permission for r in rows) == sorted(2 * [c.permission for c in DESTRUCTIVE])
    assert all(r.outcome == "confirmation posted" for r in rows)
    assert {r.decision for r in await audit_rows(bot) if r.actor_id == STRANGER} == {"deny"}

    # the test would see a write: a db delete, once clicked, does reach Astra
    bot.emulator.add_database("solo")
    await bot.click(ACTION_CONFIRM, await ask_delete(bot, "solo"))
    assert len(terminates(bot)) == 1


# ---------------------------------------------------------------------------- audit


SECRET_COMMANDS = [
    "telemetry metrics set orders prometheus_remote endpoint=https://prom.example.com "
    "auth_strategy=bearer token=AstraCS:SeCrEtToKeN:abc123 password=hunter2",
    "token create --description AstraCS:SeCrEtToKeN:abc123",
    "user invite ana@example.com --role password=hunter2",
    "db list --status password=hunter2",
]
SECRETS = ("SeCrEtToKeN", "hunter2")


async def test_audit_rows_exist_for_every_case_and_hold_no_secret(bot: BotHarness) -> None:
    bot.emulator.add_database("orders")
    await bot.command("db list")  # allow
    await bot.command("db create x", user=STRANGER)  # deny
    await bot.command("db craete y")  # invalid
    conf = await ask_delete(bot, "orders")  # confirm
    await bot.click(ACTION_CONFIRM, conf, user=STRANGER)  # deny (click)
    await bot.click(ACTION_CONFIRM, conf)  # allow (click)
    await bot.click(ACTION_CONFIRM, conf)  # error (replay)
    for text in SECRET_COMMANDS:
        await bot.command(text)
        await bot.command(text, user=STRANGER)

    every = await audit_rows(bot)
    # a change is audited twice: "requested" before it is sent to Astra, then its outcome
    # (the confirmed delete, telemetry metrics set, token create, user invite)
    requested = [r for r in every if r.decision == "requested"]
    assert len(requested) == 4
    rows = [r for r in every if r.decision != "requested"]
    assert {"allow", "deny", "invalid", "confirm", "error"} <= {r.decision for r in rows}
    assert len(rows) == 7 + 2 * len(SECRET_COMMANDS)
    for r in every:
        assert r.correlation_id and r.actor_id and r.channel_id == "C1" and r.source
        assert r.at == bot.clock.now and r.duration_ms is not None and r.command
        for column in AuditEntry.__table__.columns:
            value = str(getattr(r, column.key))
            assert not any(s in value for s in SECRETS), (column.key, value)
    secret_rows = [r for r in rows if "[redacted]" in r.command]
    assert len(secret_rows) == 2 * len(SECRET_COMMANDS)
    clicked = [r for r in rows if r.source == "click"]
    assert [r.decision for r in clicked] == ["deny", "allow", "error"]
    assert clicked[1].database == "orders" and "operation" in clicked[1].outcome


async def test_audit_command_is_for_admins(bot: BotHarness) -> None:
    await bot.command("db create a", user=STRANGER)
    await bot.command("db list")
    await bot.grant("UVIEW", "viewer")
    await bot.command("audit", user="UVIEW")
    assert "not allowed" in bot.private_texts()[-1]
    await bot.command("audit --limit 5 --user <@USTRANGER>")
    shown = last_private(bot)
    assert "USTRANGER" in shown and "db create a" in shown and "db list" not in shown
    await bot.command("audit --limit 1")
    assert "audit --limit 5" in last_private(bot)


# ---------------------------------------------------------------------------- help, whoami


async def test_help_lists_only_what_the_caller_may_run_here(bot: BotHarness) -> None:
    await bot.command("help", user=STRANGER)
    shown = last_private(bot)
    assert "You have no role here" in shown
    assert "/astra help" in shown and "/astra perm whoami" in shown
    assert "/astra db" not in shown and "/astra perm grant" not in shown

    await bot.grant("UVIEW", "viewer")
    await bot.command("help", user="UVIEW")
    shown = last_private(bot)
    assert "/astra db list" in shown and "/astra db get" in shown
    assert "/astra db create" not in shown and "/astra db delete" not in shown
    assert "/astra perm grant" not in shown and "/astra token" not in shown

    await bot.store.grant("user", "UDEV", "operator", "dev-*", "test")
    await bot.command("help db", user="UDEV")
    shown = last_private(bot)
    assert "/astra db create" in shown and "/astra db delete" in shown
    assert "/astra token" not in shown

    await bot.command("help")
    assert "/astra perm grant" in last_private(bot) and "/astra audit" in last_private(bot)
    await bot.command("perm guard <#CLOCKED> viewer")
    await bot.command("help", channel="CLOCKED")
    shown = last_private(bot)
    assert "/astra db list" in shown and "/astra db create" not in shown
    # an admin still administers the bot there: a guard caps Astra actions only (DESIGN §3)
    assert "/astra perm grant" in shown and "/astra audit" not in shown
    assert bot.emulator.requests == []


async def test_whoami_and_check_explain_decisions(bot: BotHarness) -> None:
    await bot.store.grant("user", "UANA", "operator", "dev-*", "test")
    await bot.command("perm whoami", user="UANA")
    assert "<@UANA> → operator on `dev-*`" in bot.private_texts()[-1]
    await bot.command("perm whoami", user=STRANGER)
    assert "You have no role here" in bot.private_texts()[-1]

    await bot.command("perm check <@UANA> db create dev-x")
    said = bot.private_texts()[-1]
    assert "*allow*" in said and "granted by: <@UANA> → operator on `dev-*`" in said
    await bot.command("perm check <@UANA> db create prod-x")
    assert "*deny*" in bot.private_texts()[-1]
    await bot.command("perm check <@UANA> db delete dev-x")
    assert "*confirm*" in bot.private_texts()[-1]

    # a guard that lets perm check through but caps database changes
    await bot.command("perm role create desk perm.check perm.whoami db.list")
    await bot.command("perm guard <#CDESK> desk")
    await bot.command("perm check <@UANA> db create dev-x", channel="CDESK")
    said = bot.private_texts()[-1]
    assert "*deny*" in said and "capped by this channel's guard: desk" in said
    assert "granted by: <@UANA> → operator" in said
    await bot.command("perm whoami", user="UANA", channel="CDESK")
    assert "guarded to desk" in bot.private_texts()[-1]
    await bot.command("perm check <@UANA> db create dev-x", user="UANA")  # admins only
    assert "not allowed" in bot.private_texts()[-1]
    assert bot.emulator.requests == []


# ---------------------------------------------------------------------------- two replicas


@pytest.mark.postgres
async def test_two_replicas_race_on_one_confirmation(
    tmp_path: Path,
    slack: FakeSlack,
    emulator: AstraEmulator,
    clock: FakeClock,
    pg_database: str,
) -> None:
    from bot.store.db import make_engine, migrate

    engine = make_engine(pg_database)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()
    db_ids = [emulator.add_database(f"orders-{i}") for i in range(3)]
    async with (
        harness(tmp_path, slack, emulator, clock, DATABASE_URL=pg_database) as one,
        harness(tmp_path, slack, emulator, clock, DATABASE_URL=pg_database) as two,
    ):
        await one.grant("UOPS", "operator")
        for i, db_id in enumerate(db_ids):
            conf = await ask_delete(one, f"orders-{i}")
            clicks = [
                h.click(ACTION_CONFIRM, conf, user=u, wait=False)
                for h in (one, two)
                for u in (ADMIN, "UOPS")
            ]
            answers = await asyncio.gather(*clicks)
            assert all(a.status_code == 200 for a in answers)
            await one.settle()
            await two.settle()  # the winning click may be running on either replica
            assert terminates(one).count(f"/v2/databases/{db_id}/terminate") == 1
            state = await two.store.get_confirmation(conf)
            assert state.state == "confirmed" and state.decided_by in {ADMIN, "UOPS"}
        assert len(terminates(one)) == len(db_ids)
        clicked = [r for r in await audit_rows(one) if r.source == "click"]
        assert sorted(r.decision for r in clicked) == sorted(
            ["requested", "allow"] * len(db_ids) + ["error"] * 3 * len(db_ids)
        )


@pytest.mark.postgres
async def test_decide_confirmation_is_single_use_across_stores(pg_database: str) -> None:
    from bot.store.db import make_engine, migrate
    from bot.store.repo import Store

    engines = [make_engine(pg_database) for _ in range(4)]
    try:
        await migrate(engines[0])
        stores = [Store(e) for e in engines]
        for _ in range(5):
            conf = await stores[0].create_confirmation(
                org_id="o",
                command="/astra db delete x",
                permission="db.delete",
                requester_id="U1",
                channel_id="C1",
                correlation_id="c",
                ttl=60,
                needs_approval=False,
            )
            won = await asyncio.gather(
                *(
                    s.decide_confirmation(conf.id, "confirmed", f"U{i}")
                    for i, s in enumerate(stores * 3)
                )
            )
            assert won.count(True) == 1
    finally:
        for e in engines:
            await e.dispose()


# ---------------------------------------------------------------------------- fixed bugs


async def test_perm_check_explains_a_command_with_options(bot: BotHarness) -> None:
    await bot.grant("UANA", "operator")
    await bot.command("perm check <@UANA> db create dev-x --region us-east1")
    assert "*allow*" in bot.private_texts()[-1]


async def test_invalid_command_with_a_secret_is_redacted_in_the_audit(bot: BotHarness) -> None:
    await bot.command("db create AstraCS:SeCrEtToKeN:abc123")
    await bot.command("access-list add orders password=hunter2")
    rows = await audit_rows(bot)
    assert [r.decision for r in rows] == ["invalid", "invalid"]
    for r in rows:
        for column in AuditEntry.__table__.columns:
            value = str(getattr(r, column.key))
            assert not any(s in value for s in SECRETS), (column.key, value)


async def test_audit_records_the_astra_request(bot: BotHarness) -> None:
    bot.emulator.add_database("orders")
    await bot.command("db create shop")
    conf = await ask_delete(bot, "orders")
    await bot.click(ACTION_CONFIRM, conf)
    rows = [r for r in await audit_rows(bot) if r.decision == "allow"]
    assert len(rows) == 2
    assert "POST /v2/databases" in (rows[0].astra_request or "")
    assert "/terminate" in (rows[1].astra_request or "")


async def test_workspace_default_guard_caps_unguarded_channels(
    tmp_path: Path, slack: FakeSlack, emulator: AstraEmulator, clock: FakeClock
) -> None:
    async with harness(tmp_path, slack, emulator, clock, ASTRA_BOT_DEFAULT_GUARD="viewer") as bot:
        await bot.command("db create capped")
        assert writes(bot) == []
        assert "guarded to viewer" in bot.private_texts()[-1]
        await bot.command("db create in-a-dm", channel="D0ADMIN")
        assert writes(bot) == [("POST", "/v2/databases")]


async def test_an_expired_confirmation_is_marked_expired(bot: BotHarness) -> None:
    bot.emulator.add_database("orders")
    conf = await ask_delete(bot, "orders")
    bot.clock.advance(bot.components.settings.confirm_ttl + 1)
    await bot.click(ACTION_CONFIRM, conf)
    assert (await bot.store.get_confirmation(conf)).state == "expired"


async def test_perm_check_speaks_of_the_other_person_and_audits_its_result_clearly(
    bot: BotHarness,
) -> None:
    await bot.command("perm check <@UOTHER> db create y")
    said = bot.private_texts()[-1]
    assert "<@UOTHER> is not allowed to run `/astra db create`" in said
    assert "you are not allowed" not in said
    await bot.grant("UOTHER", "operator")
    await bot.command("perm check <@UOTHER> db delete y")
    (delete_row, create_row) = [
        r for r in await bot.store.audit_entries(limit=5) if r.permission == "perm.check"
    ]
    # the check itself was allowed; what it found is its outcome, in words
    assert create_row.decision == "allow"
    assert create_row.outcome == "check: <@UOTHER> may not run `/astra db create y`"
    assert delete_row.outcome == "check: <@UOTHER> may run `/astra db delete y` once confirmed"
    await bot.command("audit --limit 2")
    # the audit log shows stored text, foreign to Slack: escaped, never a live mention
    assert "*allow* check: &lt;@UOTHER&gt; may not run" in bot.private_texts()[-1]


async def test_a_stranger_is_denied_before_being_shown_a_form_or_a_usage(bot: BotHarness) -> None:
    for text in ("db create", "db delete", "db resize orders", "token create --bogus"):
        await bot.command(text, user=STRANGER)
        said = bot.private_texts()[-1]
        assert "not allowed" in said and "needs role" in said, (text, said)
        assert "/astra db create <name>" not in said
        assert "/astra db create &lt;name&gt;" not in said  # as it is sent, escaped
    assert [r.decision for r in await audit_rows(bot)][-4:] == ["deny"] * 4
    assert bot.slack.calls("views.open") == []
    # what is not a command at all still gets its did-you-mean
    await bot.command("db craete", user=STRANGER)
    assert "/astra db create" in bot.private_texts()[-1]
    # someone who may run it gets the usage as before
    await bot.grant("UANA", "viewer")
    await bot.command("db get", user="UANA")
    assert "needs &lt;db&gt;" in bot.private_texts()[-1]  # escaped: <db> is a link in Slack
