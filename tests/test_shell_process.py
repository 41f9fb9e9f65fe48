"""`astra-bot shell` as a process: what it reads, where its logs go, what it refuses."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

BASE_ENV = {
    k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ASTRA_", "DATABASE_URL"))
}


def _shell(tmp_path: Path, stdin: str | None, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the shell; ``stdin`` None reads /dev/null."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "shell"],
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**BASE_ENV, "ASTRA_BOT_EMULATOR_SPEED": "20", **env},
        timeout=120,
        check=False,
    )


def test_an_empty_input_from_dev_null_ends_the_shell(tmp_path: Path) -> None:
    out = _shell(tmp_path, None)  # a character device the loop cannot poll
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("astra-bot shell — you are @USHELL")
    assert out.stderr == ""


def test_logs_never_reach_the_screen(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on: Astra cannot be reached
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = _shell(
        tmp_path,
        "db list\ndb list\n",
        ASTRA_DB_APPLICATION_TOKEN="AstraCS:x:y",
        ASTRA_API_URL=f"http://127.0.0.1:{port}",
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/s.db",
    )
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    lines = out.stdout.splitlines()
    assert not [line for line in lines if line.startswith("{")]  # no JSON log line
    assert (
        lines.count("(shell) Warnings are written to astra-bot-shell.log, not to this screen.") == 1
    )
    assert out.stdout.count("Astra could not be reached") >= 2
    log = (tmp_path / "astra-bot-shell.log").read_text()
    assert "ConnectError" in log and "AstraCS:x:y" not in log


def test_a_quiet_session_leaves_no_log_file(tmp_path: Path) -> None:
    out = _shell(tmp_path, "db list\n")
    assert out.returncode == 0 and "No databases" in out.stdout
    assert not (tmp_path / "astra-bot-shell.log").exists()


def test_a_token_that_is_not_astra_s_is_refused_at_start(tmp_path: Path) -> None:
    out = _shell(tmp_path, "db list\n", ASTRA_DB_APPLICATION_TOKEN="xoxb-1-2-3")
    assert out.returncode == 2
    assert out.stdout == ""
    assert out.stderr.startswith(
        "astra-bot: ASTRA_DB_APPLICATION_TOKEN should start with `AstraCS:`."
    )
    assert "unset the variable to use the built-in Astra emulator" in out.stderr
    assert "xoxb-1-2-3" not in out.stderr
