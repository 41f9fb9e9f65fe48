"""Org-scoped permissions through signed Slack requests against two emulated orgs (prod and
dev): `perm grant … --org dev` holds in dev only, `perm list` says where each binding holds,
`perm check`, `help` and the Home tab answer per org, and a revoke without `--org` says which
scoped bindings it left."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.astra.emulator import AstraEmulator, EmulatorConfig, org_token
from tests.conftest import FAST, BotHarness, FakeClock, bot_harness
from tests.fakes.slack_api import FakeSlack, event_body

ANA = "UANA"
ORGS = {"prod": org_token("prod"), "dev": org_token("dev")}


@contextlib.asynccontextmanager
async def two_orgs(tmp_path: Path, slack: FakeSlack, clock: FakeClock) -> AsyncIterator[BotHarness]:
    emulator = AstraEmulator(EmulatorConfig(clock=clock, **FAST), orgs=list(ORGS))  # type: ignore[arg-type]
    async with bot_harness(
        tmp_path, slack, emulator, clock, ASTRA_BOT_ORGS=json.dumps(ORGS)
    ) as harness:
        yield harness


@pytest.fixture
async def orgs(tmp_path: Path, slack: FakeSlack, clock: FakeClock) -> AsyncIterator[BotHarness]:
    async with two_orgs(tmp_path, slack, clock) as harness:
        yield harness


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


async def test_grant_in_dev_is_listed_with_its_scope(orgs: BotHarness) -> None:
    await orgs.command(f"perm grant <@{ANA}> operator --org dev")
    assert last_private(orgs) == f":key: <@UADMIN> granted *operator* in dev to <@{ANA}>."
    await orgs.command(f"perm grant <@{ANA}> viewer --db 'dev-*'")
    assert "on databases matching `dev-*` in every org" in last_private(orgs)
    await orgs.command("perm list")
    listed = last_private(orgs)
    assert f"<@{ANA}> → operator in dev" in listed
    assert f"<@{ANA}> → viewer on `dev-*` in every org" in listed
    assert "<@UADMIN> → admin (ASTRA_BOT_ADMINS) in every org" in listed
    stored = (await orgs.store.rules(frozenset())).bindings
    assert [(b.role, b.org) for b in stored] == [("operator", "dev"), ("viewer", None)]


async def test_perm_check_answers_for_the_checked_commands_org(orgs: BotHarness) -> None:
    await orgs.store.grant("user", ANA, "operator", None, "test", "dev")
    await orgs.command(f"perm check <@{ANA}> db create orders --org dev")
    assert f"<@{ANA}> running `/astra db create orders --org dev` here in dev: *allow*" in (
        last_private(orgs)
    )
    await orgs.command(f"perm check <@{ANA}> db create orders --org prod")
    assert "here in prod: *deny*" in last_private(orgs)
    # no --org: the channel's org (the default one, prod)
    await orgs.command(f"perm check <@{ANA}> db create orders")
    assert "here in prod: *deny*" in last_private(orgs)
    rows = await orgs.store.audit_entries(limit=3)
    assert any("may run `/astra db create orders --org dev` in dev" in r.outcome for r in rows)


async def test_perm_check_of_an_unknown_org_is_a_usage_error(orgs: BotHarness) -> None:
    await orgs.command(f"perm check <@{ANA}> db list --org devv")
    said = last_private(orgs)
    assert "There is no org `devv`" in said and "dev" in said
    assert (await orgs.store.rules(frozenset())).bindings == ()


async def test_a_rule_change_for_every_org_needs_the_right_in_every_org(
    orgs: BotHarness,
) -> None:
    """An admin of dev alone grants in dev, but cannot grant for every org nor in prod."""
    await orgs.store.grant("user", ANA, "admin", None, "test", "dev")
    await orgs.command("perm grant <@UBOB> operator --org dev", user=ANA)
    assert "granted *operator* in dev" in last_private(orgs)
    await orgs.command("perm grant <@UBOB> operator", user=ANA)
    assert "not allowed" in last_private(orgs)
    await orgs.command(f"perm grant <@{ANA}> admin --org prod", user=ANA)
    assert "not allowed" in last_private(orgs)
    await orgs.command("perm guard <#CGEN> viewer", user=ANA)
    assert "not allowed" in last_private(orgs)
    stored = (await orgs.store.rules(frozenset())).bindings
    assert [(b.subject_id, b.role, b.org) for b in stored] == [
        (ANA, "admin", "dev"),
        ("UBOB", "operator", "dev"),
    ]


async def test_revoke_without_org_names_the_scoped_bindings(orgs: BotHarness) -> None:
    await orgs.store.grant("user", ANA, "operator", None, "test", "dev")
    await orgs.command(f"perm revoke <@{ANA}> operator")
    said = last_private(orgs)
    assert said == (
        f"<@{ANA}> has no *operator* binding in every org, only in dev: revoke it with `--org dev`."
    )
    assert len((await orgs.store.rules(frozenset())).bindings) == 1
    await orgs.store.grant("user", ANA, "operator", None, "test")
    await orgs.command(f"perm revoke <@{ANA}> operator")
    assert last_private(orgs) == (
        f"Revoked *operator* in every org from <@{ANA}>. It still holds in dev (revoke those "
        "with `--org`)."
    )
    await orgs.command(f"perm revoke <@{ANA}> operator --org dev")
    assert last_private(orgs) == f"Revoked *operator* in dev from <@{ANA}>."
    assert (await orgs.store.rules(frozenset())).bindings == ()


async def test_help_lists_per_org(orgs: BotHarness) -> None:
    await orgs.store.grant("user", ANA, "viewer", None, "test")
    await orgs.store.grant("user", ANA, "operator", None, "test", "dev")
    await orgs.command("help", user=ANA)
    here = json.dumps(orgs.slack.response_url_posts[-1].blocks)
    assert "what you may run here in prod" in here
    assert "db create" not in here and "db list" in here
    assert "In dev:" in here and "/astra help --org dev" in here
    await orgs.command("help --org dev", user=ANA)
    there = json.dumps(orgs.slack.response_url_posts[-1].blocks)
    assert "what you may run here in dev" in there and "db create" in there
    assert "Your roles in dev" in there and "In prod:" in there


async def test_home_shows_each_orgs_rights_and_databases(orgs: BotHarness) -> None:
    orgs.emulator.add_database("orders")  # in prod, the first org
    orgs.emulator.org("dev").add_database("scratch")
    await orgs.store.grant("user", ANA, "viewer", None, "test", "prod")
    await orgs.store.grant("user", ANA, "operator", None, "test", "dev")
    texts = home_texts(await home_of(orgs, ANA))
    prod = next(i for i, t in enumerate(texts) if t.startswith("*prod*"))
    dev = next(i for i, t in enumerate(texts) if t.startswith("*dev*"))
    assert prod < dev
    assert "Your roles in prod: <@UANA> → viewer in prod." in texts[prod]
    assert "`db` list, get, status" in texts[prod + 1] and "create" not in texts[prod + 1]
    assert "create" in texts[dev + 1]
    assert texts[prod + 2].startswith("*Databases in prod (1)*") and "orders" in texts[prod + 2]
    assert texts[dev + 2].startswith("*Databases in dev (1)*") and "scratch" in texts[dev + 2]
    assert "scratch" not in texts[prod + 2] and "orders" not in texts[dev + 2]


async def test_home_of_someone_with_rights_in_one_org_only(orgs: BotHarness) -> None:
    orgs.emulator.add_database("prod-orders")
    orgs.emulator.org("dev").add_database("scratch")
    await orgs.store.grant("user", ANA, "viewer", None, "test", "dev")
    texts = home_texts(await home_of(orgs, ANA))
    joined = "\n".join(texts)
    assert "prod-orders" not in joined and "scratch" in joined
    assert "You have no role here in prod." in joined


async def test_operator_in_dev_creates_in_dev_and_is_denied_in_prod(orgs: BotHarness) -> None:
    await orgs.command("org use dev", channel="CDEV")
    await orgs.store.grant("user", ANA, "operator", None, "test", "dev")
    await orgs.command("db create cart", user=ANA, channel="CDEV")
    await orgs.command("db create cart2 --org dev", user=ANA, channel="C1")
    assert sorted(orgs.emulator.org("dev").database_names().values()) == ["cart", "cart2"]
    for text, channel in (("db create shop", "C1"), ("db create shop --org prod", "CDEV")):
        await orgs.command(text, user=ANA, channel=channel)
        said = last_private(orgs)
        assert "not allowed to run `/astra db create` (needs role operator)" in said, text
        assert "Your roles in dev hold only there." in said
    assert orgs.emulator.database_names() == {}
    rows = await orgs.store.audit_entries(limit=20)
    assert sum(r.decision == "deny" and r.permission == "db.create" for r in rows) == 2
