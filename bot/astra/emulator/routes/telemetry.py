"""Telemetry endpoints: a database's metrics export and the org's audit log."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.astra.emulator.catalogue import _TELEMETRY_REQUIRED, _TELEMETRY_STRATEGIES
from bot.astra.emulator.responses import _empty, _error
from bot.astra.emulator.routes.common import _DB, _ORG, RouteBase, route, with_db
from bot.astra.emulator.state import _Database


class TelemetryRoutes(RouteBase):
    """``…/telemetry/metrics`` and ``…/telemetry/auditLogs``."""

    # ---------------------------------------------------------------- telemetry

    @staticmethod
    def _config_or_404(config: dict[str, Any], what: str) -> Response:
        """A stored config, or 404 with the error body when there is none.

        getTelemetryConfig and getAuditLogExporterConfig (devops-api-official.json) answer
        200 with ``anyOf`` keyed blocks, each *requiring* its key (``{"kafka": …}``,
        ``{"pulsar": …}``…): no 200 body can say "nothing configured", and ``{}`` fails
        the document. Both declare 404 NotFound with the ``Errors`` body, the only answer
        it allows for a config that does not exist; NOTES.md and the fixtures show no
        other answer for it, so the emulator sends that 404.
        """
        if not config:
            return _error(404, f"No {what} configuration was found.")
        return JSONResponse(config)

    @route("GET", f"{_DB}/telemetry/metrics")
    @with_db
    async def _get_telemetry(self, db: _Database, request: Request, body: Any) -> Response:
        return self._config_or_404(db.telemetry, "telemetry")

    @staticmethod
    def _check_telemetry(body: Any, kinds: Iterable[str]) -> str | dict[str, Any]:
        """The error text, or the validated ``{kind: config}``."""
        kinds = tuple(kinds)
        if not isinstance(body, dict) or len(body) != 1:
            return f"The body must be one object keyed by one of: {', '.join(kinds)}."
        ((kind, config),) = body.items()
        if kind not in kinds:
            return f"Unknown telemetry kind {kind}: use one of {', '.join(kinds)}."
        if not isinstance(config, dict):
            return f"The {kind} configuration must be an object."
        needed = list(_TELEMETRY_REQUIRED[kind])
        strategies = _TELEMETRY_STRATEGIES.get(kind)
        if strategies is not None:
            strategy = str(config.get("auth_strategy"))
            if strategy not in strategies:
                return f"auth_strategy must be one of {', '.join(strategies)}."
            needed += strategies[strategy]
        missing = [k for k in needed if config.get(k) in (None, "", [])]
        if missing:
            return f"Missing required fields for {kind}: {', '.join(missing)}."
        return {kind: config}

    @route("POST", f"{_DB}/telemetry/metrics")
    @with_db
    async def _set_telemetry(self, db: _Database, request: Request, body: Any) -> Response:
        checked = self._check_telemetry(body, _TELEMETRY_REQUIRED)
        if isinstance(checked, str):
            return _error(400, checked)
        db.telemetry = checked  # "updates replace any existing config"
        return _empty(202)

    @route("GET", f"{_ORG}/{{org_id}}/telemetry/auditLogs")
    async def _get_audit(self, request: Request, body: Any) -> Response:
        return self._org_or_404(request) or self._config_or_404(self._audit_log, "audit log")

    @route("POST", f"{_ORG}/{{org_id}}/telemetry/auditLogs")
    async def _set_audit(self, request: Request, body: Any) -> Response:
        refused = self._org_or_404(request)
        if refused is not None:
            return refused
        checked = self._check_telemetry(body, ["pulsar"])
        if isinstance(checked, str):
            return _error(400, checked)
        self._audit_log = checked
        return _empty(202)

    @route("DELETE", f"{_ORG}/{{org_id}}/telemetry/auditLogs")
    async def _delete_audit(self, request: Request, body: Any) -> Response:
        refused = self._org_or_404(request)
        if refused is not None:
            return refused
        self._audit_log = {}
        return _empty(202)
