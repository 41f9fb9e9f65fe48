"""The Astra emulator in its own process, with benchmark controls.

``python -m tests.bench.emulator_server --port N [--latency S]`` serves
:class:`bot.astra.emulator.AstraEmulator` (the DevOps API and its ``/_emulator/…`` controls)
plus a few controls the emulator's own CLI lacks, under ``/_bench/…``:

- ``POST /_bench/config`` ``{latency_s?, pending_s?, initializing_s?, terminating_s?, …}``:
  change the emulator's config while it runs (latency of every API answer, transition
  durations); answers the config.
- ``POST /_bench/activate`` ``{ids: [...], status?: "ACTIVE"}``: set those databases'
  status now and answer ``{"at": time.time()}`` — the moment the emulator marked them.
- ``POST /_bench/purge`` ``{prefix?}``: forget every database (whose name starts with
  ``prefix``), as if it never existed; answers how many.
- ``POST /_bench/databases`` ``{count, status?, prefix?}``: add ``count`` databases at once
  (no transitions: a PENDING one stays PENDING); answers their ids.
- ``GET /_bench/dbs?prefix=P`` ``{name: id}`` of the databases whose name starts with P.
- ``GET /_bench/requests?since=N`` ``[[method, path, query, at, status], …]``: the request
  log, compactly (the ``/_emulator/requests`` twin renders bodies too).

The clock is ``time.time`` so that the request log's ``at`` and the ``activate`` moments are
comparable with the fake Slack's record of when a notice arrived (same machine, same clock).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from bot.astra.emulator import AstraEmulator, EmulatorConfig

_TUNABLE = (
    "latency_s",
    "pending_s",
    "initializing_s",
    "terminating_s",
    "maintenance_s",
    "parking_s",
    "unparking_s",
    "resizing_s",
    "datacenter_s",
)


def bench_app(emu: AstraEmulator) -> Starlette:
    async def config(request: Request) -> Response:
        body = await request.json()
        for key, value in (body or {}).items():
            if key in _TUNABLE:
                setattr(emu.config, key, float(value))
        return JSONResponse({k: getattr(emu.config, k) for k in _TUNABLE})

    async def activate(request: Request) -> Response:
        body = await request.json()
        status = str(body.get("status", "ACTIVE"))
        missing = []
        for db_id in body.get("ids", []):
            try:
                emu.set_status(db_id, status)
            except KeyError:
                missing.append(db_id)
        return JSONResponse({"at": time.time(), "missing": missing})

    async def purge(request: Request) -> Response:
        body = await request.json()
        prefix = str(body.get("prefix", ""))
        return JSONResponse({"purged": emu.forget_databases(prefix)})

    async def add_many(request: Request) -> Response:
        body = await request.json()
        prefix = str(body.get("prefix", "bench-db"))
        status = str(body.get("status", "ACTIVE"))
        start = int(body.get("start", 0))
        ids = [
            emu.add_database(f"{prefix}-{start + i:05d}", status) for i in range(int(body["count"]))
        ]
        return JSONResponse({"ids": ids})

    async def requests(request: Request) -> Response:
        since = int(request.query_params.get("since", "0"))
        rows: list[list[Any]] = [
            [r.method, r.path, r.query, r.at, r.status] for r in emu.requests[since:]
        ]
        return JSONResponse({"total": len(emu.requests), "rows": rows})

    async def dbs(request: Request) -> Response:
        prefix = request.query_params.get("prefix", "")
        return JSONResponse({name: db_id for db_id, name in emu.database_names(prefix).items()})

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True, "databases": len(emu.database_names())})

    return Starlette(
        routes=[
            Route("/_bench/config", config, methods=["POST"]),
            Route("/_bench/activate", activate, methods=["POST"]),
            Route("/_bench/purge", purge, methods=["POST"]),
            Route("/_bench/databases", add_many, methods=["POST"]),
            Route("/_bench/requests", requests, methods=["GET"]),
            Route("/_bench/dbs", dbs, methods=["GET"]),
            Route("/_bench/health", health, methods=["GET"]),
            Mount("/", app=emu.app),
        ]
    )


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per answer")
    args = parser.parse_args(argv)
    emu = AstraEmulator(EmulatorConfig(latency_s=args.latency, clock=time.time))
    uvicorn.run(
        bench_app(emu), host=args.host, port=args.port, log_level="warning", access_log=False
    )


if __name__ == "__main__":
    main()
