"""PURE: the generic shapes: a titled bullet list, key/value fields, a secret shown once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from slack_sdk.models.blocks import Block, SectionBlock

from bot.render.core import MAX_FIELD, Message, _mrkdwn, _msg
from bot.render.mrkdwn import Mrkdwn, clip, escape, join, md, ours


def bullet_list(title: str, lines: Sequence[str], *, empty: str = "None.") -> Message:
    """A title and bullets; each line is foreign unless it is ``Mrkdwn``."""
    rows = [md("• {}", line) for line in lines] if lines else [escape(empty)]
    body = join("\n", rows)
    blocks: list[Block] = [SectionBlock(text=_mrkdwn(md("*{}*", title)))]
    chunk: list[Mrkdwn] = []
    for row in rows:
        for line in row.split("\n"):
            part = ours(line)  # a line of a row escaped above
            if sum(len(c) + 1 for c in chunk) + len(part) > 2800:
                blocks.append(SectionBlock(text=_mrkdwn(join("\n", chunk))))
                chunk = []
            chunk.append(part)
    blocks.append(SectionBlock(text=_mrkdwn(join("\n", chunk))))
    return _msg(md("{}\n{}", title, body), blocks)


def key_values(title: str, pairs: Sequence[tuple[str, str]]) -> Message:
    fields = [_mrkdwn(clip(md("*{}*\n{}", k, v or "—"), MAX_FIELD)) for k, v in pairs]
    blocks: list[Block] = [SectionBlock(text=_mrkdwn(md("*{}*", title)))]
    for i in range(0, len(fields), 10):
        blocks.append(SectionBlock(fields=fields[i : i + 10]))
    return _msg(md("{}\n{}", title, join("\n", (md("{}: {}", k, v) for k, v in pairs))), blocks)


def secret_once(title: str, secret_lines: Sequence[str], warning: str) -> Message:
    text = md("*{}*\n{}\n:warning: {}", title, join("\n", secret_lines), warning)
    return replace(_msg(escape(title), [SectionBlock(text=_mrkdwn(text))]), secret=True)
