"""Access-list and secure-bundle endpoints of a database (the DevOps ACL: devops_acl.py)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.astra.emulator.addresses import address_entries
from bot.astra.emulator.responses import _empty, _error
from bot.astra.emulator.routes.common import _DB, RouteBase, route, with_db
from bot.astra.emulator.state import _Database


class AccessRoutes(RouteBase):
    """``…/access-list`` and ``…/secureBundleURL``."""

    # ---------------------------------------------------------------- access lists

    def _render_acl(self, db: _Database) -> dict[str, Any]:
        return {
            "organizationId": self.config.org_id,
            "databaseId": db.id,
            "addresses": list(db.access_list.values()),
            "configurations": {
                "accessListEnabled": bool(db.access_list)
                if db.access_list_enabled is None
                else db.access_list_enabled
            },
        }

    @route("GET", f"{_DB}/access-list")
    @with_db
    async def _get_acl(self, db: _Database, request: Request, body: Any) -> Response:
        return JSONResponse(self._render_acl(db))

    @route("POST", f"{_DB}/access-list")
    @with_db
    async def _add_acl(self, db: _Database, request: Request, body: Any) -> Response:
        if not isinstance(body, list) or not body:
            return _error(400, "The body must be a non-empty array of addresses.")
        entries, problem = address_entries(body)
        if problem:
            return _error(400, problem)
        for entry in entries:
            db.access_list[entry["address"]] = entry
        return _empty(204)

    @route("DELETE", f"{_DB}/access-list")
    @with_db
    async def _delete_acl(self, db: _Database, request: Request, body: Any) -> Response:
        addresses = request.query_params.getlist("addresses")
        if not addresses:
            db.access_list.clear()  # spec: no addresses ⇒ delete the entire list
            db.access_list_enabled = None
        for address in addresses:
            for one in address.split(","):
                db.access_list.pop(one.strip(), None)
        return _empty(204)

    # ---------------------------------------------------------------- secure bundle

    @route("POST", f"{_DB}/secureBundleURL")
    @with_db
    async def _secure_bundle(self, db: _Database, request: Request, body: Any) -> Response:
        if db.status not in {"ACTIVE", "MAINTENANCE", "RESIZING"}:
            return self._not_valid_state(db, "get a secure connect bundle")
        every = request.query_params.get("all", "false").lower() == "true"
        dcs = db.live_datacenters()
        bundles = [
            {
                "downloadURL": self._bundle_url(dc, db.name),
                "downloadURLInternal": self._bundle_url(dc, db.name, "internal-"),
                "downloadURLMigrationProxy": self._bundle_url(dc, db.name, "proxy-"),
                "downloadURLMigrationProxyInternal": self._bundle_url(
                    dc, db.name, "proxy-internal-"
                ),
                # the real key is misspelled; the Go spec lists both spellings
                "datcenterID": dc.id,
                "datacenterID": dc.id,
                "region": dc.region,
                "cloudProvider": dc.cloud,
            }
            for dc in dcs
        ]
        # all=false → one CredsURL object; all=true → CredsURLList (official spec)
        return JSONResponse(bundles if every else bundles[0])
