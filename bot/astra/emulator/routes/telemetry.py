"""Telemetry endpoints: a database's metrics export and the org's audit log."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.astra.emulator.catalogue import _TELEMETRY_REQUIRED, _TELEMETRY_STRATEGIES
from bot.astra.emulator.responses import _empty, _error
from bot.astra.emulator.routes.common import RouteBase


class TelemetryRoutes(RouteBase):
    """``…/telemetry/metrics`` and ``…/telemetry/auditLogs``."""

    # ---------------------------------------------------------------- telemetry

    async def _get_telemetry(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        return JSONResponse(db.telemetry)

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

    async def _set_telemetry(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        checked = self._check_telemetry(body, _TELEMETRY_REQUIRED)
        if isinstance(checked, str):
            return _error(400, checked)
        db.telemetry = checked  # "updates replace any existing config"
        return _empty(202)

    async def _get_audit(self, request: Request, body: Any) -> Response:
        return self._org_or_404(request) or JSONResponse(self._audit_log)

    async def _set_audit(self, request: Request, body: Any) -> Response:
        refused = self._org_or_404(request)
        if refused is not None:
            return refused
        checked = self._check_telemetry(body, ["pulsar"])
        if isinstance(checked, str):
            return _error(400, checked)
        self._audit_log = checked
        return _empty(202)

    async def _delete_audit(self, request: Request, body: Any) -> Response:
        refused = self._org_or_404(request)
        if refused is not None:
            return refused
        self._audit_log = {}
        return _empty(202)
