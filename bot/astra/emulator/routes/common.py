"""What every route group shares: route declarations, lookups, the 409 and 404 answers."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.astra.emulator.render import Renderer
from bot.astra.emulator.responses import _empty, _error
from bot.astra.emulator.state import Effect, _Database

#: One transition: after so many seconds, this status, running this effect.
Step = tuple[float, str, Effect | None]

R = TypeVar("R", bound="RouteBase")
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Awaitable[Response]])

_DB = "/v2/databases/{db_id}"
_ORG = "/v2/organizations"

#: (method, path, handler): a handler is called with the org, the request and its body.
ApiRoute = tuple[str, str, Callable[..., Awaitable[Response]]]


def route(method: str, path: str) -> Callable[[F], F]:
    """Serve the handler below at ``method path`` (stackable: one handler, several paths).

    Each handler says its own route, so a route group is one module and its mixin in
    :class:`bot.astra.emulator.org.EmulatedOrg`; :func:`routes_of` collects them.
    """

    def mark(handler: F) -> F:
        marks: list[tuple[str, str]] = handler.__dict__.setdefault("api_routes", [])
        marks.insert(0, (method, path))  # decorators apply bottom-up: keep reading order
        return handler

    return mark


def routes_of(cls: type) -> list[ApiRoute]:
    """Every route of ``cls``'s handlers, base classes first, in definition order."""
    found: list[ApiRoute] = []
    seen: set[str] = set()
    for klass in reversed(cls.__mro__):
        for name, attr in vars(klass).items():
            if name in seen or not getattr(attr, "api_routes", None):
                continue
            seen.add(name)
            found += [(m, path, getattr(cls, name)) for m, path in attr.api_routes]
    return found


#: A handler of ``/v2/databases/{db_id}/…`` given the database (the org's own, advanced).
DbHandler = Callable[[R, _Database, Request, Any], Awaitable[Response]]


def with_db(handler: DbHandler[R]) -> Callable[[R, Request, Any], Awaitable[Response]]:
    """The route of ``handler``: 404 when ``db_id`` is no database of the token's org (the
    real API: "The specified database was not found"), else ``handler`` with it."""

    @functools.wraps(handler)
    async def endpoint(self: R, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        return await handler(self, db, request, body)

    return endpoint


#: What a route's path names, looked up: the values for its handler, or the refusal.
Lookup = Callable[[R, Request], tuple[Any, ...] | Response]


def given(lookup: Lookup[R]) -> Callable[[Callable[..., Awaitable[Response]]], Any]:
    """The route of a handler called with what ``lookup`` finds in the path (before the
    request and its body), or ``lookup``'s refusal (a 400 or a 404) instead."""

    def wrap(handler: Callable[..., Awaitable[Response]]) -> Any:
        @functools.wraps(handler)
        async def endpoint(self: R, request: Request, body: Any) -> Response:
            found = lookup(self, request)
            if isinstance(found, Response):
                return found
            return await handler(self, *found, request, body)

        return endpoint

    return wrap


class RouteBase(Renderer):
    """Lookups and refusals shared by the route groups."""

    def _db_or_404(self, request: Request) -> _Database | Response:
        db_id = request.path_params["db_id"]
        db = self._get(db_id)
        if db is None:
            return _error(404, f"Database {db_id} was not found.")
        return db

    @staticmethod
    def _found(table: Mapping[str, T], request: Request, param: str, what: str) -> T | Response:
        """``table[path param]``, or the 404 naming ``what`` was not found."""
        key = request.path_params[param]
        found = table.get(key)
        return _error(404, f"{what} {key} was not found.") if found is None else found

    def _shown(
        self,
        table: Mapping[str, T],
        request: Request,
        param: str,
        what: str,
        render: Callable[[T], dict[str, Any]],
    ) -> Response:
        """``render(table[path param])``, or the 404 naming ``what`` was not found."""
        found = self._found(table, request, param, what)
        return found if isinstance(found, Response) else JSONResponse(render(found))

    @staticmethod
    def _removed(table: dict[str, Any], request: Request, param: str, what: str) -> Response:
        """Drop ``table[path param]``: 204, or the 404 naming ``what`` was not found."""
        key = request.path_params[param]
        if table.pop(key, None) is None:
            return _error(404, f"{what} {key} was not found.")
        return _empty(204)

    @staticmethod
    def _not_valid_state(db: _Database, what: str) -> Response:
        return _error(
            409,
            f"The database is not in a valid state to perform the operation: cannot {what} "
            f"while {db.status}.",
        )

    def _unless(self, db: _Database, status: str, what: str) -> Response | None:
        """The 409 when ``db`` is not ``status`` (DevOps API Conflict, NOTES.md)."""
        return None if db.status == status else self._not_valid_state(db, what)

    def _begin(self, db: _Database, during: str, step: Step, code: int = 202) -> Response:
        """Enter ``during`` now, then ``step`` (after seconds, status, effect): the
        accepted answer ``code``."""
        self._start(db, during, [step])
        return _empty(code)

    def _org_or_404(self, request: Request) -> Response | None:
        if request.path_params["org_id"] != self.config.org_id:
            return _error(404, "Organization not found.")
        return None

    async def _no_route(self, request: Request, body: Any) -> Response:
        return _error(404, f"No such endpoint: {request.method} {request.url.path}.")
