"""The `astra-bot` command line as a user runs it: real processes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.slack_api import FakeSlack
from tests.serve_process import serve_sandbox

BASE_ENV = {
    k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ASTRA_", "DATABASE_URL"))
}


def run(
    args: list[str], tmp_path: Path, *, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**BASE_ENV, **env},
        timeout=120,
        check=False,
    )


def test_shell_scripts_create_list_get_delete(tmp_path: Path) -> None:
    script = (
        "\n".join(
            [
                "/astra db create orders --region us-east1",
                "/astra db list",
                "/astra db get orders",
                "/astra db delete orders",
                "1",
                "/astra help",
                "/astra db craete x",
            ]
        )
        + "\n"
    )
    # short emulator transitions keep the test fast; the shell waits for each operation
    out = run(["shell"], tmp_path, stdin=script, ASTRA_BOT_EMULATOR_SPEED="20")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "PENDING" in text and "INITIALIZING" in text
    assert "orders is ACTIVE" in text
    assert "[1] Confirm" in text and "[2] Cancel" in text
    assert "Confirmed by @USHELL" in text
    assert "orders is TERMINATED" in text
    assert "/astra db create" in text and "Did you mean" in text
    assert text.index("is ACTIVE") < text.index("1 database") < text.index("TERMINATED")


def test_shell_as_a_stranger_is_denied(tmp_path: Path) -> None:
    out = run(
        ["shell", "--user", "USTRANGER"],
        tmp_path,
        stdin="/astra db create x\n",
        ASTRA_BOT_EMULATOR_SPEED="20",
    )
    assert out.returncode == 0
    assert "not allowed" in out.stdout and "needs role operator" in out.stdout


def test_serve_names_the_missing_variable(tmp_path: Path) -> None:
    out = run(["serve"], tmp_path)
    assert out.returncode == 2
    assert "SLACK_BOT_TOKEN is not set" in out.stderr
    # all of them in one run, each with what to do (not one per run)
    assert "3 settings" in out.stderr
    assert "SLACK_SIGNING_SECRET is not set" in out.stderr and "Signing Secret" in out.stderr
    assert "ASTRA_DB_APPLICATION_TOKEN is not set" in out.stderr and "--sandbox" in out.stderr
    assert "ASTRA_DB_APPLICATION_TOKEN" not in run(["serve", "--sandbox"], tmp_path).stderr
    out = run(["serve"], tmp_path, SLACK_BOT_TOKEN="xoxb-1")
    assert "SLACK_SIGNING_SECRET" in out.stderr
    out = run(["serve"], tmp_path, SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s")
    assert "ASTRA_DB_APPLICATION_TOKEN is not set" in out.stderr and "--sandbox" in out.stderr
    out = run(
        ["serve"],
        tmp_path,
        SLACK_BOT_TOKEN="oops",
        SLACK_SIGNING_SECRET="s",
        ASTRA_DB_APPLICATION_TOKEN="AstraCS:x",
    )
    assert out.returncode == 2 and "xoxb-" in out.stderr and "oops" not in out.stderr
    out = run(
        ["serve"],
        tmp_path,
        SLACK_BOT_TOKEN="oops",
        SLACK_SIGNING_SECRET="s",
        ASTRA_DB_APPLICATION_TOKEN="nope",
    )
    assert "SLACK_BOT_TOKEN should start with `xoxb-`" in out.stderr
    assert "ASTRA_DB_APPLICATION_TOKEN should start with `AstraCS:`" in out.stderr


def test_every_invalid_setting_is_named_in_one_run(tmp_path: Path) -> None:
    out = run(["serve"], tmp_path, PORT="http", ASTRA_BOT_POLL_INTERVAL="-1")
    assert out.returncode == 2
    assert "PORT" in out.stderr and "ASTRA_BOT_POLL_INTERVAL" in out.stderr


def test_migrate_and_perm_cli(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path}/s.db"
    out = run(["migrate"], tmp_path, DATABASE_URL=db)
    assert out.returncode == 0 and "→" in out.stdout
    again = run(["migrate"], tmp_path, DATABASE_URL=db)
    assert again.returncode == 0 and "→" not in again.stdout
    head = out.stdout.rsplit("→ ", 1)[1].split()[0]
    assert again.stdout == f"store already at head ({head}): nothing to migrate\n"
    assert (
        run(
            ["perm", "grant", "U0ANA", "operator", "--db", "dev-*"], tmp_path, DATABASE_URL=db
        ).returncode
        == 0
    )
    listed = run(["perm", "list"], tmp_path, DATABASE_URL=db, ASTRA_BOT_ADMINS="U0BOSS")
    assert "@U0ANA → operator on `dev-*`" in listed.stdout
    assert "@U0BOSS → admin" in listed.stdout
    bad = run(["perm", "grant", "ana", "operator"], tmp_path, DATABASE_URL=db)
    assert bad.returncode == 2 and "not a Slack user" in bad.stderr
    assert (
        run(["perm", "revoke", "U0ANA", "operator"], tmp_path, DATABASE_URL=db).stdout
        == "Revoked operator from @U0ANA.\n"
    )


async def test_serve_sandbox_answers_a_signed_command(tmp_path: Path) -> None:
    async with (
        FakeSlack() as slack,
        serve_sandbox(
            tmp_path,
            slack,
            BASE_ENV,
            ASTRA_BOT_POLL_INTERVAL="0.2",
            ASTRA_BOT_EMULATOR_SPEED="50",
        ) as served,
    ):
        resp = await served.command("db create orders", slack.response_url("x"))
        assert resp.status_code == 200
        posts = await slack.wait_for(
            "chat.postMessage",
            count=1,
            timeout=20,
            predicate=lambda c: "ACTIVE" in str(c.params.get("text")),
        )
        assert "orders is ACTIVE" in posts[-1].params["text"]
    logs = await served.logs()
    # the operator is told first that this is not a real Astra; Bolt's notice about the
    # token it read from the environment by itself is not theirs to worry about
    assert "emulator" in logs[0], logs[:3]
    assert not any("token` will be unused" in line for line in logs), logs[:3]


# -- what a new user trips over on the command line (issue 14)


def _seed_audit(db_url: str, rows: int) -> None:
    from bot.store.db import make_engine, migrate
    from bot.store.repo import Store

    async def go() -> None:
        engine = make_engine(db_url)
        try:
            await migrate(engine)
            store = Store(engine)
            for i in range(rows):
                await store.audit(
                    correlation_id=f"c{i}",
                    actor_id="U0ANA",
                    source="command",
                    command=f"/astra db get db{i}",
                    decision="allow",
                )
        finally:
            await engine.dispose()

    asyncio.run(go())


def test_audit_export_into_head_ends_quietly(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path}/s.db"
    _seed_audit(db, 3000)  # far more than a pipe holds: head leaves while it writes
    out = subprocess.run(
        ["bash", "-c", f"{sys.executable} -m bot audit export | head -1"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**BASE_ENV, "DATABASE_URL": db},
        timeout=120,
        check=False,
    )
    assert out.stdout.count("\n") == 1 and '"command": "/astra db get db0"' in out.stdout
    assert out.stderr == ""


@pytest.mark.parametrize(
    "args",
    [
        ["audit", "export"],
        ["perm", "list"],
        ["perm", "export"],
        ["migrate"],
        ["perm", "grant", "U0ANA", "viewer"],
    ],
)
def test_every_command_that_writes_to_stdout_survives_a_closed_pipe(
    tmp_path: Path, args: list[str]
) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path}/s.db"
    _seed_audit(db, 5)
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has already gone, as `| head -0` or a closed pager
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            env={**BASE_ENV, "DATABASE_URL": db, "ASTRA_BOT_ADMINS": "U0B"},
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in proc.stderr and "BrokenPipeError" not in proc.stderr, proc.stderr
    assert proc.stderr == ""
    assert proc.returncode == 1  # as Python's own recipe for SIGPIPE (docs: signal module)


def test_perm_list_on_a_fresh_directory_says_there_is_nothing_and_how_admins_are_set(
    tmp_path: Path,
) -> None:
    out = run(["perm", "list"], tmp_path)
    assert out.returncode == 0, out.stderr
    assert "no role bindings yet" in out.stdout and "astra-bot perm grant" in out.stdout
    assert "no admins: set ASTRA_BOT_ADMINS" in out.stdout
    assert "or run `astra-bot perm grant U… admin`" in out.stdout
    out = run(["perm", "list"], tmp_path, ASTRA_BOT_ADMINS="U0BOSS")
    assert "@U0BOSS → admin (ASTRA_BOT_ADMINS)" in out.stdout
    assert "no role bindings yet" in out.stdout and "no admins" not in out.stdout
    assert run(["perm", "grant", "U0ANA", "admin"], tmp_path).returncode == 0
    out = run(["perm", "list"], tmp_path)
    assert "@U0ANA → admin" in out.stdout
    assert "no role bindings" not in out.stdout and "no admins" not in out.stdout
