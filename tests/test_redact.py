"""One redaction of secrets (bot/redact.py), for every sink: logs, audit rows, error messages
to the requester, channel posts.

A property test: for every configured secret (an Astra token, a Slack token, a signing
secret, a password of any text) and every encoding an API or a log may give it (as is,
percent-encoded once or twice in either hex case, JSON- or Python-escaped, HTML-escaped), the
output never holds the secret nor its distinctive parts (an Astra token's ``<id>:<secret>``
and 64-hex secret; a Slack token without its prefix and its random tail). Then the same
through signed requests: an Astra error echoing the bot's token in these forms reaches the
requester, the channel (a confirmed delete's failure) and the audit table redacted.
"""

from __future__ import annotations

import html
import io
import json
import logging
import string
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.astra.emulator import AstraEmulator
from bot.logs import RedactingFormatter
from bot.redact import MASK, REDACTED, Redactor, is_secret_name, mask_settings, secret_forms
from bot.render import ACTION_CONFIRM
from bot.store.models import AuditEntry
from tests.conftest import ADMIN, BotHarness, FakeClock, bot_harness
from tests.fakes.slack_api import FakeSlack

ASTRA = "AstraCS:ZVcjZBzUrmfCwkxWGgeWmCMx:" + "8f3a9c0e1b2d4f6a" * 4
SLACK = "xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
APP = "xapp-1-A0123456789-1234567890123-" + "0123456789abcdef" * 4
SIGNING = "8f14e45fceea167a5a36dedd4bea2543"

ENCODINGS: dict[str, Callable[[str], str]] = {
    "plain": lambda s: s,
    "url": lambda s: quote(s, safe=""),
    "url-path": quote,
    "url-lower": lambda s: "".join(c if c.isalnum() else quote(c, safe="").lower() for c in s),
    "form": quote_plus,
    "url-twice": lambda s: quote(quote(s, safe=""), safe=""),
    "json": lambda s: json.dumps(s)[1:-1],
    "json-quoted": json.dumps,
    "json-unicode": lambda s: "".join(f"\\u{ord(c):04x}" for c in s),
    "json-colon": lambda s: s.replace(":", "\\u003a"),
    "python-repr": repr,
    "html": html.escape,
    "json-of-url": lambda s: json.dumps(quote(s, safe="")),
}


def forms_of(secret: str) -> list[str]:
    return secret_forms(secret)


def leaks(out: str, secret: str) -> list[str]:
    """Every distinctive part of ``secret``, in any of the encodings, found in ``out``."""
    found = []
    for form in forms_of(secret):
        for name, encode in ENCODINGS.items():
            if encode(form) in out:
                found.append(f"{name}:{form}")
    return found


def test_the_distinctive_parts_of_each_token_shape() -> None:
    assert forms_of(ASTRA) == [ASTRA, ASTRA.removeprefix("AstraCS:"), ASTRA.rsplit(":", 1)[1]]
    assert forms_of(SLACK) == [SLACK, SLACK.removeprefix("xoxb-"), "AbCdEfGhIjKlMnOpQrStUvWx"]
    assert forms_of(APP) == [APP, APP.removeprefix("xapp-"), "0123456789abcdef" * 4]
    assert forms_of(SIGNING) == [SIGNING]
    assert forms_of("short") == []  # no real secret: it would shred ordinary words


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
@pytest.mark.parametrize(
    "secret",
    [ASTRA, SLACK, APP, SIGNING, "p@ss w0rd/&<x>'\"\\%"],
    ids=["astra", "slack", "app", "signing", "password"],
)
def test_configured_secrets_in_every_encoding(secret: str, encoding: str) -> None:
    redactor = Redactor([ASTRA, SLACK, APP, SIGNING, "p@ss w0rd/&<x>'\"\\%"])
    for form in forms_of(secret):
        text = f"Astra said: bad credentials {ENCODINGS[encoding](form)} for org o."
        out = redactor.text(text)
        assert leaks(out, secret) == [], (text, out)
        assert REDACTED in out
        assert redactor.secrets_only(text).count(REDACTED) >= 1


_TOKEN_CHARS = string.ascii_letters + string.digits


@st.composite
def astra_tokens(draw: st.DrawFn) -> str:
    client = draw(st.text(alphabet=string.ascii_letters, min_size=20, max_size=28))
    secret = draw(st.text(alphabet="0123456789abcdef", min_size=64, max_size=64))
    return f"AstraCS:{client}:{secret}"


