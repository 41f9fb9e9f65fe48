"""Access control from Slack: whole access lists replaced, updated and cleared with their diff
in the confirmation; the DevOps API access list changed without locking the bot out (its
egress from ASTRA_BOT_EGRESS_CIDRS, --force); Astra roles updated with their diff; legacy
tokens; a classic database's password reset, shown once to the requester only; the engine
type. Through signed Slack requests (the fake Slack, the emulator) and the shell.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.astra.emulator import AstraEmulator
from bot.astra.models import AddressEntry
from bot.cli.shell import run_shell
from bot.render import ACTION_CONFIRM
from bot.settings import Settings
from tests.conftest import BotHarness, FakeClock, bot_harness
from tests.fakes.slack_api import FakeSlack

EGRESS = "203.0.113.7"


def _writes(bot: BotHarness, path: str = "") -> list[str]:
    return [
        f"{r.method} {r.path}"
        for r in bot.emulator.requests
        if r.method != "GET" and path in r.path
    ]


def _last_post(bot: BotHarness) -> dict[str, Any]:
    """The last message in the channel as Slack stored it (with its ``ts``)."""
    return bot.slack.messages(bot.channel)[-1]


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    """What the bot's log handler lets through: every record but slack_sdk's own below
    WARNING (it logs the bodies it posts, private answers included: bot/logs.py drops them)."""
    return "\n".join(
        r.getMessage()
        for r in caplog.records
        if not (r.name.startswith("slack_sdk") and r.levelno < logging.WARNING)
    )


def _stored(tmp_path: Path) -> str:
    """Every byte of the bot's SQLite store (and its journal), as text."""
    return b"".join(p.read_bytes() for p in tmp_path.glob("bot.db*")).decode("latin-1")


def _shown(post: dict[str, Any]) -> str:
    return str(post.get("text")) + json.dumps(post.get("blocks") or [])


def _conf(post: dict[str, Any]) -> str:
    for b in post.get("blocks") or []:
        for e in b.get("elements", []):
            if e.get("action_id") == ACTION_CONFIRM:
                return str(e["value"])
    raise AssertionError(f"no confirmation in {post.get('text')!r}")


async def _ask_then_confirm(bot: BotHarness, text: str, *, user: str = "UADMIN") -> str:
    """Run a destructive command: nothing is written before the click; the confirmation's
    text is returned, and the click made."""
    bot.emulator.reset_requests()
    posts = len(bot.channel_posts())
    await bot.command(text, user=user)
    assert _writes(bot) == [], f"{text!r} wrote before its confirmation"
    assert len(bot.channel_posts()) == posts + 1, bot.private_texts()[-1:]
    post = _last_post(bot)
    await bot.click(ACTION_CONFIRM, _conf(post), user=user, message_ts=post["ts"])
    return _shown(post)


@pytest.fixture
async def egress_bot(
    tmp_path: Path, slack: FakeSlack, emulator: AstraEmulator, clock: FakeClock
) -> AsyncIterator[BotHarness]:
    async with bot_harness(
        tmp_path, slack, emulator, clock, ASTRA_BOT_EGRESS_CIDRS=f"{EGRESS}, 198.51.100.0/30"
    ) as harness:
        yield harness


# ---------------------------------------------------------------------------- database lists


async def test_replace_shows_the_diff_and_keeps_what_stays(bot: BotHarness) -> None:
    db = bot.emulator.add_database("orders")
    astra = bot.components.astra
    await astra.replace_access_list(
        db,
        [AddressEntry("10.0.0.0/24", True, "office"), AddressEntry("192.0.2.1", False, "old")],
    )
    asked = await _ask_then_confirm(
        bot, "access-list replace orders 10.0.0.0/24 203.0.113.9 --description vpn"
    )
    assert "+ `203.0.113.9` — vpn" in asked and "− `192.0.2.1`" in asked
    assert "1 address unchanged" in asked
    assert _writes(bot) == [f"PUT /v2/databases/{db}/access-list"]
    acl = await astra.get_access_list(db)
    assert [(a.address, a.description) for a in acl.addresses] == [
        ("10.0.0.0/24", "office"),  # kept as it was: its description stays
        ("203.0.113.9", "vpn"),
    ]
    assert "Replaced the access list of *orders*" in _shown(_last_post(bot))


