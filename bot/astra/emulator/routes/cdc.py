"""Change data capture, v3: a database's CDC tables and regions, and one table's status.

Chosen where the document is silent: a body must name the database (its name for
enable/update, its id for delete), at least one table of one of its keyspaces and, to
enable, at least one of its live datacenters with that datacenter's region (400
otherwise); CDC changes only while the database is ACTIVE (409); enabling a table that
streams already is a 409; removing one that does not is a 404. A table's CDC is Active at
once. ``GetCDCResponse`` requires ``tables``: the answer carries the table asked about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.astra.emulator.responses import _empty, _error
from bot.astra.emulator.routes.common import RouteBase, route, with_db
from bot.astra.emulator.state import _Database

_CDC: Final = "/v3/databases/{db_id}/cdc"
_REGION_KEYS: Final = (
    "datacenterID",
    "datacenterRegion",
    "streamingClusterName",
    "streamingTenantName",
)


@dataclass
class CdcState:
    """One database's CDC: its tables as ``(keyspace, table)`` and its regions."""

    tables: list[tuple[str, str]] = field(default_factory=list)
    regions: list[dict[str, str]] = field(default_factory=list)


def _tables(db: _Database, body: dict[str, Any]) -> list[tuple[str, str]] | str:
    tables = body.get("tables")
    if not isinstance(tables, list) or not tables:
        return "tables must name at least one table."
    found: list[tuple[str, str]] = []
    for t in tables:
        ks = t.get("keyspaceName") if isinstance(t, dict) else None
        name = t.get("tableName") if isinstance(t, dict) else None
        if not isinstance(ks, str) or not isinstance(name, str) or not name:
            return "Each table needs its keyspaceName and tableName."
        if ks not in db.keyspaces:
            return f"Keyspace {ks} is not in database {db.id}."
        found.append((ks, name))
    return list(dict.fromkeys(found))


def _regions(db: _Database, body: dict[str, Any]) -> list[dict[str, str]] | str:
    regions = body.get("regions")
    if not isinstance(regions, list) or not regions:
        return "regions must name at least one datacenter."
    live = {dc.id: dc.region for dc in db.live_datacenters()}
    kept: list[dict[str, str]] = []
    for r in regions:
        if not isinstance(r, dict) or not all(
            isinstance(r.get(k), str) and r[k] for k in _REGION_KEYS
        ):
            return f"Each region needs {', '.join(_REGION_KEYS)}."
        if live.get(r["datacenterID"]) != r["datacenterRegion"]:
            return (
                f"Datacenter {r['datacenterID']} in {r['datacenterRegion']} is not the database's."
            )
        kept.append({k: r[k] for k in _REGION_KEYS})
    return kept


class CdcRoutes(RouteBase):
    """``/v3/databases/{id}/cdc`` and ``…/keyspaces/{ks}/tables/{table}/cdc``."""

    @cached_property
    def cdc(self) -> dict[str, CdcState]:
        """CDC by database id."""
        return {}

    def _cdc_json(self, db: _Database, state: CdcState, tables: list[tuple[str, str]]) -> Any:
        return {
            "orgID": self.config.org_id,
            "databaseID": db.id,
            "databaseName": db.name,
            "tables": [{"keyspaceName": ks, "tableName": t} for ks, t in tables],
            "regions": list(state.regions),
        }

    def _cdc_change(self, db: _Database, body: Any) -> tuple[list[Any], list[Any]] | Response:
        """The tables and regions of an enable or update body, or its refusal."""
        busy = self._unless(db, "ACTIVE", "change CDC")
        if busy is not None:
            return busy
        if not isinstance(body, dict) or body.get("databaseName") != db.name:
            return _error(400, f"databaseName must be {db.name}.")
        tables, regions = _tables(db, body), _regions(db, body)
        for refused in (tables, regions):
            if isinstance(refused, str):
                return _error(400, refused)
        assert isinstance(tables, list) and isinstance(regions, list)
        return tables, regions

    @route("GET", _CDC)
    @with_db
    async def _get_cdc(self, db: _Database, request: Request, body: Any) -> Response:
        state = self.cdc.get(db.id, CdcState())
        return JSONResponse(self._cdc_json(db, state, state.tables))

    @route("POST", _CDC)
    @route("PUT", _CDC)
    @with_db
    async def _set_cdc(self, db: _Database, request: Request, body: Any) -> Response:
        """enableCDC (POST) adds tables and regions; updateCDC (PUT) makes them the whole."""
        change = self._cdc_change(db, body)
        if isinstance(change, Response):
            return change
        if request.method == "PUT":
            self.cdc[db.id] = CdcState(*change)
            return _empty(201)
        tables, regions = change
        state = self.cdc.setdefault(db.id, CdcState())
        already = [f"{ks}.{t}" for ks, t in tables if (ks, t) in state.tables]
        if already:
            return _error(409, f"CDC is enabled already for {', '.join(already)}.")
        state.tables += tables
        known = {r["datacenterID"] for r in state.regions}
        state.regions += [r for r in regions if r["datacenterID"] not in known]
        return _empty(201)

    @route("DELETE", _CDC)
    @with_db
    async def _delete_cdc(self, db: _Database, request: Request, body: Any) -> Response:
        busy = self._unless(db, "ACTIVE", "change CDC")
        if busy is not None:
            return busy
        if not isinstance(body, dict) or body.get("databaseID") != db.id:
            return _error(400, f"databaseID must be {db.id}.")
        tables = _tables(db, body)
        if isinstance(tables, str):
            return _error(400, tables)
        state = self.cdc.get(db.id, CdcState())
        missing = [f"{ks}.{t}" for ks, t in tables if (ks, t) not in state.tables]
        if missing:
            return _error(404, f"CDC is not enabled for {', '.join(missing)}.")
        state.tables = [t for t in state.tables if t not in tables]
        if not state.tables:
            self.cdc.pop(db.id, None)
        return _empty(204)

    @route("GET", "/v3/databases/{db_id}/keyspaces/{keyspace}/tables/{table}/cdc")
    @with_db
    async def _cdc_status(self, db: _Database, request: Request, body: Any) -> Response:
        table = (request.path_params["keyspace"], request.path_params["table"])
        state = self.cdc.get(db.id)
        if state is None or table not in state.tables:
            return _error(404, f"CDC is not enabled for {table[0]}.{table[1]}.")
        return JSONResponse([{**self._cdc_json(db, state, [table]), "status": "Active"}])
