"""Test and benchmark controls: the request log, fault injection, ``/_emulator/…``."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.astra.emulator.responses import _empty, _error, _json_body
from bot.astra.emulator.state import EmulatorState, _User


@dataclass
class RecordedRequest:
    """One API request that reached the emulator (never its Authorization header)."""

    method: str
    path: str
    query: dict[str, list[str]]
    json: Any
    at: float
    status: int | None = None


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

    def matches(self, method: str, path: str) -> bool:
        if self.count <= 0:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path_prefix is None or path.startswith(self.path_prefix)


class Controls(EmulatorState):
    """Python helpers of tests and benchmarks, and their HTTP twins."""

    requests: list[RecordedRequest]
    faults: list[Fault]

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
    ) -> Fault:
        """The next ``count`` matching API requests answer ``status`` with an error body
        (``message`` in it, when given).

        ``status=0`` answers normally after ``latency_s`` (a slow, not failed, answer).
        ``body`` replaces the answer's body with exactly this text (status 0 means 200).
        """
        fault = Fault(status, count, method, path_prefix, retry_after, latency_s, message, body)
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

    def add_user(self, email: str, *, roles: Iterable[str] = (), status: str = "active") -> str:
        """Add a member of the organization directly; their user id."""
        user_id = str(uuid.uuid4())
        self._users[user_id] = _User(user_id, email, status, list(roles))
        return user_id

    def set_vpc_peering(self, provider: str, db_id: str, connection: dict[str, Any]) -> None:
        self._vpc[(provider.lower(), db_id)] = connection

    def database_names(self, prefix: str = "") -> dict[str, str]:
        """``{id: name}`` of every database (terminated too) whose name starts with ``prefix``."""
        return {db_id: db.name for db_id, db in self._dbs.items() if db.name.startswith(prefix)}

    def forget_databases(self, prefix: str = "") -> int:
        """Drop the databases whose name starts with ``prefix``, as if never created; how many."""
        gone = list(self.database_names(prefix))
        for db_id in gone:
            del self._dbs[db_id]
        return len(gone)

    # ---------------------------------------------------------------- /_emulator controls

    def _controls(self) -> list[Route]:
        """HTTP twins of the Python helpers, for a benchmark driving a served emulator.

        POST   /_emulator/faults                 {status, count?, method?, path_prefix?,
                                                  retry_after?, latency_s?, body?} → 201
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
        """

        async def add_fault(request: Request) -> Response:
            body = await _json_body(request)
            if not isinstance(body, dict) or not isinstance(body.get("status"), int):
                return _error(400, "status (int) is required.")
            fault = self.inject_fault(
                body["status"],
                count=int(body.get("count", 1)),
                method=body.get("method"),
                path_prefix=body.get("path_prefix"),
                retry_after=body.get("retry_after"),
                latency_s=float(body.get("latency_s", 0.0)),
                body=body.get("body"),
            )
            return JSONResponse(asdict(fault), status_code=201)

        async def list_faults(request: Request) -> Response:
            return JSONResponse([asdict(f) for f in self.faults])

        async def clear_faults(request: Request) -> Response:
            self.clear_faults()
            return _empty(204)

        async def add_db(request: Request) -> Response:
            body = await _json_body(request)
            if not isinstance(body, dict) or not isinstance(body.get("name"), str):
                return _error(400, "name is required.")
            allowed = {"cloud_provider", "region", "tier", "capacity_units", "keyspace", "db_type"}
            kwargs = {k: v for k, v in body.items() if k in allowed}
            db_id = self.add_database(body["name"], str(body.get("status", "ACTIVE")), **kwargs)
            return JSONResponse({"id": db_id}, status_code=201)

        async def set_db_status(request: Request) -> Response:
            body = await _json_body(request)
            if not isinstance(body, dict) or not isinstance(body.get("status"), str):
                return _error(400, "status is required.")
            try:
                self.set_status(request.path_params["db_id"], body["status"])
            except KeyError:
                return _error(404, "Database not found.")
            return JSONResponse({"id": request.path_params["db_id"], "status": body["status"]})

        async def settle(request: Request) -> Response:
            self.settle()
            return _empty(204)

        async def get_requests(request: Request) -> Response:
            since = int(request.query_params.get("since", "0"))
            return JSONResponse([asdict(r) for r in self.requests[since:]])

        async def clear_requests(request: Request) -> Response:
            self.reset_requests()
            return _empty(204)

        async def health(request: Request) -> Response:
            return JSONResponse(
                {
                    "ok": True,
                    "databases": len(self._dbs),
                    "requests": len(self.requests),
                    "faults": len(self.faults),
                }
            )

        return [
            Route("/_emulator/faults", add_fault, methods=["POST"]),
            Route("/_emulator/faults", list_faults, methods=["GET"]),
            Route("/_emulator/faults", clear_faults, methods=["DELETE"]),
            Route("/_emulator/databases", add_db, methods=["POST"]),
            Route("/_emulator/databases/{db_id}/status", set_db_status, methods=["POST"]),
            Route("/_emulator/settle", settle, methods=["POST"]),
            Route("/_emulator/requests", get_requests, methods=["GET"]),
            Route("/_emulator/requests", clear_requests, methods=["DELETE"]),
            Route("/_emulator/health", health, methods=["GET"]),
        ]
