"""Every command of the grammar works through Slack's wire format (signed HTTP), as an admin:
reads answer privately without an error; changes act on the emulator; destructive commands
post a confirmation, change nothing until the click, and then run; and the strict fake
Slack accepted every call each of them made, to the last notice.

This is the test behind the README's endpoint table: one row per command."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot.intents import COMMANDS
from bot.render import ACTION_CONFIRM
from tests.conftest import BotHarness

Setup = Callable[[BotHarness], Awaitable[None]]


async def _nothing(bot: BotHarness) -> None:
    return None


async def _acl(bot: BotHarness) -> None:
    db = await bot.components.service.resolve_db("orders")
    await bot.components.astra.add_access_list_addresses(db.id, [("10.0.0.0/24", "office")])


async def _token(bot: BotHarness) -> None:
    roles = await bot.components.astra.list_roles()
    created = await bot.components.astra.create_token(
        [r.id for r in roles if r.name == "Read Only User"])
    bot.vars["client"] = created.client_id


async def _role(bot: BotHarness) -> None:
    await bot.components.astra.create_role("temp", ["org-db-view"], ["drn:astra:org:*"])


async def _audit_log(bot: BotHarness) -> None:
    await bot.command("telemetry audit-log set endpoint=pulsar+ssl://p.example.com:6651 "
                      "topic=persistent://t/ns/audit auth_strategy=token token=jwt")


async def _watch(bot: BotHarness) -> None:
    await bot.command("watch orders")


async def _guard(bot: BotHarness) -> None:
    await bot.command("perm guard <#C9AB> viewer")


async def _protect(bot: BotHarness) -> None:
    await bot.command("perm protect prod-*")


async def _custom(bot: BotHarness) -> None:
    await bot.command("perm role create dba db.*")


ROWS: dict[str, tuple[str, Setup]] = {
    "db.list": ("db list", _nothing),
    "db.get": ("db get orders", _nothing),
    "db.status": ("db status orders", _nothing),
    "db.create": ("db create fresh --keyspace shop", _nothing),
    "db.delete": ("db delete orders", _nothing),
    "db.park": ("db park legacy", _nothing),
    "db.unpark": ("db unpark parked", _nothing),
    "db.resize": ("db resize legacy 3", _nothing),
    "keyspace.list": ("keyspace list orders", _nothing),
    "keyspace.create": ("keyspace create orders shop", _nothing),
    "keyspace.delete": ("keyspace delete orders extra", _nothing),
    "region.list": ("region list orders", _nothing),
    "region.add": ("region add orders us-central1", _nothing),
    "region.remove": ("region remove multi us-central1", _nothing),
    "region.available": ("region available --cloud gcp", _nothing),
    "access-list.show": ("access-list show orders", _acl),
    "access-list.devops": ("access-list devops", _nothing),
    "access-list.add": ("access-list add orders 203.0.113.7 --description vpn", _nothing),
    "access-list.remove": ("access-list remove orders 10.0.0.0/24", _acl),
    "scb": ("scb orders", _nothing),
    "token.list": ("token list", _nothing),
    "token.create": ('token create --role "Read Only User" --description ci', _nothing),
    "token.revoke": ("token revoke {client}", _token),
    "role.list": ("role list", _nothing),
    "role.get": ('role get "Database Administrator"', _nothing),
    "role.create": ("role create readers --permission org-db-view --db orders", _nothing),
    "role.delete": ("role delete temp", _role),
    "user.list": ("user list", _nothing),
    "user.invite": ('user invite ana@example.com --role "Read Only User"', _nothing),
    "user.remove": ("user remove owner@sandbox.example", _nothing),
    "user.roles": ('user roles owner@sandbox.example "Read Only User"', _nothing),
    "org.show": ("org show", _nothing),
    "telemetry.metrics.show": ("telemetry metrics show orders", _nothing),
    "telemetry.metrics.set": ("telemetry metrics set orders prometheus_remote "
                              "endpoint=https://prom.example.com/api/v1/write "
                              "auth_strategy=bearer token=abc", _nothing),
    "telemetry.audit-log.show": ("telemetry audit-log show", _nothing),
    "telemetry.audit-log.set": ("telemetry audit-log set endpoint=pulsar+ssl://p.example.com:6651"
                                " topic=persistent://t/ns/audit auth_strategy=token token=jwt",
                                _nothing),
    "telemetry.audit-log.delete": ("telemetry audit-log delete", _audit_log),
    "private-link.list": ("private-link list", _nothing),
    "custom-domain.list": ("custom-domain list", _nothing),
    "kms.list": ("kms list", _nothing),
    "peering.show": ("peering show legacy --cloud aws", _nothing),
    "watch": ("watch orders", _nothing),
    "watch.list": ("watch list", _watch),
    "watch.stop": ("watch stop orders", _watch),
    "perm.grant": ("perm grant <@U1AB|ana> operator --db dev-*", _nothing),
    "perm.revoke": ("perm revoke <@U1AB> operator", _nothing),
    "perm.list": ("perm list", _nothing),
    "perm.guard": ("perm guard <#C9AB|general> viewer", _nothing),
    "perm.unguard": ("perm unguard <#C9AB>", _guard),
    "perm.protect": ("perm protect prod-*", _nothing),
    "perm.unprotect": ("perm unprotect prod-*", _protect),
    "perm.role.create": ("perm role create dba db.* keyspace.*", _nothing),
    "perm.role.delete": ("perm role delete dba", _custom),
    "perm.whoami": ("perm whoami", _nothing),
    "perm.check": ("perm check <@U1AB> db create x", _nothing),
    "audit": ("audit --limit 5", _nothing),
    "help": ("help db", _nothing),
}


def test_every_command_has_a_row() -> None:
    assert set(ROWS) == {c.permission for c in COMMANDS}


def _errors(bot: BotHarness) -> list[str]:
    texts = [p.text or "" for p in bot.slack.response_url_posts]
    texts += [str(c.params.get("text")) for c in bot.slack.calls("chat.postMessage")]
    return [t for t in texts if t.startswith((":x:", ":warning: `", ":no_entry:"))]


@pytest.mark.parametrize("permission", sorted(ROWS))
async def test_command_through_signed_http(bot: BotHarness, permission: str) -> None:
    bot.emulator.add_database("orders", keyspaces=["default_keyspace", "extra"])
    bot.emulator.add_database("legacy", tier="C10", capacity_units=2, cloud_provider="AWS",
                              region="us-east-1")
    bot.emulator.add_database("parked", tier="C10", status="PARKED")
    bot.emulator.add_database("multi", extra_regions=["us-central1"])
    text, setup = ROWS[permission]
    bot.vars = {}
    await setup(bot)
    text = text.format(**bot.vars)
    spec = next(c for c in COMMANDS if c.permission == permission)
    bot.emulator.reset_requests()
    posts_before = len(bot.slack.calls("chat.postMessage"))
    private_before = len(bot.slack.response_url_posts)
    resp = await bot.command(text)
    assert resp.status_code == 200
    assert _errors(bot) == [], f"{text!r} failed"
    writes = [r for r in bot.emulator.requests if r.method != "GET"]
    answered = (len(bot.slack.response_url_posts) > private_before
                or len(bot.slack.calls("chat.postMessage")) > posts_before)
    assert answered, f"{text!r} got no answer"
    if spec.destructive:
        assert writes == [], f"{text!r} wrote before a confirmation"
        post = bot.slack.messages(bot.channel)[-1]  # as stored: the click names its ts
        conf = next(e["value"] for b in post["blocks"] for e in b.get("elements", [])
                    if e.get("action_id") == ACTION_CONFIRM)
        await bot.click(ACTION_CONFIRM, conf, message_ts=post["ts"])
        assert _errors(bot) == [], f"{text!r} failed once confirmed"
        assert [r for r in bot.emulator.requests if r.method != "GET"], "confirmed but not run"
    elif spec.mutating and spec.noun not in {"perm", "watch"}:
        assert writes, f"{text!r} changed nothing in Astra"
    # and to its end (progress updates, the final notice): Slack took every call
    await bot.run_until_idle(step=5)
    assert bot.slack.not_accepted() == [], f"{text!r}: Slack did not accept everything"
