"""Logging: one JSON line per event (or readable lines on a terminal), secrets redacted.

Redaction is by construction: every record's message, extra fields and traceback pass
through the one redaction (:class:`bot.redact.Redactor`) in the formatter, so an Astra token,
a Slack token, a password in a URL, a ``"secret": …`` field or a signed URL that reaches a
log call still never reaches the output. The configured secrets
(``setup_logging(secrets=…)``) are also matched by value, in any encoding, whatever their
shape (a signing secret has none).

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
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any

from bot.redact import Redactor

# uvicorn's color_message repeats msg with terminal escapes
_STD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "color_message",
}

_CORRELATION: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "astra_bot_correlation_id", default=None
)


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
        self.redactor = Redactor(secrets)

    def format(self, record: logging.LogRecord) -> str:
        message = self.redactor.text(record.getMessage())
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
                doc.setdefault(k, self.redactor.data(v))
            # Every value is redacted above: no pass over the encoded line, which could
            # cut a JSON string in half.
            return json.dumps(doc, ensure_ascii=False)
        tail = " ".join(f"{k}={self.redactor.data(v)}" for k, v in extra.items())
        line = (
            f"{time.strftime('%H:%M:%S', time.localtime(record.created))} "
            f"{record.levelname:<7} {record.name}: {message}" + (f" {tail}" if tail else "")
        )
        return self.redactor.text(line)


def setup_logging(
    fmt: str = "auto", *, quiet: bool = False, secrets: Iterable[str] = (), path: str | None = None
) -> None:
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
    for noisy in (
        "httpx",
        "httpcore",
        "aiosqlite",
        "slack_bolt",
        "slack_sdk",
        "alembic.runtime.migration",
        "alembic.runtime.plugins",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # slack_sdk logs the bodies it posts to response_urls at DEBUG, and those carry the
    # private answers (a token secret shown once): never let them through.
    handler.addFilter(_drop_slack_bodies)


def _drop_slack_bodies(record: logging.LogRecord) -> bool:
    return not (record.name.startswith("slack_sdk") and record.levelno < logging.WARNING)
