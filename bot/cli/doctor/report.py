"""The doctor's findings: one Check per line, a Report, and their two forms (text, JSON)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from bot.redact import Redactor, redact

Status = Literal["ok", "warn", "fail", "skip"]


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    status: Status
    detail: str
    fix: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    #: the configured org (``default``, ``prod``…) an Astra check is about, else None
    org: str | None = None


@dataclass(frozen=True)
class Report:
    mode: str
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return not any(c.status == "fail" for c in self.checks)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def get(self, check_id: str) -> Check:
        return next(c for c in self.checks if c.id == check_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "exit_code": self.exit_code,
            "mode": self.mode,
            "checks": [asdict(c) | {"data": dict(c.data)} for c in self.checks],
            "orgs": self.orgs(),
        }

    def orgs(self) -> list[dict[str, Any]]:
        """One entry per configured org: its name, the Astra organization its token belongs
        to (when learned), its worst status and its checks' ids."""
        out: dict[str, dict[str, Any]] = {}
        for c in self.checks:
            if c.org is None:
                continue
            entry = out.setdefault(
                c.org,
                {"name": c.org, "astra_org_id": None, "astra_org_name": None, "checks": []},
            )
            entry["checks"].append(c.id)
            entry["status"] = _worst(entry.get("status"), c.status)
            if c.id.startswith("astra.auth") and c.status == "ok":
                entry["astra_org_id"] = c.data.get("id")
                entry["astra_org_name"] = c.data.get("name") or None
        return list(out.values())


#: Worse first: an org's status is its worst check's.
_ORDER: tuple[Status, ...] = ("fail", "warn", "skip", "ok")


def _worst(a: Status | None, b: Status) -> Status:
    return b if a is None else min(a, b, key=_ORDER.index)


_MARK = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL", "skip": "skip"}


def format_text(report: Report, secrets: Iterable[str] = ()) -> str:
    """Readable lines: ``FAIL slack.auth  Slack rejects SLACK_BOT_TOKEN …`` + ``fix:``."""
    width = max((len(c.id) for c in report.checks), default=0)
    lines = [f"astra-bot doctor ({report.mode})"]
    for c in report.checks:
        lines.append(f"{_MARK[c.status]} {c.id:<{width}}  {c.title}: {c.detail}")
        if c.fix and c.status in {"fail", "warn"}:
            lines.append(f"     {'':<{width}}  fix: {c.fix}")
    fails = sum(c.status == "fail" for c in report.checks)
    warns = sum(c.status == "warn" for c in report.checks)
    if fails:
        lines.append(
            f"{fails} problem(s) to fix" + (f", {warns} warning(s)" if warns else "") + "."
        )
    else:
        lines.append(
            "Everything needed is in order" + (f" ({warns} warning(s))." if warns else ".")
        )
    return redact("\n".join(lines), secrets) + "\n"


def format_json(report: Report, secrets: Iterable[str] = ()) -> str:
    clean = Redactor(secrets).data(report.to_dict())
    return json.dumps(clean, indent=2, ensure_ascii=False) + "\n"
