"""Every command of the grammar works through Slack's wire format (signed HTTP), as an admin:
reads answer privately without an error; changes act on the emulator; destructive commands
post a confirmation, change nothing until the click, and then run; and the strict fake
Slack accepted every call each of them made, to the last notice.

This is the test behind the README's endpoint table: one row per command."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from bot.astra.models import AddressEntry
from bot.intents import COMMANDS
from bot.render import ACTION_CONFIRM
from tests.conftest import BotHarness
from tests.fakes.slack_api import event_body

Setup = Callable[[BotHarness], Awaitable[None]]


async def _nothing(bot: BotHarness) -> None:
    return None


async def _acl(bot: BotHarness) -> None:
    db = await bot.components.service.resolve_db("orders")
    await bot.components.astra.add_access_list_addresses(db.id, [("10.0.0.0/24", "office")])


async def _devops(bot: BotHarness) -> None:
    org = await bot.components.astra.current_org()
    await bot.components.astra.add_devops_access_list(
        org.id, [AddressEntry("10.0.0.0/8", True, "office")]
    )


async def _token(bot: BotHarness) -> None:
    roles = await bot.components.astra.list_roles()
    created = await bot.components.astra.create_token(
        [r.id for r in roles if r.name == "Read Only User"]
    )
    bot.vars["client"] = created.client_id


async def _role(bot: BotHarness) -> None:
    await bot.components.astra.create_role("temp", ["org-db-view"], ["drn:astra:org:*"])


async def _audit_log(bot: BotHarness) -> None:
    await bot.command(
        "telemetry audit-log set endpoint=pulsar+ssl://p.example.com:6651 "
        "topic=persistent://t/ns/audit auth_strategy=token token=jwt"
    )


async def _watch(bot: BotHarness) -> None:
    await bot.command("watch orders")


async def _guard(bot: BotHarness) -> None:
    await bot.command("perm guard <#C9AB> viewer")


async def _protect(bot: BotHarness) -> None:
    await bot.command("perm protect prod-*")


async def _custom(bot: BotHarness) -> None:
    await bot.command("perm role create dba db.*")


PRINCIPAL = "arn:aws:iam::123456789012:root"
KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd"
AWS_VPC = (
    "accountId=123456789012 vpcId=vpc-00001111aa332244c region=us-east-1 cidrBlock=10.20.0.0/16"
)


async def _private_link(bot: BotHarness) -> None:
    """A private link on orders' only region, with one principal and endpoint vpce-1."""
    db = await bot.components.service.resolve_db("orders")
    astra = bot.components.astra
    await astra.allow_principals(db.id, f"{db.id}-1", [PRINCIPAL], first=True)
    await astra.accept_private_endpoint(db.id, f"{db.id}-1", "vpce-1", "billing")


async def _domains(bot: BotHarness) -> None:
    await bot.components.astra.set_custom_domains(["db.example.com"])


async def _key(bot: BotHarness) -> None:
    await bot.components.astra.create_customer_key("aws", "us-east-1", KEY_ARN)


async def _peering(bot: BotHarness) -> None:
    await bot.command(f"peering create legacy {AWS_VPC}")


