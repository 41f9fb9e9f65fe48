"""Test and benchmark controls: the request log, fault injection, ``/_emulator/…``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.astra.emulator.org import EmulatedOrg
from bot.astra.emulator.responses import _empty, _error, _json_body


@dataclass
class RecordedRequest:
    """One API request that reached the emulator (never its Authorization header)."""

    method: str
    path: str
    query: dict[str, list[str]]
    json: Any
    at: float
    status: int | None = None
    #: the name of the org whose token authenticated it (None: refused)
    org: str | None = None


@dataclass
class Fault:
    """The next ``count`` matching requests fail with ``status`` (0: only delayed), or
    answer ``status`` (200 when 0) with the raw ``body`` given (``"null"``, ``""``, ``"{}"``,
    ``"<html>"``…: an answer the bot must not mistake for an empty org)."""

    status: int
    count: int = 1
    method: str | None = None
    path_prefix: str | None = None
    retry_after: float | None = None
    latency_s: float = 0.0
    message: str | None = None  # the error body's message (default: "Injected fault (…)")
    body: str | None = None
    #: only requests bearing this org's token (None: every org's, and refused tokens')
    org: str | None = None

    def matches(self, method: str, path: str, org: str | None = None) -> bool:
        if self.count <= 0 or (self.org is not None and self.org != org):
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path_prefix is None or path.startswith(self.path_prefix)


class Controls:
    """Python helpers of tests and benchmarks shared by every org, and the HTTP twins."""

    requests: list[RecordedRequest]
    faults: list[Fault]
    orgs: dict[str, EmulatedOrg]

    def inject_fault(
        self,
        status: int,
        *,
        count: int = 1,
        method: str | None = None,
        path_prefix: str | None = None,
        retry_after: float | None = None,
        latency_s: float = 0.0,
        message: str | None = None,
        body: str | None = None,
        org: str | None = None,
    ) -> Fault:
        """The next ``count`` matching API requests answer ``status`` with an error body
        (``message`` in it, when given).

        ``status=0`` answers normally after ``latency_s`` (a slow, not failed, answer).
        ``body`` replaces the answer's body with exactly this text (status 0 means 200).
        ``org``: only that emulated org's requests (one org slow or down, the others not).
        """
        fault = Fault(
            status, count, method, path_prefix, retry_after, latency_s, message, body, org
        )
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self.faults.clear()

    def reset_requests(self) -> None:
        self.requests.clear()

    def count(self, method: str | None = None, path_prefix: str | None = None) -> int:
        """How many recorded API requests match (method, path prefix)."""
        return sum(
            1
            for r in self.requests
            if (method is None or r.method == method.upper())
            and (path_prefix is None or r.path.startswith(path_prefix))
        )

    @property
    def reads_count(self) -> int:
        return self.count("GET")

    @property
    def writes_count(self) -> int:
        return len(self.requests) - self.reads_count

    # ---------------------------------------------------------------- /_emulator controls

    def _controls(self) -> list[Route]:
        """HTTP twins of the Python helpers, for a benchmark driving a served emulator.

        POST   /_emulator/faults                 {status, count?, method?, path_prefix?,
                                                  retry_after?, latency_s?, body?, org?} → 201
        GET    /_emulator/faults                 pending faults
        DELETE /_emulator/faults                 clear them
        POST   /_emulator/databases              {name, status?, cloud_provider?, region?,
                                                  tier?, capacity_units?, keyspace?,
                                                  db_type?} → 201 {"id": …}
        POST   /_emulator/databases/{id}/status  {status} → 200
        POST   /_emulator/settle                 finish every pending transition
        GET    /_emulator/requests               the request log (?since=<index>)
        DELETE /_emulator/requests               empty it
        GET    /_emulator/health                 {"ok": true, …}
        GET    /_emulator/orgs                   {name: {"id": …, "name": …}}

        The database controls act on the first org, or on ``?org=<name>`` (404 if unknown).
        """
        return [
            Route(path, self._control(handler), methods=[method])
            for path, method, handler in _CONTROL_ROUTES
        ]

    def _control(self, handler: _ControlHandler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            return await handler(self, request)

        return endpoint


_ControlHandler = Callable[[Controls, Request], Awaitable[Response]]


def _target_org(emu: Controls, request: Request) -> EmulatedOrg | Response:
    name = request.query_params.get("org")
    if name is None:
        return next(iter(emu.orgs.values()))
    org = emu.orgs.get(name)
    return org if org is not None else _error(404, f"No emulated org named {name!r}.")


async def _add_fault(emu: Controls, request: Request) -> Response:
    body = await _json_body(request)
    if not isinstance(body, dict) or not isinstance(body.get("status"), int):
        return _error(400, "status (int) is required.")
    fault = emu.inject_fault(
        body["status"],
        count=int(body.get("count", 1)),
        method=body.get("method"),
        path_prefix=body.get("path_prefix"),
        retry_after=body.get("retry_after"),
        latency_s=float(body.get("latency_s", 0.0)),
        body=body.get("body"),
        org=body.get("org"),
    )
    return JSONResponse(asdict(fault), status_code=201)


async def _list_faults(emu: Controls, request: Request) -> Response:
    return JSONResponse([asdict(f) for f in emu.faults])


async def _clear_faults(emu: Controls, request: Request) -> Response:
    emu.clear_faults()
    return _empty(204)


_DB_FIELDS = frozenset(
    {"cloud_provider", "region", "tier", "capacity_units", "keyspace", "db_type"}
)


async def _org_and_body(
    emu: Controls, request: Request, field: str
) -> tuple[EmulatedOrg, dict[str, Any]] | Response:
    """The org a database control acts on and its body, which must have a string ``field``."""
    org = _target_org(emu, request)
    if isinstance(org, Response):
        return org
    body = await _json_body(request)
    if not isinstance(body, dict) or not isinstance(body.get(field), str):
        return _error(400, f"{field} is required.")
    return org, body


async def _add_db(emu: Controls, request: Request) -> Response:
    found = await _org_and_body(emu, request, "name")
    if isinstance(found, Response):
        return found
    org, body = found
    kwargs = {k: v for k, v in body.items() if k in _DB_FIELDS}
    db_id = org.add_database(body["name"], str(body.get("status", "ACTIVE")), **kwargs)
    return JSONResponse({"id": db_id}, status_code=201)


async def _set_db_status(emu: Controls, request: Request) -> Response:
    found = await _org_and_body(emu, request, "status")
    if isinstance(found, Response):
        return found
    org, body = found
    try:
        org.set_status(request.path_params["db_id"], body["status"])
    except KeyError:
        return _error(404, "Database not found.")
    return JSONResponse({"id": request.path_params["db_id"], "status": body["status"]})


async def _settle(emu: Controls, request: Request) -> Response:
    for org in emu.orgs.values():
        org.settle()
    return _empty(204)


async def _get_requests(emu: Controls, request: Request) -> Response:
    since = int(request.query_params.get("since", "0"))
    return JSONResponse([asdict(r) for r in emu.requests[since:]])


async def _clear_requests(emu: Controls, request: Request) -> Response:
    emu.reset_requests()
    return _empty(204)


async def _health(emu: Controls, request: Request) -> Response:
    databases = sum(len(org.database_names()) for org in emu.orgs.values())
    return JSONResponse(
        {
            "ok": True,
            "databases": databases,
            "requests": len(emu.requests),
            "faults": len(emu.faults),
        }
    )


async def _list_orgs(emu: Controls, request: Request) -> Response:
    return JSONResponse(
        {name: {"id": o.config.org_id, "name": o.config.org_name} for name, o in emu.orgs.items()}
    )


_CONTROL_ROUTES: tuple[tuple[str, str, _ControlHandler], ...] = (
    ("/_emulator/faults", "POST", _add_fault),
    ("/_emulator/faults", "GET", _list_faults),
    ("/_emulator/faults", "DELETE", _clear_faults),
    ("/_emulator/databases", "POST", _add_db),
    ("/_emulator/databases/{db_id}/status", "POST", _set_db_status),
    ("/_emulator/settle", "POST", _settle),
    ("/_emulator/requests", "GET", _get_requests),
    ("/_emulator/requests", "DELETE", _clear_requests),
    ("/_emulator/health", "GET", _health),
    ("/_emulator/orgs", "GET", _list_orgs),
)
