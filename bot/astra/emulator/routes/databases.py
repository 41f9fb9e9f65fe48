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
from bot.astra.emulator.routes.common import _DB, RouteBase, Step, route, with_db
from bot.astra.emulator.state import Effect, _Database

#: The server's cap of ``limit`` on GET /v2/databases: more is answered as 100, silently
#: (NOTES.md "limit max 100"; astra-cli #213 asks 1000 and gets 100).
_PAGE_CAP = 100

_CREATE_REQUIRED = ("name", "cloudProvider", "region", "tier", "capacityUnits")


def _capacity_units(value: Any) -> int | None:
    """A capacity in 1..100, or None."""
    ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 100
    return value if ok else None


def _check_new_database(body: dict[str, Any]) -> str | None:
    """Why createDatabase refuses ``body`` (400), or None; each check in the order the
    fields are read."""
    missing = [k for k in _CREATE_REQUIRED if body.get(k) in (None, "")]
    if missing:
        return f"Missing required fields: {', '.join(missing)}."
    name, cloud, region = body["name"], body["cloudProvider"], body["region"]
    keyspace = body.get("keyspace") or "default_keyspace"
    checks: tuple[tuple[bool, str], ...] = (
        (
            isinstance(name, str) and 1 <= len(name.strip()) <= 50,
            "name must be 1 to 50 characters.",
        ),
        (
            isinstance(cloud, str) and cloud.upper() in {"GCP", "AWS", "AZURE"},
            f"Invalid cloudProvider {cloud}: use AWS, GCP or AZURE.",
        ),
        (body["tier"] in _TIERS, f"Invalid tier {body['tier']}."),
        (
            _capacity_units(body["capacityUnits"]) is not None,
            "capacityUnits must be an integer between 1 and 100.",
        ),
        (
            isinstance(region, str) and (str(cloud).upper(), region) in _REGION_INDEX,
            f"Region {region} is not available for {str(cloud).upper()}.",
        ),
        (
            isinstance(keyspace, str) and bool(_KEYSPACE_RE.match(keyspace)),
            f"Invalid keyspace name {keyspace}.",
        ),
        (
            body.get("dbType") in (None, "vector"),
            f"Invalid dbType {body.get('dbType')}: only vector is supported.",
        ),
    )
    return next((why for ok, why in checks if not ok), None)


