"""Every decision is made on what the bot resolved or stored, never on what a request
claims (DESIGN §3): the resolved database of every command that names one, the Home tab
of each user, the channel of a confirmation, the state of a modal. Signed requests to the
bot's ASGI app, the fake Slack and the Astra emulator."""

from __future__ import annotations

import json
from typing import Any

from bot.render import ACTION_CONFIRM, ACTION_FORM_CHANGE, FORM_CREATE
from tests.conftest import ADMIN, BotHarness
from tests.fakes.slack_api import event_body, view_submission_body

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
    prod = next(
        d.id for d in await bot.components.astra.list_databases() if d.info.name == "prod-2"
    )
    assert await _denied(bot, f"watch {prod}")  # by id: resolved, then decided
    assert await _denied(bot, "watch all")  # every database, prod-2 too
    assert await bot.store.subscriptions() == []
    assert not await _denied(bot, "watch dev-1")
    assert [s.database_name for s in await bot.store.subscriptions()] == ["dev-1"]
    rows = [r for r in await bot.store.audit_entries(limit=20) if r.decision in {"allow", "deny"}]
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
    assert await _denied(bot, "role create readers --permission org-db-view --db dev-1 --db prod-2")
    assert bot.emulator.writes_count == before
    assert not await _denied(bot, "role create readers --permission org-db-view --db dev-1")
    assert bot.emulator.writes_count == before + 1


# ---------------------------------------------------------------------------- App Home


async def _home(bot: BotHarness, user: str) -> str:
    before = len(bot.slack.calls("views.publish"))
    await bot.post_signed(
        event_body(
            {"type": "app_home_opened", "user": user, "tab": "home"},
            event_id=f"EvHome{user}{before}",
        ),
        content_type="application/json",
    )
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
    sections = {
        b["text"]["text"].split("\n", 1)[0]: b["text"]["text"]
        for b in dev["blocks"]
        if b["type"] == "section"
    }
    assert "dev-4" in sections["*In progress*"] and "prod-3" not in sections["*In progress*"]
    assert "CDEV" in sections["*Watched*"] and "dev-1" in sections["*Watched*"]
    for secret in ("CPROD", "prod-2", "CALL"):  # `watch all` shows every database
        assert secret not in sections["*Watched*"], secret


# ---------------------------------------------------------------------------- clicks and forms


def _confirm_of(bot: BotHarness, channel: str) -> str:
    post = bot.channel_posts(channel)[-1]
    return next(
        e["value"]
        for b in post["blocks"]
        for e in b.get("elements", [])
        if str(e.get("action_id", "")).startswith(ACTION_CONFIRM)
    )


def _terminates(bot: BotHarness) -> list[str]:
    return [r.path for r in bot.emulator.requests if r.path.endswith("/terminate")]


async def test_a_click_is_decided_in_the_confirmations_channel(bot: BotHarness) -> None:
    """A stranger whose only right comes from another channel's binding clicks Confirm with a
    payload that names that channel: decided where the confirmation was posted, refused."""
    bot.emulator.add_database("orders")
    await bot.command("perm grant <#COTHER> operator")  # whoever acts in #other
    await bot.command("db delete orders", channel="C1")
    conf = _confirm_of(bot, "C1")
    before = len(bot.private_texts())
    await bot.click(ACTION_CONFIRM, conf, user="USTRANGER", channel="COTHER")
    assert any(t.startswith(":no_entry:") for t in bot.private_texts()[before:])
    assert _terminates(bot) == []
    row = (await bot.store.audit_entries(limit=1))[0]
    assert (row.decision, row.channel_id) == ("deny", "C1")
    # the same person in the channel of the binding may confirm what is posted there
    await bot.command("db delete orders", channel="COTHER")
    await bot.click(ACTION_CONFIRM, _confirm_of(bot, "COTHER"), user="USTRANGER", channel="COTHER")
    assert len(_terminates(bot)) == 1


async def test_a_guard_cannot_be_side_stepped_by_the_clicks_channel(bot: BotHarness) -> None:
    bot.emulator.add_database("orders")
    await bot.command("db delete orders", channel="C0OPS")
    conf = _confirm_of(bot, "C0OPS")
    await bot.command("perm guard <#C0OPS> viewer")  # since the request, read-only
    before = len(bot.private_texts())
    await bot.click(ACTION_CONFIRM, conf, channel="CELSEWHERE")  # an admin, elsewhere
    assert any("guarded to viewer" in t for t in bot.private_texts()[before:])
    assert _terminates(bot) == []


async def _open_form(bot: BotHarness, channel: str = "C1") -> dict[str, Any]:
    await bot.command("db create", channel=channel)
    view: dict[str, Any] = bot.slack.calls("views.open")[-1].params["view"]
    return view


def _form_state(name: str) -> dict[str, Any]:
    def select(value: str) -> dict[str, Any]:
        return {
            "type": "static_select",
            "selected_option": {"value": value, "text": {"type": "plain_text", "text": value}},
        }

    return {
        "name": {"name": {"type": "plain_text_input", "value": name}},
        "cloud": {ACTION_FORM_CHANGE: select("gcp")},
        "region": {"region": select("us-east1")},
        "keyspace": {"keyspace": {"type": "plain_text_input", "value": "shop"}},
        "vector": {"vector": select("vector")},
        "capacity_units": {"capacity_units": {"type": "plain_text_input", "value": "1"}},
    }


async def _submit(bot: BotHarness, metadata: str, name: str, user: str = ADMIN) -> Any:
    body = view_submission_body(
        FORM_CREATE, _form_state(name), user_id=user, private_metadata=metadata
    )
    resp = await bot.post_signed(body, content_type="application/x-www-form-urlencoded")
    await bot.settle()
    return resp


async def test_a_form_runs_in_the_channel_the_bot_signed(bot: BotHarness) -> None:
    view = await _open_form(bot, "C1")
    assert view["private_metadata"] != "C1"  # not a bare channel anyone could rewrite
    resp = await _submit(bot, view["private_metadata"], "fresh")
    assert resp.status_code == 200 and not resp.content
    assert [r.json["name"] for r in bot.emulator.requests if r.method == "POST"] == ["fresh"]
    assert "fresh" in bot.channel_posts("C1")[-1]["text"]


async def test_tampered_form_state_is_refused_and_creates_nothing(bot: BotHarness) -> None:
    view = await _open_form(bot, "C1")
    signed = view["private_metadata"]
    forged = [
        "CATTACKER",  # a bare channel of the attacker's choosing
        signed.replace("C1", "CATTACKER", 1),  # the channel changed, the signature kept
        signed[:-1] + ("0" if signed[-1] != "0" else "1"),  # the signature changed
        "",
    ]
    for metadata in forged:
        resp = await _submit(bot, metadata, "evil")
        answer = resp.json()
        assert answer["response_action"] == "errors", metadata
        assert "run `/astra db create` again" in json.dumps(answer["errors"])
    # another person cannot reuse what the bot signed for the admin
    await bot.grant("UOPS", "operator")
    resp = await _submit(bot, signed, "evil", user="UOPS")
    assert resp.json()["response_action"] == "errors"
    assert [r for r in bot.emulator.requests if r.method == "POST"] == []
    assert all("evil" not in str(p.get("text")) for p in bot.channel_posts("CATTACKER"))
