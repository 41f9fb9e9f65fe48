"""Wrong or confusing answers (issue 14): each answer says what is true, in the words a user
expects, before anything is asked or sent. Signed Slack requests through the `bot` fixture,
the Astra emulator and the fake Slack Web API; pure render tests at the end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from bot.render import ACTION_CONFIRM
from tests.conftest import BotHarness


def last_private(bot: BotHarness) -> str:
    """The last private answer, text and blocks."""
    post = bot.slack.response_url_posts[-1]
    return (post.text or "") + "\n" + json.dumps(post.blocks or [], ensure_ascii=False)


def shell(script: str) -> str:
    """``script`` piped into ``astra-bot shell`` (the built-in emulator, fast); its output."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "ASTRA_DB_APPLICATION_TOKEN"}
    }
    env["ASTRA_BOT_EMULATOR_SPEED"] = "50"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "shell"],
        input=script,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def writes(bot: BotHarness) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in bot.emulator.requests if r.method != "GET"]


def confirmation_posts(bot: BotHarness, channel: str | None = None) -> list[dict[str, Any]]:
    return [p for p in bot.channel_posts(channel) if ACTION_CONFIRM in json.dumps(p)]


# ---------------------------------------------------------------------------- guards


async def test_a_guard_caps_astra_actions_not_the_bots_administration(bot: BotHarness) -> None:
    await bot.command("perm guard <#CLOCKED> viewer")
    await bot.command("db create blocked", channel="CLOCKED")
    said = last_private(bot)
    assert "guarded to viewer" in said
    assert "Ask an admin for a role" not in said  # the admin has the role: the guard caps it
    assert "perm unguard" in said
    await bot.command("perm list", channel="CLOCKED")
    assert "guard <#CLOCKED> → viewer" in last_private(bot)
    await bot.command("perm unguard <#CLOCKED>", channel="CLOCKED")
    assert "Removed the guard" in last_private(bot)
    assert dict((await bot.components.service.rules()).guards) == {}
    assert writes(bot) == []


# ---------------------------------------------------------------------------- regions


async def test_region_available_lists_each_region_once(bot: BotHarness) -> None:
    await bot.command("region available")
    lines = [line for line in bot.private_texts()[-1].splitlines() if line.startswith("•")]
    assert lines and len(lines) == len(set(lines))
    assert sum("`us-east1` (gcp)" in line for line in lines) == 1


# ---------------------------------------------------------------------------- db create


def _create_bodies(bot: BotHarness) -> list[dict[str, Any]]:
    return [
        r.json for r in bot.emulator.requests if r.method == "POST" and r.path == "/v2/databases"
    ]


async def test_the_default_region_follows_the_cloud(bot: BotHarness) -> None:
    await bot.command("db create x --cloud aws")
    assert not any("us-east1" in t for t in bot.private_texts())
    body = _create_bodies(bot)[-1]
    assert (body["cloudProvider"], body["region"]) == ("AWS", "us-east-2")
    await bot.command("db create y --cloud azure")
    assert _create_bodies(bot)[-1]["region"] == "eastus"
    await bot.command("db create z")  # the settings' default cloud and region
    assert (_create_bodies(bot)[-1]["cloudProvider"], _create_bodies(bot)[-1]["region"]) == (
        "GCP",
        "us-east1",
    )
    # the form starts on the same region when its cloud changes
    from bot.service import Request

    form = await bot.components.service.create_form(Request("U1", "C1"), {"cloud": "aws"})
    assert next(f.initial for f in form.fields if f.name == "region") == "us-east-2"


async def test_classic_databases_are_not_shown_as_vector(bot: BotHarness) -> None:
    bot.emulator.add_database("classic1", "PARKED", tier="C10", db_type="vector")
    await bot.command("db get classic1")
    said = last_private(bot)
    assert "C10" in said
    assert "vector" not in said and "Data API endpoint" not in said
    await bot.command("db create classic2 --tier C10")
    assert "dbType" not in _create_bodies(bot)[-1]
    await bot.run_until_idle()
    notice = bot.channel_posts()[-1]["text"]
    assert "classic2 is ACTIVE" in notice and "Data API endpoint" not in notice
    await bot.command("db create classic3 --tier C10 --vector")
    assert "serverless" in last_private(bot) and len(_create_bodies(bot)) == 1


# ---------------------------------------------------------------------------- already exists


async def test_an_existing_keyspace_or_region_is_said_to_exist(bot: BotHarness) -> None:
    bot.emulator.add_database("orders")
    await bot.command("keyspace create orders default_keyspace")
    said = last_private(bot)
    assert "already has a keyspace `default_keyspace`" in said
    assert "wait until" not in said and "ACTIVE now" not in said
    await bot.command("region add orders us-east1")
    said = last_private(bot)
    assert "already in `us-east1`" in said and "wait until" not in said
    assert writes(bot) == []  # checked against what Astra listed, nothing sent


