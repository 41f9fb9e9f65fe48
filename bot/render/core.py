"""PURE: the parts of every message: Message, mrkdwn objects, clips, counts, times, ids."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.render.mrkdwn import Mrkdwn, clip, escape, md, ours

MAX_BLOCKS = 50
MAX_TEXT = 3000
# A section's fields: "Maximum length for the text in each item is 2000 characters."
# https://api.slack.com/reference/block-kit/blocks#section
MAX_FIELD = 2000
# Action ids name a family: what a click does. Within one block each button needs an id of
# its own ("action_id … should be unique among all other action_ids in the containing
# block", https://api.slack.com/reference/block-kit/block-elements#button; Slack refuses the
# whole message otherwise), so a button's id is ``<family>:<tag>``; the bare family is what
# messages posted before carry, and it is still understood (see action_family).
ACTION_CONFIRM = "astra_confirm"
ACTION_CANCEL = "astra_cancel"
ACTION_PAGE = "astra_page"  # astra_page:prev|next; value: the command to show instead
ACTION_RUN = "astra_run"  # astra_run:<n>; value: a command to run as the person who clicks
ACTION_FAMILIES = (ACTION_CONFIRM, ACTION_CANCEL, ACTION_PAGE, ACTION_RUN)


def button_id(family: str, tag: str | int) -> str:
    """The id of one button of ``family``, unique within its block by ``tag``."""
    return f"{family}:{tag}"


def action_family(clicked: str) -> str:
    """``astra_run:2`` → ``astra_run``; a bare family (older messages) is itself."""
    return clicked.split(":", 1)[0]


def action_pattern(family: str) -> re.Pattern[str]:
    """What a listener of ``family`` matches: the bare id and every ``family:<tag>``."""
    return re.compile(rf"^{re.escape(family)}(:.*)?$")


STATUS_EMOJI: Mapping[str, str] = {
    "ACTIVE": ":large_green_circle:",
    "PENDING": ":hourglass_flowing_sand:",
    "PREPARING": ":hourglass_flowing_sand:",
    "PREPARED": ":hourglass_flowing_sand:",
    "INITIALIZING": ":hourglass_flowing_sand:",
    "ASSOCIATING": ":hourglass_flowing_sand:",
    "MAINTENANCE": ":wrench:",
    "RESIZING": ":wrench:",
    "PARKING": ":parking:",
    "PARKED": ":parking:",
    "UNPARKING": ":parking:",
    "HIBERNATED": ":zzz:",
    "HIBERNATING": ":zzz:",
    "RESUMING": ":hourglass_flowing_sand:",
    "TERMINATING": ":wastebasket:",
    "TERMINATED": ":black_circle:",
    "ERROR": ":red_circle:",
    "TIMED OUT": ":warning:",
}


def emoji(status: str | None) -> Mrkdwn:
    return escape(STATUS_EMOJI.get((status or "").upper(), ":white_circle:"))


@dataclass(frozen=True)
class Message:
    text: str
    blocks: tuple[dict[str, Any], ...] = ()
    #: a secret shown once to its requester (a new token, a signed link): redaction
    #: (bot/redact.py) leaves its content alone, the bot's own credentials excepted
    secret: bool = False

    def to_slack(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": list(self.blocks)}


def _mrkdwn(text: Mrkdwn) -> MarkdownTextObject:
    return MarkdownTextObject(text=clip(text, MAX_TEXT))


def shorten(text: str, n: int) -> str:
    """``text`` cut to ``n`` characters with an ellipsis: plain-text objects (headers, labels,
    options, which Slack shows literally) and the values a message or an error quotes."""
    return text if len(text) <= n else text[: n - 1] + "…"


def _msg(text: Mrkdwn, blocks: Iterable[Block]) -> Message:
    built = []
    for b in blocks:
        b.validate_json()
        built.append(b.to_dict())
    if len(built) > MAX_BLOCKS:
        built = [
            *built[: MAX_BLOCKS - 1],
            _context(md("… {} more not shown", len(built) - MAX_BLOCKS + 1)).to_dict(),
        ]
    return Message(text=clip(text, 3000), blocks=tuple(built))


def _context(text: Mrkdwn) -> ContextBlock:
    return ContextBlock(elements=[_mrkdwn(text)])


def plain_only(message: Message) -> Message:
    """The same message as plain text alone, for where Slack refused its blocks."""
    return Message(text=clip(ours(message.text), MAX_TEXT))


def plain(text: str) -> Message:
    """One section; ``text`` is foreign unless it is ``Mrkdwn`` (then it is the bot's)."""
    safe = escape(text)
    return _msg(safe, [SectionBlock(text=_mrkdwn(safe))])


def stored_notice(text: str, blocks: str | None) -> Message:
    """A notice as the renderer made it before it was queued in the store."""
    return Message(text=ours(text), blocks=tuple(json.loads(blocks or "[]")))


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 permission``, ``2 permissions``; ``plural`` where adding an s is wrong (entries).
    The one place where a number meets its noun."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def elapsed(seconds: float) -> str:
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m}m {s:02d}s"
    h, m = divmod(m, 60)
    return f"{h}h {m:02d}m"


def when(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(epoch))


def day(stamp: str | None) -> str:
    """``2025-06-17T02:26:29.846Z`` → ``2025-06-17``; ``—`` for none or Go's zero time."""
    if not stamp or stamp.startswith("0001-01-01"):
        return "—"
    return stamp[:10]