ROWS: dict[str, tuple[str, Setup]] = {
    "db.list": ("db list", _nothing),
    "db.get": ("db get orders", _nothing),
    "db.status": ("db status orders", _nothing),
    "db.create": ("db create fresh --keyspace shop", _nothing),
    "db.delete": ("db delete orders", _nothing),
    "db.park": ("db park legacy", _nothing),
    "db.unpark": ("db unpark parked", _nothing),
    "db.resize": ("db resize legacy 3", _nothing),
    "db.reset-password": ("db reset-password legacy cassandra", _nothing),
    "db.engine": ("db engine orders serverless", _nothing),
    "keyspace.list": ("keyspace list orders", _nothing),
    "keyspace.create": ("keyspace create orders shop", _nothing),
    "keyspace.delete": ("keyspace delete orders extra", _nothing),
    "region.list": ("region list orders", _nothing),
    "region.add": ("region add orders us-central1", _nothing),
    "region.remove": ("region remove multi us-central1", _nothing),
    "region.available": ("region available --cloud gcp", _nothing),
    "access-list.show": ("access-list show orders", _acl),
    "access-list.devops": ("access-list devops", _nothing),
    # on a list with entries (the first entry is confirmed first: test_access_list_first_entry)
    "access-list.add": ("access-list add orders 203.0.113.7 --description vpn", _acl),
    "access-list.remove": ("access-list remove orders 10.0.0.0/24", _acl),
    "access-list.list": ("access-list list", _acl),
    "access-list.replace": ("access-list replace orders 10.0.0.0/24 203.0.113.7", _acl),
    "access-list.update": ("access-list update orders 10.0.0.0/24 --disable", _acl),
    "access-list.clear": ("access-list clear orders", _acl),
    "access-list.validate": ("access-list validate 10.0.0.0/24 10.0.0.300", _nothing),
    "access-list.template": ("access-list template", _nothing),
    "access-list.devops.add": ("access-list devops add 203.0.113.0/24 --force", _nothing),
    "access-list.devops.replace": ("access-list devops replace 0.0.0.0/0 --force", _devops),
    "access-list.devops.update": (
        "access-list devops update 10.0.0.0/8 --description vpn --force",
        _devops,
    ),
    "access-list.devops.delete": ("access-list devops delete", _devops),
    "scb": ("scb orders", _nothing),
    "token.list": ("token list", _nothing),
    "token.create": ('token create --role "Read Only User" --description ci', _nothing),
    "token.revoke": ("token revoke {client}", _token),
    "token.legacy.list": ("token legacy list", _nothing),
    "token.legacy.create": ('token legacy create --role "Read Only User"', _nothing),
    "role.list": ("role list", _nothing),
    "role.get": ('role get "Database Administrator"', _nothing),
    "role.create": ("role create readers --permission org-db-view --db orders", _nothing),
    "role.delete": ("role delete temp", _role),
    "role.update": ("role update temp --permission org-db-view db-cql --db orders", _role),
    "user.list": ("user list", _nothing),
    "user.invite": ('user invite ana@example.com --role "Read Only User"', _nothing),
    "user.remove": ("user remove owner@sandbox.example", _nothing),
    "user.roles": ('user roles owner@sandbox.example "Read Only User"', _nothing),
    "org.show": ("org show", _nothing),
    "org.list": ("org list", _nothing),
    "org.use": ("org use default", _nothing),
    "telemetry.metrics.show": ("telemetry metrics show orders", _nothing),
    "telemetry.metrics.set": (
        "telemetry metrics set orders prometheus_remote "
        "endpoint=https://prom.example.com/api/v1/write "
        "auth_strategy=bearer token=abc",
        _nothing,
    ),
    "telemetry.audit-log.show": ("telemetry audit-log show", _nothing),
    "telemetry.audit-log.set": (
        "telemetry audit-log set endpoint=pulsar+ssl://p.example.com:6651"
        " topic=persistent://t/ns/audit auth_strategy=token token=jwt",
        _nothing,
    ),
    "telemetry.audit-log.delete": ("telemetry audit-log delete", _audit_log),
    "private-link.list": ("private-link list", _nothing),
    "custom-domain.list": ("custom-domain list", _nothing),
    "kms.list": ("kms list", _nothing),
    "peering.show": ("peering show legacy --cloud aws", _nothing),
    "private-link.show": ("private-link show orders", _private_link),
    "private-link.principal.add": (f"private-link principal add orders {PRINCIPAL}", _nothing),
    "private-link.principal.remove": (
        f"private-link principal remove orders {PRINCIPAL}",
        _private_link,
    ),
    "private-link.endpoint.accept": (
        "private-link endpoint accept orders vpce-2 --description billing",
        _private_link,
    ),
    "private-link.endpoint.show": ("private-link endpoint show orders vpce-1", _private_link),
    "private-link.endpoint.describe": (
        'private-link endpoint describe orders vpce-1 "billing, production"',
        _private_link,
    ),
    "private-link.endpoint.reject": ("private-link endpoint reject orders vpce-1", _private_link),
    "custom-domain.add": ("custom-domain add db.example.com", _nothing),
    "custom-domain.remove": ("custom-domain remove db.example.com", _domains),
    "custom-domain.set": ("custom-domain set db.example.com data.example.org", _domains),
    "kms.show": ("kms show aws us-east-1", _key),
    "kms.accounts": ("kms accounts aws us-east-1", _nothing),
    "kms.create": (f"kms create aws us-east-1 {KEY_ARN}", _nothing),
    "kms.assign-account": ("kms assign-account aws", _nothing),
    "peering.create": (f"peering create legacy {AWS_VPC}", _nothing),
    "peering.delete": ("peering delete legacy", _peering),
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
    bot.emulator.add_database(
        "legacy", tier="C10", capacity_units=2, cloud_provider="AWS", region="us-east-1"
    )
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
    answered = (
        len(bot.slack.response_url_posts) > private_before
        or len(bot.slack.calls("chat.postMessage")) > posts_before
    )
    assert answered, f"{text!r} got no answer"
    if spec.destructive:
        assert writes == [], f"{text!r} wrote before a confirmation"
        post = bot.slack.messages(bot.channel)[-1]  # as stored: the click names its ts
        conf = next(
            e["value"]
            for b in post["blocks"]
            for e in b.get("elements", [])
            if e.get("action_id") == ACTION_CONFIRM
        )
        await bot.click(ACTION_CONFIRM, conf, message_ts=post["ts"])
        assert _errors(bot) == [], f"{text!r} failed once confirmed"
        assert [r for r in bot.emulator.requests if r.method != "GET"], "confirmed but not run"
    elif spec.mutating and spec.noun not in {"perm", "watch"} and permission != "org.use":
        assert writes, f"{text!r} changed nothing in Astra"  # (`org use` changes the store)
    # and to its end (progress updates, the final notice): Slack took every call
    await bot.run_until_idle(step=5)
    assert bot.slack.not_accepted() == [], f"{text!r}: Slack did not accept everything"


# ---------------------------------------------------------------------------- foreign text

#: What a hostile Astra account names things: a mass mention, a phishing link, a person,
#: a channel and a usergroup, and an entity that must stay one.
HOSTILE = "<!channel> <https://evil.example|click me> <@U123> <#C666> <!subteam^S666> &amp;"
#: What a hostile colleague types, as Slack sends it (it escapes `&`, `<` and `>`).
TYPED = "&lt;!channel&gt; &lt;https://evil.example|click me&gt; &lt;@U123&gt;"

#: The mentions and links the bot builds itself, from IDs and URLs it knows.
_OURS = re.compile(
    r"<(?:@(?:UADMIN|U1AB|USECOND)|#(?:C1|C9AB)"
    r"|https://datastax-cluster-config-prod\.s3\.us-east-2\.amazonaws\.com/"
    r"[^<>|\s]*\|[^<>]*)>"
)


async def _hostile_world(bot: BotHarness) -> None:
    """Everything Astra answers carries HOSTILE: database, keyspace, role, token, user and
    organization names, and the fields the read-only extras show."""
    emu = bot.emulator
    emu.config.org_name = f"org {HOSTILE}"
    v = bot.vars
    v["orders"] = emu.add_database(
        f"orders {HOSTILE}", keyspaces=["default_keyspace", "extra", f"ks{HOSTILE}"]
    )
    v["legacy"] = emu.add_database(
        f"legacy {HOSTILE}", tier="C10", capacity_units=2, cloud_provider="AWS", region="us-east-1"
    )
    v["parked"] = emu.add_database(f"parked {HOSTILE}", tier="C10", status="PARKED")
    v["multi"] = emu.add_database(f"multi {HOSTILE}", extra_regions=["us-central1"])
    astra = bot.components.astra
    await astra.add_access_list_addresses(v["orders"], [("10.0.0.0/24", f"office {HOSTILE}")])
    role = await astra.create_role(f"role {HOSTILE}", ["org-db-view"], ["drn:astra:org:*"])
    v["role"] = role if isinstance(role, str) else role.id
    created = await astra.create_token([v["role"]], f"token {HOSTILE}")
    v["client"] = created.client_id
    v["user"] = emu.add_user(f"{HOSTILE}@example.com", roles=[v["role"]])
    emu.set_vpc_peering(
        "aws", v["legacy"], {"connectionId": f"pcx {HOSTILE}", "status": f"ACTIVE {HOSTILE}"}
    )
    await bot.command("watch all")  # every status change of every database is told
    await bot.tick()  # the watch's first look
    await bot.command(f'perm grant <@U1AB|{TYPED}> operator --db "{TYPED}*"')
    await bot.command(f'perm role create "{TYPED}" db.*')


HOSTILE_ROWS: dict[str, tuple[str, ...]] = {
    "db.list": ("db list", f'db list --name "{TYPED}"'),
    "db.get": ("db get {orders}", f'db get "{TYPED}"'),
    "db.status": ("db status {orders}",),
    "db.create": ("db create fresh --keyspace shop", f'db create "{TYPED}"', "db create"),
    "db.delete": ("db delete {orders}",),
    "db.park": ("db park {legacy}",),
    "db.unpark": ("db unpark {parked}",),
    "db.resize": ("db resize {legacy} 3",),
    "db.reset-password": (f'db reset-password {{legacy}} "{TYPED}"',),
    "db.engine": ("db engine {orders} cassandra-vector",),
    "keyspace.list": ("keyspace list {orders}",),
    "keyspace.create": ("keyspace create {orders} shop", f'keyspace create {{orders}} "{TYPED}"'),
    "keyspace.delete": ("keyspace delete {orders} extra",),
    "region.list": ("region list {orders}",),
    "region.add": ("region add {orders} us-central1",),
    "region.remove": ("region remove {multi} us-central1",),
    "region.available": ("region available --cloud gcp",),
    "access-list.show": ("access-list show {orders}",),
    "access-list.devops": ("access-list devops",),
    "access-list.add": (
        f'access-list add {{orders}} 203.0.113.7 --description "{TYPED}"',
        f'access-list add {{legacy}} 203.0.113.8 --description "{TYPED}"',
    ),
    "access-list.remove": ("access-list remove {orders} 10.0.0.0/24",),
    "access-list.list": ("access-list list",),
    "access-list.replace": (
        f'access-list replace {{orders}} 10.0.0.0/24 203.0.113.9 --description "{TYPED}"',
    ),
    "access-list.update": (f'access-list update {{orders}} 10.0.0.0/24 --description "{TYPED}"',),
    "access-list.clear": ("access-list clear {orders}",),
    "access-list.validate": (f'access-list validate 10.0.0.0/24 "{TYPED}"',),
    "access-list.template": ("access-list template",),
    "access-list.devops.add": (
        f'access-list devops add 203.0.113.0/24 --description "{TYPED}" --force',
    ),
    "access-list.devops.replace": (
        f'access-list devops replace 0.0.0.0/0 --description "{TYPED}" --force',
    ),
    "access-list.devops.update": (
        "access-list devops add 0.0.0.0/0 --force",
        f'access-list devops update 0.0.0.0/0 --description "{TYPED}2" --force',
    ),
    "access-list.devops.delete": ("access-list devops delete",),
    "scb": ("scb {orders}",),
    "token.list": ("token list",),
    "token.create": (f'token create --role {{role}} --description "{TYPED}"',),
    "token.revoke": ("token revoke {client}",),
    "token.legacy.list": ("token legacy list",),
    "token.legacy.create": (f'token legacy create --role {{role}} --description "{TYPED}"',),
    "role.list": ("role list",),
    "role.get": ("role get {role}",),
    "role.create": (f'role create "{TYPED}" --permission org-db-view --db {{orders}}',),
    "role.update": (
        f'role update {{role}} --name "{TYPED}" --description "{TYPED}" --db {{orders}}',
    ),
    "role.delete": ("role delete {role}",),
    "user.list": ("user list",),
    "user.invite": (
        "user invite ana@example.com --role {role}",
        f'user invite "{TYPED}@example.com" --role {{role}}',
    ),
    "user.remove": ("user remove {user}",),
    "user.roles": ("user roles {user} {role}",),
    "org.show": ("org show",),
    "org.list": ("org list",),
    "org.use": ("org use default",),
    "telemetry.metrics.show": ("telemetry metrics show {orders}",),
    "telemetry.metrics.set": (
        "telemetry metrics set {orders} prometheus_remote "
        f'"endpoint=https://prom.example.com/{TYPED}" '
        "auth_strategy=bearer token=abc",
    ),
    "telemetry.audit-log.show": ("telemetry audit-log show",),
    "telemetry.audit-log.set": (
        'telemetry audit-log set "endpoint=pulsar+ssl://p.example.com:'
        f'6651/{TYPED}" topic=persistent://t/ns/audit '
        "auth_strategy=token token=jwt",
    ),
    "telemetry.audit-log.delete": ("telemetry audit-log delete",),
    "private-link.list": ("private-link list",),
    "custom-domain.list": ("custom-domain list",),
    "kms.list": ("kms list", "kms list --classic"),
    "peering.show": ("peering show {legacy} --cloud aws",),
    "private-link.show": (
        f"private-link principal add {{orders}} {PRINCIPAL}",
        f'private-link endpoint accept {{orders}} vpce-1 --description "{TYPED}"',
        "private-link show {orders}",
        "private-link show {orders} --region us-east1",
    ),
    "private-link.principal.add": (
        f"private-link principal add {{orders}} {PRINCIPAL}",
        f'private-link principal add {{orders}} "{TYPED}"',
    ),
    "private-link.principal.remove": (
        f"private-link principal add {{orders}} {PRINCIPAL}",
        f"private-link principal remove {{orders}} {PRINCIPAL}",
    ),
    "private-link.endpoint.accept": (
        f"private-link principal add {{orders}} {PRINCIPAL}",
        f'private-link endpoint accept {{orders}} vpce-1 --description "{TYPED}"',
    ),
    "private-link.endpoint.show": (
        f"private-link principal add {{orders}} {PRINCIPAL}",
        f'private-link endpoint accept {{orders}} vpce-1 --description "{TYPED}"',
        "private-link endpoint show {orders} vpce-1",
        f'private-link endpoint show {{orders}} "{TYPED}"',
    ),
    "private-link.endpoint.describe": (
        f"private-link principal add {{orders}} {PRINCIPAL}",
        "private-link endpoint accept {orders} vpce-1",
        f'private-link endpoint describe {{orders}} vpce-1 "{TYPED}"',
    ),
    "private-link.endpoint.reject": (
        f"private-link principal add {{orders}} {PRINCIPAL}",
        "private-link endpoint accept {orders} vpce-1",
        "private-link endpoint reject {orders} vpce-1",
    ),
    "custom-domain.add": ("custom-domain add db.example.com", f'custom-domain add "{TYPED}"'),
    "custom-domain.remove": (
        "custom-domain add db.example.com",
        "custom-domain remove db.example.com",
    ),
    "custom-domain.set": ("custom-domain add db.example.com", "custom-domain set x.example.org"),
    "kms.show": (f"kms create aws us-east-1 {KEY_ARN}", "kms show aws us-east-1"),
    "kms.accounts": ("kms accounts aws us-east-1", "kms accounts gcp us-east1 --classic"),
    "kms.create": (f"kms create aws us-east-1 {KEY_ARN}", f'kms create aws us-east-1 "{TYPED}"'),
    "kms.assign-account": ("kms assign-account azure",),
    "peering.create": (
        f"peering create {{legacy}} {AWS_VPC}",
        f'peering create {{legacy}} "vpcId={TYPED}"',
    ),
    "peering.delete": (f"peering create {{legacy}} {AWS_VPC}", "peering delete {legacy}"),
    "watch": ("watch {orders}", f'watch "{TYPED}"'),
    "watch.list": ("watch list",),
    "watch.stop": ("watch stop {orders}", "watch stop all"),
    "perm.grant": (f'perm grant <@U1AB|{TYPED}> viewer --db "{TYPED}"',),
    "perm.revoke": ("perm revoke <@U1AB> operator",),
    "perm.list": ("perm list",),
    "perm.guard": (f"perm guard <#C9AB|{TYPED}> viewer",),
    "perm.unguard": ("perm unguard <#C9AB>",),
    "perm.protect": (f'perm protect "{TYPED}*"',),
    "perm.unprotect": (f'perm unprotect "{TYPED}*"',),
    "perm.role.create": (f'perm role create "{TYPED}2" db.* keyspace.*',),
    "perm.role.delete": (f'perm role delete "{TYPED}"',),
    "perm.whoami": ("perm whoami",),
    "perm.check": ("perm check <@U1AB> db delete {orders}",),
    "audit": ("audit --limit 50",),
    "help": ("help db", f'help "{TYPED}"', f"{TYPED} list"),
}


def test_every_command_has_a_hostile_row() -> None:
    assert set(HOSTILE_ROWS) == {c.permission for c in COMMANDS}


def _mrkdwn_texts(value: Any, top: bool = True) -> Iterator[str]:
    """Every string Slack reads as mrkdwn: a message's fallback ``text`` and every mrkdwn
    text object (sections, fields, context, confirm dialogs), in messages and views."""
    if isinstance(value, dict):
        if top and isinstance(value.get("text"), str):
            yield value["text"]
        if value.get("type") == "mrkdwn" and isinstance(value.get("text"), str):
            yield value["text"]
        for k, v in value.items():
            if k != "text" or not isinstance(v, str):
                yield from _mrkdwn_texts(v, top=False)
    elif isinstance(value, list):
        for v in value:
            yield from _mrkdwn_texts(v, top=False)


def _live_foreign(bot: BotHarness) -> list[tuple[str, str]]:
    """(where, text) of every message or view that reached the fake Slack carrying a live
    `<…>` (mention, link) the bot did not build itself."""
    bad: list[tuple[str, str]] = []
    sent: list[tuple[str, Any]] = [(c.method, c.params) for c in bot.slack.calls()]
    sent += [("response_url", p.body) for p in bot.slack.response_url_posts]
    for where, body in sent:
        for text in _mrkdwn_texts(body):
            if re.search(r"[<>]", _OURS.sub("", text)):
                bad.append((where, text))
    return bad


async def _confirm_everything(bot: BotHarness, seen: int) -> int:
    """Click Confirm on every confirmation posted since ``seen`` (as a second person where
    the requester may not approve)."""
    posts = bot.channel_posts()
    for post in posts[seen:]:
        for b in post.get("blocks") or []:
            for e in b.get("elements", []):
                if e.get("action_id") == ACTION_CONFIRM:
                    await bot.click(ACTION_CONFIRM, e["value"])
    return len(posts)


@pytest.mark.parametrize("permission", sorted(HOSTILE_ROWS))
async def test_foreign_text_never_becomes_a_mention_or_a_link(
    bot: BotHarness, permission: str
) -> None:
    """DESIGN §3 "Foreign text is inert": hostile names from Astra and hostile typed text
    reach no message, update, private answer or view as a live mention or link, through the
    command, its confirmation, its progress and final notice, watches and the Home tab."""
    bot.vars = {}
    await _hostile_world(bot)
    seen = len(bot.channel_posts())
    for text in HOSTILE_ROWS[permission]:
        await bot.command(text.format(**bot.vars))
        seen = await _confirm_everything(bot, seen)
    await bot.run_until_idle()
    bot.emulator.settle()
    await bot.tick(bot.components.watcher.watch_interval + 1)  # the watches look again
    await bot.run_until_idle()
    await bot.post_signed(
        event_body({"type": "app_home_opened", "user": "UADMIN", "tab": "home"}, event_id="EvH"),
        content_type="application/json",
    )
    await bot.settle()
    assert bot.slack.calls("views.publish")
    assert _live_foreign(bot) == []
    # the hostile text did reach Slack, inert
    shown = [t for c in bot.slack.calls() for t in _mrkdwn_texts(c.params)]
    assert any("&lt;!channel&gt;" in t for t in shown)
    if permission == "scb":  # the bot's own link stays a link
        private = [t for p in bot.slack.response_url_posts for t in _mrkdwn_texts(p.body)]
        assert any(_OURS.search(t) and "<https://" in t for t in private)
