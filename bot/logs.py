"""Logging: one JSON line per event (or readable lines on a terminal), secrets redacted.

Redaction is by construction: every record's message, extra fields and traceback pass
through :func:`redact` in the formatter, so an Astra token, a Slack token, a password in a
URL, a ``"secret": …`` field or a signed URL that reaches a log call still never reaches
the output. The values of the configured secrets (``setup_logging(secrets=…)``) are also
scrubbed verbatim, whatever their shape (a signing secret has none).

Correlation: :func:`correlation` binds a command's correlation id to the current task
(a ``contextvars`` variable); :class:`CorrelationFilter` stamps it on every record emitted
meanwhile, so each log line of a command carries ``correlation_id`` — the id of its audit
row and of the "error ref" shown to the user.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from bot.intents import redact_text

# uvicorn's color_message repeats msg with terminal escapes
_STD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime",
                                                                    "color_message"}

_CORRELATION: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "astra_bot_correlation_id", default=None)

_SECRET_WORD = r"[\w-]*(?:token|secret|password|passwd|api_?key|credential|private_?key" \
               r"|authorization|signature)[\w-]*"
_Repl = str | Callable[[re.Match[str]], str]
_PATTERNS: tuple[tuple[re.Pattern[str], _Repl], ...] = (
    # PEM private keys (telemetry / KMS configuration)
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----",
                re.S), "[redacted private key]"),
    # Authorization header values
    (re.compile(r"(authorization[\"']?\s*[:=]\s*[\"']?)(?:(bearer|basic|token)\s+)?[^\s\"',};]+",
                re.I), lambda m: f"{m[1]}{m[2] + ' ' if m[2] else ''}[redacted]"),
    (re.compile(r"\b(Bearer|Basic)\s+(?=\S*[0-9=+/:])[A-Za-z0-9._~+/=:-]{6,}", re.I),
     r"\1 [redacted]"),
    # every Slack token family (xoxb, xoxp, xoxa, xoxr, xoxe refresh tokens, xapp)
    (re.compile(r"\bxox[a-z](?:\.xox[a-z])?-[A-Za-z0-9-]+"), "xox?-[redacted]"),
    (re.compile(r"\bxapp-[A-Za-z0-9-]+"), "xapp-[redacted]"),
    # Slack incoming webhooks and response_urls: whoever holds one can post
    (re.compile(r"https://hooks\.slack\.com/\S+"), "[slack-hook-url]"),
    # user:password@ in URLs (DATABASE_URL)
    (re.compile(r"\b([a-z][a-z0-9+.-]*://[^:/\s@]+):[^@\s/]+@", re.I), r"\1:[redacted]@"),
    # "secret": "…" / 'token': '…' in JSON or Python reprs
    (re.compile(r"([\"'])(" + _SECRET_WORD + r")\1(\s*[:=]\s*)(\"(?:[^\"\\]|\\.)*\"|'[^']*')",
                re.I), lambda m: f"{m[1]}{m[2]}{m[1]}{m[3]}{m[4][0]}[redacted]{m[4][0]}"),
)


MIN_SECRET_LEN = 8


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret we know the shape (or the value) of replaced."""
    for s in secrets:
        # a configured value shorter than this is no real token (and scrubbing it would
        # shred every word it occurs in); the shape patterns below still apply
        if len(s) >= MIN_SECRET_LEN:
            text = text.replace(s, "[redacted]")
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return redact_text(text)


def _clean(value: Any, secrets: tuple[str, ...]) -> Any:
    """A JSON-able copy of ``value`` with every string redacted."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {redact(str(k), secrets): _clean(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean(v, secrets) for v in value]
    return redact(value if isinstance(value, str) else str(value), secrets)


# ---------------------------------------------------------------------------- correlation


@contextlib.contextmanager
def correlation(correlation_id: str | None) -> Iterator[None]:
    """Within this block (this task and the tasks it starts), log records carry
    ``correlation_id``."""
    token = _CORRELATION.set(correlation_id)
    try:
        yield
    finally:
        _CORRELATION.reset(token)


def current_correlation_id() -> str | None:
    return _CORRELATION.get()


class CorrelationFilter(logging.Filter):
    """Stamps the current correlation id on a record (at emit time, in the caller's task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        cid = _CORRELATION.get()
        if cid and not getattr(record, "correlation_id", None):
            record.correlation_id = cid
        return True


# ---------------------------------------------------------------------------- formatter


class RedactingFormatter(logging.Formatter):
    def __init__(self, *, as_json: bool, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.as_json = as_json
        # Short values would scrub ordinary words; real secrets are long.
        self.secrets = tuple(sorted({s for s in secrets if s and len(s) >= 8}, key=len,
                                    reverse=True))

    def format(self, record: logging.LogRecord) -> str:
        message = redact(record.getMessage(), self.secrets)
        extra = {k: v for k, v in vars(record).items() if k not in _STD}
        if "correlation_id" not in extra and (cid := _CORRELATION.get()):
            extra["correlation_id"] = cid
        if record.exc_info:
            extra["exc"] = self.formatException(record.exc_info)
        if self.as_json:
            doc: dict[str, Any] = {
                "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
                + f".{int(record.msecs):03d}Z",
                "level": record.levelname.lower(),
                "logger": record.name,
                "msg": message,
            }
            for k, v in extra.items():
                doc.setdefault(k, _clean(v, self.secrets))
            # Every value is redacted above: no pass over the encoded line, which could
            # cut a JSON string in half.
            return json.dumps(doc, ensure_ascii=False)
        tail = " ".join(f"{k}={_clean(v, self.secrets)}" for k, v in extra.items())
        line = f"{time.strftime('%H:%M:%S', time.localtime(record.created))} " \
               f"{record.levelname:<7} {record.name}: {message}" + (f" {tail}" if tail else "")
        return redact(line, self.secrets)


def setup_logging(fmt: str = "auto", *, quiet: bool = False,
                  secrets: Iterable[str] = (), path: str | None = None) -> None:
    """Records go to stderr (JSON unless it is a terminal), or to the file ``path`` (text
    unless JSON is asked; created at the first record, so a quiet run leaves no file)."""
    handler: logging.Handler
    if path is not None:
        as_json = fmt == "json"
        handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    else:
        as_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(as_json=as_json, secrets=secrets))
    handler.addFilter(CorrelationFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING if quiet else logging.INFO)
    # alembic's INFO lines come with every readiness probe (it reads the revision)
    for noisy in ("httpx", "httpcore", "aiosqlite", "slack_bolt", "slack_sdk",
                  "alembic.runtime.migration", "alembic.runtime.plugins"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # slack_sdk logs the bodies it posts to response_urls at DEBUG, and those carry the
    # private answers (a token secret shown once): never let them through.
    handler.addFilter(_drop_slack_bodies)


def _drop_slack_bodies(record: logging.LogRecord) -> bool:
    return not (record.name.startswith("slack_sdk") and record.levelno < logging.WARNING)
