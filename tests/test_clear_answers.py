"""Wrong or confusing answers (issue 14): each answer says what is true, in the words a user
expects, before anything is asked or sent. Signed Slack requests through the `bot` fixture,
the Astra emulator and the fake Slack Web API; pure render tests at the end."""

from __future__ import annotations

import json
from typing import Any

from bot.render import ACTION_CONFIRM
from tests.conftest import BotHarness


def last_private(bot: BotHarness) -> str:
    """The last private answer, text and blocks."""
    post = bot.slack.response_url_posts[-1]
    return (post.text or "") + "\n" + json.dumps(post.blocks or [], ensure_ascii=False)


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
    return [r.json for r in bot.emulator.requests
            if r.method == "POST" and r.path == "/v2/databases"]


async def test_the_default_region_follows_the_cloud(bot: BotHarness) -> None:
    await bot.command("db create x --cloud aws")
    assert not any("us-east1" in t for t in bot.private_texts())
    body = _create_bodies(bot)[-1]
    assert (body["cloudProvider"], body["region"]) == ("AWS", "us-east-2")
    await bot.command("db create y --cloud azure")
    assert _create_bodies(bot)[-1]["region"] == "eastus"
    await bot.command("db create z")  # the settings' default cloud and region
    assert (_create_bodies(bot)[-1]["cloudProvider"], _create_bodies(bot)[-1]["region"]) == \
        ("GCP", "us-east1")
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
