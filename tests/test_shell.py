"""The shell renders what Slack would show: forms as prompts, buttons as numbered choices,
pages, the Home tab. Run in-process on the built-in emulator (fast transitions)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli.shell import run_shell
from bot.settings import Settings


async def _shell(tmp_path: Path, script: str, *, wait: bool = True, **env: str) -> str:
    settings = Settings.model_validate(
        {
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/shell.db",
            "ASTRA_BOT_EMULATOR_SPEED": "50",
            **env,
        }
    )
    out = io.StringIO()
    code = await run_shell(
        settings, stdin=io.StringIO(script), out=out, interactive=False, wait=wait
    )
    assert code == 0
    return out.getvalue()


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("ASTRA_DB_APPLICATION_TOKEN", "DATABASE_URL"):
        monkeypatch.delenv(var, raising=False)


async def test_create_form_as_prompts(tmp_path: Path) -> None:
    text = await _shell(
        tmp_path,
        "/astra db create\nmydb\n2\n\n\n2\n\n",
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/s.db",
    )
    assert "── Create a database ──" in text
    assert "Cloud [gcp]>" in text and "[2] AWS" in text
    assert "us-east-1" in text  # the regions followed the cloud
    assert "mydb is ACTIVE" in text and "aws /" in text


async def test_form_errors_are_asked_again(tmp_path: Path) -> None:
    text = await _shell(tmp_path, "db create\nbad name!\n\n\n\n\n\nfixed\n\n\n\n\n\n")
    assert "name: " in text and "not a valid database name" in text
    assert "fixed is ACTIVE" in text


async def test_buttons_pages_and_home(tmp_path: Path) -> None:
    script = (
        "".join(f"db create db{i:02d}\n" for i in range(22)) + "db list\n1\nhome\ndb get db00\n1\n"
    )
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

    text, _ = to_text(
        Message(
            text="x",
            blocks=(
                _section("Role *dba*: `db.*` `keyspace.*`"),
                _section("*2 databases* named `ord*`, *by* <@U0DEV> in <#C0OPS>"),
                _section(":lock: `/astra perm unguard <#C0OPS>` (not `:lock:`)"),
            ),
        )
    )
    assert text.splitlines() == [
        "Role dba: `db.*` `keyspace.*`",
        "2 databases named `ord*`, by @U0DEV in #c0ops",
        "🔒 `/astra perm unguard #c0ops` (not `:lock:`)",
    ]


def test_text_shows_escaped_characters_as_slack_does() -> None:
    from bot.render import Message, to_text

    text, _ = to_text(Message(text="x", blocks=(_section("a &lt;b&gt; &amp; c"),)))
    assert text == "a <b> & c"
    # a message without blocks is rendered the same way
    assert to_text(Message(text="*x* `y*`"))[0] == "x `y*`"


async def test_stars_in_commands_survive(tmp_path: Path) -> None:
    text = await _shell(
        tmp_path, "perm role create dba db.* keyspace.*\ndb create orders\ndb list --name 'ord*'\n"
    )
    assert "(only you) Custom role dba: `db.*` `keyspace.*`.\n" in text
    assert "(only you) 1 database (name `ord*`)\n" in text


# ---------------------------------------------------------------------------- the shell's own


def test_typed_mentions_are_sent_escaped() -> None:
    from bot.cli.shell import compose

    assert compose("perm grant @U0DEV viewer") == "perm grant <@U0DEV> viewer"
    assert compose("perm guard #C0OPS viewer") == "perm guard <#C0OPS> viewer"
    assert compose("perm guard #cshell viewer") == "perm guard <#CSHELL> viewer"
    assert compose("perm grant @S0ENG viewer") == "perm grant <!subteam^S0ENG> viewer"
    # already escaped, a display name, an e-mail address, a name with a dash: left alone
    for kept in (
        "perm grant <@U0DEV|dev> viewer",
        "perm grant @ana viewer",
        "user invite a@USHELL.io --role x",
        "perm guard #dev-team viewer",
    ):
        assert compose(kept) == kept


async def test_typed_mentions_reach_the_service(tmp_path: Path) -> None:
    text = await _shell(tmp_path, "perm grant @U0DEV viewer\nperm list\n")
    assert "granted viewer to @U0DEV" in text
    assert "Mention them" not in text


async def test_as_and_in_switch_person_and_channel(tmp_path: Path) -> None:
    text = await _shell(
        tmp_path,
        "\n".join(
            [
                ":as U0BOB",
                "db list",
                ":as @USHELL",
                "perm grant @U0BOB viewer",
                ":in #c0ops",
                ":as <@U0BOB|bob>",
                "db list",
                ":as",
                ":in C0OPS",
                ":as bob",
                ":in ops",
            ]
        )
        + "\n",
    )
    assert "You are @U0BOB now, in #cshell.\nastra @U0BOB #cshell> db list\n" in text
    assert "You are not allowed to run `/astra db list`" in text
    assert "astra> perm grant @U0BOB viewer\n(only you) 🔑 @USHELL granted viewer" in text
    assert "You are in #c0ops now, as @USHELL." in text
    assert "astra @U0BOB #c0ops> db list\n(only you) No databases" in text
    assert "astra @U0BOB #c0ops> :as\nYou are @U0BOB now, in #c0ops." in text
    assert "`bob` is not a Slack user id" in text and "`ops` is not a Slack channel id" in text


async def test_shell_commands_help_and_unknown(tmp_path: Path) -> None:
    text = await _shell(tmp_path, ":help\n:cancle\n:x\n:cancel\n")
    for word in (":as <user>", ":in <channel>", ":cancel", ":help"):
        assert word in text
    assert (
        "`:cancle` is not a shell command (they are :as, :in, :cancel, :help). "
        "Did you mean `:cancel`?" in text
    )
    assert "`:x` is not a shell command" in text
    assert "There is no form to leave." in text


async def test_a_form_can_be_left(tmp_path: Path) -> None:
    text = await _shell(tmp_path, "db create\norders\n:cancel\ndb list\ndb create\n")
    assert (
        "Cloud [gcp]> :cancel\n(only you) Left the form “Create a database”: "
        "nothing was done.\nastra> db list\n(only you) No databases" in text
    )
    # the input ends in a form: it is left too
    assert text.rstrip().endswith("nothing was done.")


async def test_the_end_of_input_says_what_is_still_running(tmp_path: Path) -> None:
    text = await _shell(tmp_path, "db create orders\n", wait=False)
    assert "Still running:\n  … Creating orders — PENDING" in text
    assert "The input ended" in text


async def test_a_token_that_is_not_an_astra_token_is_refused(tmp_path: Path) -> None:
    from bot.errors import ConfigError

    with pytest.raises(ConfigError, match="ASTRA_DB_APPLICATION_TOKEN should start with"):
        await _shell(tmp_path, "db list\n", ASTRA_DB_APPLICATION_TOKEN="xoxb-123")


async def test_the_form_refuses_capacity_units_out_of_range_and_asks_again(tmp_path: Path) -> None:
    # name, cloud, region, keyspace, type, capacity units: -3 is refused with the range
    # (the parser's own check), asked again, and 2 is taken
    text = await _shell(tmp_path, "db create\nmydb\n\n\n\n\n-3\n2\n")
    assert "capacity_units: `-3` is not between 1 and 100." in text
    assert "mydb is ACTIVE" in text


async def test_typed_capacity_units_out_of_range_get_the_range(tmp_path: Path) -> None:
    text = await _shell(
        tmp_path,
        "db create x --capacity-units -3\n"
        "db create y --capacity-units 101\ndb create z --capacity-units 0\n"
        "db list\n",
    )
    assert text.count("is not between 1 and 100") == 3
    assert "No databases" in text  # none was created, not even a 1-unit one for `0`


async def test_perm_list_says_truthfully_why_the_shell_user_is_admin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ASTRA_BOT_ADMINS", raising=False)
    text = await _shell(tmp_path, "perm list\n")
    assert "@USHELL → admin (the shell's local admin)" in text
    assert "ASTRA_BOT_ADMINS" not in text
    text = await _shell(tmp_path, "perm list\n", ASTRA_BOT_ADMINS="USHELL,U0BOSS")
    assert "@USHELL → admin (ASTRA_BOT_ADMINS)" in text
    assert "@U0BOSS → admin (ASTRA_BOT_ADMINS)" in text
