"""Org-scoped permissions through signed Slack requests against two emulated orgs (prod and
dev): `perm grant … --org dev` holds in dev only, `perm list` says where each binding holds,
`perm check`, `help` and the Home tab answer per org, and a revoke without `--org` says which
scoped bindings it left."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import BotHarness
from tests.fakes.slack_api import event_body

ANA = "UANA"


def last_private(bot: BotHarness) -> str:
    return bot.private_texts()[-1]


async def home_of(bot: BotHarness, user: str) -> dict[str, Any]:
    n = len(bot.slack.calls("views.publish"))
    body = event_body({"type": "app_home_opened", "user": user, "tab": "home"}, event_id=f"E{n}")
    await bot.post_signed(body, content_type="application/json")
    await bot.settle()
    view: dict[str, Any] = bot.slack.calls("views.publish")[n].params["view"]
    return view


def home_texts(view: dict[str, Any]) -> list[str]:
    out = []
    for block in view["blocks"]:
        text = block.get("text")
        if isinstance(text, dict):
            out.append(text["text"])
        for element in block.get("elements", []):
            out.append(element.get("text", ""))
    return out


async def test_grant_in_dev_is_listed_with_its_scope(bot2: BotHarness) -> None:
    await bot2.command(f"perm grant <@{ANA}> operator --org dev")
    assert last_private(bot2) == f":key: <@UADMIN> granted *operator* in dev to <@{ANA}>."
    await bot2.command(f"perm grant <@{ANA}> viewer --db 'dev-*'")
    assert "on databases matching `dev-*` in every org" in last_private(bot2)
    await bot2.command("perm list")
    listed = last_private(bot2)
    assert f"<@{ANA}> → operator in dev" in listed
    assert f"<@{ANA}> → viewer on `dev-*` in every org" in listed
    assert "<@UADMIN> → admin (ASTRA_BOT_ADMINS) in every org" in listed
    stored = (await bot2.store.rules(frozenset())).bindings
    assert [(b.role, b.org) for b in stored] == [("operator", "dev"), ("viewer", None)]


async def test_perm_check_answers_for_the_checked_commands_org(bot2: BotHarness) -> None:
    await bot2.store.grant("user", ANA, "operator", None, "test", "dev")
    await bot2.command(f"perm check <@{ANA}> db create orders --org dev")
    assert f"<@{ANA}> running `/astra db create orders --org dev` here in dev: *allow*" in (
        last_private(bot2)
    )
    await bot2.command(f"perm check <@{ANA}> db create orders --org prod")
    assert "here in prod: *deny*" in last_private(bot2)
    # no --org: the channel's org (the default one, prod)
    await bot2.command(f"perm check <@{ANA}> db create orders")
    assert "here in prod: *deny*" in last_private(bot2)
    rows = await bot2.store.audit_entries(limit=3)
    assert any("may run `/astra db create orders --org dev` in dev" in r.outcome for r in rows)


async def test_perm_check_of_an_unknown_org_is_a_usage_error(bot2: BotHarness) -> None:
    await bot2.command(f"perm check <@{ANA}> db list --org devv")
    said = last_private(bot2)
    assert "There is no organization `devv` here" in said and "Did you mean `--org dev`?" in said
    assert (await bot2.store.rules(frozenset())).bindings == ()


async def test_a_rule_change_for_every_org_needs_the_right_in_every_org(
    bot2: BotHarness,
) -> None:
    """An admin of dev alone grants in dev, but cannot grant for every org nor in prod."""
    await bot2.store.grant("user", ANA, "admin", None, "test", "dev")
    await bot2.command("perm grant <@UBOB> operator --org dev", user=ANA)
    assert "granted *operator* in dev" in last_private(bot2)
    await bot2.command("perm grant <@UBOB> operator", user=ANA)
    assert "not allowed" in last_private(bot2)
    await bot2.command(f"perm grant <@{ANA}> admin --org prod", user=ANA)
    assert "not allowed" in last_private(bot2)
    await bot2.command("perm guard <#CGEN> viewer", user=ANA)
    assert "not allowed" in last_private(bot2)
    stored = (await bot2.store.rules(frozenset())).bindings
    assert [(b.subject_id, b.role, b.org) for b in stored] == [
        (ANA, "admin", "dev"),
        ("UBOB", "operator", "dev"),
    ]


async def test_revoke_without_org_names_the_scoped_bindings(bot2: BotHarness) -> None:
    await bot2.store.grant("user", ANA, "operator", None, "test", "dev")
    await bot2.command(f"perm revoke <@{ANA}> operator")
    said = last_private(bot2)
    assert said == (
        f"<@{ANA}> has no *operator* binding in every org, only in dev: revoke it with `--org dev`."
    )
    assert len((await bot2.store.rules(frozenset())).bindings) == 1
    await bot2.store.grant("user", ANA, "operator", None, "test")
    await bot2.command(f"perm revoke <@{ANA}> operator")
    assert last_private(bot2) == (
        f"Revoked *operator* in every org from <@{ANA}>. It still holds in dev (revoke those "
        "with `--org`)."
    )
    await bot2.command(f"perm revoke <@{ANA}> operator --org dev")
    assert last_private(bot2) == f"Revoked *operator* in dev from <@{ANA}>."
    assert (await bot2.store.rules(frozenset())).bindings == ()


async def test_help_lists_per_org(bot2: BotHarness) -> None:
    await bot2.store.grant("user", ANA, "viewer", None, "test")
    await bot2.store.grant("user", ANA, "operator", None, "test", "dev")
    await bot2.command("help", user=ANA)
    here = json.dumps(bot2.slack.response_url_posts[-1].blocks)
    assert "what you may run here in prod" in here
    assert "db create" not in here and "db list" in here
    assert "In dev:" in here and "/astra help --org dev" in here
    await bot2.command("help --org dev", user=ANA)
    there = json.dumps(bot2.slack.response_url_posts[-1].blocks)
    assert "what you may run here in dev" in there and "db create" in there
    assert "Your roles in dev" in there and "In prod:" in there


async def test_home_shows_each_orgs_rights_and_databases(bot2: BotHarness) -> None:
    bot2.emulator.add_database("orders")  # in prod, the first org
    bot2.emulator.org("dev").add_database("scratch")
    await bot2.store.grant("user", ANA, "viewer", None, "test", "prod")
    await bot2.store.grant("user", ANA, "operator", None, "test", "dev")
    texts = home_texts(await home_of(bot2, ANA))
    prod = next(i for i, t in enumerate(texts) if t.startswith("*prod*"))
    dev = next(i for i, t in enumerate(texts) if t.startswith("*dev*"))
    assert prod < dev
    assert "Your roles in prod: <@UANA> → viewer in prod." in texts[prod]
    assert "`db` list, get, status" in texts[prod + 1] and "create" not in texts[prod + 1]
    assert "create" in texts[dev + 1]
    assert texts[prod + 2].startswith("*Databases in prod (1)*") and "orders" in texts[prod + 2]
    assert texts[dev + 2].startswith("*Databases in dev (1)*") and "scratch" in texts[dev + 2]
    assert "scratch" not in texts[prod + 2] and "orders" not in texts[dev + 2]


async def test_home_of_someone_with_rights_in_one_org_only(bot2: BotHarness) -> None:
    bot2.emulator.add_database("prod-orders")
    bot2.emulator.org("dev").add_database("scratch")
    await bot2.store.grant("user", ANA, "viewer", None, "test", "dev")
    texts = home_texts(await home_of(bot2, ANA))
    joined = "\n".join(texts)
    assert "prod-orders" not in joined and "scratch" in joined
    assert "You have no role here in prod." in joined


async def test_operator_in_dev_creates_in_dev_and_is_denied_in_prod(bot2: BotHarness) -> None:
    await bot2.command("org use dev", channel="CDEV")
    await bot2.store.grant("user", ANA, "operator", None, "test", "dev")
    await bot2.command("db create cart", user=ANA, channel="CDEV")
    await bot2.command("db create cart2 --org dev", user=ANA, channel="C1")
    assert sorted(bot2.emulator.org("dev").database_names().values()) == ["cart", "cart2"]
    for text, channel in (("db create shop", "C1"), ("db create shop --org prod", "CDEV")):
        await bot2.command(text, user=ANA, channel=channel)
        said = last_private(bot2)
        assert "not allowed to run `/astra db create` (needs role operator)" in said, text
        assert "Your roles in dev hold only there." in said
    assert bot2.emulator.database_names() == {}
    rows = await bot2.store.audit_entries(limit=20)
    assert sum(r.decision == "deny" and r.permission == "db.create" for r in rows) == 2
