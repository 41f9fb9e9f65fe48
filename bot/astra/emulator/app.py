"""The emulator assembled: state, route groups and controls behind one Starlette app."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.astra.emulator.controls import Controls, Fault, RecordedRequest
from bot.astra.emulator.responses import _INVALID, Handler, _error
from bot.astra.emulator.routes.access import AccessRoutes
from bot.astra.emulator.routes.databases import DatabaseRoutes
from bot.astra.emulator.routes.extras import ExtraRoutes
from bot.astra.emulator.routes.iam import IamRoutes
from bot.astra.emulator.routes.regions import RegionRoutes
from bot.astra.emulator.routes.telemetry import TelemetryRoutes
from bot.astra.emulator.state import EmulatorConfig, EmulatorState


class AstraEmulator(
    Controls, DatabaseRoutes, RegionRoutes, AccessRoutes, TelemetryRoutes, IamRoutes, ExtraRoutes
):
    """The state of one emulated organization and the ASGI app (``.app``) serving it."""

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        EmulatorState.__init__(self, config)
        self.requests: list[RecordedRequest] = []
        self.faults: list[Fault] = []
        self.app = Starlette(routes=self._routes())

    # ---------------------------------------------------------------- plumbing

    def _authorized(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        token = token.strip()
        if token in self.config.tokens:
            return True
        return any(c.token and c.token == token for c in self._clients.values())

    def _api(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            raw = await request.body()
            body: Any
            if not raw.strip():
                body = None
            else:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = _INVALID
            record = RecordedRequest(
                method=request.method,
                path=request.url.path,
                query={k: request.query_params.getlist(k) for k in request.query_params},
                json=None if body is _INVALID else body,
                at=self.now(),
            )
            self.requests.append(record)
            response = await self._answer(request, body, handler)
            record.status = response.status_code
            return response

        return endpoint

    async def _answer(self, request: Request, body: Any, handler: Handler) -> Response:
        if self.config.latency_s > 0:
            await asyncio.sleep(self.config.latency_s)
        fault = next((f for f in self.faults if f.matches(request.method, request.url.path)), None)
        if fault is not None:
            fault.count -= 1
            if fault.count <= 0:
                self.faults.remove(fault)
            if fault.latency_s > 0:
                await asyncio.sleep(fault.latency_s)
            if fault.body is not None:
                return Response(
                    fault.body.encode(),
                    status_code=fault.status or 200,
                    media_type="application/json",
                )
            if fault.status:
                headers = {}
                if fault.retry_after is not None:
                    headers["Retry-After"] = format(fault.retry_after, "g")
                said = fault.message or f"Injected fault ({fault.status})."
                return _error(fault.status, said, headers=headers)
        if not self._authorized(request):
            return _error(401, "The token is invalid or expired.")
        return await handler(request, body)

    def _routes(self) -> list[Route]:
        a = self._api
        api: list[tuple[str, Handler, list[str]]] = [
            ("/v2/databases", self._list_databases, ["GET"]),
            ("/v2/databases", self._create_database, ["POST"]),
            ("/v2/databases/{db_id}", self._get_database, ["GET"]),
            ("/v2/databases/{db_id}/terminate", self._terminate, ["POST"]),
            ("/v2/databases/{db_id}/park", self._park, ["POST"]),
            ("/v2/databases/{db_id}/unpark", self._unpark, ["POST"]),
            ("/v2/databases/{db_id}/resize", self._resize, ["POST"]),
            ("/v2/databases/{db_id}/keyspaces/{ks}", self._add_keyspace, ["POST"]),
            ("/v2/databases/{db_id}/keyspaces/{ks}", self._drop_keyspace, ["DELETE"]),
            ("/v2/databases/{db_id}/datacenters", self._list_dcs, ["GET"]),
            ("/v2/databases/{db_id}/datacenters", self._add_dcs, ["POST"]),
            ("/v2/databases/{db_id}/datacenters/{dc_id}/terminate", self._terminate_dc, ["POST"]),
            ("/v2/databases/{db_id}/access-list", self._get_acl, ["GET"]),
            ("/v2/databases/{db_id}/access-list", self._add_acl, ["POST"]),
            ("/v2/databases/{db_id}/access-list", self._delete_acl, ["DELETE"]),
            ("/v2/databases/{db_id}/secureBundleURL", self._secure_bundle, ["POST"]),
            ("/v2/databases/{db_id}/telemetry/metrics", self._get_telemetry, ["GET"]),
            ("/v2/databases/{db_id}/telemetry/metrics", self._set_telemetry, ["POST"]),
            ("/v2/regions/serverless", self._serverless_regions, ["GET"]),
            ("/v2/availableRegions", self._available_regions, ["GET"]),
            ("/v2/currentOrg", self._current_org, ["GET"]),
            ("/v2/tokens", self._list_tokens, ["GET"]),
            ("/v2/clientIdSecrets", self._list_tokens, ["GET"]),
            ("/v2/tokens", self._create_token, ["POST"]),
            ("/v2/clientIdSecrets/{client_id}", self._revoke_token, ["DELETE"]),
            ("/v2/organizations/roles", self._list_roles, ["GET"]),
            ("/v2/organizations/roles", self._create_role, ["POST"]),
            ("/v2/organizations/roles/{role_id}", self._get_role, ["GET"]),
            ("/v2/organizations/roles/{role_id}", self._delete_role, ["DELETE"]),
            ("/v2/organizations/users", self._list_users, ["GET"]),
            ("/v2/organizations/users", self._invite_user, ["PUT"]),
            ("/v2/organizations/users/{user_id}", self._get_user, ["GET"]),
            ("/v2/organizations/users/{user_id}", self._remove_user, ["DELETE"]),
            ("/v2/organizations/users/{user_id}/roles", self._set_user_roles, ["PUT"]),
            ("/v2/organizations/private-link", self._private_links, ["GET"]),
            ("/v2/organizations/customDomains", self._custom_domains, ["GET"]),
            ("/v2/organizations/{org_id}/devops-acl", self._devops_acl, ["GET"]),
            ("/v2/organizations/{org_id}/telemetry/auditLogs", self._get_audit, ["GET"]),
            ("/v2/organizations/{org_id}/telemetry/auditLogs", self._set_audit, ["POST"]),
            ("/v2/organizations/{org_id}/telemetry/auditLogs", self._delete_audit, ["DELETE"]),
            ("/v2/kms", self._kms, ["GET"]),
            ("/v2/peering/provider/{provider}/database/{db_id}", self._vpc_peering, ["GET"]),
        ]
        routes = [Route(path, a(h), methods=m) for path, h, m in api]
        if self.config.controls:
            routes += self._controls()
        routes.append(
            Route(
                "/{rest:path}", a(self._no_route), methods=["GET", "POST", "PUT", "PATCH", "DELETE"]
            )
        )
        return routes


def create_app(config: EmulatorConfig | None = None) -> Starlette:
    """A fresh emulator's ASGI app (for ``uvicorn bot.astra.emulator:create_app --factory``)."""
    return AstraEmulator(config).app


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - manual use
    import argparse

    import uvicorn

    parser = argparse.ArgumentParser(description="Serve the Astra DevOps API emulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per answer")
    parser.add_argument("--sample-data", action="store_true")
    parser.add_argument(
        "--token",
        action="append",
        default=[],
        help="accepted bearer token (repeatable; default the sandbox token)",
    )
    parser.add_argument(
        "--speed", type=float, default=1.0, help="run the status transitions this many times faster"
    )
    args = parser.parse_args(argv)
    config = EmulatorConfig.faster(args.speed, latency_s=args.latency, sample_data=args.sample_data)
    if args.token:
        config.tokens = set(args.token)
    uvicorn.run(AstraEmulator(config).app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":  # pragma: no cover
    main()
