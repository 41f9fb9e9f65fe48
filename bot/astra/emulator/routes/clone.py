"""Snapshots of a database and clones from them (official document, tag ``Clone``).

A database has the snapshot taken when it was created, and any added with
:meth:`CloneRoutes.add_snapshot`; each is ``{"id", "time"}`` inside ``{"snapshots": […]}``
(the document gives no schema; astra-db-ts reads this shape). A clone needs an ACTIVE
target other than the source and one of the source's snapshots: the target is MAINTENANCE
for ``initializing_s``, then ACTIVE with the source's keyspaces, and the operation goes from
RUNNING to DONE at that moment (astra-db-ts waits for the target's ACTIVE, its
cloneStatus reads RUNNING, DONE or ERROR). Chosen where the document is silent: a
``sourceRegion`` that is not one of the database's regions, or a time that is not RFC3339,
is a 400; a snapshot or an operation that is not found is a 404.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import cached_property
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.astra.emulator.responses import _error
from bot.astra.emulator.routes.common import _DB, RouteBase, route, with_db
from bot.astra.emulator.state import _Database

_STAMP: Final = "%Y-%m-%dT%H:%M:%SZ"


def _moment(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


class CloneRoutes(RouteBase):
    """``/v2/databases/{id}/snapshots``, ``…/cloneFrom/{source}``, ``…/cloneStatus/{op}``."""

    @cached_property
    def snapshots(self) -> dict[str, list[dict[str, str]]]:
        """Snapshots added by hand, by database id (the creation one is implied)."""
        return {}

    @cached_property
    def clones(self) -> dict[str, dict[str, Any]]:
        """Clone operations by id: ``operationID``, ``status``, ``target``."""
        return {}

    def add_snapshot(self, db_id: str, time: str) -> str:
        """A snapshot of ``db_id`` taken at ``time`` (RFC3339); its id."""
        snap_id = str(uuid.uuid4())
        self.snapshots.setdefault(db_id, []).append({"id": snap_id, "time": time})
        return snap_id

    def _snapshots_of(self, db: _Database) -> list[dict[str, str]]:
        first = {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"snapshot/{db.id}")), "time": db.created}
        return [first, *self.snapshots.get(db.id, [])]

    @route("GET", f"{_DB}/snapshots")
    @with_db
    async def _list_snapshots(self, db: _Database, request: Request, body: Any) -> Response:
        q = request.query_params
        region = q.get("sourceRegion")
        if region is not None and region not in {dc.region for dc in db.live_datacenters()}:
            return _error(400, f"{region} is not a region of database {db.id}.")
        bounds = {k: _moment(q[k]) for k in ("from", "to") if k in q}
        if any(v is None or v.tzinfo is None for v in bounds.values()):
            return _error(400, "from and to must be RFC3339 times.")
        low, high = bounds.get("from"), bounds.get("to")
        kept = []
        for snap in self._snapshots_of(db):
            at = _moment(snap["time"])
            if at is not None and (low is None or at >= low) and (high is None or at <= high):
                kept.append(snap)
        return JSONResponse({"snapshots": kept})

    @route("POST", f"{_DB}/cloneFrom/{{source_id}}")
    @with_db
    async def _clone_from(self, db: _Database, request: Request, body: Any) -> Response:
        source = self._get(request.path_params["source_id"])
        if source is None:
            return _error(404, f"Database {request.path_params['source_id']} was not found.")
        snap_id = request.query_params.get("snapshotID")
        if not snap_id:
            return _error(400, "snapshotID is required.")
        if source.id == db.id:
            return _error(400, "A database cannot be cloned into itself.")
        if snap_id not in {s["id"] for s in self._snapshots_of(source)}:
            return _error(404, f"Snapshot {snap_id} of database {source.id} was not found.")
        region = request.query_params.get("sourceRegion")
        if region is not None and region not in {dc.region for dc in source.live_datacenters()}:
            return _error(400, f"{region} is not a region of database {source.id}.")
        if db.status != "ACTIVE":
            return _error(400, f"Cannot clone into database {db.id} while {db.status}.")
        op = {"operationID": str(uuid.uuid4()), "status": "RUNNING", "target": db.id}
        self.clones[op["operationID"]] = op

        def done() -> None:
            db.keyspaces = list(source.keyspaces)
            db.keyspace = source.keyspace
            op["status"] = "DONE"

        self._start(db, "MAINTENANCE", [(self.config.initializing_s, "ACTIVE", done)])
        return JSONResponse({"operationID": op["operationID"], "status": op["status"]})

    @route("GET", f"{_DB}/cloneStatus/{{operation_id}}")
    @with_db
    async def _clone_status(self, db: _Database, request: Request, body: Any) -> Response:
        op = self.clones.get(request.path_params["operation_id"])
        if op is None or op["target"] != db.id:
            return _error(
                404, f"Clone operation {request.path_params['operation_id']} was not found."
            )
        return JSONResponse({"operationID": op["operationID"], "status": op["status"]})
