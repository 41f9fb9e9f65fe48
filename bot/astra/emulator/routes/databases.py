"""Database endpoints: list, create, terminate, park, resize, keyspaces, regions."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.astra.emulator.catalogue import (
    _KEYSPACE_RE,
    _REGION_INDEX,
    _STATUSES,
    _TERMINATABLE,
    _TIERS,
)
from bot.astra.emulator.responses import _empty, _error
from bot.astra.emulator.routes.common import RouteBase
from bot.astra.emulator.state import _Database


class DatabaseRoutes(RouteBase):
    """``/v2/databases…``: databases, their keyspaces and datacenters."""

    # ---------------------------------------------------------------- databases

    async def _list_databases(self, request: Request, body: Any) -> Response:
        q = request.query_params
        include = q.get("include", "nonterminated").lower()
        if include not in {"nonterminated", "all"} and include.upper() not in _STATUSES:
            return _error(400, f"Invalid include value: {include}.")
        provider = q.get("provider", "ALL").upper()
        if provider not in {"ALL", "GCP", "AWS", "AZURE"}:
            return _error(400, f"Invalid provider value: {provider}.")
        try:
            limit = int(q.get("limit", "25"))
        except ValueError:
            return _error(400, "limit must be an integer between 1 and 100.")
        if not 1 <= limit <= 100:
            return _error(400, "limit must be an integer between 1 and 100.")
        ordered = list(self._dbs.values())
        after = q.get("starting_after")
        if after:
            ids = [d.id for d in ordered]
            if after not in ids:
                return _error(400, f"starting_after {after} is not a known database id.")
            ordered = ordered[ids.index(after) + 1 :]
        page: list[dict[str, Any]] = []
        now = self.now()
        for db in ordered:
            self._advance(db, now)
            if include == "nonterminated" and db.status == "TERMINATED":
                continue
            if include not in {"nonterminated", "all"} and db.status != include.upper():
                continue
            if provider != "ALL" and db.cloud != provider:
                continue
            page.append(self._render_db(db))
            if len(page) >= limit:
                break
        return JSONResponse(page)

    async def _get_database(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        return JSONResponse(self._render_db(db))

    async def _create_database(self, request: Request, body: Any) -> Response:
        if not isinstance(body, dict):
            return _error(422, "The structured data in the request could not be parsed.")
        required = ("name", "cloudProvider", "region", "tier", "capacityUnits")
        missing = [k for k in required if body.get(k) in (None, "")]
        if missing:
            return _error(400, f"Missing required fields: {', '.join(missing)}.")
        name, cloud, region = body["name"], body["cloudProvider"], body["region"]
        tier, cu = body["tier"], body["capacityUnits"]
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= 50:
            return _error(400, "name must be 1 to 50 characters.")
        if not isinstance(cloud, str) or cloud.upper() not in {"GCP", "AWS", "AZURE"}:
            return _error(400, f"Invalid cloudProvider {cloud}: use AWS, GCP or AZURE.")
        cloud = cloud.upper()
        if tier not in _TIERS:
            return _error(400, f"Invalid tier {tier}.")
        if not isinstance(cu, int) or isinstance(cu, bool) or not 1 <= cu <= 100:
            return _error(400, "capacityUnits must be an integer between 1 and 100.")
        if not isinstance(region, str) or (cloud, region) not in _REGION_INDEX:
            return _error(400, f"Region {region} is not available for {cloud}.")
        keyspace = body.get("keyspace") or "default_keyspace"
        if not isinstance(keyspace, str) or not _KEYSPACE_RE.match(keyspace):
            return _error(400, f"Invalid keyspace name {keyspace}.")
        db_type = body.get("dbType")
        if db_type not in (None, "vector"):
            return _error(400, f"Invalid dbType {db_type}: only vector is supported.")
        db_id = self.add_database(
            name.strip(),
            "PENDING",
            cloud_provider=cloud,
            region=region,
            tier=tier,
            capacity_units=cu,
            keyspace=keyspace,
            db_type=db_type,
        )
        db = self._dbs[db_id]
        for dc in db.datacenters:
            dc.status = "PENDING"

        def ready() -> None:
            for dc in db.datacenters:
                dc.status = "ACTIVE"

        cfg = self.config
        self._start(
            db,
            "PENDING",
            [(cfg.pending_s, "INITIALIZING", None), (cfg.initializing_s, "ACTIVE", ready)],
        )
        # 201, no body, Location = the bare database id (NOTES.md §3)
        return _empty(201, {"Location": db_id})

    async def _terminate(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        if db.status not in _TERMINATABLE:
            return self._not_valid_state(db, "terminate")
        if len(db.live_datacenters()) > 1:
            return _error(
                409,
                "The database has more than one region: remove the extra regions first.",
            )
        for dc in db.datacenters:
            if dc.status != "TERMINATED":
                dc.status = "TERMINATING"
        self._start(
            db,
            "TERMINATING",
            [(self.config.terminating_s, "TERMINATED", lambda: self._terminated(db))],
        )
        return _empty(202)

    def _classic_only(self, db: _Database, what: str) -> Response | None:
        if db.tier == "serverless":
            return _error(400, f"{what} is not supported for serverless databases.")
        return None

    async def _park(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        refused = self._classic_only(db, "Parking")
        if refused is not None:
            return refused
        if db.status != "ACTIVE":
            return self._not_valid_state(db, "park")

        def parked() -> None:
            db.message = "Parked by request"

        self._start(db, "PARKING", [(self.config.parking_s, "PARKED", parked)])
        return _empty(202)

    async def _unpark(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        refused = self._classic_only(db, "Unparking")
        if refused is not None:
            return refused
        if db.status != "PARKED":
            return self._not_valid_state(db, "unpark")
        db.message = None
        self._start(db, "UNPARKING", [(self.config.unparking_s, "ACTIVE", None)])
        return _empty(202)

    async def _resize(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        refused = self._classic_only(db, "Resizing")
        if refused is not None:
            return refused
        cu = body.get("capacityUnits") if isinstance(body, dict) else None
        if not isinstance(cu, int) or isinstance(cu, bool) or not 1 <= cu <= 100:
            return _error(400, "capacityUnits must be an integer between 1 and 100.")
        if cu <= db.capacity_units:
            return _error(
                400,
                f"capacityUnits must be more than the current "
                f"{db.capacity_units}: reducing a database is not supported.",
            )
        if cu > db.capacity_units + 3:
            return _error(
                400,
                f"capacityUnits can grow by at most 3 per operation "
                f"(from {db.capacity_units} to at most {db.capacity_units + 3}).",
            )
        if db.status != "ACTIVE":
            return self._not_valid_state(db, "resize")

        def resized() -> None:
            db.capacity_units = cu
            for dc in db.datacenters:
                dc.capacity_units = cu

        self._start(db, "RESIZING", [(self.config.resizing_s, "ACTIVE", resized)])
        return _empty(202)

    # ---------------------------------------------------------------- keyspaces

    async def _add_keyspace(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        ks = request.path_params["ks"]
        if not _KEYSPACE_RE.match(ks):
            return _error(
                422,
                f"Invalid keyspace name {ks}: letters, digits and _, "
                "starting with a letter, at most 48.",
            )
        if ks in db.keyspaces:
            return _error(409, f"Keyspace {ks} already exists in the database.")
        if db.status != "ACTIVE":
            return self._not_valid_state(db, "add a keyspace")

        def added() -> None:
            if ks not in db.keyspaces:
                db.keyspaces.append(ks)

        self._start(db, "MAINTENANCE", [(self.config.maintenance_s, "ACTIVE", added)])
        return _empty(201)

    async def _drop_keyspace(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        ks = request.path_params["ks"]
        if ks not in db.keyspaces:
            return _empty(204)  # Go spec: "no keyspace found to delete"
        if db.status != "ACTIVE":
            return self._not_valid_state(db, "drop a keyspace")

        def dropped() -> None:
            if ks in db.keyspaces:
                db.keyspaces.remove(ks)

        self._start(db, "MAINTENANCE", [(self.config.maintenance_s, "ACTIVE", dropped)])
        return _empty(202)

    # ---------------------------------------------------------------- datacenters

    async def _list_dcs(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        everything = request.query_params.get("all", "false").lower() == "true"
        dcs = db.datacenters if everything else db.live_datacenters()
        return JSONResponse([self._render_dc(db, dc) for dc in dcs])

    async def _add_dcs(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        if not isinstance(body, list) or not all(isinstance(d, dict) for d in body):
            return _error(400, "The body must be an array of datacenters.")
        if len(body) != 1:
            return _error(400, "Only one region can be added at a time.")
        spec = body[0]
        missing = [k for k in ("tier", "cloudProvider", "region") if not spec.get(k)]
        if missing:
            return _error(400, f"Missing required fields: {', '.join(missing)}.")
        cloud = str(spec["cloudProvider"]).upper()
        region = str(spec["region"])
        if (cloud, region) not in _REGION_INDEX:
            return _error(400, f"Region {region} is not available for {cloud}.")
        if cloud != db.cloud:
            return _error(400, f"All regions of a database must be in the same cloud ({db.cloud}).")
        if any(dc.region == region for dc in db.live_datacenters()):
            return _error(409, f"The database already has a datacenter in {region}.")
        if db.status != "ACTIVE":
            return self._not_valid_state(db, "add a region")
        dc = self._new_dc(db, region, "INITIALIZING")

        def added() -> None:
            dc.status = "ACTIVE"

        self._start(db, "MAINTENANCE", [(self.config.datacenter_s, "ACTIVE", added)])
        return _empty(201)

    async def _terminate_dc(self, request: Request, body: Any) -> Response:
        db = self._db_or_404(request)
        if isinstance(db, Response):
            return db
        dc_id = request.path_params["dc_id"]
        dc = next((d for d in db.live_datacenters() if d.id == dc_id), None)
        if dc is None:
            return _error(404, f"Datacenter {dc_id} was not found.")
        if len(db.live_datacenters()) < 2:
            return _error(
                409, "Cannot remove the last region of a database: terminate the database instead."
            )
        if db.status != "ACTIVE":
            return self._not_valid_state(db, "remove a region")
        dc.status = "TERMINATING"

        def removed() -> None:
            dc.status = "TERMINATED"

        self._start(db, "MAINTENANCE", [(self.config.datacenter_s, "ACTIVE", removed)])
        return _empty(202)
