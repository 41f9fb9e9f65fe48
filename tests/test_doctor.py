"""`astra-bot doctor`: a correct diagnosis for each broken configuration we can produce
here — missing or malformed settings, a Slack token the fake Web API rejects, scopes
missing, an app-level token rejected, an Astra token the emulator rejects, an Astra role
that allows too little, a store unreachable or not migrated, a watcher backlog — exit code
0 only when everything needed is in order, and never a secret in the output."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from bot.astra import http as api
from bot.astra.emulator import (
    ORG_ADMIN_ROLE_ID,
    READ_ONLY_ROLE_ID,
    SANDBOX_CLIENT_ID,
    SANDBOX_TOKEN,
    AstraEmulator,
)
from bot.cli import doctor
from bot.store.db import make_engine, migrate
from tests.conftest import ServiceHarness
from tests.fakes.slack_api import DEFAULT_APP_TOKEN, DEFAULT_BOT_TOKEN, FakeSlack

ROOT = Path(__file__).resolve().parents[1]
SIGNING = "8f14e45fceea167a5a36dedd4bea2543"
RO_SVC_ROLE_ID = "16a4b1d7-a615-41f8-95ca-52b0280f4d77"  # no org-db-view
ENV_PREFIXES = ("SLACK_", "ASTRA_", "DATABASE_URL", "PORT")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Only what a test sets counts (no stray SLACK_* from the shell, no .env)."""
    import os

    for name in list(os.environ):
        if name.startswith(ENV_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


async def _token(emulator: AstraEmulator, role: str) -> str:
    """A real token of the emulator, with ``role`` (its client id is listed in /v2/tokens)."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator.app), base_url="http://astra-emulator"
    ) as http:
        resp = await http.post(
            "/v2/tokens",
            json={"roles": [role]},
            headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"},
        )
        resp.raise_for_status()
        return str(resp.json()["token"])


@pytest.fixture
async def store_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    engine = make_engine(url)
    await migrate(engine)
    await engine.dispose()
    return url


@pytest.fixture
async def admin_token(emulator: AstraEmulator) -> str:
    return await _token(emulator, ORG_ADMIN_ROLE_ID)


def _env(slack: FakeSlack, store_url: str, astra_token: str, **over: str | None) -> dict[str, str]:
    env: dict[str, str | None] = {
        "SLACK_BOT_TOKEN": DEFAULT_BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING,
        "SLACK_API_URL": slack.api_url,
        "ASTRA_DB_APPLICATION_TOKEN": astra_token,
        "ASTRA_API_URL": "http://astra-emulator",
        "DATABASE_URL": store_url,
        "ASTRA_BOT_ADMINS": "U0ADMIN",
    }
    env.update(over)
    return {k: v for k, v in env.items() if v is not None}


async def _diagnose(env: dict[str, str], emulator: AstraEmulator, **kw: Any) -> doctor.Report:
    settings, problems = doctor.load_settings(env)
    report = await doctor.diagnose(
        settings, problems, astra_transport=httpx.ASGITransport(app=emulator.app), **kw
    )
    secrets = settings.secret_values()
    for out in (doctor.format_text(report, secrets), doctor.format_json(report, secrets)):
        for value in env.values():
            if value in secrets:
                assert value not in out, "a secret reached the doctor's output"
    return report


def _status(report: doctor.Report) -> dict[str, str]:
    return {c.id: c.status for c in report.checks}


# ---------------------------------------------------------------------------- all good


async def test_a_healthy_deployment(
    slack: FakeSlack, emulator: AstraEmulator, store_url: str, admin_token: str
) -> None:
    slack.scopes = ",".join(doctor.manifest_scopes())
    report = await _diagnose(_env(slack, store_url, admin_token), emulator)
    assert report.ok and report.exit_code == 0, doctor.format_text(report)
    assert {c.status for c in report.checks} <= {"ok", "skip"}
    auth = report.get("slack.auth")
    assert auth.detail == "workspace Astra Test (T1), bot user @astra-bot (UBOT)"
    assert report.get("slack.scopes").status == "ok"
    assert report.get("slack.app_token").status == "skip"  # HTTP mode
    assert (
        report.get("astra.auth").detail
        == "organization sandbox-org (7f1a6a4e-3c2b-4d5e-9f80-1a2b3c4d5e6f)"
    )
    assert report.get("astra.role").detail == "role Organization Administrator allows every feature"
    assert report.get("store.migrations").status == "ok"
    assert report.get("watcher.backlog").detail == "0 operation(s) in progress, 0 notice(s) to send"
    text = doctor.format_text(report)
    assert text.splitlines()[-1] == "Everything needed is in order."


# ---------------------------------------------------------------------------- settings


async def test_missing_tokens(slack: FakeSlack, emulator: AstraEmulator, store_url: str) -> None:
    env = _env(
        slack,
        store_url,
        "",
        SLACK_BOT_TOKEN=None,
        SLACK_SIGNING_SECRET=None,
        ASTRA_DB_APPLICATION_TOKEN=None,
    )
    report = await _diagnose(env, emulator)
    assert report.exit_code == 1
    s = _status(report)
    assert s["settings.SLACK_BOT_TOKEN"] == s["settings.SLACK_SIGNING_SECRET"] == "fail"
    assert s["settings.ASTRA_DB_APPLICATION_TOKEN"] == "fail"
    assert s["slack.auth"] == s["astra.auth"] == "skip"
    assert report.get("settings.SLACK_BOT_TOKEN").detail == "not set"
    assert "Bot User OAuth Token" in report.get("settings.SLACK_BOT_TOKEN").fix
    assert "--sandbox" in report.get("settings.ASTRA_DB_APPLICATION_TOKEN").detail
    assert s["store.migrations"] == "ok"  # what can be checked still is


async def test_malformed_tokens(slack: FakeSlack, emulator: AstraEmulator, store_url: str) -> None:
    env = _env(
        slack,
        store_url,
        "0123456789abcdef0123456789abcdef",
        SLACK_BOT_TOKEN="xoxp-1-2-3-user",
        SLACK_APP_TOKEN="xoxb-1-2-bot",
        SLACK_SIGNING_SECRET="not-a-signing-secret",
    )
    report = await _diagnose(env, emulator)
    assert report.exit_code == 1
    assert (
        report.get("settings.SLACK_BOT_TOKEN").detail
        == "is a user token (xoxp-), not the bot token"
    )
    assert (
        report.get("settings.SLACK_APP_TOKEN").detail
        == "is a bot token (xoxb-); it belongs in SLACK_BOT_TOKEN"
    )
    assert (
        report.get("settings.ASTRA_DB_APPLICATION_TOKEN").detail == "does not start with `AstraCS:`"
    )
    # Socket Mode (an app token is set): the signing secret is not needed
    assert report.get("settings.SLACK_SIGNING_SECRET").status == "ok"
    assert _status(report)["slack.auth"] == "skip"


async def test_quoted_token_and_bad_urls(
    slack: FakeSlack, emulator: AstraEmulator, store_url: str, admin_token: str
) -> None:
    env = _env(
        slack,
        store_url,
        admin_token,
        SLACK_BOT_TOKEN=f'"{DEFAULT_BOT_TOKEN}"',
        SLACK_API_URL=slack.api_url.rstrip("/"),
        DATABASE_URL="postgres://u:pw@h/db",
        SLACK_SIGNING_SECRET="looks-wrong",
    )
    report = await _diagnose(env, emulator)
    assert report.get("settings.SLACK_BOT_TOKEN").detail == "has spaces or quotes around it"
    assert report.get("settings.SLACK_API_URL").detail.startswith("must end with `/`")
    db = report.get("settings.DATABASE_URL")
    assert db.detail == "postgres:// is not an async driver"
    assert "pw" not in json.dumps(db.data)
    assert report.get("settings.SLACK_SIGNING_SECRET").status == "warn"
    assert _status(report)["store.reachable"] == "skip"


async def test_values_pydantic_refuses(
    slack: FakeSlack, emulator: AstraEmulator, store_url: str, admin_token: str
) -> None:
    env = _env(slack, store_url, admin_token, PORT="http", ASTRA_BOT_DEFAULT_CLOUD="ibm")
    report = await _diagnose(env, emulator)
    assert report.exit_code == 1
    assert report.get("settings.PORT").status == "fail"
    assert "valid integer" in report.get("settings.PORT").detail
    assert (
        report.get("settings.ASTRA_BOT_DEFAULT_CLOUD").detail
        == "not valid: Value error, must be one of gcp, aws, azure"
    )
    assert report.get("slack.auth").status == "ok"  # the rest is still checked


# ---------------------------------------------------------------------------- Slack


async def test_a_slack_token_the_fake_rejects(
    slack: FakeSlack, emulator: AstraEmulator, store_url: str, admin_token: str
) -> None:
    slack.bot_tokens = {"xoxb-another-app"}
    report = await _diagnose(_env(slack, store_url, admin_token), emulator)
    assert report.exit_code == 1
    auth = report.get("slack.auth")
    assert (auth.status, auth.detail) == ("fail", "Slack rejects SLACK_BOT_TOKEN (invalid_auth)")
    assert "copy the Bot User OAuth Token again" in auth.fix
    assert report.get("slack.scopes").status == "skip"


async def test_slack_unreachable(
    slack: FakeSlack, emulator: AstraEmulator, store_url: str, admin_token: str
) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = _env(slack, store_url, admin_token, SLACK_API_URL=f"http://127.0.0.1:{port}/api/")
    report = await _diagnose(env, emulator)
    auth = report.get("slack.auth")
    assert auth.status == "fail"
    assert auth.detail.startswith(f"Slack cannot be reached at http://127.0.0.1:{port}/api/")


async def test_scopes_against_the_manifest(
    emulator: AstraEmulator, store_url: str, admin_token: str
) -> None:
    async with FakeSlack(scopes="commands,chat:write") as slack:
        report = await _diagnose(_env(slack, store_url, admin_token), emulator)
        scopes = report.get("slack.scopes")
        assert scopes.status == "warn" and report.exit_code == 0
        assert scopes.data["missing"] == ["chat:write.public", "usergroups:read", "users:read"]
        assert "usergroups:read: role bindings on usergroups are ignored" in scopes.detail
        assert "reinstall the app" in scopes.fix
    async with FakeSlack(scopes="commands,users:read") as slack:
        report = await _diagnose(_env(slack, store_url, admin_token), emulator)
        scopes = report.get("slack.scopes")
        assert scopes.status == "fail" and report.exit_code == 1
        assert "the bot cannot work without chat:write" in scopes.detail


def test_builtin_scopes_match_the_manifest() -> None:
    m = yaml.safe_load((ROOT / "app_manifest.yml").read_text())
    assert (
        tuple(m["oauth_config"]["scopes"]["bot"])
        == doctor.manifest_scopes()
        == doctor.MANIFEST_SCOPES
    )


async def test_socket_mode_app_token(
    slack: FakeSlack, emulator: AstraEmulator, store_url: str, admin_token: str
) -> None:
    env = _env(
        slack, store_url, admin_token, SLACK_APP_TOKEN=DEFAULT_APP_TOKEN, SLACK_SIGNING_SECRET=None
    )
    report = await _diagnose(env, emulator)
    assert report.ok and report.mode == "Socket Mode"
    assert (
        report.get("slack.app_token").detail == "valid: Slack opens Socket Mode connections for it"
    )
    slack.app_tokens = set()
    report = await _diagnose(env, emulator)
    app = report.get("slack.app_token")
    assert (app.status, app.detail) == ("fail", "Slack rejects SLACK_APP_TOKEN (invalid_auth)")
    assert report.exit_code == 1


# ---------------------------------------------------------------------------- Astra


async def test_an_astra_token_the_emulator_rejects(
    slack: FakeSlack, emulator: AstraEmulator, store_url: str
) -> None:
    env = _env(slack, store_url, "AstraCS:notAClientOfThisOrg:" + "ab" * 32)
    report = await _diagnose(env, emulator)
    assert report.exit_code == 1
    auth = report.get("astra.auth")
    assert (auth.status, auth.detail) == ("fail", "Astra rejects ASTRA_DB_APPLICATION_TOKEN (401)")
    assert "create a new application token" in auth.fix
    assert report.get("astra.role").status == "skip"


async def test_astra_unreachable(
    slack: FakeSlack, emulator: AstraEmulator, store_url: str, admin_token: str
) -> None:
    settings, problems = doctor.load_settings(_env(slack, store_url, admin_token))

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    report = await doctor.diagnose(settings, problems, astra_transport=httpx.MockTransport(refuse))
    auth = report.get("astra.auth")
    assert (auth.status, auth.detail) == (
        "fail",
        "Astra cannot be reached at http://astra-emulator",
    )


async def test_which_features_the_astra_role_allows(
    slack: FakeSlack, emulator: AstraEmulator, store_url: str
) -> None:
    token = await _token(emulator, READ_ONLY_ROLE_ID)
    report = await _diagnose(_env(slack, store_url, token), emulator)
    role = report.get("astra.role")
    assert role.status == "warn" and report.exit_code == 0
    assert role.data["roles"] == ["Read Only User"]
    assert doctor.ESSENTIAL_FEATURE in role.data["allowed"]
    assert role.data["denied"]["db create"] == ["org-db-create"]
    assert role.data["denied"]["db delete"] == ["org-db-terminate"]
    assert "role Read Only User allows 3 of 15 features" in role.detail
    token = await _token(emulator, RO_SVC_ROLE_ID)
    report = await _diagnose(_env(slack, store_url, token), emulator)
    role = report.get("astra.role")
    assert role.status == "fail" and report.exit_code == 1
    assert role.detail.startswith("role RO Svc Acct may not list databases (needs org-db-view)")


async def test_a_token_whose_role_cannot_be_read(
    slack: FakeSlack, emulator: AstraEmulator, store_url: str
) -> None:
    # The sandbox token is accepted but its client id ("sandbox") is not listed.
    report = await _diagnose(_env(slack, store_url, SANDBOX_TOKEN), emulator)
    role = report.get("astra.role")
    assert role.status == "warn" and report.ok
    assert "not in /v2/tokens" in role.detail
    emulator.inject_fault(403, count=5, method="GET", path_prefix="/v2/tokens")
    token = f"AstraCS:{SANDBOX_CLIENT_ID}:" + "cd" * 32
    emulator.config.tokens.add(token)
    report = await _diagnose(_env(slack, store_url, token), emulator)
    assert "may not read tokens and roles" in report.get("astra.role").detail


def test_features_name_real_operations() -> None:
    for _, ops in doctor.FEATURES:
        for op in ops:
            assert op in api.PERMISSIONS


# ---------------------------------------------------------------------------- store


async def test_an_unmigrated_sqlite_store(
    slack: FakeSlack, emulator: AstraEmulator, tmp_path: Path, admin_token: str
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/empty.db"
    engine = make_engine(url)
    async with engine.connect():
        pass  # the file exists, with no tables
    await engine.dispose()
    report = await _diagnose(_env(slack, url, admin_token), emulator)
    mig = report.get("store.migrations")
    assert mig.status == "warn" and report.ok  # `serve` migrates SQLite itself
    assert mig.detail.startswith("not migrated: at empty (no tables), head is ")
    assert report.get("watcher.backlog").status == "skip"


async def test_a_missing_sqlite_store_is_not_created(
    slack: FakeSlack, emulator: AstraEmulator, tmp_path: Path, admin_token: str
) -> None:
    path = tmp_path / "nope.db"
    report = await _diagnose(_env(slack, f"sqlite+aiosqlite:///{path}", admin_token), emulator)
    assert report.get("store.reachable").detail == f"{path} does not exist yet"
    assert not path.exists()


@pytest.mark.postgres
async def test_an_unmigrated_postgres_store(
    slack: FakeSlack, emulator: AstraEmulator, pg_database: str, admin_token: str
) -> None:
    report = await _diagnose(_env(slack, pg_database, admin_token), emulator)
    mig = report.get("store.migrations")
    assert mig.status == "fail" and report.exit_code == 1
    assert "`serve` refuses to start" in mig.detail
    assert mig.fix.startswith("Run `astra-bot migrate` once")
    await migrate(engine := make_engine(pg_database))
    await engine.dispose()
    report = await _diagnose(_env(slack, pg_database, admin_token), emulator)
    assert report.get("store.migrations").status == "ok" and report.ok


async def test_an_unreachable_store(
    slack: FakeSlack, emulator: AstraEmulator, admin_token: str
) -> None:
    url = "postgresql+asyncpg://bot:s3cret-pw@127.0.0.1:1/bot"
    report = await _diagnose(_env(slack, url, admin_token), emulator)
    reach = report.get("store.reachable")
    assert reach.status == "fail" and report.exit_code == 1
    assert "cannot be reached" in reach.detail and "s3cret-pw" not in reach.detail
    assert "***" in reach.detail
    assert report.get("store.migrations").status == "skip"


async def test_watcher_backlog(
    shell_bot: ServiceHarness, slack: FakeSlack, emulator: AstraEmulator, admin_token: str
) -> None:
    await shell_bot.run("db create orders")
    url = shell_bot.components.settings.database_url
    now = shell_bot.clock.now
    report = await _diagnose(_env(slack, url, admin_token), emulator, now=now)
    assert report.get("watcher.backlog").status == "ok"
    assert report.get("watcher.backlog").data["operations_pending"] == 1
    report = await _diagnose(_env(slack, url, admin_token), emulator, now=now + 600)
    backlog = report.get("watcher.backlog")
    assert backlog.status == "warn" and report.ok
    assert backlog.detail.startswith(
        "1 operation(s) in progress, 0 notice(s) to send; 1 overdue by up to "
    )
    assert backlog.detail.endswith("s: no watcher is running?")
    assert "astra-bot worker" in backlog.fix


# ---------------------------------------------------------------------------- format


def test_text_format_says_what_is_wrong_and_how_to_fix_it() -> None:
    report = doctor.Report(
        "HTTP mode",
        (
            doctor.Check("a.ok", "A", "ok", "fine", "never shown"),
            doctor.Check("b.bad", "B", "fail", "broken", "do this"),
            doctor.Check("c.meh", "C", "warn", "degraded", "maybe that"),
            doctor.Check("d.skip", "D", "skip", "not checked"),
        ),
    )
    assert report.exit_code == 1
    assert doctor.format_text(report).splitlines() == [
        "astra-bot doctor (HTTP mode)",
        "ok   a.ok    A: fine",
        "FAIL b.bad   B: broken",
        "             fix: do this",
        "WARN c.meh   C: degraded",
        "             fix: maybe that",
        "skip d.skip  D: not checked",
        "1 problem(s) to fix, 1 warning(s).",
    ]
    doc = json.loads(doctor.format_json(report))
    assert doc["ok"] is False and doc["exit_code"] == 1
    assert [c["status"] for c in doc["checks"]] == ["ok", "fail", "warn", "skip"]


# ---------------------------------------------------------------------------- the command


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def emulator_process() -> AsyncIterator[tuple[str, str]]:
    """The emulator as its own HTTP server, accepting a token of the admin client."""
    port = _free_port()
    token = f"AstraCS:{SANDBOX_CLIENT_ID}:" + "ef" * 32
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.astra.emulator",
        "--port",
        str(port),
        "--token",
        token,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(300):
                try:
                    if (await http.get(f"{url}/_emulator/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.03)
        yield url, token
    finally:
        proc.kill()
        await proc.wait()


async def _cli(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    import os

    base = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIXES)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "doctor",
        *args,
        env={**base, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_the_command_exit_codes_and_json(
    slack: FakeSlack, store_url: str, emulator_process: tuple[str, str]
) -> None:
    astra_url, token = emulator_process
    env = _env(slack, store_url, token, ASTRA_API_URL=astra_url)
    rejected = {**env, "SLACK_BOT_TOKEN": "xoxb-not-known-to-slack-0123456789"}
    (code, out, _), (bad_code, bad_out, bad_err) = await asyncio.gather(
        _cli(env, "--json"), _cli(rejected)
    )
    doc = json.loads(out)
    assert code == 0 and doc["ok"] is True, out
    assert {c["id"] for c in doc["checks"]} >= {
        "slack.auth",
        "slack.scopes",
        "astra.auth",
        "astra.role",
        "store.migrations",
        "watcher.backlog",
    }
    assert bad_code == 1
    assert "FAIL slack.auth" in bad_out
    assert "Slack rejects SLACK_BOT_TOKEN (invalid_auth)" in bad_out
    for secret in (DEFAULT_BOT_TOKEN, rejected["SLACK_BOT_TOKEN"], token, SIGNING):
        assert secret not in out + bad_out + bad_err
