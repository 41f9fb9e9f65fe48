"""PURE: requests of telemetry: a database's metrics export, the org's audit-log streaming."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from bot.astra.http.base import _DB, _ORG, _WRITE_OK, ApiRequest, ApiResponse, Endpoint
from bot.astra.http.decode import parse_object
from bot.astra.models import canonical_telemetry_kind
from bot.errors import AstraBadRequest

#: getTelemetryConfig and getAuditLogExporterConfig: 404 is "nothing configured" (the
#: document's 200 ``anyOf`` cannot say so; an Astra answering 200 ``{}`` is read alike)
_CONFIG_OR_NONE: Final = frozenset({200, 404})
_AUDIT: Final = f"{_ORG}/{{org_id}}/telemetry/auditLogs"

get_metrics_telemetry: Final = Endpoint(
    "GET",
    f"{_DB}/telemetry/metrics",
    "get_metrics_telemetry",
    "get the metrics export of database `{db_id}`",
    _CONFIG_OR_NONE,
)
_SET_METRICS: Final = Endpoint(
    "POST",
    f"{_DB}/telemetry/metrics",
    "set_metrics_telemetry",
    "export the metrics of database `{db_id}` to {kind}",
    _WRITE_OK,
)
get_audit_log_streaming: Final = Endpoint(
    "GET",
    _AUDIT,
    "get_audit_log_streaming",
    "get the audit-log streaming config",
    _CONFIG_OR_NONE,
)
_SET_AUDIT: Final = Endpoint(
    "POST", _AUDIT, "set_audit_log_streaming", "set the audit-log streaming config", _WRITE_OK
)
delete_audit_log_streaming: Final = Endpoint(
    "DELETE",
    _AUDIT,
    "delete_audit_log_streaming",
    "delete the audit-log streaming config",
    _WRITE_OK,
)


def parse_config(req: ApiRequest, resp: ApiResponse) -> dict[str, Any]:
    """A telemetry or audit-log config ``{kind: config}``; ``{}`` when none is set."""
    return {} if resp.status == 404 else parse_object(req, resp)


def set_metrics_telemetry(db_id: str, kind: str, config: Mapping[str, Any]) -> ApiRequest:
    canon = canonical_telemetry_kind(kind)
    if canon is None:
        raise AstraBadRequest(
            f"`{kind}` is not a metrics destination Astra knows; use one of "
            "prometheus_remote, Datadog, splunk, kafka, pulsar, cloudwatch.",
            status_code=None,
        )
    # configureTelemetry: one keyed block, replaces any existing config (NOTES.md §1e)
    return _SET_METRICS(db_id, json={canon: dict(config)}, kind=canon)


def set_audit_log_streaming(org_id: str, config: Mapping[str, Any]) -> ApiRequest:
    return _SET_AUDIT(org_id, json=dict(config))
