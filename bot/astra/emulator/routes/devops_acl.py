"""The DevOps API access list of the org: get, add, replace, update one, delete the whole.

Statuses as the official document gives them: GET 200, POST 201 (409 when an address is
listed already), PUT 200, PATCH 200 (404 when the address is not listed), DELETE 202;
POST, PUT and PATCH answer the list afterwards (``DevOpsAccessListResponse``). The
emulator does not enforce the list on callers: tests follow what a change would do from
what the list says (the bot's own check is bot/astra/models/admin.py ``excluded``).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.astra.emulator.addresses import address_problem
from bot.astra.emulator.responses import _empty, _error
from bot.astra.emulator.routes.common import _ORG, RouteBase, route
from bot.astra.emulator.state import _iso

_ACL = f"{_ORG}/{{org_id}}/devops-acl"


class DevOpsAclRoutes(RouteBase):
    """``/v2/organizations/{orgId}/devops-acl``."""

    def _render_devops_acl(self, status: int = 200) -> Response:
        return JSONResponse({"addresses": list(self._devops_acl.values())}, status_code=status)

    def _devops_entries(self, body: Any) -> list[dict[str, Any]] | Response:
        """``DevOpsIpAddress[]`` as stored entries (created keeps an entry's first time)."""
        if not isinstance(body, list) or not body:
            return _error(400, "The body must be a non-empty array of addresses.")
        out: list[dict[str, Any]] = []
        for item in body:
            problem = address_problem(item, ("address",))
            if problem:
                return _error(400, problem)
            now = _iso()
            before = self._devops_acl.get(item["address"], {})
            out.append(
                {
                    "address": item["address"],
                    "description": item.get("description", ""),
                    "enabled": item.get("enabled", True),
                    "lastUpdateDateTime": now,
                    "createdAt": before.get("createdAt", now),
                }
            )
        return out

    @route("GET", _ACL)
    async def _get_devops_acl(self, request: Request, body: Any) -> Response:
        return self._org_or_404(request) or self._render_devops_acl()

    @route("POST", _ACL)
    async def _add_devops_acl(self, request: Request, body: Any) -> Response:
        entries = self._org_or_404(request) or self._devops_entries(body)
        if isinstance(entries, Response):
            return entries
        there = [e["address"] for e in entries if e["address"] in self._devops_acl]
        if there:
            return _error(409, f"Already in the DevOps API access list: {', '.join(there)}.")
        self._devops_acl.update((e["address"], e) for e in entries)
        return self._render_devops_acl(201)

    @route("PUT", _ACL)
    async def _replace_devops_acl(self, request: Request, body: Any) -> Response:
        entries = self._org_or_404(request) or self._devops_entries(body)
        if isinstance(entries, Response):
            return entries
        self._devops_acl = {e["address"]: e for e in entries}
        return self._render_devops_acl()

    @route("PATCH", _ACL)
    async def _update_devops_acl(self, request: Request, body: Any) -> Response:
        entries = self._org_or_404(request) or self._devops_entries([body])
        if isinstance(entries, Response):
            return entries
        entry = entries[0]
        if entry["address"] not in self._devops_acl:
            return _error(404, f"{entry['address']} is not in the DevOps API access list.")
        before = self._devops_acl[entry["address"]]
        # PATCH: the fields not sent keep their values
        for key in ("description", "enabled"):
            if not isinstance(body, dict) or key not in body:
                entry[key] = before[key]
        self._devops_acl[entry["address"]] = entry
        return self._render_devops_acl()

    @route("DELETE", _ACL)
    async def _delete_devops_acl(self, request: Request, body: Any) -> Response:
        refused = self._org_or_404(request)
        if refused:
            return refused
        self._devops_acl.clear()
        return _empty(202)
