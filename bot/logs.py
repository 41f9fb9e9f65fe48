"""Logging: one JSON line per event (or readable lines on a terminal), secrets redacted.

Redaction is by construction: every record's message and extra fields pass through
:func:`bot.intents.redact_text` in the formatter, so an Astra token, a Slack token or a
signed URL that reaches a log call still never reaches the output.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from bot.intents import redact_text

_STD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class RedactingFormatter(logging.Formatter):
    def __init__(self, *, as_json: bool) -> None:
        super().__init__()
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        message = redact_text(record.getMessage())
        extra = {k: v for k, v in vars(record).items() if k not in _STD}
        if record.exc_info:
            extra["exc"] = redact_text(self.formatException(record.exc_info))
        if self.as_json:
            doc: dict[str, Any] = {
                "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
                + f".{int(record.msecs):03d}Z",
                "level": record.levelname.lower(),
                "logger": record.name,
                "msg": message,
            }
            for k, v in extra.items():
                doc[k] = redact_text(v) if isinstance(v, str) else v
            return redact_text(json.dumps(doc, default=str))
        tail = " ".join(f"{k}={v}" for k, v in extra.items())
        line = f"{time.strftime('%H:%M:%S', time.localtime(record.created))} " \
               f"{record.levelname:<7} {record.name}: {message}" + (f" {tail}" if tail else "")
        return redact_text(line)


def setup_logging(fmt: str = "auto", *, quiet: bool = False) -> None:
    as_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(as_json=as_json))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING if quiet else logging.INFO)
    for noisy in ("httpx", "httpcore", "aiosqlite", "slack_bolt", "slack_sdk"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # slack_sdk logs the bodies it posts to response_urls at DEBUG, and those carry the
    # private answers (a token secret shown once): never let them through.
    handler.addFilter(_drop_slack_bodies)


def _drop_slack_bodies(record: logging.LogRecord) -> bool:
    return not (record.name.startswith("slack_sdk") and record.levelno < logging.WARNING)
