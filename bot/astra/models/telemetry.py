"""PURE: the metrics destinations Astra knows, in its own spelling."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from bot.astra.models.base import ApiModel, _fold
from bot.astra.models.vocabulary import TELEMETRY_KINDS


class TelemetryConfig(ApiModel):
    """Metrics export config of a database: one block per kind (``{"kafka": {...}}``)."""

    prometheus_remote: dict[str, Any] | None = Field(default=None, alias="prometheus_remote")
    datadog: dict[str, Any] | None = Field(default=None, alias="Datadog")
    splunk: dict[str, Any] | None = None
    kafka: dict[str, Any] | None = None
    pulsar: dict[str, Any] | None = None
    cloudwatch: dict[str, Any] | None = None

    def kinds(self) -> dict[str, dict[str, Any]]:
        """``{kind: config}`` for every configured kind, spelled as on the wire."""
        dumped = self.model_dump(by_alias=True, exclude_none=True)
        return {k: v for k, v in dumped.items() if isinstance(v, dict)}


def canonical_telemetry_kind(kind: str) -> str | None:
    """``"datadog"`` → ``"Datadog"``, ``"prometheus"`` → ``"prometheus_remote"``; else None."""
    folded = _fold(kind)
    for known in TELEMETRY_KINDS:
        if _fold(known) == folded:
            return known
    if folded in {"prometheus", "prom"}:
        return "prometheus_remote"
    return None
