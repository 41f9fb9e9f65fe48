"""Structured logs: one JSON object per line, every known secret shape redacted, and the
correlation id of a command on its log lines, in its audit row and in its error ref."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest

from bot.logs import CorrelationFilter, RedactingFormatter, correlation
from tests.conftest import BotHarness

SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543"  # 32 hex, the shape Slack uses

#: Every secret shape the bot can meet: (the secret, how it may reach a log line).
SECRETS: list[tuple[str, str]] = [
    (
        "AstraCS:AbCdEfGhIjKlMnOpQrStUvWx:0123456789abcdef0123456789abcdef0123456789abcdef"
        "0123456789abcdef",
        "astra token: {}",
    ),
    ("xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "bot token {}"),
    ("xoxp-1234567890-1234567890-1234567890123-0123456789abcdef0123456789abcdef", "user token={}"),
    ("xoxa-2-1234567890-abcdefabcdef", "workspace token {}"),
    ("xoxr-1234567890-abcdefabcdef", "refresh {}"),
    ("xoxe.xoxp-1-Mi0yLTEyMzQ1Njc4OTA", "rotated {}"),
    ("xoxe-1-My0xLTEyMzQ1Njc4OTAtMTIzNDU2Nzg5MA", "refresh token {}"),
    ("xapp-1-A0123456789-1234567890123-0123456789abcdef", "app token {}"),
    ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl", "Authorization: Bearer {}"),
    ("dXNlcjpwYXNzd29yZA==", "headers={{'Authorization': 'Basic {}'}}"),
    ("s3cr3t-db-pa55", "DATABASE_URL=postgresql+asyncpg://bot:{}@db.internal:5432/bot"),
    ("hunter2-hunter2", '{{"password": "{}", "user": "bot"}}'),
    ("cs-0123456789abcdef", '{{"clientId": "x", "secret": "{}"}}'),
    ("tok-0123456789abcdef", "{{'token': '{}'}}"),
    ("k3y-0123456789abcdef", "splunk api_key={} index=main"),
    ("pw-0123456789abcdef", "telemetry set --password {} --user bot"),
    (
        "X-Amz-Signature=abcdef0123456789",
        "bundle https://bucket.s3.amazonaws.com/scb.zip?X-Amz-Credential=AKIA&{}",
    ),
    ("X-Goog-Signature=0123456789abcdef", "https://storage.googleapis.com/b/o?{}"),
    ("sig=AbC%2Bdef0123456789", "https://acct.blob.core.windows.net/c/b?sv=2022&{}"),
    ("T0123/1234567890/AbCdEfGhIjKlMnOp", "respond to https://hooks.slack.com/actions/{}"),
    (
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----",
    ),
    (SIGNING_SECRET, "signing secret {}"),  # no shape: redacted as a configured value
]


def _logger(as_json: bool) -> tuple[logging.Logger, io.StringIO, logging.Handler]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter(as_json=as_json, secrets=[SIGNING_SECRET]))
    handler.addFilter(CorrelationFilter())
    log = logging.getLogger(f"test.logs.{as_json}")
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG)
    log.propagate = False
    return log, stream, handler


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text"])
def test_every_known_secret_shape_is_redacted(as_json: bool) -> None:
    log, stream, _ = _logger(as_json)
    for secret, template in SECRETS:
        line = template.format(secret)
        log.info(line)  # in the message
        log.info("value: %s", line)  # in an argument
        log.warning("call", extra={"detail": line, "nested": {"body": [line]}})  # in extras
        try:
            raise ValueError(line)
        except ValueError:
            log.exception("failed")  # in a traceback
    out = stream.getvalue()
    for secret, _ in SECRETS:
        assert secret not in out, f"{secret!r} leaked"
    assert "[redacted]" in out
    lines = out.splitlines() if as_json else []
    for line in lines:  # one JSON object per line: a multi-line traceback stays one event
        json.loads(line)
    if as_json:
        assert len(lines) == 4 * len(SECRETS)


def test_json_lines_stay_valid_json_after_redaction() -> None:
    """Regression: redacting the encoded line cut `"password=[redacted]"}` short."""
    log, stream, _ = _logger(True)
    log.info("password=abc")
    log.info("set key=%s", "v", extra={"token": "t=1"})
    docs = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert docs[0]["msg"] == "password=[redacted]"
    assert docs[1]["msg"] == "set key=[redacted]"
    assert {"ts", "level", "logger", "msg"} <= docs[0].keys()


def test_correlation_id_is_stamped_on_records_of_the_block() -> None:
    log, stream, _ = _logger(True)
    with correlation("7f3a9c0e1b2d"):
        log.info("inside")
    log.info("outside")
    inside, outside = (json.loads(x) for x in stream.getvalue().splitlines())
    assert inside["correlation_id"] == "7f3a9c0e1b2d"
    assert "correlation_id" not in outside


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The root logger, formatted as in production (JSON, redacting, correlation ids)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter(as_json=True))
    handler.addFilter(CorrelationFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


async def test_error_ref_audit_row_and_log_lines_share_the_correlation_id(
    bot: BotHarness, captured: io.StringIO
) -> None:
    bot.emulator.inject_fault(503, count=10, method="GET", path_prefix="/v2/databases")
    await bot.command("db list")
    (post,) = bot.slack.response_url_posts
    shown = json.dumps(post.blocks)
    ref = re.search(r"error ref `([0-9a-f]{12})`", shown)
    assert ref, shown
    cid = ref.group(1)
    (row,) = [r for r in await bot.store.audit_entries(limit=5) if r.correlation_id == cid]
    assert row.decision == "error" and row.command == "/astra db list"
    events = [json.loads(line) for line in captured.getvalue().splitlines()]
    mine = [e for e in events if e.get("correlation_id") == cid]
    # the Astra client's retry lines carry it without being told (contextvar), and so does
    # the service's failure line
    assert any(e["logger"] == "bot.astra" and "retry" in e["msg"] for e in mine), mine
    assert any(e["msg"].startswith("command failed") for e in mine)
    assert all(e.get("correlation_id") in (None, cid) for e in events)


def test_a_tiny_configured_secret_does_not_shred_the_text() -> None:
    from bot.redact import redact

    assert redact("fix the hex value", ["x"]) == "fix the hex value"
    assert redact("token sekretsekret here", ["sekretsekret"]) == "token [redacted] here"