def test_a_409_already_exists_body_says_it_exists() -> None:
    """NOTES.md §4: the error body is {"errors":[{"ID":…,"message":…}]}; a 409 whose
    message says the thing exists is a clash, not a database state to wait out."""
    from bot.astra import http as api

    body = json.dumps(
        {"errors": [{"ID": 2000409, "message": "Keyspace shop already exists in the database."}]}
    ).encode()
    err = api.error_for(api.create_keyspace("abc", "shop"), api.ApiResponse(409, {}, body))
    assert "already exists" in err.user_message and "Keyspace shop" in err.user_message
    assert "not in a valid state" not in err.user_message
    assert "ACTIVE" not in (err.hint or "")
    assert getattr(err, "exists", False) is True
    busy = api.error_for(api.create_keyspace("abc", "shop"), api.ApiResponse(409, {}, b""))
    assert "not in a valid state" in busy.user_message and not getattr(busy, "exists", True)


async def test_a_409_already_exists_is_not_explained_as_a_state(bot: BotHarness) -> None:
    """When Astra knows better than the list (a keyspace made meanwhile), its 409 says so."""
    db_id = bot.emulator.add_database("orders")
    bot.emulator.inject_fault(
        409,
        path_prefix=f"/v2/databases/{db_id}/keyspaces/shop",
        message="Keyspace shop already exists in the database.",
    )
    await bot.command("keyspace create orders shop")
    said = last_private(bot)
    assert "already exists" in said and "wait until" not in said and "ACTIVE now" not in said


# ---------------------------------------------------------------------------- prechecks


async def test_every_destructive_command_has_a_precheck(bot: BotHarness) -> None:
    """Each destructive command checks that what it acts on exists before a confirmation
    is posted (a precheck): no Confirm is ever asked for nothing."""
    from bot.intents import COMMANDS

    destructive = {s.permission for s in COMMANDS if s.destructive}
    assert destructive, "the command table has destructive commands"
    missing = destructive - set(bot.components.service.prechecks)
    assert not missing, f"destructive commands without a precheck: {sorted(missing)}"


NOTHING_THERE = [
    ("token revoke nosuchclient", "no application token with client id `nosuchclient`"),
    ("user remove nobody@example.com", "no user `nobody@example.com`"),
    ("keyspace delete orders nosuchks", "has no keyspace `nosuchks`"),
    ("access-list remove orders 1.2.3.4", "`1.2.3.4` is not on the access list"),
    ("region remove orders europe-west1", "has no region `europe-west1`"),
    ("telemetry audit-log delete", "streams no audit log"),
    ("role delete nosuchrole", "no Astra role `nosuchrole`"),
    ("db delete nosuchdb", "no database named or with id `nosuchdb`"),
]


async def test_destructive_commands_on_nothing_ask_no_one_to_confirm(bot: BotHarness) -> None:
    bot.emulator.add_database("orders")
    for command, says in NOTHING_THERE:
        await bot.command(command)
        assert says in last_private(bot), (command, last_private(bot))
    assert confirmation_posts(bot) == []
    assert writes(bot) == []


async def test_a_terminating_database_is_not_offered_for_deletion(bot: BotHarness) -> None:
    bot.emulator.add_database("going", "TERMINATING")
    bot.emulator.add_database("wide", extra_regions=["us-east4"])
    await bot.command("db delete going")
    assert "already TERMINATING" in last_private(bot)
    await bot.command("db delete wide")
    assert "extra regions are removed" in last_private(bot)
    assert confirmation_posts(bot) == [] and writes(bot) == []


# ---------------------------------------------------------------------------- duplicate name


