"""`astra-bot doctor` with several orgs (ASTRA_BOT_ORGS): each org's token is checked on its
own — the Astra organization it belongs to, what its role allows —, a bad token of one org
is that org's failing check only, two names on one Astra organization are a warning, the
JSON has one entry per org, and no token ever reaches the output."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from bot.astra.emulator import (
    ORG_ADMIN_ROLE_ID,
    READ_ONLY_ROLE_ID,
    AstraEmulator,
    EmulatorConfig,
    org_id_of,
    org_token,
)
from bot.cli import doctor
from bot.store.db import make_engine, migrate
from tests.conftest_astra import FAST, FakeClock
from tests.fakes.slack_api import DEFAULT_BOT_TOKEN, FakeSlack

SIGNING = "8f14e45fceea167a5a36dedd4bea2543"
ENV_PREFIXES = ("SLACK_", "ASTRA_", "DATABASE_URL", "PORT")
#: the first emulated org keeps the emulator's own id (AstraEmulator)
PROD_ID = EmulatorConfig().org_id
BAD = "AstraCS:notAClientOfAnyOrg:" + "ab" * 32


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for name in list(os.environ):
        if name.startswith(ENV_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def emu() -> AstraEmulator:
    return AstraEmulator(EmulatorConfig(clock=FakeClock(), **FAST), orgs=["prod", "dev"])  # type: ignore[arg-type]


@pytest.fixture
async def store_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    engine = make_engine(url)
    await migrate(engine)
    await engine.dispose()
    return url


async def _token(emu: AstraEmulator, org: str, role: str) -> str:
    """A token of ``org`` with ``role``, created through its own POST /v2/tokens (so its
    client id is listed in that org's /v2/tokens, as a real one is)."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emu.app), base_url="http://astra-emulator"
    ) as http:
        resp = await http.post(
            "/v2/tokens",
            json={"roles": [role]},
            headers={"Authorization": f"Bearer {org_token(org)}"},
        )
        resp.raise_for_status()
        return str(resp.json()["token"])


def _env(slack: FakeSlack, store_url: str, orgs: dict[str, str], **over: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": DEFAULT_BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING,
        "SLACK_API_URL": slack.api_url,
        "ASTRA_BOT_ORGS": json.dumps(orgs),
        "ASTRA_API_URL": "http://astra-emulator",
        "DATABASE_URL": store_url,
        "ASTRA_BOT_ADMINS": "U0ADMIN",
        **over,
    }


async def _diagnose(
    env: dict[str, str], emu: AstraEmulator, tokens: list[str]
) -> tuple[doctor.Report, str, dict[str, object]]:
    settings, problems = doctor.load_settings(env)
    report = await doctor.diagnose(
        settings, problems, astra_transport=httpx.ASGITransport(app=emu.app)
    )
    secrets = settings.secret_values()
    text, raw = doctor.format_text(report, secrets), doctor.format_json(report, secrets)
    for token in tokens:
        assert token in secrets
        assert token not in text and token not in raw, "a token reached the doctor's output"
        assert token.split(":")[2] not in text + raw
    return report, text, json.loads(raw)


async def test_one_bad_token_fails_its_org_only(
    slack: FakeSlack, emu: AstraEmulator, store_url: str
) -> None:
    prod = await _token(emu, "prod", ORG_ADMIN_ROLE_ID)
    report, text, doc = await _diagnose(
        _env(slack, store_url, {"prod": prod, "dev": BAD}), emu, [prod, BAD]
    )
    s = {c.id: c.status for c in report.checks}
    assert s["settings.ASTRA_BOT_ORGS"] == "ok"
    assert s["settings.ASTRA_BOT_ORGS[prod]"] == s["settings.ASTRA_BOT_ORGS[dev]"] == "ok"
    assert "settings.ASTRA_DB_APPLICATION_TOKEN" not in s  # not needed with ASTRA_BOT_ORGS
    auth = report.get("astra.auth[prod]")
    assert (auth.status, auth.detail) == ("ok", f"organization prod ({PROD_ID})")
    assert report.get("astra.role[prod]").detail == (
        "role Organization Administrator allows every feature"
    )
    bad = report.get("astra.auth[dev]")
    assert (bad.status, bad.detail) == ("fail", "Astra rejects ASTRA_BOT_ORGS[dev] (401)")
    assert "set it as the value of `dev` in ASTRA_BOT_ORGS" in bad.fix
    assert s["astra.role[dev]"] == "skip"
    assert "astra.auth" not in s and "astra.role" not in s
    assert report.exit_code == 1
    assert [c.id for c in report.checks if c.status == "fail"] == ["astra.auth[dev]"]
    assert "FAIL astra.auth[dev]" in text and "Astra token (dev): Astra rejects" in text
    assert "ok   astra.auth[prod]" in text
    assert doc["orgs"] == [
        {
            "name": "prod",
            "astra_org_id": PROD_ID,
            "astra_org_name": "prod",
            "checks": ["astra.auth[prod]", "astra.role[prod]"],
            "status": "ok",
        },
        {
            "name": "dev",
            "astra_org_id": None,
            "astra_org_name": None,
            "checks": ["astra.auth[dev]", "astra.role[dev]"],
            "status": "fail",
        },
    ]