@st.composite
def slack_tokens(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(["xoxb", "xoxp", "xapp-1"]))
    ids = draw(
        st.lists(st.text(alphabet=string.digits, min_size=10, max_size=13), min_size=1, max_size=3)
    )
    tail = draw(st.text(alphabet=_TOKEN_CHARS, min_size=24, max_size=64))
    return "-".join([prefix, *ids, tail])


SECRETS = st.one_of(
    astra_tokens(),
    slack_tokens(),
    st.text(alphabet="0123456789abcdef", min_size=32, max_size=32),  # a signing secret
    st.text(alphabet=string.printable.strip(), min_size=8, max_size=40),  # a password
)
AROUND = st.text(alphabet=string.printable, max_size=40)


@settings(max_examples=300, deadline=None)
@given(
    secret=SECRETS,
    encoding=st.sampled_from(sorted(ENCODINGS)),
    part=st.integers(min_value=0, max_value=2),
    before=AROUND,
    after=AROUND,
)
def test_no_encoding_of_a_configured_secret_survives(
    secret: str, encoding: str, part: int, before: str, after: str
) -> None:
    forms = forms_of(secret)
    form = forms[min(part, len(forms) - 1)]
    text = before + ENCODINGS[encoding](form) + after
    redactor = Redactor([secret])
    for out in (
        redactor.text(text),
        redactor.secrets_only(text),
        json.dumps(redactor.data({"k": [text]})),
    ):
        assert leaks(out, secret) == [], (text, out)


@settings(max_examples=200, deadline=None)
@given(
    token=st.one_of(astra_tokens(), slack_tokens()),
    encoding=st.sampled_from(
        ["plain", "url", "url-twice", "json", "json-colon", "form", "python-repr", "html"]
    ),
    before=st.sampled_from(["", "token ", "x=", "(", "\n"]),
)
def test_token_shapes_are_redacted_even_when_not_configured(
    token: str, encoding: str, before: str
) -> None:
    out = Redactor().text(f"{before}{ENCODINGS[encoding](token)} was refused")
    assert leaks(out, token) == [], out


def test_named_values_and_signed_urls() -> None:
    red = Redactor().text
    assert (
        red("api_key=abc123 site=us5 --password 'p w' keyspace=shop --keyspace ks")
        == "api_key=[redacted] site=us5 --password [redacted] keyspace=shop --keyspace ks"
    )
    assert red("auth_strategy=bearer token=…") == "auth_strategy=bearer token=…"
    assert (
        red('{"clientSecret": "s3cr3t", "apiKey": "k"}')
        == '{"clientSecret": "[redacted]", "apiKey": "[redacted]"}'
    )
    assert (
        red("get https://b.s3.amazonaws.com/scb.zip?X-Amz-Signature=ff&X-Amz-Credential=A")
        == "get [signed-url]"
    )
    assert "ff00" not in red("X-Amz-Signature%3Dff00aa&x=1")
    assert is_secret_name("sasl_password") and is_secret_name("X-Amz-Signature")
    assert not is_secret_name("keyspace") and not is_secret_name("auth_strategy")


def test_redaction_of_command_text() -> None:
    """Moved from test_intents (the parser no longer redacts; this module does)."""
    text = (
        "telemetry metrics set orders Datadog api_key=abc123 site=us5 password='p w' "
        "AstraCS:abc:def xoxb-1-2 https://s3.example/x?X-Amz-Signature=zz --token=sek"
    )
    red = Redactor().text(text)
    for secret in ("abc123", "p w", "AstraCS:abc", "xoxb-1-2", "X-Amz-Signature", "sek"):
        assert secret not in red
    assert "site=us5" in red


def test_settings_shown_to_people_are_masked() -> None:
    shown = mask_settings(
        {
            "Datadog": {"api_key": "k-123", "site": "us5"},
            "endpoint": "https://u:hunter2@prom.example.com/w",
            "token": "",
            "brokers": ["a:9092"],
        }
    )
    assert shown == {
        "Datadog": {"api_key": MASK, "site": "us5"},
        "endpoint": "https://u:****@prom.example.com/w",
        "token": "",
        "brokers": ["a:9092"],
    }


