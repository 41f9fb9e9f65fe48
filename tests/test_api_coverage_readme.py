"""The README's count of the official document's operations reachable from Slack is the
number of its rows, and each row is an operation of the document, named as it names it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.commands import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
FIXED = ROOT.parent / "shared" / "reference" / "astra-devops" / "devops-api-official.fixed.json"
ROW = re.compile(r"^\| `([^`]+)` \| `(GET|POST|PUT|PATCH|DELETE) ([^`]+)` \| (.+) \|$")
COUNT = re.compile(
    r"\*\*(\d+) operations of the official document reachable from Slack / (\d+)\*\*"
)


def _section() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("### By operation of the official document")
    return text[start : text.index("\n## ", start)]


@pytest.mark.skipif(not FIXED.exists(), reason="../shared/reference is not checked out")
def test_the_count_line_counts_the_rows_and_each_row_is_an_operation() -> None:
    spec = json.loads(FIXED.read_text())
    ops = {
        (method.upper(), path): op.get("operationId", "—")
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    }
    section = _section()
    rows = [m.groups() for line in section.splitlines() if (m := ROW.match(line))]
    (count,) = COUNT.findall(section)
    assert int(count[1]) == len(ops) == 125
    assert int(count[0]) == len(rows)
    seen = [(method, path) for _, method, path, _ in rows]
    assert len(set(seen)) == len(seen), "an operation is listed twice"
    names = {c.name for c in COMMANDS}
    for op_id, method, path, command in rows:
        assert ops.get((method, path)) == op_id, (op_id, method, path)
        typed = re.findall(r"`([a-z-]+(?: [a-z-]+)*)", command)
        assert any(t in names or t.rsplit(" ", 1)[0] in names for t in typed), command
