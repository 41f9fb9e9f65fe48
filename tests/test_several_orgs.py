"""Several Astra orgs from one bot, through signed Slack requests against two emulated orgs
(``bot2``: prod, the default, and dev): the org of a command is ``--org``, else the
channel's (`org use`), else the default; names resolve in that org; a confirmation runs in
the org it was asked in; one org's refused token does not stop the other."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.astra.emulator import AstraEmulator
from bot.commands import COMMANDS, parse
from bot.errors import UsageError
from bot.render import ACTION_CONFIRM, ACTION_RUN
from tests.conftest import ADMIN, BotHarness, FakeClock, bot_harness, orgs_setting
from tests.fakes.slack_api import FakeSlack

# -------------------------------------------------------------------- the pure parser


def test_every_command_takes_org_and_its_usage_does_not_show_it() -> None:
    assert parse("db list --org dev").org == "dev"
    assert parse("db get orders --org=prod").canonical() == "/astra db get orders --org prod"
    assert parse("db list").org is None
    for spec in COMMANDS:
        assert "--org" not in spec.usage, spec.usage
    # `perm check`'s tail is another command, verbatim: its `--org` is that command's
    checked = parse("perm check <@U1AB> db delete orders --org dev")
    assert checked.org is None and checked.many("command")[-2:] == ("--org", "dev")


@pytest.mark.parametrize("name", ["Dev", "dev_1", "a" * 33, "dév"])
def test_an_org_name_is_checked_for_shape_by_the_parser(name: str) -> None:
    with pytest.raises(UsageError, match="is not an org name"):
        parse(f"db list --org {name}")


# -------------------------------------------------------------------- helpers


def _seed(bot: BotHarness) -> tuple[AstraEmulator, AstraEmulator]:
    prod, dev = bot.emulator.org("prod"), bot.emulator.org("dev")
    prod.add_database("orders")
    dev.add_database("events")
    return prod, dev


def _last(bot: BotHarness) -> str:
    return bot.private_texts()[-1]


def _conf_id(post: dict[str, object]) -> str:
    for block in post.get("blocks") or []:  # type: ignore[attr-defined]
        for el in block.get("elements", []):
            if el.get("action_id") == ACTION_CONFIRM:
                return str(el["value"])
    raise AssertionError("no confirm button")


# -------------------------------------------------------------------- the org of a command


async def test_org_use_makes_a_channel_list_the_other_orgs_databases(bot2: BotHarness) -> None:
    _seed(bot2)
    await bot2.command("db list")
    assert "orders" in _last(bot2) and "events" not in _last(bot2)

    await bot2.command("org use dev")
    said = bot2.channel_posts()[-1]["text"]
    assert "organization to *dev*" in said and "<@UADMIN>" in said
    await bot2.command("db list")
    assert "events" in _last(bot2) and "orders" not in _last(bot2)
    # another channel still uses the default org
    await bot2.command("db list", channel="C2AB")
    assert "orders" in _last(bot2) and "events" not in _last(bot2)
    rows = await bot2.store.audit_entries(limit=10)
    use = next(r for r in rows if r.permission == "org.use" and r.decision == "allow")
    assert use.org == "prod"  # decided in the channel's org of then
    listed = next(r for r in rows if r.permission == "db.list")  # the newest: C2
    assert (listed.org, listed.org_id) == ("prod", bot2.emulator.org("prod").config.org_id)


async def test_org_flag_overrides_the_channels_org_for_one_command(bot2: BotHarness) -> None:
    _seed(bot2)
    await bot2.command("org use dev")
    await bot2.command("db list --org prod")
    assert "orders" in _last(bot2) and "events" not in _last(bot2)
    await bot2.command("db list")
    assert "events" in _last(bot2)
    rows = await bot2.store.audit_entries(limit=2)
    assert [r.org for r in rows] == ["dev", "prod"]


async def test_an_unknown_org_is_a_usage_error_with_did_you_mean(bot2: BotHarness) -> None:
    before = len(bot2.emulator.requests)
    await bot2.command("db list --org dve")
    said = _last(bot2)
    assert "There is no organization `dve`" in said and "`prod`, `dev`" in said
    assert "Did you mean `--org dev`?" in said
    assert len(bot2.emulator.requests) == before  # nothing was asked of Astra
    await bot2.command("org use staging")
    assert "There is no organization `staging`" in _last(bot2)
    async with bot2.store.transaction() as tx:
        assert await tx.channel_orgs.of("C1") is None


async def test_the_same_name_in_two_orgs_is_not_ambiguous_once_the_org_is_known(
    bot2: BotHarness,
) -> None:
    prod_id = bot2.emulator.org("prod").add_database("orders")
    dev_id = bot2.emulator.org("dev").add_database("orders")
    await bot2.command("db get orders")
    assert prod_id in _last(bot2) and dev_id not in _last(bot2)
    await bot2.command("db get orders --org dev")
    assert dev_id in _last(bot2) and prod_id not in _last(bot2)
    assert not any("more than one" in t.lower() for t in bot2.private_texts())


async def test_a_confirmation_runs_in_the_org_it_was_asked_in(bot2: BotHarness) -> None:
    prod_id = bot2.emulator.org("prod").add_database("orders")
    dev_id = bot2.emulator.org("dev").add_database("orders")
    await bot2.command("db delete orders")  # asked in prod, the channel's org then
    conf = _conf_id(bot2.channel_posts()[-1])
    await bot2.command("org use dev")
    await bot2.click(ACTION_CONFIRM, conf)
    terminates = [r.path for r in bot2.emulator.requests if r.path.endswith("/terminate")]
    assert len(terminates) == 1 and prod_id in terminates[0]
    assert bot2.emulator.org("dev").status_of(dev_id) == "ACTIVE"
    ops = await bot2.store.pending_operations()
    assert [(o.database_id, o.org_id) for o in ops] == [
        (prod_id, bot2.emulator.org("prod").config.org_id)
    ]


async def test_org_list_and_show_name_each_org_never_a_token(bot2: BotHarness) -> None:
    await bot2.command("org use dev", channel="C2AB")
    await bot2.command("org list")
    said = _last(bot2)
    prod, dev = bot2.emulator.org("prod").config, bot2.emulator.org("dev").config
    assert "*prod* (default)" in said and prod.org_id in said and dev.org_id in said
    blocks = json.dumps(bot2.slack.response_url_posts[-1].blocks)
    assert "used by <#C2AB>" in blocks and "AstraCS" not in said + blocks
    await bot2.command("org show", channel="C2AB")
    said = _last(bot2)
    assert "*dev*" in said and "set by `/astra org use`" in said and dev.org_id in said
    await bot2.command("org show")
    assert "*prod*" in _last(bot2) and "the default" in _last(bot2)


async def test_org_use_is_for_admins(bot2: BotHarness) -> None:
    await bot2.grant("UVIEW", "viewer")
    await bot2.command("org list", user="UVIEW")
    assert "Organizations" in _last(bot2)
    await bot2.command("org use dev", user="UVIEW")
    assert "not allowed" in _last(bot2)
    async with bot2.store.transaction() as tx:
        assert await tx.channel_orgs.all() == {}


async def test_help_says_org_only_where_several_orgs_are_configured(
    bot2: BotHarness, bot: BotHarness
) -> None:
    await bot2.command("org use dev")
    await bot2.command("help db")
    blocks = json.dumps(bot2.slack.response_url_posts[-1].blocks)
    assert "`--org &lt;name&gt;`" in blocks and "go to *dev*" in blocks
    await bot.command("help db")
    assert "--org" not in json.dumps(bot.slack.response_url_posts[-1].blocks)


async def test_a_refused_token_of_one_org_does_not_stop_the_other(
    tmp_path: Path, slack: FakeSlack, emulator2: AstraEmulator, clock: FakeClock
) -> None:
    emulator2.org("prod").add_database("orders")
    bad = "AstraCS:dev:" + "0" * 64  # a token of no emulated org: 401
    orgs = orgs_setting("prod", "dev", dev=bad)
    async with bot_harness(tmp_path, slack, emulator2, clock, ASTRA_BOT_ORGS=orgs) as bot:
        await bot.components.orgs.learn()  # as at start-up: the refusal is kept, not raised
        assert bot.components.orgs.get("dev").problem  # type: ignore[union-attr]
        await bot.command("db list --org dev")
        said = _last(bot)
        assert "Astra refuses the bot's token for the organization `dev`" in said
        assert "ASTRA_BOT_ORGS[dev]" in said and bad not in said
        await bot.command("db get orders --org dev")  # refused before resolving the name
        assert "Astra refuses the bot's token for the organization `dev`" in _last(bot)
        await bot.command("db list")
        assert "orders" in _last(bot)
        await bot.command("org list", user=ADMIN)
        assert "token refused" in _last(bot) and "*prod* (default)" in _last(bot)


async def test_the_sandbox_runs_several_emulated_orgs(tmp_path: Path) -> None:
    """`build(..., sandbox=True, emulated_orgs=[…])`: one emulated org per name, each its
    own client (the shell's and `serve --sandbox`'s `--orgs`); without it, one org."""
    from bot.bootstrap import build
    from bot.service import Request
    from tests.conftest import RecordingNotifier, RecordingReplier, make_settings

    settings = make_settings(tmp_path, ASTRA_DB_APPLICATION_TOKEN="")
    c = await build(
        settings, sandbox=True, notifier=RecordingNotifier(), emulated_orgs=["sandbox", "sandbox-2"]
    )
    try:
        assert c.orgs.names == ["sandbox", "sandbox-2"] and c.orgs.default.name == "sandbox"
        assert c.emulator is not None
        c.emulator.org("sandbox-2").add_database("second")
        reply = RecordingReplier()
        await c.service.handle_command(Request(ADMIN, "C1"), "db list --org sandbox-2", reply)
        assert "second" in reply.last
        await c.orgs.learn()
        assert c.orgs.get("sandbox-2").id == c.emulator.org("sandbox-2").config.org_id  # type: ignore[union-attr]
    finally:
        await c.aclose()
    one = await build(settings, sandbox=True, notifier=RecordingNotifier())
    try:
        assert one.orgs.names == ["default"] and not one.orgs.several
    finally:
        await one.aclose()


async def test_a_databases_buttons_run_in_its_org(bot2: BotHarness) -> None:
    """`db get … --org dev` in a prod channel: its buttons name dev, so a click acts on
    dev's database (with one org, the buttons are as before: tests/test_pages_and_buttons)."""
    dev_id = bot2.emulator.org("dev").add_database("events")
    await bot2.command("db get events --org dev")
    values = [
        e["value"]
        for b in bot2.slack.response_url_posts[-1].blocks or []
        for e in b.get("elements", [])
        if e.get("type") == "button"
    ]
    assert values and all(v.endswith(" --org dev") for v in values), values
    keyspaces = next(v for v in values if v.startswith("keyspace list"))
    await bot2.click(ACTION_RUN, keyspaces)
    assert "default_keyspace" in _last(bot2) and dev_id in keyspaces
