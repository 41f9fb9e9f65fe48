"""Read-only extras: the VPC peering of a database (its writes are in ``peering``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.astra.emulator.responses import _error
from bot.astra.emulator.routes.common import RouteBase, route


class ExtraRoutes(RouteBase):
    """Endpoints the bot only reads, answered empty or from test setup."""

    # ---------------------------------------------------------------- read-only extras

    @route("GET", "/v2/peering/provider/{provider}/database/{db_id}")
    async def _vpc_peering(self, request: Request, body: Any) -> Response:
        provider = request.path_params["provider"].lower()
        if provider not in {"aws", "gcp", "azure"}:
            return _error(400, f"Invalid provider {provider}: use aws, gcp or azure.")
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        connection = self._vpc.get((provider, db.id))
        if connection is None:
            return _error(404, "No VPC peering connection for this database.")
        return JSONResponse(connection)
