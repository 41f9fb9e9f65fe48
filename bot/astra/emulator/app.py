"""The emulator assembled: state, route groups and controls behind one Starlette app."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.astra.emulator.catalogue import SANDBOX_ORG, org_id_of, org_token
from bot.astra.emulator.controls import Controls, Fault, RecordedRequest
from bot.astra.emulator.org import EmulatedOrg
from bot.astra.emulator.responses import _INVALID, _error
from bot.astra.emulator.routes.access import AccessRoutes
from bot.astra.emulator.routes.databases import DatabaseRoutes
from bot.astra.emulator.routes.extras import ExtraRoutes
from bot.astra.emulator.routes.iam import IamRoutes
from bot.astra.emulator.routes.regions import RegionRoutes
from bot.astra.emulator.routes.telemetry import TelemetryRoutes
from bot.astra.emulator.state import EmulatorConfig

#: A route handler, called with the org the request's token belongs to.
OrgHandler = Callable[[EmulatedOrg, Request, Any], Awaitable[Response]]

#: Every DevOps API route: (path, handler, methods). A handler gets the org of the token.
API_ROUTES: tuple[tuple[str, OrgHandler, list[str]], ...] = (
    ("/v2/databases", DatabaseRoutes._list_databases, ["GET"]),
    ("/v2/databases", DatabaseRoutes._create_database, ["POST"]),
    ("/v2/databases/{db_id}", DatabaseRoutes._get_database, ["GET"]),
    ("/v2/databases/{db_id}/terminate", DatabaseRoutes._terminate, ["POST"]),
    ("/v2/databases/{db_id}/park", DatabaseRoutes._park, ["POST"]),
    ("/v2/databases/{db_id}/unpark", DatabaseRoutes._unpark, ["POST"]),
    ("/v2/databases/{db_id}/resize", DatabaseRoutes._resize, ["POST"]),
    ("/v2/databases/{db_id}/keyspaces/{ks}", DatabaseRoutes._add_keyspace, ["POST"]),
    ("/v2/databases/{db_id}/keyspaces/{ks}", DatabaseRoutes._drop_keyspace, ["DELETE"]),
    ("/v2/databases/{db_id}/datacenters", DatabaseRoutes._list_dcs, ["GET"]),
    ("/v2/databases/{db_id}/datacenters", DatabaseRoutes._add_dcs, ["POST"]),
    (
        "/v2/databases/{db_id}/datacenters/{dc_id}/terminate",
        DatabaseRoutes._terminate_dc,
        ["POST"],
    ),
    ("/v2/databases/{db_id}/access-list", AccessRoutes._get_acl, ["GET"]),
    ("/v2/databases/{db_id}/access-list", AccessRoutes._add_acl, ["POST"]),
    ("/v2/databases/{db_id}/access-list", AccessRoutes._delete_acl, ["DELETE"]),
    ("/v2/databases/{db_id}/secureBundleURL", AccessRoutes._secure_bundle, ["POST"]),
    ("/v2/databases/{db_id}/telemetry/metrics", TelemetryRoutes._get_telemetry, ["GET"]),
    ("/v2/databases/{db_id}/telemetry/metrics", TelemetryRoutes._set_telemetry, ["POST"]),
    ("/v2/regions/serverless", RegionRoutes._serverless_regions, ["GET"]),
    ("/v2/availableRegions", RegionRoutes._available_regions, ["GET"]),
    ("/v2/currentOrg", IamRoutes._current_org, ["GET"]),
    ("/v2/tokens", IamRoutes._list_tokens, ["GET"]),
    ("/v2/clientIdSecrets", IamRoutes._list_tokens, ["GET"]),
    ("/v2/tokens", IamRoutes._create_token, ["POST"]),
    ("/v2/clientIdSecrets/{client_id}", IamRoutes._revoke_token, ["DELETE"]),
    ("/v2/organizations/roles", IamRoutes._list_roles, ["GET"]),
    ("/v2/organizations/roles", IamRoutes._create_role, ["POST"]),
    ("/v2/organizations/roles/{role_id}", IamRoutes._get_role, ["GET"]),
    ("/v2/organizations/roles/{role_id}", IamRoutes._delete_role, ["DELETE"]),
    ("/v2/organizations/users", IamRoutes._list_users, ["GET"]),
    ("/v2/organizations/users", IamRoutes._invite_user, ["PUT"]),
    ("/v2/organizations/users/{user_id}", IamRoutes._get_user, ["GET"]),
    ("/v2/organizations/users/{user_id}", IamRoutes._remove_user, ["DELETE"]),
    ("/v2/organizations/users/{user_id}/roles", IamRoutes._set_user_roles, ["PUT"]),
    ("/v2/organizations/private-link", ExtraRoutes._private_links, ["GET"]),
    ("/v2/organizations/customDomains", ExtraRoutes._custom_domains, ["GET"]),
    ("/v2/organizations/{org_id}/devops-acl", AccessRoutes._devops_acl, ["GET"]),
    ("/v2/organizations/{org_id}/telemetry/auditLogs", TelemetryRoutes._get_audit, ["GET"]),
    (
        "/v2/organizations/{org_id}/telemetry/auditLogs",
        TelemetryRoutes._set_audit,
        ["POST"],
    ),
    (
        "/v2/organizations/{org_id}/telemetry/auditLogs",
        TelemetryRoutes._delete_audit,
        ["DELETE"],
    ),
    ("/v2/kms", ExtraRoutes._kms, ["GET"]),
    ("/v2/peering/provider/{provider}/database/{db_id}", ExtraRoutes._vpc_peering, ["GET"]),
)


class AstraEmulator(Controls, EmulatedOrg):
    """Emulated organizations told apart by token, and the ASGI app (``.app``) serving them.

    The emulator itself is its first org (``config``'s id, name and tokens), so the
    single-org helpers (``add_database``, ``config``, ``status_of``…) act on it. With
    ``orgs=["sandbox", "sandbox-2"]`` each further name is one more org with the id
    :func:`org_id_of` ``(name)`` and the token :func:`org_token` ``(name)``; the first org
    is named ``orgs[0]`` and also accepts ``org_token(orgs[0])``. ``emu.org(name)`` is an
    org's state and helpers; request log, faults, clock and latency are shared.
    """

    def __init__(
        self, config: EmulatorConfig | None = None, *, orgs: Sequence[str] | None = None
    ) -> None:
        names = list(orgs) if orgs else [SANDBOX_ORG]
        if len(set(names)) != len(names):
            raise ValueError(f"emulated org names must differ: {names}")
        config = config or EmulatorConfig()
        if orgs:
            config.org_name = names[0]
            config.tokens.add(org_token(names[0]))
        EmulatedOrg.__init__(self, config)
        self.orgs: dict[str, EmulatedOrg] = {names[0]: self}
        for name in names[1:]:
            self.orgs[name] = EmulatedOrg(
                replace(config, org_id=org_id_of(name), org_name=name, tokens={org_token(name)})
            )
        self.requests: list[RecordedRequest] = []
        self.faults: list[Fault] = []
        self.app = Starlette(routes=self._routes())

    def org(self, name: str) -> EmulatedOrg:
        """The emulated org ``name`` (KeyError if there is none)."""
        return self.orgs[name]

    def settle(self) -> None:
        """Finish every pending transition of every org now, whatever the clock says."""
        for org in self.orgs.values():
            EmulatedOrg.settle(org)

    # ---------------------------------------------------------------- plumbing

    def _org_of(self, request: Request) -> tuple[str, EmulatedOrg] | None:
        """The org whose token the request bears; None when it bears none of theirs."""
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        token = token.strip()
        return next(((n, o) for n, o in self.orgs.items() if o.accepts(token)), None)

    def _api(self, handler: OrgHandler) -> Callable[[Request], Awaitable[Response]]:
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
            response = await self._answer(request, body, handler, record)
            record.status = response.status_code
            return response

        return endpoint

    async def _answer(
        self, request: Request, body: Any, handler: OrgHandler, record: RecordedRequest
    ) -> Response:
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
        found = self._org_of(request)
        if found is None:
            return _error(401, "The token is invalid or expired.")
        record.org, org = found
        return await handler(org, request, body)

    def _routes(self) -> list[Route]:
        a = self._api
        routes = [Route(path, a(h), methods=m) for path, h, m in API_ROUTES]
        if self.config.controls:
            routes += self._controls()
        routes.append(
            Route(
                "/{rest:path}",
                a(EmulatedOrg._no_route),
                methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
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