def test_log_lines_are_redacted_of_every_encoding() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter(as_json=True, secrets=[ASTRA, SIGNING]))
    log = logging.getLogger("test.redact.logs")
    log.handlers[:] = [handler]
    log.propagate = False
    for encode in ENCODINGS.values():
        for form in forms_of(ASTRA) + forms_of(SIGNING):
            log.warning("astra said %s", encode(form), extra={"body": {"m": encode(form)}})
    out = stream.getvalue()
    assert leaks(out, ASTRA) == [] and leaks(out, SIGNING) == []


# ---------------------------------------------------------------------------- end to end

ECHOES = {
    "no-prefix": ASTRA.removeprefix("AstraCS:"),
    "hex-alone": ASTRA.rsplit(":", 1)[1],
    "url-encoded": quote(ASTRA, safe=""),
    "json-escaped": json.dumps(ASTRA.replace(":", "\\u003a"))[1:-1],
    "quoted": json.dumps(ASTRA),
}


@pytest.fixture
async def token_bot(
    tmp_path: Path, slack: FakeSlack, emulator: AstraEmulator, clock: FakeClock
) -> AsyncIterator[BotHarness]:
    emulator.config.tokens.add(ASTRA)
    async with bot_harness(
        tmp_path, slack, emulator, clock, ASTRA_DB_APPLICATION_TOKEN=ASTRA
    ) as harness:
        yield harness


async def _everything_shown_and_stored(bot: BotHarness, *, private: bool = True) -> str:
    shown = [json.dumps(c.params, ensure_ascii=False) for c in bot.slack.calls()]
    if private:
        shown += [
            json.dumps({"text": p.text, "blocks": p.blocks}, ensure_ascii=False)
            for p in bot.slack.response_url_posts
        ]
    for row in await bot.store.audit_entries(limit=50):
        shown += [str(getattr(row, c.key)) for c in AuditEntry.__table__.columns]
    return "\n".join(shown)


@pytest.mark.parametrize("echo", sorted(ECHOES))
async def test_an_astra_error_echoing_the_token_is_redacted_everywhere(
    token_bot: BotHarness, echo: str
) -> None:
    bot = token_bot
    db_id = bot.emulator.add_database("orders")
    said = f"token {ECHOES[echo]} is not allowed to do this"
    # the requester: a read refused
    bot.emulator.inject_fault(400, message=said, method="GET", path_prefix="/v2/databases")
    await bot.command("db list")
    assert "not allowed" in bot.private_texts()[-1]
    # the channel: a confirmed delete that Astra refuses
    await bot.command("db delete orders")
    post = bot.channel_posts()[-1]
    conf = next(
        e["value"]
        for b in post["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == ACTION_CONFIRM
    )
    bot.emulator.inject_fault(
        400, message=said, method="POST", path_prefix=f"/v2/databases/{db_id}/terminate"
    )
    await bot.click(ACTION_CONFIRM, conf)
    assert any("not allowed" in str(p.get("text")) for p in bot.channel_posts())
    everything = await _everything_shown_and_stored(bot)
    assert leaks(everything, ASTRA) == []
    assert REDACTED in everything


async def test_a_hostile_name_carrying_the_token_is_redacted_in_channel_posts(
    token_bot: BotHarness,
) -> None:
    """Not only Astra's error text: every message the bot posts passes the redaction."""
    bot = token_bot
    bot.emulator.add_database(f"db-{ASTRA.rsplit(':', 1)[1]}")
    await bot.command("db list")
    await bot.command("watch all")
    await bot.tick()
    everything = await _everything_shown_and_stored(bot)
    everything += json.dumps(await bot.components.service.home(ADMIN))  # the Home tab
    assert leaks(everything, ASTRA) == []


async def test_the_secret_shown_once_is_not_redacted(token_bot: BotHarness) -> None:
    """A new token is shown to its requester (its shape would be redacted anywhere else)."""
    await token_bot.command('token create --role "Read Only User"')
    (shown,) = [
        t
        for t in (json.dumps(p.blocks) for p in token_bot.slack.response_url_posts)
        if "AstraCS:" in t
    ]
    assert REDACTED not in shown
    new = "AstraCS:" + shown.split("AstraCS:", 1)[1].split("`", 1)[0]
    assert len(forms_of(new)) == 3
    elsewhere = await _everything_shown_and_stored(token_bot, private=False)
    assert leaks(elsewhere, new) == []
