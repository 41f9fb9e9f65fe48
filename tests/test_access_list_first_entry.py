"""The first entry of an empty access list switches enforcement on (Astra then refuses every
client not on the list): it is a destructive change, confirmed first; later entries are
added directly. Signed requests, the fake Slack and the Astra emulator."""

from __future__ import annotations

import json

from bot.render import ACTION_CONFIRM
from tests.conftest import BotHarness

FIRST = "This is the first entry: Astra will then refuse every client not on the list"


def _acl_writes(bot: BotHarness) -> list[str]:
    return [
        r.method
        for r in bot.emulator.requests
        if r.path.endswith("/access-list") and r.method != "GET"
    ]


def _confirm_button(post: dict[str, object]) -> str | None:
    for b in post.get("blocks") or []:  # type: ignore[attr-defined]
        for e in b.get("elements", []):
            if str(e.get("action_id", "")).startswith(ACTION_CONFIRM):
                return str(e["value"])
    return None


async def test_the_first_entry_is_confirmed_first_and_says_what_it_does(
    bot: BotHarness,
) -> None:
    db_id = bot.emulator.add_database("orders")
    await bot.command("access-list add orders 203.0.113.7 --description vpn")
    assert _acl_writes(bot) == []  # nothing sent before the click
    post = bot.channel_posts()[-1]
    assert FIRST in json.dumps(post) and FIRST in str(post["text"])
    conf = _confirm_button(post)
    assert conf is not None
    acl = await bot.components.astra.get_access_list(db_id)
    assert not acl.addresses and not acl.configurations.access_list_enabled

    await bot.click(ACTION_CONFIRM, conf)
    assert _acl_writes(bot) == ["POST"]
    acl = await bot.components.astra.get_access_list(db_id)
    assert [a.address for a in acl.addresses] == ["203.0.113.7"]
    assert acl.configurations.access_list_enabled  # Astra enforces a list with an entry
    assert "allowed `203.0.113.7`" in bot.channel_posts()[-1]["text"]

    # the list is enforced already: the next entry cuts nobody off and runs directly
    posts = len(bot.channel_posts())
    await bot.command("access-list add orders 198.51.100.0/24 --description office")
    assert _acl_writes(bot) == ["POST", "POST"]
    assert len(bot.channel_posts()) == posts + 1
    assert _confirm_button(bot.channel_posts()[-1]) is None


async def test_the_first_entry_of_a_protected_database_needs_a_second_person(
    bot: BotHarness,
) -> None:
    bot.emulator.add_database("prod-orders")
    await bot.command("perm protect prod-*")
    await bot.command("access-list add prod-orders 203.0.113.7")
    conf = _confirm_button(bot.channel_posts()[-1])
    assert conf is not None
    await bot.click(ACTION_CONFIRM, conf)  # the requester approves their own: refused
    assert _acl_writes(bot) == []
    await bot.grant("USECOND", "operator")
    await bot.click(ACTION_CONFIRM, conf, user="USECOND")
    assert _acl_writes(bot) == ["POST"]
