"""Org-level commands (bot/service/handlers/): access lists, secure bundles, tokens, Astra
roles and users, telemetry, read-only listings — through the service (``shell_bot``: recording
notifier, emulator on a fake clock) and, for the secret-bearing ones, through signed Slack
requests (``bot``).

What is checked each time: what reached the emulator (``emulator.requests``), what was said
privately (``RecordingReplier.messages``) and in the channel (``RecordingNotifier.posts``);
destructive commands only run from one confirm click; secrets never reach a channel, an
audit row or a log line.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.astra.emulator import (
    DB_ADMIN_ROLE_ID,
    ORG_ADMIN_ROLE_ID,
    READ_ONLY_ROLE_ID,
    RecordedRequest,
)
from bot.errors import UsageError
from bot.intents import COMMANDS, TELEMETRY_KINDS
from bot.render import ACTION_CONFIRM, Message
from bot.render import org as org_words
from bot.service import Service
from bot.service.handlers import role, telemetry
from tests.conftest import BotHarness, RecordingReplier, ServiceHarness

ORG_PERMISSIONS = {
    "access-list.show",
    "access-list.add",
    "scb",
    "token.list",
    "token.create",
    "role.list",
    "role.get",
    "role.create",
    "user.list",
    "user.invite",
    "user.roles",
    "telemetry.metrics.show",
    "telemetry.metrics.set",
    "telemetry.audit-log.show",
    "telemetry.audit-log.set",
    "private-link.list",
    "custom-domain.list",
    "kms.list",
    "peering.show",
}
ORG_CONFIRMED = {
    "access-list.remove",
    "token.revoke",
    "role.delete",
    "user.remove",
    "telemetry.audit-log.delete",
}


@pytest.fixture
async def org(shell_bot: ServiceHarness) -> AsyncIterator[ServiceHarness]:
    yield shell_bot


@pytest.fixture
async def http(bot: BotHarness) -> AsyncIterator[BotHarness]:
    yield bot


# ---------------------------------------------------------------------------- helpers


def dump(message: Message) -> str:
    """Everything a message carries (fallback text and blocks)."""
    return message.text + json.dumps(list(message.blocks))


def private(reply: RecordingReplier) -> str:
    return "\n".join(dump(m) for m in reply.messages)


def channel(h: ServiceHarness) -> str:
    return "\n".join(dump(m) for _, m, _ in h.notifier.posts) + "\n".join(
        dump(m) for _, _, m in h.notifier.updates
    )


def conf_id(message: Message) -> str:
    for block in message.blocks:
        for el in block.get("elements", []):
            if el.get("action_id") == ACTION_CONFIRM:
                return str(el["value"])
    raise AssertionError("no confirm button in " + message.text)


def writes(h: ServiceHarness | BotHarness, method: str, path: str = "") -> list[RecordedRequest]:
    return [r for r in h.emulator.requests if r.method == method and path in r.path]


async def audit_text(h: ServiceHarness | BotHarness) -> str:
    rows = await h.components.store.audit_entries(limit=200)
    return "\n".join(f"{r.command} | {r.decision} | {r.reason} | {r.outcome}" for r in rows)


async def confirm(h: ServiceHarness, text: str, method: str, path: str) -> RecordingReplier:
    """Run a destructive command: it must only post a confirmation; then click it twice."""
    h.emulator.reset_requests()
    reply = await h.run(text)
    assert reply.messages == [], private(reply)
    assert writes(h, method, path) == [], "a destructive command ran without a confirmation"
    assert all(r.method == "GET" for r in h.emulator.requests)
    _, message, _ = h.notifier.posts[-1]
    assert "Confirm" in json.dumps(list(message.blocks))
    conf = conf_id(message)
    await h.click(ACTION_CONFIRM, conf)
    second = await h.click(ACTION_CONFIRM, conf)
    assert "already confirmed" in private(second)
    return second


# ---------------------------------------------------------------------------- registration


def test_every_org_command_has_exactly_one_kind_of_handler(org: ServiceHarness) -> None:
    svc: Service = org.components.service
    assert set(svc.handlers) >= ORG_PERMISSIONS
    assert set(svc.confirmed) >= ORG_CONFIRMED
    destructive = {c.permission for c in COMMANDS if c.destructive}
    assert destructive >= ORG_CONFIRMED
    assert not (ORG_CONFIRMED & set(svc.handlers)), "destructive commands need a confirmation"
    assert not (ORG_PERMISSIONS & destructive)


def test_telemetry_sinks_cover_the_grammar_kinds() -> None:
    assert set(telemetry.TELEMETRY_SINKS) == set(TELEMETRY_KINDS)


# ---------------------------------------------------------------------------- access lists


async def _listed(h: ServiceHarness, db_id: str, cidr: str, description: str) -> None:
    """An access list in force already (added straight to Astra, as a setup)."""
    await h.components.astra.add_access_list_addresses(db_id, [(cidr, description)])


async def test_access_list_add_show_and_the_first_address_warning(org: ServiceHarness) -> None:
    db_id = org.emulator.add_database("orders")
    reply = await org.run("access-list show orders")
    assert "not enforced" in private(reply) and "No addresses" in private(reply)
    assert org.notifier.posts == []

    # the first entry switches enforcement on: confirmed first (the confirmation says so)
    await confirm(
        org, "access-list add orders 10.0.0.0/24 --description office", "POST", "/access-list"
    )
    assert "This is the first entry" in org.notifier.posts[0][1].text
    (post,) = writes(org, "POST", "/access-list")
    assert post.path == f"/v2/databases/{db_id}/access-list"
    assert post.json == [{"address": "10.0.0.0/24", "enabled": True, "description": "office"}]
    announced = channel(org)
    assert "10.0.0.0/24" in announced and "UADMIN" in announced
    assert "now enforced" in announced

    await org.run("access-list add orders 203.0.113.7")
    second = writes(org, "POST", "/access-list")[-1]
    assert second.json[0]["address"] == "203.0.113.7"
    assert second.json[0]["description"] == "added from Slack by UADMIN"
    assert sum("now enforced" in m.text for _, m, _ in org.notifier.posts) == 1

    reply = await org.run("access-list show orders")
    shown = private(reply)
    assert "enabled: only these addresses" in shown
    assert "`10.0.0.0/24` enabled — office" in shown and "203.0.113.7" in shown
    assert len(org.notifier.posts) == 3, "reads answer privately"  # confirmation, 2 adds


async def test_access_list_add_of_a_present_address_changes_nothing(org: ServiceHarness) -> None:
    db_id = org.emulator.add_database("orders")
    await _listed(org, db_id, "10.1.0.0/16", "vpn")
    reply = await org.run("access-list add orders 10.1.0.0/16 --description vpn")
    assert "already allowed" in private(reply)
    assert len(writes(org, "POST", "/access-list")) == 1


async def test_access_list_remove_runs_only_from_a_confirmation(org: ServiceHarness) -> None:
    db_id = org.emulator.add_database("orders")
    await _listed(org, db_id, "10.0.0.0/24", "office")
    await org.run("access-list add orders 10.9.9.9 --description laptop")
    await confirm(org, "access-list remove orders 10.0.0.0/24", "DELETE", "/access-list")
    (delete,) = writes(org, "DELETE", "/access-list")
    assert delete.path == f"/v2/databases/{db_id}/access-list"
    assert delete.query == {"addresses": ["10.0.0.0/24"]}
    _, last, _ = org.notifier.posts[-1]
    assert "Removed `10.0.0.0/24`" in last.text
    rows = await org.components.store.audit_entries(limit=5)
    ran = [r for r in rows if r.permission == "access-list.remove" and r.decision == "allow"]
    assert len(ran) == 1 and ran[0].outcome == "removed 10.0.0.0/24 from orders"
    assert ran[0].source == "click"
    reply = await org.run("access-list show orders")
    assert "10.0.0.0/24" not in private(reply) and "10.9.9.9" in private(reply)


async def test_access_list_remove_of_an_absent_address_is_not_sent(org: ServiceHarness) -> None:
    db_id = org.emulator.add_database("orders")
    await _listed(org, db_id, "10.0.0.0/24", "added from Slack")
    org.emulator.reset_requests()
    posts = len(org.notifier.posts)
    said = private(await org.run("access-list remove orders 192.168.0.0/16"))
    assert len(org.notifier.posts) == posts  # refused before a confirmation is posted
    assert "is not on the access list" in said and "10.0.0.0/24" in said
    # and checked again at the click: an address removed since is not sent for
    await org.run("access-list remove orders 10.0.0.0/24")
    db = await org.components.service.resolve_db("orders")
    await org.components.astra.delete_access_list_addresses(db.id, ["10.0.0.0/24"])
    org.emulator.reset_requests()
    await org.click(ACTION_CONFIRM, conf_id(org.notifier.posts[-1][1]))
    assert writes(org, "DELETE") == []
    assert "is not on the access list" in org.notifier.posts[-1][1].text


# ---------------------------------------------------------------------------- scb


SIGNED = re.compile(r"https://[^\s|>\"]*X-Amz-Signature=[0-9a-f]+")


async def test_scb_link_is_private_and_expiry_is_said(
    org: ServiceHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    db_id = org.emulator.add_database("orders")
    reply = await org.run("scb orders")
    (req,) = writes(org, "POST", "/secureBundleURL")
    assert req.path == f"/v2/databases/{db_id}/secureBundleURL"
    assert req.query == {"all": ["false"]}
    shown = private(reply)
    url = SIGNED.search(shown)
    assert url, shown
    assert "secure-connect-orders.zip" in shown and "expires in about 5 minutes" in shown
    assert org.notifier.posts == []
    audit = await audit_text(org)
    assert "sent privately" in audit
    for leak in (url.group(0), "X-Amz", "amazonaws.com"):
        assert leak not in audit and leak not in caplog.text


async def test_scb_by_region(org: ServiceHarness) -> None:
    org.emulator.add_database(
        "multi", cloud_provider="AWS", region="us-east-2", extra_regions=["ap-south-1"]
    )
    reply = await org.run("scb multi")
    assert "Other regions: ap-south-1" in private(reply)
    reply = await org.run("scb multi --region ap-south-1")
    assert writes(org, "POST", "/secureBundleURL")[-1].query == {"all": ["true"]}
    assert "(ap-south-1)" in private(reply) and SIGNED.search(private(reply))
    reply = await org.run("scb multi --region eu-west-1")
    assert "has no region `eu-west-1`" in private(reply) and "us-east-2" in private(reply)
    assert not SIGNED.search(private(reply))


# ---------------------------------------------------------------------------- tokens

SECRET_RE = re.compile(r"Client secret\*: `([^`]+)`")
TOKEN_RE = re.compile(r"Token\*: `(AstraCS:[^`]+)`")


async def test_token_list_names_roles(org: ServiceHarness) -> None:
    reply = await org.run("token list")
    shown = private(reply)
    assert "sandboxClientId000000000" in shown and "Organization Administrator" in shown
    assert writes(org, "GET", "/v2/tokens")
    assert org.notifier.posts == []


async def test_token_create_shows_the_secret_once_privately(
    org: ServiceHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    reply = await org.run(
        'token create --role "database administrator" '
        "--role ad0566b5-2a67-49de-89e8-92258c2f2c98 --description ci"
    )
    (post,) = writes(org, "POST", "/v2/tokens")
    assert post.json == {"roles": [DB_ADMIN_ROLE_ID, ORG_ADMIN_ROLE_ID], "description": "ci"}
    shown = private(reply)
    secret, token = SECRET_RE.search(shown), TOKEN_RE.search(shown)
    assert secret and token, shown
    assert "shown once" in shown and "secret store" in shown
    announced = channel(org)
    assert "created an Astra application token" in announced
    audit = await audit_text(org)
    assert "created" in audit
    for leak in (secret.group(1), token.group(1)):
        assert leak not in announced and leak not in audit and leak not in caplog.text
    # the new token is listed (without secret), with its role names
    listed = private(await org.run("token list"))
    assert "Database Administrator" in listed and secret.group(1) not in listed


async def test_token_create_validates_roles_before_astra(org: ServiceHarness) -> None:
    reply = await org.run("token create --description nothing")
    assert "at least one Astra role" in private(reply)
    reply = await org.run('token create --role "Databse Administrator"')
    assert "no Astra role" in private(reply) and "Database Administrator" in private(reply)
    reply = await org.run("token create --role Database Administrator")
    assert '--role \\"Database Administrator\\"' in private(reply)
    assert writes(org, "POST") == []


async def test_token_revoke_needs_a_confirmation(org: ServiceHarness) -> None:
    created = await org.components.astra.create_token([READ_ONLY_ROLE_ID], "temp")
    await confirm(org, f"token revoke {created.client_id}", "DELETE", "/v2/clientIdSecrets")
    (delete,) = writes(org, "DELETE")
    assert delete.path == f"/v2/clientIdSecrets/{created.client_id}"
    assert f"Revoked the Astra token `{created.client_id}`" in org.notifier.posts[-1][1].text
    assert created.client_id not in private(await org.run("token list"))


async def test_token_revoke_of_unknown_or_own_token_is_refused(org: ServiceHarness) -> None:
    said = private(await org.run("token revoke NoSuchClient"))
    assert "no application token with client id `NoSuchClient`" in said
    # the bot's own token is AstraCS:sandbox:… here: client id `sandbox`
    said = private(await org.run("token revoke sandbox"))
    assert "the bot's own token" in said
    assert org.notifier.posts == []  # refused before a confirmation is posted
    assert writes(org, "DELETE") == []
    rows = await org.components.store.audit_entries(limit=1)
    assert rows[0].decision == "error" and rows[0].reason == "UsageError"


# ---------------------------------------------------------------------------- roles


async def test_role_list_and_get(org: ServiceHarness) -> None:
    shown = private(await org.run("role list"))
    assert "Read Only User" in shown and READ_ONLY_ROLE_ID in shown
    shown = private(await org.run("role get 'read only user'"))
    assert READ_ONLY_ROLE_ID in shown and "`org-db-view`" in shown
    assert "Scope: all databases" in shown
    shown = private(await org.run(f"role get {DB_ADMIN_ROLE_ID}"))
    assert "Database Administrator" in shown
    shown = private(await org.run("role get 'Read Onyl User'"))
    assert "no Astra role" in shown and "Read Only User" in shown
    assert org.notifier.posts == []


async def test_role_create_builds_the_policy(org: ServiceHarness) -> None:
    db_id = org.emulator.add_database("orders")
    org_id = org.emulator.config.org_id
    await org.run(
        "role create readers --permission org-db-view DB-CQL org-db-view "
        "--db orders --description 'read orders'"
    )
    (post,) = writes(org, "POST", "/v2/organizations/roles")
    drn = f"drn:astra:org:{org_id}"
    assert post.json == {
        "name": "readers",
        "policy": {
            "description": "read orders",
            "actions": ["org-db-view", "db-cql"],
            "resources": [
                drn,
                f"{drn}:db:{db_id}",
                f"{drn}:db:{db_id}:keyspace:*",
                f"{drn}:db:{db_id}:keyspace:*:table:*",
            ],
            "effect": "allow",
        },
    }
    assert "created the Astra role *readers*" in channel(org)
    shown = private(await org.run("role get READERS"))
    assert f"*orders* (`{db_id}`)" in shown

    await org.run("role create everywhere --permission org-db-view")
    body = writes(org, "POST", "/v2/organizations/roles")[-1].json
    assert body["policy"]["resources"] == [
        drn,
        f"{drn}:db:*",
        f"{drn}:db:*:keyspace:*",
        f"{drn}:db:*:keyspace:*:table:*",
    ]
    assert body["policy"]["description"] == "everywhere"


async def test_role_create_refuses_bad_input_before_astra(org: ServiceHarness) -> None:
    assert "at least one Astra permission" in private(await org.run("role create x"))
    shown = private(await org.run("role create x --permission org-db-veiw"))
    assert "not an Astra permission" in shown and "org-db-view" in shown
    shown = private(await org.run("role create 'read only user' --permission org-db-view"))
    assert "already exists" in shown and READ_ONLY_ROLE_ID in shown
    shown = private(await org.run("role create x --permission org-db-view --db nosuch"))
    assert "no database named" in shown
    assert writes(org, "POST") == []


async def test_role_delete_needs_a_confirmation(org: ServiceHarness) -> None:
    await org.run("role create temp --permission org-db-view")
    role_id = next(r.id for r in await org.components.astra.list_roles() if r.name == "temp")
    await confirm(org, "role delete Temp", "DELETE", "/v2/organizations/roles")
    (delete,) = writes(org, "DELETE")
    assert delete.path == f"/v2/organizations/roles/{role_id}"
    assert "Deleted the Astra role *temp*" in org.notifier.posts[-1][1].text


# ---------------------------------------------------------------------------- users


async def test_user_list_invite_roles_remove(org: ServiceHarness) -> None:
    shown = private(await org.run("user list"))
    assert "owner@sandbox.example" in shown and "Organization Administrator" in shown

    await org.run("user invite <mailto:ana@example.com|ana@example.com> --role 'Read Only User'")
    (put,) = writes(org, "PUT", "/v2/organizations/users")
    assert put.json == {
        "email": "ana@example.com",
        "orgID": org.emulator.config.org_id,
        "roles": [READ_ONLY_ROLE_ID],
    }
    assert "invited ana@example.com" in channel(org)

    shown = private(await org.run("user invite ANA@example.com --role 'Read Only User'"))
    assert "already in the organization" in shown
    assert "at least one Astra role" in private(await org.run("user invite bo@example.com"))
    assert len(writes(org, "PUT")) == 1

    user_id = next(
        u.user_id for u in await org.components.astra.list_users() if u.email == "ana@example.com"
    )
    await org.run("user roles ana@example.com 'database administrator' " + READ_ONLY_ROLE_ID)
    roles_put = writes(org, "PUT", "/roles")[-1]
    assert roles_put.path == f"/v2/organizations/users/{user_id}/roles"
    assert roles_put.json == {"roles": [DB_ADMIN_ROLE_ID, READ_ONLY_ROLE_ID]}
    assert "Read Only User → Database Administrator, Read Only User" in channel(org)

    await confirm(org, f"user remove {user_id}", "DELETE", "/v2/organizations/users")
    (delete,) = writes(org, "DELETE")
    assert delete.path == f"/v2/organizations/users/{user_id}"
    assert "ana@example.com" not in private(await org.run("user list"))


async def test_user_remove_of_an_unknown_user(org: ServiceHarness) -> None:
    text = private(await org.run("user remove owner@sandbox.exampel"))
    assert "no user" in text and "owner@sandbox.example" in text
    assert org.notifier.posts == []  # refused before a confirmation is posted
    assert writes(org, "DELETE") == []


# ---------------------------------------------------------------------------- telemetry


async def test_metrics_set_and_show_redact_credentials(
    org: ServiceHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    db_id = org.emulator.add_database("orders")
    secret = "dd-api-key-0f9e8d7c6b5a"
    assert "exports no metrics" in private(await org.run("telemetry metrics show orders"))
    await org.run(f"telemetry metrics set orders datadog api_key={secret} site=datadoghq.eu")
    (post,) = writes(org, "POST", "/telemetry/metrics")
    assert post.path == f"/v2/databases/{db_id}/telemetry/metrics"
    assert post.json == {"Datadog": {"api_key": secret, "site": "datadoghq.eu"}}
    announced = channel(org)
    assert "*Datadog*" in announced and "api_key=••••" in announced and "datadoghq.eu" in announced
    shown = private(await org.run("telemetry metrics show orders"))
    assert "api_key: •••• (set)" in shown and "site: datadoghq.eu" in shown
    audit = await audit_text(org)
    assert "api_key=[redacted]" in audit
    for where in (announced, shown, audit, caplog.text):
        assert secret not in where

    # a new destination replaces the old one, and says so
    await org.run(
        "telemetry metrics set orders prometheus "
        "endpoint=<https://prom.example.com/api/v1/write> token=prom-bearer-secret"
    )
    body = writes(org, "POST", "/telemetry/metrics")[-1].json
    assert body == {
        "prometheus_remote": {
            "endpoint": "https://prom.example.com/api/v1/write",
            "token": "prom-bearer-secret",
            "auth_strategy": "bearer",
        }
    }
    assert "replaces the export to Datadog" in channel(org)
    assert "prom-bearer-secret" not in channel(org) + await audit_text(org) + caplog.text


async def test_metrics_set_validates_against_the_spec(org: ServiceHarness) -> None:
    org.emulator.add_database("orders")
    shown = private(
        await org.run("telemetry metrics set orders kafka topic=t sasl_password=hunter2")
    )
    assert "A kafka export needs" in shown
    for key in ("bootstrap_servers", "sasl_mechanism", "sasl_username"):
        assert f"`{key}=…`" in shown
    assert "`topic=…`" not in shown and "hunter2" not in shown
    shown = private(
        await org.run("telemetry metrics set orders splunk endpoint=https://s index=i tokn=abc")
    )
    assert "`tokn` is not a splunk setting" in shown and "token=…" in shown
    shown = private(await org.run("telemetry metrics set orders grafana url=x"))
    assert "not a metrics destination" in shown and "prometheus_remote" in shown
    shown = private(
        await org.run(
            "telemetry metrics set orders kafka bootstrap_servers=a:1 "
            "topic=t sasl_mechanism=MD5 sasl_username=u sasl_password=p"
        )
    )
    assert "`sasl_mechanism` must be one of GSSAPI" in shown
    shown = private(
        await org.run(
            "telemetry metrics set orders prometheus_remote endpoint=e "
            "auth_strategy=bearer password=p"
        )
    )
    assert "`password` does not apply to auth_strategy=bearer" in shown
    shown = private(
        await org.run(
            "telemetry metrics set orders prometheus_remote endpoint=e auth_strategy=basic user=u"
        )
    )
    assert "`password=…`" in shown
    assert writes(org, "POST") == []


async def test_metrics_set_kafka_and_cloudwatch_bodies(org: ServiceHarness) -> None:
    org.emulator.add_database("orders")
    await org.run(
        "telemetry metrics set orders KAFKA bootstrap_servers=k1:9092,k2:9092 "
        "topic=astra sasl_mechanism=plain sasl_username=u sasl_password=p "
        "security_protocol=sasl_ssl"
    )
    assert writes(org, "POST", "/telemetry/metrics")[-1].json == {
        "kafka": {
            "bootstrap_servers": ["k1:9092", "k2:9092"],
            "topic": "astra",
            "sasl_mechanism": "PLAIN",
            "sasl_username": "u",
            "sasl_password": "p",
            "security_protocol": "SASL_SSL",
        }
    }
    await org.run(
        "telemetry metrics set orders CloudWatch access_key=AKIA1 secret=s3 region=us-east-1"
    )
    assert writes(org, "POST", "/telemetry/metrics")[-1].json == {
        "cloudwatch": {"access_key": "AKIA1", "secret_key": "s3", "region": "us-east-1"}
    }
    shown = private(await org.run("telemetry metrics show orders"))
    assert "AKIA1" not in shown and "secret_key: •••• (set)" in shown


async def test_audit_log_set_show_delete(org: ServiceHarness) -> None:
    org_id = org.emulator.config.org_id
    assert "streams no audit log" in private(await org.run("telemetry audit-log show"))
    await org.run(
        "telemetry audit-log set endpoint=pulsar+ssl://p.example.com:6651 "
        "topic=persistent://t/ns/audit auth_strategy=token token=pulsar-jwt-secret"
    )
    (post,) = writes(org, "POST", "/telemetry/auditLogs")
    assert post.path == f"/v2/organizations/{org_id}/telemetry/auditLogs"
    assert post.json == {
        "pulsar": {
            "endpoint": "pulsar+ssl://p.example.com:6651",
            "topic": "persistent://t/ns/audit",
            "auth_strategy": "token",
            "token": "pulsar-jwt-secret",
        }
    }
    shown = private(await org.run("telemetry audit-log show"))
    assert "token: •••• (set)" in shown and "persistent://t/ns/audit" in shown
    assert "pulsar-jwt-secret" not in shown + channel(org) + await audit_text(org)
    shown = private(await org.run("telemetry audit-log set kind=kafka endpoint=x"))
    assert "only be streamed to Pulsar" in shown

    await confirm(org, "telemetry audit-log delete", "DELETE", "/telemetry/auditLogs")
    assert len(writes(org, "DELETE", "/telemetry/auditLogs")) == 1
    assert "Stopped audit-log streaming" in org.notifier.posts[-1][1].text
    assert "streams no audit log" in private(await org.run("telemetry audit-log show"))


# The bodies the bot builds, checked against the official document's own schemas: every
# destination (and auth strategy) with all its keys validates; dropping any one key is
# refused by the bot exactly when the spec would refuse it (auth_strategy is inferred).
WIRE_EXAMPLES: list[tuple[str, dict[str, Any]]] = [
    (
        "prometheus_remote",
        {"endpoint": "https://p/api/v1/write", "auth_strategy": "bearer", "token": "t"},
    ),
    (
        "prometheus_remote",
        {
            "endpoint": "https://p/api/v1/write",
            "auth_strategy": "basic",
            "user": "u",
            "password": "p",
        },
    ),
    ("Datadog", {"api_key": "k", "site": "datadoghq.com"}),
    (
        "splunk",
        {"endpoint": "https://s", "index": "i", "token": "t", "source": "s", "sourcetype": "st"},
    ),
    (
        "kafka",
        {
            "bootstrap_servers": ["k1:9092", "k2:9092"],
            "topic": "t",
            "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_username": "u",
            "sasl_password": "p",
            "security_protocol": "SASL_SSL",
        },
    ),
    (
        "pulsar",
        {
            "endpoint": "pulsar+ssl://p",
            "topic": "persistent://a/b/c",
            "auth_strategy": "token",
            "token": "t",
            "auth_name": "n",
        },
    ),
    (
        "pulsar",
        {
            "endpoint": "pulsar+ssl://p",
            "topic": "persistent://a/b/c",
            "auth_strategy": "oauth2",
            "oauth2_credentials_url": "file:///c.json",
            "oauth2_issuer_url": "https://i",
            "oauth2_audience": "a",
            "oauth2_scope": "s",
        },
    ),
    ("cloudwatch", {"access_key": "a", "secret_key": "s", "region": "us-east-1"}),
]
SCHEMA = {
    "prometheus_remote": "RemotePrometheusTelemetryRequest",
    "Datadog": "DatadogTelemetryRequest",
    "splunk": "SplunkTelemetryRequest",
    "kafka": "KafkaTelemetryRequest",
    "pulsar": "PulsarTelemetryRequest",
    "cloudwatch": "CloudWatchTelemetryRequest",
}


@pytest.fixture(scope="module")
def spec_errors(shared_dir: Any) -> Any:
    validator = pytest.importorskip("openapi_schema_validator")
    referencing = pytest.importorskip("referencing")
    from referencing.jsonschema import DRAFT4

    path = shared_dir / "reference" / "astra-devops" / "devops-api-official.fixed.json"
    doc = json.loads(path.read_text())
    registry = referencing.Registry().with_resource(
        "spec.json", referencing.Resource.from_contents(doc, default_specification=DRAFT4)
    )

    def errors(schema: str, instance: Any) -> list[str]:
        ref = {"$ref": f"spec.json#/components/schemas/{schema}"}
        v = validator.OAS30Validator(ref, registry=registry)
        return [e.message for e in v.iter_errors(instance)]

    return errors


def _as_settings(wire: dict[str, Any]) -> dict[str, str]:
    return {k: ",".join(v) if isinstance(v, list) else v for k, v in wire.items()}


@pytest.mark.spec
@pytest.mark.parametrize(
    ("kind", "wire"),
    WIRE_EXAMPLES,
    ids=[f"{k}-{w.get('auth_strategy', '')}" for k, w in WIRE_EXAMPLES],
)
def test_telemetry_bodies_match_the_spec(kind: str, wire: dict[str, Any], spec_errors: Any) -> None:
    schema = SCHEMA[kind]
    built = telemetry.build_settings(kind, _as_settings(wire), "usage")
    assert built == wire
    assert spec_errors(schema, {kind: built}) == []
    for key in wire:
        rest = {k: v for k, v in wire.items() if k != key}
        try:
            body = telemetry.build_settings(kind, _as_settings(rest), "usage")
        except UsageError as err:
            assert f"`{key}=…`" in err.user_message
            assert spec_errors(schema, {kind: rest}), f"the bot refuses {key} the spec allows"
        else:
            assert spec_errors(schema, {kind: body}) == [], f"without {key}: {body}"


@pytest.mark.spec
def test_role_create_body_matches_the_spec(spec_errors: Any) -> None:
    body = {
        "name": "readers",
        "policy": {
            "description": "d",
            "actions": ["org-db-view", "db-cql"],
            "effect": "allow",
            "resources": role.role_resources("org-1", ["db-1", "db-2"]),
        },
    }
    assert spec_errors("CreateRoleRequest", body) == []
    assert body["policy"]["resources"][:2] == ["drn:astra:org:org-1", "drn:astra:org:org-1:db:db-1"]
    assert len(body["policy"]["resources"]) == 7


# ---------------------------------------------------------------------------- read-only


async def test_read_only_listings(org: ServiceHarness) -> None:
    assert "No private links" in private(await org.run("private-link list"))
    assert "No custom domains" in private(await org.run("custom-domain list"))
    assert "No customer keys" in private(await org.run("kms list"))
    assert {(r.method, r.path) for r in org.emulator.requests} == {
        ("GET", "/v2/organizations/private-link"),
        ("GET", "/v2/organizations/customDomains"),
        ("GET", "/v2/kms"),
    }
    assert org.notifier.posts == []


def test_private_link_and_kms_rendering() -> None:
    data: dict[str, Any] = {
        "clusters": [
            {
                "clusterID": "db1",
                "datacenters": [
                    {
                        "serviceName": "com.amazonaws.vpce.us-east-1.vpce-svc-1",
                        "datacenterID": "db1-1",
                        "allowedPrincipals": ["arn:aws:iam::1:role/admin"],
                        "endpoints": [
                            {"endpointID": "vpce-9", "status": "Accepted", "description": "billing"}
                        ],
                    }
                ],
            }
        ]
    }
    (line,) = org_words.private_link_lines(data, {"db1": "orders"})
    assert "*orders* `db1` dc `db1-1`" in line and "`vpce-9` Accepted (billing)" in line
    assert "1 allowed principal ·" in line  # one, not "1 allowed principals"
    lines = org_words.kms_lines(
        [
            {
                "OrganizationID": "o",
                "CloudProvider": "AWS",
                "KeyID": "arn:k",
                "Region": "us-east-1",
            },
            {"orgId": "o", "gcp": {"keyID": "projects/p/k", "region": "us-east1"}},
        ]
    )
    assert lines == ["aws / us-east-1: `arn:k`", "gcp / us-east1: `projects/p/k`"]


async def test_peering_show(org: ServiceHarness) -> None:
    db_id = org.emulator.add_database(
        "classic", tier="C10", cloud_provider="AWS", region="us-east-1"
    )
    assert "has no VPC peering connection on aws" in private(await org.run("peering show classic"))
    org.emulator.set_vpc_peering(
        "aws",
        db_id,
        {
            "connectionId": "pcx-1",
            "status": "ACTIVE",
            "currentVpc": {
                "provider": "aws",
                "account": "111",
                "vpcId": "vpc-a",
                "cidrBlock": "10.0.0.0/16",
            },
            "otherVpc": {
                "provider": "aws",
                "account": "222",
                "vpcId": "vpc-b",
                "cidrBlock": "172.16.0.0/16",
            },
        },
    )
    shown = private(await org.run("peering show classic"))
    assert "`pcx-1`" in shown and "ACTIVE" in shown and "vpc-b" in shown
    assert writes(org, "GET", "/v2/peering/provider/aws/database/" + db_id)
    await org.run("peering show classic --cloud gcp")
    assert writes(org, "GET", "/v2/peering/provider/gcp/")
    assert org.notifier.posts == []


async def test_non_admins_reach_nothing(org: ServiceHarness) -> None:
    await org.components.store.grant("user", "UOPS", "operator", None, "test")
    org.emulator.add_database("orders")
    org.emulator.reset_requests()
    for text in (
        "token create --role 'Read Only User'",
        "user list",
        "role list",
        "telemetry audit-log show",
        "kms list",
    ):
        assert "not allowed" in private(await org.run(text, user="UOPS"))
    assert org.emulator.requests == []


# ---------------------------------------------------------------------------- through Slack


#: slack_sdk's webhook client logs each response_url body at DEBUG — the private answer
#: itself. Production pins ``slack_sdk`` to WARNING (bot/logs.py); every other logger,
#: ours above all, must never carry a secret, even at DEBUG.
THIRD_PARTY_BODY_LOGGER = "slack_sdk.webhook.async_client"


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.name != THIRD_PARTY_BODY_LOGGER)


def _everything_but_private(h: BotHarness) -> str:
    """Every Slack Web API call (response_url posts are not among them)."""
    return json.dumps([[c.method, c.params] for c in h.slack.calls()], default=str)


async def test_http_token_create_secret_only_in_an_ephemeral_response(
    http: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    resp = await http.command('token create --role "Read Only User" --description via-slack')
    assert resp.status_code == 200
    assert writes(http, "POST", "/v2/tokens")[0].json["roles"] == [READ_ONLY_ROLE_ID]
    carrying = [p for p in http.slack.response_url_posts if SECRET_RE.search(json.dumps(p.body))]
    assert len(carrying) == 1 and carrying[0].response_type == "ephemeral"
    secret = SECRET_RE.search(json.dumps(carrying[0].body))
    assert secret
    posts = http.channel_posts()
    assert len(posts) == 1 and "created an Astra application token" in posts[0]["text"]
    assert secret.group(1) not in _everything_but_private(http)
    assert secret.group(1) not in await audit_text(http)
    assert caplog.records and secret.group(1) not in _logged(caplog)


async def test_http_scb_link_only_in_an_ephemeral_response(
    http: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    http.emulator.add_database("orders")
    await http.command("scb orders")
    (post,) = http.slack.response_url_posts
    assert post.response_type == "ephemeral" and SIGNED.search(json.dumps(post.body))
    assert http.channel_posts() == []
    assert "X-Amz" not in _everything_but_private(http) + await audit_text(http)
    assert "X-Amz" not in _logged(caplog)


async def test_http_access_list_remove_through_the_confirm_button(http: BotHarness) -> None:
    db_id = http.emulator.add_database("orders")
    await http.components.astra.add_access_list_addresses(db_id, [("10.0.0.0/24", "office")])
    await http.command("access-list remove orders 10.0.0.0/24")
    assert writes(http, "DELETE") == []
    post = http.channel_posts()[-1]
    conf = next(
        e["value"]
        for b in post["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == ACTION_CONFIRM
    )
    await http.click(ACTION_CONFIRM, conf)
    await http.click(ACTION_CONFIRM, conf)
    assert len(writes(http, "DELETE", "/access-list")) == 1
    assert "Removed `10.0.0.0/24`" in http.channel_posts()[-1]["text"]