async def test_update_shows_before_and_after_and_refuses_an_unlisted_address(
    bot: BotHarness,
) -> None:
    db = bot.emulator.add_database("orders")
    await bot.components.astra.replace_access_list(db, [AddressEntry("10.0.0.0/24", True, "a")])
    asked = await _ask_then_confirm(
        bot, 'access-list update orders 10.0.0.0/24 --disable --description "b c"'
    )
    assert "~ `10.0.0.0/24`: disabled; description “a” → “b c”" in asked
    (entry,) = (await bot.components.astra.get_access_list(db)).addresses
    assert (entry.enabled, entry.description) == (False, "b c")
    bot.emulator.reset_requests()
    posts = len(bot.channel_posts())
    await bot.command("access-list update orders 192.0.2.1 --enable")
    assert "`192.0.2.1` is not in the access list of orders" in bot.private_texts()[-1]
    assert len(bot.channel_posts()) == posts and _writes(bot) == []


async def test_clear_lists_what_goes_and_deletes_the_whole_list(bot: BotHarness) -> None:
    db = bot.emulator.add_database("orders")
    await bot.components.astra.replace_access_list(db, [AddressEntry("10.0.0.0/24", True, "a")])
    asked = await _ask_then_confirm(bot, "access-list clear orders")
    assert (
        "delete the whole access list of *orders* (1 address)" in asked
        and "− `10.0.0.0/24`" in asked
    )
    (delete,) = [r for r in bot.emulator.requests if r.method == "DELETE"]
    assert delete.query == {}  # no addresses: the whole list
    assert (await bot.components.astra.get_access_list(db)).addresses == []


async def test_every_list_validate_and_template(bot: BotHarness) -> None:
    one = bot.emulator.add_database("one")
    bot.emulator.add_database("two")
    await bot.components.astra.replace_access_list(one, [AddressEntry("10.0.0.0/24", True, "")])
    await bot.command("access-list list")
    listed = bot.private_texts()[-1]
    assert (
        "*one* · enforced · 1 address" in listed and "*two* · not enforced · 0 addresses" in listed
    )
    await bot.command("access-list validate 10.0.0.0/24 10.0.0.300")
    assert "not valid (1 problem)" in bot.private_texts()[-1]
    assert "10.0.0.300" in bot.private_texts()[-1]
    await bot.command("access-list template")
    assert "137.187.23.0/24" in bot.private_texts()[-1]
    assert _writes(bot, "/access-list/") == [
        "POST /v2/access-list/validate",
        "POST /v2/access-list/template",
    ]


async def test_an_operator_changes_database_lists_but_not_the_devops_list(bot: BotHarness) -> None:
    bot.emulator.add_database("orders")
    await bot.grant("UOPS", "operator")
    await bot.command("access-list replace orders 10.0.0.0/24", user="UOPS")
    assert "asks to run" in str(_last_post(bot)["text"])
    posts = len(bot.channel_posts())
    await bot.command("access-list devops add 10.0.0.0/8 --force", user="UOPS")
    assert len(bot.channel_posts()) == posts
    assert "admin" in bot.private_texts()[-1] or "not allowed" in bot.private_texts()[-1]


# ---------------------------------------------------------------------------- the DevOps API list


async def test_a_devops_change_that_locks_the_bot_out_is_refused_unless_forced(
    egress_bot: BotHarness,
) -> None:
    bot = egress_bot
    await bot.command("access-list devops add 10.0.0.0/8")
    said = bot.private_texts()[-1]
    assert "lock the bot out of the DevOps API" in said and "203.0.113.7" in said
    assert "--force" in said and _writes(bot) == [] and bot.channel_posts() == []
    asked = await _ask_then_confirm(bot, "access-list devops add 10.0.0.0/8 --force")
    assert "This locks the bot out of the DevOps API" in asked and "Forced." in asked
    assert _writes(bot) == [f"POST /v2/organizations/{bot.emulator.config.org_id}/devops-acl"]


