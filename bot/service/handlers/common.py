"""What the handlers share: small text helpers, a long operation started."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from bot.astra.models import Database
from bot.render.core import day as day  # the one day format, re-exported for the handlers
from bot.service.operations import Operations
from bot.service.outcome import Outcome
from bot.service.registry import Call

SLACK_LINK = re.compile(r"^<(?:mailto:)?([^|>]+)(?:\|[^>]*)?>$")


def unwrap(value: str) -> str:
    """Undo Slack's link formatting: ``<https://x|x>`` → ``https://x``, ``<mailto:a@b|a@b>``."""
    m = SLACK_LINK.match(value.strip())
    return m.group(1) if m else value.strip()


def suggest(word: str, options: Iterable[str], n: int = 3) -> list[str]:
    by_fold = {o.lower(): o for o in options}
    return [
        by_fold[m] for m in difflib.get_close_matches(word.lower(), list(by_fold), n=n, cutoff=0.5)
    ]


async def started(
    ops: Operations, call: Call, permission: str, db: Database, status: str, **detail: Any
) -> Outcome:
    """A change Astra accepted, followed as a long operation from the request (or the
    confirmation message) it came from; its outcome is the operation started."""
    return Outcome(
        await ops.start(
            call.req,
            permission,
            db,
            message_ts=call.ts,
            status=status,
            detail=detail or None,
            reply=call.reply,
        )
    )
