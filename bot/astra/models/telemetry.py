"""PURE: the metrics destinations Astra knows, in its own spelling."""

from __future__ import annotations

from bot.astra.models.base import _fold
from bot.astra.models.vocabulary import TELEMETRY_KINDS


def canonical_telemetry_kind(kind: str) -> str | None:
    """``"datadog"`` → ``"Datadog"``, ``"prometheus"`` → ``"prometheus_remote"``; else None."""
    folded = _fold(kind)
    for known in TELEMETRY_KINDS:
        if _fold(known) == folded:
            return known
    if folded in {"prometheus", "prom"}:
        return "prometheus_remote"
    return None
