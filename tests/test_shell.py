"""The shell renders what Slack would show: forms as prompts, buttons as numbered choices,
pages, the Home tab. Run in-process on the built-in emulator (fast transitions)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.shell import run_shell


async def _shell(tmp_path: Path, script: str, *, wait: bool = True, **env: str) -> str:
    settings = Settings.model_validate({
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/shell.db",
        "ASTRA_BOT_EMULATOR_SPEED": "50", **env})
    out = io.StringIO()
    code = await run_shell(settings, stdin=io.StringIO(script), out=out, interactive=False,
                           wait=wait)
    assert code == 0
    return out.getvalue()


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("ASTRA_DB_APPLICATION_TOKEN", "DATABASE_URL"):
        monkeypatch.delenv(var, raising=False)


async def test_create_form_as_prompts(tmp_path: Path) -> None:
    text = await _shell(tmp_path, "/astra db create\nmydb\n2\n\n\n2\n\n",
                        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/s.db")
    assert "── Create a database ──" in text
    assert "Cloud [gcp]>" in text and "[2] AWS" in text
    assert "us-east-1" in text  # the regions followed the cloud
    assert "mydb is ACTIVE" in text and "aws /" in text


async def test_form_errors_are_asked_again(tmp_path: Path) -> None:
    text = await _shell(tmp_path, "db create\nbad name!\n\n\n\n\n\nfixed\n\n\n\n\n\n")
    assert "name: " in text and "not a valid database name" in text
    assert "fixed is ACTIVE" in text


async def test_buttons_pages_and_home(tmp_path: Path) -> None:
    script = "".join(f"db create db{i:02d}\n" for i in range(22)) + \
        "db list\n1\nhome\ndb get db00\n1\n"
    text = await _shell(tmp_path, script, wait=False)  # no need to wait for ACTIVE here
    assert "page 1 of 2" in text and "[1] Next ▶" in text
    assert "(only you) ↻ 22 databases · page 2 of 2" in text
    assert "(home) == astra-bot ==" in text and "Databases (22)" in text
    assert "[1] Watch" in text and "is watching" in text


# ---------------------------------------------------------------------------- text rendering


def _section(text: str) -> dict[str, object]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def test_text_keeps_stars_inside_code_spans() -> None:
    from bot.render import Message, to_text

    text, _ = to_text(Message(text="x", blocks=(
        _section("Role *dba*: `db.*` `keyspace.*`"),
        _section("*2 databases* named `ord*`, *by* <@U0DEV> in <#C0OPS>"),
    )))
    assert text.splitlines() == [
        "Role dba: `db.*` `keyspace.*`",
        "2 databases named `ord*`, by @U0DEV in #c0ops",
    ]


def test_text_shows_escaped_characters_as_slack_does() -> None:
    from bot.render import Message, to_text

    text, _ = to_text(Message(text="x", blocks=(_section("a &lt;b&gt; &amp; c"),)))
    assert text == "a <b> & c"
    # a message without blocks is rendered the same way
    assert to_text(Message(text="*x* `y*`"))[0] == "x `y*`"


async def test_stars_in_commands_survive(tmp_path: Path) -> None:
    text = await _shell(tmp_path, "perm role create dba db.* keyspace.*\n"
                                  "db create orders\ndb list --name 'ord*'\n")
    assert "(only you) Custom role dba: `db.*` `keyspace.*`.\n" in text
    assert "(only you) 1 database (name `ord*`)\n" in text