async def test_each_org_says_what_its_role_allows(
    slack: FakeSlack, emu: AstraEmulator, store_url: str
) -> None:
    prod = await _token(emu, "prod", ORG_ADMIN_ROLE_ID)
    dev = await _token(emu, "dev", READ_ONLY_ROLE_ID)
    env = _env(slack, store_url, {"prod": prod, "dev": dev}, ASTRA_BOT_DEFAULT_ORG="dev")
    report, _, doc = await _diagnose(env, emu, [prod, dev])
    assert report.ok, doctor.format_text(report)
    assert "the default is dev" in report.get("settings.ASTRA_BOT_ORGS").detail
    assert report.get("astra.auth[dev]").detail == f"organization dev ({org_id_of('dev')})"
    role = report.get("astra.role[dev]")
    assert role.status == "warn" and role.data["denied"]["db create"] == ["org-db-create"]
    assert report.get("astra.role[prod]").status == "ok"
    orgs = report.get("astra.orgs")
    assert (orgs.status, orgs.detail) == (
        "ok",
        "2 of 2 org(s) known, each its own Astra organization",
    )
    assert [(o["name"], o["status"]) for o in doc["orgs"]] == [("prod", "ok"), ("dev", "warn")]


async def test_two_names_for_one_astra_org_is_a_warning(
    slack: FakeSlack, emu: AstraEmulator, store_url: str
) -> None:
    one = await _token(emu, "prod", ORG_ADMIN_ROLE_ID)
    other = await _token(emu, "prod", ORG_ADMIN_ROLE_ID)
    report, text, _ = await _diagnose(
        _env(slack, store_url, {"prod": one, "dev": other}), emu, [one, other]
    )
    orgs = report.get("astra.orgs")
    assert orgs.status == "warn" and report.ok
    assert orgs.detail == (
        "two configured orgs have tokens of one Astra organization: "
        f"prod and dev are both {PROD_ID}"
    )
    assert "WARN astra.orgs" in text


async def test_a_malformed_org_token_is_not_sent(
    slack: FakeSlack, emu: AstraEmulator, store_url: str
) -> None:
    prod = await _token(emu, "prod", ORG_ADMIN_ROLE_ID)
    env = _env(slack, store_url, {"prod": prod, "dev": "xoxb-not-an-astra-token"})
    report, _, _ = await _diagnose(env, emu, [prod])
    shape = report.get("settings.ASTRA_BOT_ORGS[dev]")
    assert shape.status == "fail" and "a bot token (xoxb-)" in shape.detail
    skipped = report.get("astra.auth[dev]")
    assert (skipped.status, skipped.detail) == (
        "skip",
        "ASTRA_BOT_ORGS[dev] must be fixed first",
    )
    assert report.get("astra.auth[prod]").status == "ok"
    assert not [r for r in emu.requests if r.org is None]  # nothing sent with dev's token


async def test_bad_org_settings_are_findings_not_crashes(
    slack: FakeSlack, emu: AstraEmulator, store_url: str
) -> None:
    prod = await _token(emu, "prod", ORG_ADMIN_ROLE_ID)
    env = _env(slack, store_url, {"prod": prod}, ASTRA_BOT_DEFAULT_ORG="staging")
    report, _, _ = await _diagnose(env, emu, [prod])
    default = report.get("settings.ASTRA_BOT_DEFAULT_ORG")
    assert default.status == "fail" and "`staging`" in default.detail
    assert "configured orgs (prod)" in default.detail
    env = _env(slack, store_url, {"Prod": prod})
    report, _, _ = await _diagnose(env, emu, [])
    bad = report.get("settings.ASTRA_BOT_ORGS")
    assert bad.status == "fail" and "must be 1 to 32 of a-z, 0-9 and -" in bad.detail
    assert report.get("astra.auth").detail == "ASTRA_BOT_ORGS must be fixed first"


async def test_the_lone_token_is_the_org_default(
    slack: FakeSlack, emu: AstraEmulator, store_url: str
) -> None:
    token = await _token(emu, "prod", ORG_ADMIN_ROLE_ID)
    env = _env(slack, store_url, {}, ASTRA_DB_APPLICATION_TOKEN=token)
    del env["ASTRA_BOT_ORGS"]
    report, _, doc = await _diagnose(env, emu, [token])
    assert report.get("astra.auth").status == report.get("astra.role").status == "ok"
    assert "astra.orgs" not in {c.id for c in report.checks}
    assert [(o["name"], o["checks"]) for o in doc["orgs"]] == [
        ("default", ["astra.auth", "astra.role"])
    ]
