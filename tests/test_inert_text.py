"""Foreign text is inert (DESIGN §3), held by construction: the one escape, the only builders
of mentions and links, and the rules that keep anything else from making mrkdwn.

The end-to-end check (every command, hostile names and typed text, every message reaching
the fake Slack) is in tests/test_every_command_http.py."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot import render
from bot.errors import NotFound
from bot.render.mrkdwn import Mrkdwn, channel, escape, join, link, md, unescape, user, usergroup

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = "<!channel> <https://evil.example|click me> <@U123> & co"


def test_escape_turns_the_three_control_characters_into_entities() -> None:
    assert escape(HOSTILE) == (
        "&lt;!channel&gt; &lt;https://evil.example|click me&gt; &lt;@U123&gt; &amp; co"
    )
    assert escape(escape(HOSTILE)) == escape(HOSTILE)  # a Mrkdwn is not escaped twice
    assert unescape(escape(HOSTILE)) == HOSTILE


def test_md_escapes_every_value_and_keeps_the_bots_own() -> None:
    text = md("{} renamed *{}*", user("U1AB"), HOSTILE)
    assert (
        text == "<@U1AB> renamed *&lt;!channel&gt; &lt;https://evil.example|click me&gt; "
        "&lt;@U123&gt; &amp; co*"
    )
    assert isinstance(text, Mrkdwn)
    # adding or joining plain text to Mrkdwn escapes the plain side and keeps the type
    assert isinstance(text + "<!here>", Mrkdwn) and (text + "<!here>").endswith("&lt;!here&gt;")
    assert ("<!here>" + user("U1AB")) == "&lt;!here&gt;<@U1AB>"
    assert join(", ", [user("U1AB"), "<!here>"]) == "<@U1AB>, &lt;!here&gt;"


def test_mentions_are_built_only_from_slack_ids() -> None:
    assert user("U1AB") == "<@U1AB>" and channel("C9AB") == "<#C9AB>"
    assert usergroup("S1AB") == "<!subteam^S1AB>"
    # what is not an ID stays text: it cannot close the brackets and open a mention
    assert user("U1> <!channel") == "U1&gt; &lt;!channel"
    assert channel("general") == "general"


def test_a_link_cannot_end_early_and_only_https_is_linked() -> None:
    url = "https://bucket.example/secure-connect-<!channel>|x>.zip?a=1&b=2"
    made = link(url, "Download <!channel>")
    assert made.startswith("<https://bucket.example/secure-connect-%3C!channel%3E%7Cx%3E.zip")
    assert made.count("<") == 1 and made.count(">") == 1 and made.count("|") == 1
    assert made.endswith("|Download &lt;!channel&gt;>")
    assert "<" not in link("javascript:alert(1)", "x")


def test_renderers_treat_plain_strings_as_foreign() -> None:
    for message in (
        render.plain(HOSTILE),
        render.bullet_list(HOSTILE, [HOSTILE]),
        render.key_values(HOSTILE, [(HOSTILE, HOSTILE)]),
        render.error(NotFound(HOSTILE, hint=HOSTILE)),
        render.denied(HOSTILE),
        render.status_change(HOSTILE, HOSTILE, None, "X"),
    ):
        for text in (message.text, str(message.blocks)):
            assert "<!channel>" not in text and "<@U123>" not in text


# ---------------------------------------------------------------------------- structure


def _calls(name: str) -> list[tuple[Path, ast.Call]]:
    found = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                f = node.func
                called = (
                    f.id
                    if isinstance(f, ast.Name)
                    else f.attr
                    if isinstance(f, ast.Attribute)
                    else None
                )
                if called == name:
                    found.append((path.relative_to(ROOT), node))
    return found


RENDER = "bot/render/"  # any module of the renderer


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("Mrkdwn", {"bot/render/mrkdwn.py"}),  # only the escape and the builders make it
        ("ours", {RENDER}),  # the renderer's own stored notices
        # the shell prints a view, locally; redaction masks secrets in a rendered message
        ("Message", {RENDER, "bot/cli/shell/session.py", "bot/ports.py"}),
    ],
)
def test_only_the_renderer_makes_mrkdwn_or_messages(name: str, allowed: set[str]) -> None:
    found = {str(p) for p, _ in _calls(name)}
    assert found
    assert {RENDER if p.startswith(RENDER) and RENDER in allowed else p for p in found} <= allowed


def test_every_md_template_is_a_literal_without_angle_brackets() -> None:
    """A template is the bot's own text: an f-string would slip foreign text past the
    escape, and a `<` would be a mention or a link not built by the builders."""
    calls = _calls("md")
    assert len(calls) > 50
    for path, call in calls:
        first = call.args[0] if call.args else None
        where = f"{path}:{call.lineno}"
        assert isinstance(first, ast.Constant) and isinstance(first.value, str), where
        assert "<" not in first.value and ">" not in first.value, where
