"""Every decision is made on what the bot resolved or stored, never on what a request
claims (DESIGN §3): the resolved database of every command that names one, the Home tab
of each user, the channel of a confirmation, the state of a modal. Signed requests to the
bot's ASGI app, the fake Slack and the Astra emulator."""

from __future__ import annotations

from tests.conftest import BotHarness

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
    rows = await bot.store.audit_entries(limit=10)
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