class DatabaseRoutes(RouteBase):
    """``/v2/databases…``: databases, their keyspaces and datacenters."""

    # ---------------------------------------------------------------- databases

    def _page_query(self, request: Request) -> tuple[str, str, int] | Response:
        """``(include, provider, limit)`` of a listDatabases query, or its 400."""
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
            limit = 0
        if limit < 1:
            return _error(400, "limit must be an integer between 1 and 100.")
        return include, provider, min(limit, _PAGE_CAP)

    @staticmethod
    def _listed(db: _Database, include: str, provider: str) -> bool:
        if include == "nonterminated":
            shown = db.status != "TERMINATED"
        else:
            shown = include == "all" or db.status == include.upper()
        return shown and provider in {"ALL", db.cloud}

    @route("GET", "/v2/databases")
    async def _list_databases(self, request: Request, body: Any) -> Response:
        query = self._page_query(request)
        if isinstance(query, Response):
            return query
        include, provider, limit = query
        ordered = list(self._dbs.values())
        after = request.query_params.get("starting_after")
        if after:
            ids = [d.id for d in ordered]
            if after not in ids:
                return _error(400, f"starting_after {after} is not a known database id.")
            ordered = ordered[ids.index(after) + 1 :]
        page: list[dict[str, Any]] = []
        now = self.now()
        for db in ordered:
            self._advance(db, now)
            if self._listed(db, include, provider):
                page.append(self._render_db(db))
            if len(page) >= limit:
                break
        return JSONResponse(page)

    @route("GET", _DB)
    @with_db
    async def _get_database(self, db: _Database, request: Request, body: Any) -> Response:
        return JSONResponse(self._render_db(db))

    @route("POST", "/v2/databases")
    async def _create_database(self, request: Request, body: Any) -> Response:
        if not isinstance(body, dict):
            return _error(422, "The structured data in the request could not be parsed.")
        refused = _check_new_database(body)
        if refused is not None:
            return _error(400, refused)
        db_id = self.add_database(
            body["name"].strip(),
            "PENDING",
            cloud_provider=body["cloudProvider"].upper(),
            region=body["region"],
            tier=body["tier"],
            capacity_units=body["capacityUnits"],
            keyspace=body.get("keyspace") or "default_keyspace",
            db_type=body.get("dbType"),
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

    @route("POST", f"{_DB}/terminate")
    @with_db
    async def _terminate(self, db: _Database, request: Request, body: Any) -> Response:
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
        ended = (self.config.terminating_s, "TERMINATED", lambda: self._terminated(db))
        return self._begin(db, "TERMINATING", ended)

    def _classic_only(self, db: _Database, what: str) -> Response | None:
        if db.tier == "serverless":
            return _error(400, f"{what} is not supported for serverless databases.")
        return None

    def _classic_change(
        self,
        db: _Database,
        words: tuple[str, str],
        needs: str,
        during: str,
        step: Step,
        start: Effect | None = None,
    ) -> Response:
        """Park or unpark: classic databases only (400), from ``needs`` only (409); then
        ``start`` runs at once and ``during`` lasts until ``step``."""
        doing, verb = words
        refused = self._classic_only(db, doing) or self._unless(db, needs, verb)
        if refused is not None:
            return refused
        if start is not None:
            start()
        return self._begin(db, during, step)

    @route("POST", f"{_DB}/park")
    @with_db
    async def _park(self, db: _Database, request: Request, body: Any) -> Response:
        def parked() -> None:
            db.message = "Parked by request"

        step = (self.config.parking_s, "PARKED", parked)
        return self._classic_change(db, ("Parking", "park"), "ACTIVE", "PARKING", step)

    @route("POST", f"{_DB}/unpark")
    @with_db
    async def _unpark(self, db: _Database, request: Request, body: Any) -> Response:
        def unparking() -> None:
            db.message = None

        step = (self.config.unparking_s, "ACTIVE", None)
        words = ("Unparking", "unpark")
        return self._classic_change(db, words, "PARKED", "UNPARKING", step, unparking)

    @staticmethod
    def _check_resize(db: _Database, body: Any) -> int | str:
        """The new capacity of a resize body, or why it is refused (400)."""
        cu = _capacity_units(body.get("capacityUnits") if isinstance(body, dict) else None)
        if cu is None:
            return "capacityUnits must be an integer between 1 and 100."
        if cu <= db.capacity_units:
            return (
                f"capacityUnits must be more than the current "
                f"{db.capacity_units}: reducing a database is not supported."
            )
        if cu > db.capacity_units + 3:
            return (
                f"capacityUnits can grow by at most 3 per operation "
                f"(from {db.capacity_units} to at most {db.capacity_units + 3})."
            )
        return cu

    @route("POST", f"{_DB}/resize")
    @with_db
    async def _resize(self, db: _Database, request: Request, body: Any) -> Response:
        refused = self._classic_only(db, "Resizing")
        if refused is not None:
            return refused
        cu = self._check_resize(db, body)
        if isinstance(cu, str):
            return _error(400, cu)
        busy = self._unless(db, "ACTIVE", "resize")
        if busy is not None:
            return busy

        def resized() -> None:
            db.capacity_units = cu
            for dc in db.datacenters:
                dc.capacity_units = cu

        return self._begin(db, "RESIZING", (self.config.resizing_s, "ACTIVE", resized))

    # ---------------------------------------------------------------- keyspaces

    @route("POST", f"{_DB}/keyspaces/{{ks}}")
    @with_db
    async def _add_keyspace(self, db: _Database, request: Request, body: Any) -> Response:
        ks = request.path_params["ks"]
        if not _KEYSPACE_RE.match(ks):
            return _error(
                422,
                f"Invalid keyspace name {ks}: letters, digits and _, "
                "starting with a letter, at most 48.",
            )
        if ks in db.keyspaces:
            return _error(409, f"Keyspace {ks} already exists in the database.")

        def added() -> None:
            if ks not in db.keyspaces:
                db.keyspaces.append(ks)

        step = (self.config.maintenance_s, "ACTIVE", added)
        return self._unless(db, "ACTIVE", "add a keyspace") or self._begin(
            db, "MAINTENANCE", step, 201
        )

    @route("DELETE", f"{_DB}/keyspaces/{{ks}}")
    @with_db
    async def _drop_keyspace(self, db: _Database, request: Request, body: Any) -> Response:
        ks = request.path_params["ks"]
        if ks not in db.keyspaces:
            return _empty(204)  # Go spec: "no keyspace found to delete"

        def dropped() -> None:
            if ks in db.keyspaces:
                db.keyspaces.remove(ks)

        busy = self._unless(db, "ACTIVE", "drop a keyspace")
        return busy or self._begin(
            db, "MAINTENANCE", (self.config.maintenance_s, "ACTIVE", dropped)
        )

    # ---------------------------------------------------------------- datacenters

    @route("GET", f"{_DB}/datacenters")
    @with_db
    async def _list_dcs(self, db: _Database, request: Request, body: Any) -> Response:
        everything = request.query_params.get("all", "false").lower() == "true"
        dcs = db.datacenters if everything else db.live_datacenters()
        return JSONResponse([self._render_dc(db, dc) for dc in dcs])

    @staticmethod
    def _check_new_dc(db: _Database, body: Any) -> tuple[int, str] | None:
        """The refusal (status, message) of an addDatacenters body, or None."""
        if not isinstance(body, list) or not all(isinstance(d, dict) for d in body):
            return 400, "The body must be an array of datacenters."
        if len(body) != 1:
            return 400, "Only one region can be added at a time."
        spec = body[0]
        missing = [k for k in ("tier", "cloudProvider", "region") if not spec.get(k)]
        if missing:
            return 400, f"Missing required fields: {', '.join(missing)}."
        cloud, region = str(spec["cloudProvider"]).upper(), str(spec["region"])
        if (cloud, region) not in _REGION_INDEX:
            return 400, f"Region {region} is not available for {cloud}."
        if cloud != db.cloud:
            return 400, f"All regions of a database must be in the same cloud ({db.cloud})."
        if any(dc.region == region for dc in db.live_datacenters()):
            return 409, f"The database already has a datacenter in {region}."
        return None

    @route("POST", f"{_DB}/datacenters")
    @with_db
    async def _add_dcs(self, db: _Database, request: Request, body: Any) -> Response:
        refused = self._check_new_dc(db, body)
        if refused is not None:
            return _error(*refused)
        busy = self._unless(db, "ACTIVE", "add a region")
        if busy is not None:
            return busy
        dc = self._new_dc(db, str(body[0]["region"]), "INITIALIZING")

        def added() -> None:
            dc.status = "ACTIVE"

        return self._begin(db, "MAINTENANCE", (self.config.datacenter_s, "ACTIVE", added), 201)

    @route("POST", f"{_DB}/datacenters/{{dc_id}}/terminate")
    @with_db
    async def _terminate_dc(self, db: _Database, request: Request, body: Any) -> Response:
        dc_id = request.path_params["dc_id"]
        dc = next((d for d in db.live_datacenters() if d.id == dc_id), None)
        if dc is None:
            return _error(404, f"Datacenter {dc_id} was not found.")
        if len(db.live_datacenters()) < 2:
            return _error(
                409, "Cannot remove the last region of a database: terminate the database instead."
            )
        busy = self._unless(db, "ACTIVE", "remove a region")
        if busy is not None:
            return busy
        dc.status = "TERMINATING"

        def removed() -> None:
            dc.status = "TERMINATED"

        return self._begin(db, "MAINTENANCE", (self.config.datacenter_s, "ACTIVE", removed))