async def test_a_second_create_asks_in_the_users_words(bot: BotHarness) -> None:
    bot.emulator.add_database("orders")
    await bot.command("db create orders")
    (post,) = confirmation_posts(bot)
    shown = post["text"] + json.dumps(post["blocks"])
    assert "allow-duplicate-name" not in shown  # a command the user never typed
    assert "Create another database named *orders*?" in shown
    assert "`orders` already exists" in shown
    value = next(
        e["value"]
        for b in post["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == ACTION_CONFIRM
    )
    await bot.click(ACTION_CONFIRM, value)
    assert len(_create_bodies(bot)) == 1
    decided = next(c.params for c in bot.slack.calls("chat.update") if c.ok)
    assert "allow-duplicate-name" not in json.dumps(decided)


# ---------------------------------------------------------------------------- watches


def _posted(bot: BotHarness) -> list[str]:
    return [
        p["text"] + "\n" + json.dumps(p.get("blocks") or [], ensure_ascii=False)
        for p in bot.channel_posts()
    ]


async def test_a_watch_tells_changes_not_what_it_saw_first(bot: BotHarness) -> None:
    db_id = bot.emulator.add_database("orders")
    await bot.command("watch orders")
    posts = len(bot.channel_posts())
    await bot.tick(60)
    assert len(bot.channel_posts()) == posts  # ACTIVE when watched, ACTIVE now: no news
    bot.emulator.set_status(db_id, "MAINTENANCE")
    await bot.tick(60)
    (said,) = _posted(bot)[posts:]
    assert "ACTIVE → MAINTENANCE" in said and "?" not in said


async def test_a_terminated_database_leaves_the_watch_list(bot: BotHarness) -> None:
    db_id = bot.emulator.add_database("orders")
    await bot.command("watch orders")
    bot.emulator.set_status(db_id, "TERMINATED")
    await bot.tick(60)
    assert any("TERMINATED" in p for p in _posted(bot))
    await bot.command("watch list")
    assert "orders" not in last_private(bot)


async def test_a_coalesced_notice_says_each_change_once(bot: BotHarness) -> None:
    """A channel that watches all databases and creates four is told once that each is
    ACTIVE: the operation's notice, not the watch's repeat of it."""
    await bot.command("watch all")
    for i in range(4):
        await bot.command(f"db create db{i}")
    await bot.run_until_idle()
    (post,) = [p for p in bot.channel_posts() if "ACTIVE" in p["text"]]
    shown = json.dumps(post["blocks"], ensure_ascii=False)
    for i in range(4):
        assert shown.count(f"db{i}") == 1, shown
    assert post["text"].startswith("4 databases are ACTIVE")


def test_home_names_the_channel_as_everything_else_does() -> None:
    out = shell("watch all\nhome\n")
    assert "#cshell │" in out and "#cshell: all databases" in out
    assert "#CSHELL" not in out


# ---------------------------------------------------------------------------- names


async def test_ambiguous_names_and_suggestions_say_each_once(bot: BotHarness) -> None:
    ids = [bot.emulator.add_database("orders") for _ in range(3)]
    await bot.command("db get orders")
    said = bot.private_texts()[-1]
    assert "matches 3 databases" in said
    for db_id in ids:
        assert said.count(db_id) == 1, said
    await bot.command("db get ordrs")
    said = bot.private_texts()[-1]
    assert "Did you mean `orders`?" in said and said.count("`orders`") == 1, said


def test_did_you_mean_names_each_option_once() -> None:
    from bot import render
    from bot.errors import UsageError

    assert render.did_you_mean(["orders", "orders", "order"]) == "Did you mean `orders` or `order`?"
    assert render.did_you_mean([]) == ""
    said = render.usage_error(UsageError("x", suggestions=["a", "a"])).text
    assert said.count("`a`") == 1


# ---------------------------------------------------------------------------- glyphs, grammar


def test_count_says_one_thing_or_several() -> None:
    from bot import render

    assert render.count(1, "permission") == "1 permission"
    assert render.count(2, "permission") == "2 permissions"
    assert render.count(0, "database") == "0 databases"
    assert render.count(1, "entry", "entries") == "1 entry"
    assert render.count(3, "entry", "entries") == "3 entries"


def test_the_terminal_glyphs_read_as_what_they_mean() -> None:
    from bot import render

    failed = render.mrkdwn_text(":x:")
    assert render.mrkdwn_text(":wastebasket:") != failed  # terminating is not a failure
    assert render.mrkdwn_text(":red_circle:") != render.mrkdwn_text(":warning:")
    parked = render.mrkdwn_text(":parking: *classic1* is PARKED.")
    assert not parked.startswith("P ")  # a letter reads as part of the sentence


async def test_counts_and_notices_read_as_sentences(bot: BotHarness) -> None:
    await bot.components.astra.create_role("one", ["org-db-view"], ["drn:astra:org:*"])
    await bot.command("role list")
    assert (
        "1 permission —" in bot.private_texts()[-1]
        or "1 permission\n" in bot.private_texts()[-1] + "\n"
    )
    assert "1 permissions" not in bot.private_texts()[-1]
    await bot.command("perm list")
    rows = await bot.store.audit_entries(limit=1)
    assert rows[0].outcome == "1 entry"
    bot.emulator.add_database("orders")
    await bot.command("keyspace create orders shop")
    await bot.run_until_idle()
    notice = bot.channel_posts()[-1]["text"]
    assert "Keyspace `shop` created in orders, which is ACTIVE." in notice, notice
    assert ": is" not in notice


def test_a_parked_database_reads_as_parked_in_the_shell() -> None:
    out = shell(
        "db create classic1 --tier C10\ndb park classic1\n1\nkeyspace create classic1 shop\n"
    )
    assert "Ⓟ classic1 is PARKED." in out and "P classic1" not in out
    assert "unpark it first (`/astra db unpark classic1`)" in out  # waiting would not do
    assert "wait until it is ACTIVE" not in out


async def test_a_typed_backtick_does_not_break_the_code_span(bot: BotHarness) -> None:
    await bot.command("db get `whoami`")
    said = bot.private_texts()[-1]
    assert "``" not in said, said
    assert "whoami" in said and "is not a database name or id" in said
