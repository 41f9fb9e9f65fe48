"""A role's update, a classic database's password reset, a serverless database's engine.

``PUT /v2/organizations/roles/{roleID}`` (200, no body declared; 404), ``POST
…/resetPassword`` (202; 409 unless ACTIVE; classic only), ``PUT …/engineType`` (202;
serverless only). The new password is checked and forgotten: the emulator keeps none.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bot.astra.emulator.responses import _empty, _error
from bot.astra.emulator.routes.common import _DB, _ORG, RouteBase, route, with_db
from bot.astra.emulator.routes.iam import IamRoutes
from bot.astra.emulator.state import _Database, _iso

#: ``EngineType.engineType`` values the official document names.
ENGINE_TYPES = ("cassandra-vector", "serverless")


class AdminRoutes(RouteBase):
    """``PUT /v2/organizations/roles/{roleID}``, ``…/resetPassword``, ``…/engineType``."""

    @route("PUT", f"{_ORG}/roles/{{role_id}}")
    async def _update_role(self, request: Request, body: Any) -> Response:
        role = self._found(self._roles, request, "role_id", "Role")
        if isinstance(role, Response):
            return role
        refused = IamRoutes._check_role(body)  # UpdateRoleRequest is CreateRoleRequest's shape
        if refused is not None:
            return _error(400, refused)
        name, policy = body["name"].strip(), body["policy"]
        if any(r["name"].lower() == name.lower() and r is not role for r in self._roles.values()):
            return _error(400, f"Another role is named {name}.")
        role["name"] = name
        role["policy"] = {
            "description": str(policy["description"]),
            "resources": list(policy["resources"]),
            "actions": list(policy["actions"]),
            "effect": "allow",
        }
        role["last_update_datetime"] = _iso()
        return _empty(200)

    @route("POST", f"{_DB}/resetPassword")
    @with_db
    async def _reset_password(self, db: _Database, request: Request, body: Any) -> Response:
        if db.tier == "serverless":
            return _error(400, "Resetting a password is not supported for serverless databases.")
        if not isinstance(body, dict):
            return _error(400, "The body must be an object with username and password.")
        username, password = body.get("username"), body.get("password")
        if not isinstance(username, str) or not username.strip():
            return _error(400, "username is required.")
        if not isinstance(password, str) or len(password) < 6:
            return _error(400, "password must have at least 6 characters.")
        if db.status != "ACTIVE":
            return self._not_valid_state(db, "reset a password")
        return _empty(202)

    @route("PUT", f"{_DB}/engineType")
    @with_db
    async def _update_engine_type(self, db: _Database, request: Request, body: Any) -> Response:
        if db.tier != "serverless":
            return _error(400, "The engine type is only for serverless databases.")
        engine = body.get("engineType") if isinstance(body, dict) else None
        if engine not in ENGINE_TYPES:
            return _error(400, f"engineType must be one of {', '.join(ENGINE_TYPES)}.")
        db.db_type = "vector" if engine == "cassandra-vector" else None
        return _empty(202)