async def test_a_devops_change_that_keeps_the_bot_in_needs_no_force(
    egress_bot: BotHarness,
) -> None:
    bot = egress_bot
    asked = await _ask_then_confirm(
        bot, "access-list devops replace 203.0.113.0/24 198.51.100.0/24 --description office"
    )
    assert "+ `203.0.113.0/24` — office" in asked
    assert "The bot's own addresses `203.0.113.7`, `198.51.100.0/30` stay allowed." in asked
    org = bot.emulator.config.org_id
    listed = await bot.components.astra.get_devops_access_list(org)
    assert [a["address"] for a in listed["addresses"]] == ["203.0.113.0/24", "198.51.100.0/24"]
    # disabling the entry that admits the bot would lock it out
    await bot.command("access-list devops update 203.0.113.0/24 --disable")
    assert "lock the bot out" in bot.private_texts()[-1]
    asked = await _ask_then_confirm(
        bot, "access-list devops update 198.51.100.0/24 --description lab"
    )
    assert "description “office” → “lab”" in asked
    # deleting the list turns the feature off: nobody is locked out, no force needed
    asked = await _ask_then_confirm(bot, "access-list devops delete")
    assert "from any address" in asked and "− `203.0.113.0/24`" in asked
    assert (await bot.components.astra.get_devops_access_list(org)) == {"addresses": []}


async def test_the_click_decides_on_the_list_as_it_is_then(egress_bot: BotHarness) -> None:
    bot = egress_bot
    astra, org = bot.components.astra, bot.emulator.config.org_id
    bot_nets = [
        AddressEntry("203.0.113.0/24", True, "bot"),
        AddressEntry("198.51.100.0/24", True, ""),
    ]
    await astra.add_devops_access_list(org, bot_nets)
    await bot.command("access-list devops add 10.0.0.0/8")  # fine: the bot stays in
    post = _last_post(bot)
    # meanwhile someone replaces the list in the portal: the bot's address is gone
    await astra.replace_devops_access_list(org, [AddressEntry("192.0.2.0/24", True, "x")])
    bot.emulator.reset_requests()
    await bot.click(ACTION_CONFIRM, _conf(post), message_ts=post["ts"])
    assert _writes(bot) == []
    assert "lock the bot out" in _shown(_last_post(bot))


async def test_without_the_egress_setting_the_bot_says_it_cannot_tell(bot: BotHarness) -> None:
    await bot.command("access-list devops add 203.0.113.0/24")
    said = bot.private_texts()[-1]
    assert "cannot tell" in said and "ASTRA_BOT_EGRESS_CIDRS" in said and _writes(bot) == []
    asked = await _ask_then_confirm(bot, "access-list devops add 203.0.113.0/24 --force")
    assert "cannot tell whether its own requests stay allowed" in asked
    assert "ASTRA_BOT_EGRESS_CIDRS is not set" in asked


# ---------------------------------------------------------------------------- roles, tokens


async def test_role_update_shows_the_diff(bot: BotHarness) -> None:
    org = bot.emulator.config.org_id
    made = await bot.components.astra.create_role("temp", ["org-db-view"], [f"drn:astra:org:{org}"])
    assert not isinstance(made, str)
    db = bot.emulator.add_database("orders")
    asked = await _ask_then_confirm(
        bot, "role update temp --permission org-db-view db-cql --db orders --name readers"
    )
    assert "name “temp” → “readers”" in asked and "+ `db-cql`" in asked
    assert f"+ `drn:astra:org:{org}:db:{db}`" in asked
    role = await bot.components.astra.get_role(made.id)
    assert role.name == "readers" and role.policy.actions == ["org-db-view", "db-cql"]
    await bot.command("role update readers --permission fly")
    assert "not an Astra permission" in bot.private_texts()[-1]


