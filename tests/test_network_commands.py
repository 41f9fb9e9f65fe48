"""Private links, custom domains, customer keys and VPC peering from Slack (signed requests,
the strict fake Slack, the emulator) and from the shell: who may, what is confirmed, what
stays private, what is refused before anything is sent."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli.shell import run_shell
from bot.render import ACTION_CONFIRM
from bot.settings import Settings
from tests.conftest import BotHarness

PRINCIPAL = "arn:aws:iam::123456789012:root"
KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd"
AWS_VPC = (
    "accountId=123456789012 vpcId=vpc-00001111aa332244c region=us-east-1 cidrBlock=10.20.0.0/16"
)


def writes(bot: BotHarness) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in bot.emulator.requests if r.method != "GET"]


def confirm_value(post: dict[str, Any]) -> str | None:
    for block in post.get("blocks") or []:
        for el in block.get("elements", []):
            if el.get("action_id") == ACTION_CONFIRM:
                return str(el["value"])
    return None


def channel_text(bot: BotHarness) -> str:
    return json.dumps(bot.channel_posts())


async def test_a_key_id_is_shown_only_to_the_requester(bot: BotHarness) -> None:
    await bot.command(f"kms create aws us-east-1 {KEY_ARN}")
    assert ("POST", "/v2/kms") in writes(bot)
    assert any(KEY_ARN in t for t in bot.private_texts())
    assert "registered a serverless customer key for aws us-east-1" in channel_text(bot)
    assert KEY_ARN not in channel_text(bot)
    posts = len(bot.channel_posts())
    await bot.command("kms show aws us-east-1")
    assert KEY_ARN in bot.private_texts()[-1] and len(bot.channel_posts()) == posts
    rows = await bot.store.audit_entries(limit=10)
    assert all(KEY_ARN not in (r.outcome or "") for r in rows)


@pytest.mark.parametrize(
    "text",
    [
        "private-link show orders",
        f"private-link principal add orders {PRINCIPAL}",
        "custom-domain add db.example.com",
        "kms accounts aws us-east-1",
        f"peering create legacy {AWS_VPC}",
    ],
)
async def test_network_settings_are_for_admins(bot: BotHarness, text: str) -> None:
    """An org's network perimeter and keys are not among the operator's or viewer's rights
    (DESIGN §3 lists theirs): denied, and nothing is asked of Astra."""
    bot.emulator.add_database("orders")
    bot.emulator.add_database("legacy", tier="C10", cloud_provider="AWS", region="us-east-1")
    await bot.grant("UOPS", "operator")
    bot.emulator.reset_requests()
    await bot.command(text, user="UOPS")
    assert any(t.startswith(":no_entry:") for t in bot.private_texts()), bot.private_texts()
    assert bot.emulator.requests == []


async def test_the_first_principals_set_the_service_up_then_more_are_added(
    bot: BotHarness,
) -> None:
    db = bot.emulator.add_database("orders", cloud_provider="AWS", region="us-east-2")
    await bot.command(f"private-link principal add orders {PRINCIPAL}")
    await bot.command("private-link principal add orders arn:aws:iam::210987654321:root")
    dc = f"/v2/organizations/clusters/{db}/datacenters/{db}-1"
    assert writes(bot) == [("POST", f"{dc}/private-link"), ("POST", f"{dc}/allowed-principals")]
    assert "set up the private link of *orders* in us-east-2" in channel_text(bot)
    assert PRINCIPAL not in channel_text(bot)  # the principals only to the requester
    assert PRINCIPAL in bot.private_texts()[-1]


async def test_a_principal_is_removed_only_once_confirmed_and_only_if_allowed(
    bot: BotHarness,
) -> None:
    bot.emulator.add_database("orders")
    await bot.command(f"private-link principal remove orders {PRINCIPAL}")
    assert "is not allowed on the private link" in bot.private_texts()[-1]
    assert not [p for p in bot.channel_posts() if confirm_value(p)]
    await bot.command(f"private-link principal add orders {PRINCIPAL}")
    await bot.command(f"private-link principal remove orders {PRINCIPAL}")
    post = bot.slack.messages(bot.channel)[-1]  # as stored: the click names its ts
    assert f"stop allowing `{PRINCIPAL}`" in json.dumps(post)
    assert not [w for w in writes(bot) if w[0] == "DELETE"]
    value = confirm_value(post)
    assert value is not None
    await bot.click(ACTION_CONFIRM, value, message_ts=post["ts"])
    assert [w for w in writes(bot) if w[0] == "DELETE"]


async def test_a_region_is_asked_for_when_the_database_has_several(bot: BotHarness) -> None:
    bot.emulator.add_database("multi", extra_regions=["us-central1"])
    await bot.command(f"private-link principal add multi {PRINCIPAL}")
    said = bot.private_texts()[-1]
    assert "several regions" in said and "us-central1" in said and writes(bot) == []
    await bot.command(f"private-link principal add multi {PRINCIPAL} --region us-moon1")
    assert "has no region `us-moon1`" in bot.private_texts()[-1] and writes(bot) == []
    await bot.command(f"private-link principal add multi {PRINCIPAL} --region us-central1")
    assert writes(bot) and writes(bot)[-1][1].endswith("-2/private-link")


async def test_replacing_custom_domains_is_confirmed_only_when_it_removes_one(
    bot: BotHarness,
) -> None:
    await bot.command("custom-domain set db.example.com")
    assert bot.emulator.requests[-1].json == ["db.example.com"]
    await bot.command("custom-domain set db.example.com data.example.org")  # adds only
    assert bot.emulator.requests[-1].json == ["db.example.com", "data.example.org"]
    sent = len(writes(bot))
    await bot.command("custom-domain set data.example.org")
    post = bot.slack.messages(bot.channel)[-1]
    assert "remove custom domain `db.example.com`" in json.dumps(post)
    assert len(writes(bot)) == sent  # nothing until the click
    value = confirm_value(post)
    assert value is not None
    await bot.click(ACTION_CONFIRM, value, message_ts=post["ts"])
    assert bot.emulator.requests[-1].json == ["data.example.org"]
    await bot.command("custom-domain remove db.example.com")
    assert "is not one of the custom domains" in bot.private_texts()[-1]


async def test_peering_is_refused_before_anything_is_sent(bot: BotHarness) -> None:
    bot.emulator.add_database("orders")
    bot.emulator.add_database("legacy", tier="C10", cloud_provider="AWS", region="us-east-1")
    await bot.command(f"peering create orders {AWS_VPC}")
    assert "VPC peering is for classic databases" in bot.private_texts()[-1]
    await bot.command("peering create legacy vpcId=vpc-00001111aa332244c")
    assert "accountId=… vpcId=… region=… cidrBlock=…" in bot.private_texts()[-1]
    await bot.command(
        AWS_VPC.replace("accountId=123456789012", "accountId=12").join(
            ["peering create legacy ", ""]
        )
    )
    assert "`12` is not a valid accountId" in bot.private_texts()[-1]
    await bot.command("peering delete legacy")
    assert "has no VPC peering connection" in bot.private_texts()[-1]
    assert writes(bot) == []
    await bot.command(f"peering create legacy {AWS_VPC}")
    assert [w[0] for w in writes(bot)] == ["POST"]
    assert "peered *legacy* with a VPC on AWS" in channel_text(bot)


async def test_the_shell_runs_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("ASTRA_DB_APPLICATION_TOKEN", "DATABASE_URL"):
        monkeypatch.delenv(var, raising=False)
    settings = Settings.model_validate(
        {
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/shell.db",
            "ASTRA_BOT_EMULATOR_SPEED": "50",
        }
    )
    script = (
        "db create orders\n"
        f"private-link principal add orders {PRINCIPAL}\n"
        "private-link endpoint accept orders vpce-0a1b --description billing\n"
        "private-link show orders\n"
        "private-link endpoint reject orders vpce-0a1b\n1\n"
        "custom-domain add db.example.com\n"
        "kms accounts aws us-east-1\n"
    )
    out = io.StringIO()
    code = await run_shell(settings, stdin=io.StringIO(script), out=out, interactive=False)
    text = out.getvalue()
    assert code == 0
    assert "endpoints: `vpce-0a1b` Accepted (billing)" in text
    assert "Endpoint `vpce-0a1b` was rejected" in text
    assert "added `db.example.com`" in text
    assert "must trust (only you see this)" in text
