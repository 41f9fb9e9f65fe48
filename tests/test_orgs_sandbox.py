"""Several emulated orgs without an Astra account: `astra-bot shell --orgs sandbox,sandbox-2`
and `astra-bot serve --sandbox --orgs …` (real processes). The names follow ASTRA_BOT_ORGS's
rule and a wrong one is refused before anything starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.astra.emulator import org_token
from tests.test_cli import run


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