async def test_legacy_tokens_list_and_create(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await bot.command('token legacy create --role "Read Only User" --description old-ci')
    shown = json.dumps(bot.slack.response_url_posts[-1].body)
    secret = re.search(r"Client secret\*: `([^`]+)`", shown)
    assert secret is not None
    assert _writes(bot) == ["POST /v2/clientIdSecrets"]
    assert secret.group(1) not in json.dumps(bot.channel_posts()) + _logged(caplog)
    await bot.command("token legacy list")
    assert "old-ci" in bot.private_texts()[-1]


# ---------------------------------------------------------------------------- databases


async def test_reset_password_shows_it_once_to_the_requester_only(
    bot: BotHarness, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    db = bot.emulator.add_database("legacy", tier="C10")
    await bot.command("db reset-password legacy cassandra")
    (sent,) = [r for r in bot.emulator.requests if r.path.endswith("/resetPassword")]
    password = sent.json["password"]
    assert sent.path == f"/v2/databases/{db}/resetPassword" and len(password) >= 20
    private = bot.slack.response_url_posts[-1]
    assert (
        password in json.dumps(private.body) and private.body.get("response_type") != "in_channel"
    )
    announced = json.dumps(bot.channel_posts())
    assert "reset the password of the database user `cassandra` on *legacy*" in announced
    rows = await bot.components.store.audit_entries(limit=50)
    audit = "\n".join(f"{r.command} {r.reason} {r.outcome}" for r in rows)
    assert "reset-password" in audit
    for where in (announced, audit, _logged(caplog), _stored(tmp_path)):
        assert password not in where


async def test_reset_password_of_a_serverless_database_is_refused(bot: BotHarness) -> None:
    bot.emulator.add_database("orders")
    await bot.command("db reset-password orders cassandra")
    assert "serverless database" in bot.private_texts()[-1]
    assert _writes(bot) == []


async def test_engine_type(bot: BotHarness) -> None:
    db = bot.emulator.add_database("orders")
    await bot.command("db engine orders serverless")
    assert _writes(bot) == [f"PUT /v2/databases/{db}/engineType"]
    assert (await bot.components.astra.get_database(db)).info.db_type is None
    assert "(was `cassandra-vector`) to `serverless`" in json.dumps(bot.channel_posts())
    await bot.command("db engine orders hybrid")
    assert "not an engine type" in bot.private_texts()[-1]


# ---------------------------------------------------------------------------- the shell


async def test_the_shell_runs_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("ASTRA_DB_APPLICATION_TOKEN", "DATABASE_URL", "ASTRA_BOT_EGRESS_CIDRS"):
        monkeypatch.delenv(var, raising=False)
    settings = Settings.model_validate(
        {
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/shell.db",
            "ASTRA_BOT_EMULATOR_SPEED": "50",
            "ASTRA_BOT_EGRESS_CIDRS": EGRESS,
        }
    )
    script = (
        "access-list template\n"
        "access-list devops add 203.0.113.0/24 --description bot\n1\n"
        "access-list devops\n"
    )
    out = io.StringIO()
    code = await run_shell(settings, stdin=io.StringIO(script), out=out, interactive=False)
    assert code == 0
    text = out.getvalue()
    assert "137.187.23.0/24" in text
    assert "stays allowed" in text and "Added to the DevOps API access list" in text
    assert "`203.0.113.0/24` enabled — bot" in text


def test_a_switch_is_given_once() -> None:
    from bot.commands import parse
    from bot.errors import UsageError

    with pytest.raises(UsageError, match="is given twice"):
        parse("access-list devops add 10.0.0.0/8 --force --force")
    with pytest.raises(UsageError, match="contradicts"):
        parse("access-list update orders 10.0.0.0/8 --enable --disable")
