"""PURE: requests of telemetry: a database's metrics export, the org's audit-log streaming."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.astra.http.base import ApiRequest, _db, _seg
from bot.astra.models import canonical_telemetry_kind
from bot.errors import AstraBadRequest


def get_metrics_telemetry(db_id: str) -> ApiRequest:
    return ApiRequest(
        "GET",
        f"{_db(db_id)}/telemetry/metrics",
        "get_metrics_telemetry",
        f"get the metrics export of database `{db_id}`",
    )


def set_metrics_telemetry(db_id: str, kind: str, config: Mapping[str, Any]) -> ApiRequest:
    canon = canonical_telemetry_kind(kind)
    if canon is None:
        raise AstraBadRequest(
            f"`{kind}` is not a metrics destination Astra knows; use one of "
            "prometheus_remote, Datadog, splunk, kafka, pulsar, cloudwatch.",
            status_code=None,
        )
    # configureTelemetry: one keyed block, replaces any existing config (NOTES.md §1e)
    return ApiRequest(
        "POST",
        f"{_db(db_id)}/telemetry/metrics",
        "set_metrics_telemetry",
        f"export the metrics of database `{db_id}` to {canon}",
        json={canon: dict(config)},
        expect=frozenset({200, 202, 204}),
    )


def _audit(org_id: str) -> str:
    return f"/v2/organizations/{_seg(org_id, 'organization id')}/telemetry/auditLogs"


def get_audit_log_streaming(org_id: str) -> ApiRequest:
    return ApiRequest(
        "GET", _audit(org_id), "get_audit_log_streaming", "get the audit-log streaming config"
    )


def set_audit_log_streaming(org_id: str, config: Mapping[str, Any]) -> ApiRequest:
    return ApiRequest(
        "POST",
        _audit(org_id),
        "set_audit_log_streaming",
        "set the audit-log streaming config",
        json=dict(config),
        expect=frozenset({200, 202, 204}),
    )


def delete_audit_log_streaming(org_id: str) -> ApiRequest:
    return ApiRequest(
        "DELETE",
        _audit(org_id),
        "delete_audit_log_streaming",
        "delete the audit-log streaming config",
        expect=frozenset({200, 202, 204}),
    )
