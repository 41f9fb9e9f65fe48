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
from bot.astra.emulator.routes.common import routes_of
from bot.astra.emulator.state import EmulatorConfig

#: A route handler, called with the org the request's token belongs to.
OrgHandler = Callable[[EmulatedOrg, Request, Any], Awaitable[Response]]


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
        found = self._org_of(request)
        # the request's org is known before any fault: a fault may be one org's only
        record.org = name = found[0] if found else None
        fault = next(
            (f for f in self.faults if f.matches(request.method, request.url.path, name)), None
        )
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
        if found is None:
            return _error(401, "The token is invalid or expired.")
        return await handler(found[1], request, body)

    def _routes(self) -> list[Route]:
        a = self._api
        routes = [Route(path, a(h), methods=[m]) for m, path, h in routes_of(EmulatedOrg)]
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
