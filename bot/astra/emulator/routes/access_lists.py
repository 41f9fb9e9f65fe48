"""Access-list writes of a database, the org's view of every list, validate and template.

``PUT`` replaces the whole list and ``PATCH`` updates the entries it names (204 both);
``GET /v2/access-lists`` answers one ``AccessListResponse`` per database; validate and
template answer 200 with a ``ValidationResponse`` and an ``AccessListRequest``.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.astra.emulator.addresses import REQUIRED, address_entries, address_problem
from bot.astra.emulator.responses import _empty, _error
from bot.astra.emulator.routes.access import AccessRoutes
from bot.astra.emulator.routes.common import _DB, route, with_db
from bot.astra.emulator.state import _Database

#: What ``POST /v2/access-list/template`` answers (the document's own examples).
TEMPLATE: dict[str, Any] = {
    "addresses": [
        {
            "address": "137.187.23.0/24",
            "enabled": True,
            "description": "This address allows the database connections from the prod environment",
        }
    ],
    "configurations": {"accessListEnabled": True},
}


def _request_parts(body: Any) -> tuple[list[dict[str, Any]], bool | None, str | None]:
    """An ``AccessListRequest``: its entries, its switch (None: not given), or a problem."""
    if not isinstance(body, dict):
        return [], None, "The body must be an access list object."
    entries, problem = address_entries(body.get("addresses", []))
    config = body.get("configurations")
    switch: bool | None = None
    if config is not None:
        if not isinstance(config, dict) or not isinstance(config.get("accessListEnabled"), bool):
            return [], None, "configurations.accessListEnabled must be a boolean."
        switch = config["accessListEnabled"]
    return entries, switch, problem


class AccessListRoutes(AccessRoutes):
    """``PUT|PATCH …/access-list``, ``/v2/access-lists``, ``/v2/access-list/…``."""

    @route("GET", "/v2/access-lists")
    async def _all_acls(self, request: Request, body: Any) -> Response:
        now = self.now()
        lists = []
        for db in self._dbs.values():
            self._advance(db, now)
            if db.status != "TERMINATED":
                lists.append(self._render_acl(db))
        return JSONResponse(lists)

    @route("PUT", f"{_DB}/access-list")
    @route("PATCH", f"{_DB}/access-list")
    @with_db
    async def _write_acl(self, db: _Database, request: Request, body: Any) -> Response:
        """PUT replaces the whole list; PATCH "updates existing fields in the access list if
        they exist" (the document): an address that is not listed is a 404."""
        entries, switch, problem = _request_parts(body)
        if problem:
            return _error(400, problem)
        if request.method == "PUT":
            db.access_list, db.access_list_enabled = {e["address"]: e for e in entries}, switch
            return _empty(204)
        unknown = [e["address"] for e in entries if e["address"] not in db.access_list]
        if unknown:
            return _error(404, f"Not in the access list: {', '.join(unknown)}.")
        db.access_list.update((e["address"], e) for e in entries)
        if switch is not None:
            db.access_list_enabled = switch
        return _empty(204)

    @route("POST", "/v2/access-list/validate")
    async def _validate_acl(self, request: Request, body: Any) -> Response:
        failures: list[str] = []
        if body is not None:
            if isinstance(body, dict):
                items = body.get("addresses", [])
                for item in items if isinstance(items, list) else [items]:
                    problem = address_problem(item, REQUIRED)
                    if problem:
                        failures.append(problem)
            _, _, problem = _request_parts(body)
            if problem and problem not in failures:
                failures.append(problem)
        return JSONResponse({"valid": not failures, "validationFailures": failures})

    @route("POST", "/v2/access-list/template")
    async def _acl_template(self, request: Request, body: Any) -> Response:
        return JSONResponse(TEMPLATE)
