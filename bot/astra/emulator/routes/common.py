"""What every route group shares: the database lookup, the 409 and 404 answers."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bot.astra.emulator.render import Renderer
from bot.astra.emulator.responses import _error
from bot.astra.emulator.state import _Database


class RouteBase(Renderer):
    """Lookups and refusals shared by the route groups."""

    def _db_or_404(self, request: Request) -> _Database | Response:
        db_id = request.path_params["db_id"]
        db = self._get(db_id)
        if db is None:
            return _error(404, f"Database {db_id} was not found.")
        return db

    @staticmethod
    def _not_valid_state(db: _Database, what: str) -> Response:
        return _error(
            409,
            f"The database is not in a valid state to perform the operation: cannot {what} "
            f"while {db.status}.",
        )

    def _org_or_404(self, request: Request) -> Response | None:
        if request.path_params["org_id"] != self.config.org_id:
            return _error(404, "Organization not found.")
        return None

    async def _no_route(self, request: Request, body: Any) -> Response:
        return _error(404, f"No such endpoint: {request.method} {request.url.path}.")
