"""Several emulated orgs without an Astra account: `astra-bot shell --orgs sandbox,sandbox-2`
and `astra-bot serve --sandbox --orgs …` (real processes). The names follow ASTRA_BOT_ORGS's
rule and a wrong one is refused before anything starts."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from bot.astra.emulator import AstraEmulator, org_token
from bot.bootstrap import sandbox_config
from bot.cli.shell import run_shell
from bot.settings import Settings
from tests.fakes.slack_api import FakeSlack
from tests.serve_process import serve_sandbox
from tests.test_cli import BASE_ENV, run

ORGS = ["sandbox", "sandbox-2"]


@pytest.mark.parametrize(
    ("orgs", "said"),
    [
        ("Sandbox", 'the org name "Sandbox" must be 1 to 32 of a-z, 0-9 and -'),
        ("sandbox,sandbox_2", 'the org name "sandbox_2" must be 1 to 32 of a-z, 0-9 and -'),
        ("sandbox, ", 'the org name "" must be 1 to 32'),
        (",", "name at least one org, e.g. --orgs sandbox,sandbox-2"),
        ("dev,dev", "the org name `dev` is given twice"),
        ("a" * 33, f'the org name "{"a" * 33}" must be 1 to 32 of a-z, 0-9 and -'),
    ],
)
def test_org_names_are_checked_before_anything_starts(tmp_path: Path, orgs: str, said: str) -> None:
    for cmd in (["shell"], ["serve", "--sandbox"]):
        out = run([*cmd, "--orgs", orgs], tmp_path, stdin="db list\n")
        assert out.returncode == 2, out.stdout
        assert f"argument --orgs: {said}" in out.stderr, out.stderr
        assert "Traceback" not in out.stderr
    assert not list(tmp_path.glob("*.db"))  # nothing was made


def test_emulated_orgs_are_the_emulator_s_only(tmp_path: Path) -> None:
    out = run(["serve", "--orgs", "sandbox,sandbox-2"], tmp_path)
    assert out.returncode == 2
    assert "--orgs names the built-in emulator's orgs: it needs --sandbox." in out.stderr
    assert "ASTRA_BOT_ORGS" in out.stderr
    token = org_token("sandbox")
    out = run(
        ["shell", "--orgs", "sandbox,sandbox-2"],
        tmp_path,
        stdin="db list\n",
        ASTRA_DB_APPLICATION_TOKEN=token,
    )
    assert out.returncode == 2 and "an Astra token is set" in out.stderr, out.stderr
    assert token not in out.stderr + out.stdout


# ------------------------------------------------------------ the shell with two orgs


def _answers(text: str) -> dict[str, str]:
    """Each typed line → what the shell printed after it (a script echoes its lines)."""
    out: dict[str, str] = {}
    for part in text.split("astra> ")[1:]:
        line, _, rest = part.partition("\n")
        out[line.strip()] = rest
    return out


async def test_the_shell_serves_two_emulated_orgs(tmp_path: Path) -> None:
    emu = AstraEmulator(sandbox_config(50), orgs=ORGS)
    emu.add_database("orders")
    emu.org("sandbox-2").add_database("events")
    settings = Settings.model_validate({"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/shell.db"})
    script = [
        "/astra org list",
        "/astra db list",
        "/astra org use sandbox-2",
        "/astra db list",
        "/astra db list --org sandbox",
        "/astra db get orders",
        "/astra db list --org sandbox-3",
    ]
    out = io.StringIO()
    code = await run_shell(
        settings,
        stdin=io.StringIO("\n".join(script) + "\n"),
        out=out,
        interactive=False,
        emulator=emu,
        orgs=ORGS,
    )
    assert code == 0
    text = out.getvalue()
    assert text.splitlines()[0].startswith(
        "astra-bot shell — you are @USHELL in #cshell, on the built-in Astra emulator "
        "(orgs sandbox, sandbox-2; `/astra org list`)."
    )
    seen = _answers(text)
    listed = seen["/astra org list"]
    assert f"sandbox (default) · `{emu.config.org_id}`" in listed
    assert f"sandbox-2 · `{emu.org('sandbox-2').config.org_id}`" in listed
    first, second, other = (
        text.split("astra> /astra db list\n")[1],
        seen["/astra db list"],
        seen["/astra db list --org sandbox"],
    )
    assert "orders" in first.split("astra> ")[0] and "events" not in first.split("astra> ")[0]
    assert "sandbox-2" in seen["/astra org use sandbox-2"]
    assert "events" in second and "orders" not in second  # the channel now uses sandbox-2
    assert "orders" in other and "events" not in other  # --org, for one command
    assert "There is no database named or with id `orders`" in seen["/astra db get orders"]
    nope = seen["/astra db list --org sandbox-3"]
    assert "There is no organization `sandbox-3`" in nope and "sandbox-2" in nope
    for org in ORGS:
        assert org_token(org) not in text


# ------------------------------------------------------------ serve --sandbox --orgs


async def test_serve_sandbox_serves_two_emulated_orgs(tmp_path: Path) -> None:
    async with (
        FakeSlack() as slack,
        serve_sandbox(tmp_path, slack, BASE_ENV, "--orgs", "sandbox,sandbox-2") as served,
    ):
        for n, text in enumerate(("org list", "org list --org sandbox-2")):
            resp = await served.command(text, slack.response_url(f"r{n}"))
            assert resp.status_code == 200
            for _ in range(200):
                if len(slack.response_url_posts) > n:
                    break
                await asyncio.sleep(0.05)
    answers = [p.text or "" for p in slack.response_url_posts]
    assert len(answers) == 2, answers
    assert "*sandbox* (default)" in answers[0] and "*sandbox-2*" in answers[0]
    assert answers[1] == answers[0]  # org list is the same whichever org it runs in
    logs = await served.logs()
    assert "emulator, orgs sandbox, sandbox-2" in logs[0], logs[:3]
