"""Every decision is made on what the bot resolved or stored, never on what a request
claims (DESIGN §3): the resolved database of every command that names one, the Home tab
of each user, the channel of a confirmation, the state of a modal. Signed requests to the
bot's ASGI app, the fake Slack and the Astra emulator."""

from __future__ import annotations

import json

from tests.conftest import ADMIN, BotHarness
from tests.fakes.slack_api import event_body

DEV = "UDEV"  # operator on dev-* only


async def _denied(bot: BotHarness, text: str, user: str = DEV, **kw: str) -> bool:
    """Run a command; whether it was refused (a private :no_entry: answer)."""
    before = len(bot.private_texts())
    await bot.command(text, user=user, **kw)
    return any(t.startswith(":no_entry:") for t in bot.private_texts()[before:])


async def _scoped(bot: BotHarness) -> None:
    bot.emulator.add_database("dev-1")
    bot.emulator.add_database("prod-2")
    await bot.command(f"perm grant <@{DEV}> operator --db 'dev-*'")


# ---------------------------------------------------------------------------- resolved database


async def test_watch_is_decided_on_the_resolved_database(bot: BotHarness) -> None:
    await _scoped(bot)
    assert await _denied(bot, "watch prod-2")
    prod = next(d.id for d in await bot.components.astra.list_databases()
                if d.info.name == "prod-2")
    assert await _denied(bot, f"watch {prod}")  # by id: resolved, then decided
    assert await _denied(bot, "watch all")  # every database, prod-2 too
    assert await bot.store.subscriptions() == []
    assert not await _denied(bot, "watch dev-1")
    assert [s.database_name for s in await bot.store.subscriptions()] == ["dev-1"]
    rows = [r for r in await bot.store.audit_entries(limit=20)
            if r.decision in {"allow", "deny"}]
    assert [r.decision for r in rows[:4]] == ["allow", "deny", "deny", "deny"]
    assert rows[2].database == "prod-2"  # the id was resolved to the name it was decided on


async def test_watch_stop_is_decided_on_the_watched_database(bot: BotHarness) -> None:
    await _scoped(bot)
    await bot.command("watch prod-2")
    assert await _denied(bot, "watch stop prod-2")
    assert [s.database_name for s in await bot.store.subscriptions()] == ["prod-2"]


async def test_every_database_a_command_names_is_decided(bot: BotHarness) -> None:
    """`role create --db a --db b`: a scoped admin may not reach a database outside scope."""
    await _scoped(bot)
    await bot.command(f"perm grant <@{DEV}> admin --db 'dev-*'")
    before = bot.emulator.writes_count
    assert await _denied(bot, "role create readers --permission org-db-view --db dev-1 "
                              "--db prod-2")
    assert bot.emulator.writes_count == before
    assert not await _denied(bot, "role create readers --permission org-db-view --db dev-1")
    assert bot.emulator.writes_count == before + 1


# ---------------------------------------------------------------------------- App Home


async def _home(bot: BotHarness, user: str) -> str:
    before = len(bot.slack.calls("views.publish"))
    await bot.post_signed(event_body({"type": "app_home_opened", "user": user, "tab": "home"},
                                     event_id=f"EvHome{user}{before}"),
                          content_type="application/json")
    await bot.settle()
    published = bot.slack.calls("views.publish")[before:]
    assert published, "no Home tab published"
    return json.dumps(published[-1].params["view"])


async def test_app_home_shows_only_what_the_users_rights_let_them_see(bot: BotHarness) -> None:
    await _scoped(bot)
    await bot.command("db create prod-3")  # in progress, by the admin
    await bot.command("db create dev-4")
    await bot.command("watch prod-2", channel="CPROD")
    await bot.command("watch dev-1", channel="CDEV")
    await bot.command("watch all", channel="CALL")

    admin = await _home(bot, ADMIN)
    assert all(x in admin for x in ("prod-3", "dev-4", "prod-2", "dev-1", "CPROD", "CALL"))

    stranger = await _home(bot, "USTRANGER")
    assert "no role" in stranger
    for secret in ("prod-3", "dev-4", "prod-2", "dev-1", "CPROD", "CDEV", "CALL"):
        assert secret not in stranger, secret

    # operator on dev-* only: may list databases (as `db list` does), but not follow prod's
    dev = json.loads(await _home(bot, DEV))
    sections = {b["text"]["text"].split("\n", 1)[0]: b["text"]["text"]
                for b in dev["blocks"] if b["type"] == "section"}
    assert "dev-4" in sections["*In progress*"] and "prod-3" not in sections["*In progress*"]
    assert "CDEV" in sections["*Watched*"] and "dev-1" in sections["*Watched*"]
    for secret in ("CPROD", "prod-2", "CALL"):  # `watch all` shows every database
        assert secret not in sections["*Watched*"], secret
