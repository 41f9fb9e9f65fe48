"""A prototype of the ack-path changes the benchmark proposes, applied from outside ``bot/``
so that they can be measured before anyone edits the bot: ``python -m tests.bench.proposed``
serves ``astra-bot serve`` (same settings, same app, same uvicorn config) with:

1. **post-ack work queue**: ``Service.handle_command`` / ``handle_action`` enqueue the work
   and return, ``--workers`` tasks run it (Bolt acks first either way; this bounds how much
   post-ack work competes with new requests for the event loop; enough workers that a slow
   Astra does not starve the queue: 32 by default);
2. **rules cache**: ``Service.rules()`` (4 SELECTs, called once or twice per command) is
   reused for ``--rules-ttl`` seconds (the bot would invalidate it on its own writes and
   check a version row; here nothing changes the rules);
3. **sniffio present**: httpcore imports ``sniffio`` on every request and, when it is not
   installed, pays a failed import each time (a stub module stands in for the package);
4. **no access log**: uvicorn's access log line (JSON, redacted) per request is off.

``--only queue,rules,sniffio,accesslog`` applies a subset. It is a bench-only stand-in, not
the implementation: the report says where each change belongs in ``bot/``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import types
from typing import Any

ALL = ("queue", "rules", "sniffio", "accesslog")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", default=",".join(ALL))
    p.add_argument("--workers", type=int, default=32)
    p.add_argument("--rules-ttl", type=float, default=5.0)
    args = p.parse_args(argv)
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    if "sniffio" in only and "sniffio" not in sys.modules:
        stub = types.ModuleType("sniffio")
        stub.current_async_library = lambda: "asyncio"  # type: ignore[attr-defined]
        sys.modules["sniffio"] = stub
    asyncio.run(serve(only, args.workers, args.rules_ttl))


async def serve(only: set[str], workers: int, rules_ttl: float) -> None:
    import uvicorn

    from bot.__main__ import load_settings
    from bot.app import asgi_app, build
    from bot.logs import setup_logging

    settings = load_settings()
    setup_logging(settings.log_format)
    components = await build(settings)
    service = components.service
    if "rules" in only:
        real_rules = service.rules
        cached: list[Any] = []

        async def rules() -> Any:
            if not cached or time.monotonic() - cached[0] > rules_ttl:
                cached[:] = [time.monotonic(), await real_rules()]
            return cached[1]

        service.rules = rules  # type: ignore[method-assign]
    if "queue" in only:
        queue: asyncio.Queue[tuple[Any, tuple[Any, ...]]] = asyncio.Queue()
        handle_command, handle_action = service.handle_command, service.handle_action

        async def worker() -> None:
            while True:
                fn, a = await queue.get()
                try:
                    await fn(*a)
                except Exception:  # the service reports its own errors
                    pass
                finally:
                    queue.task_done()

        tasks: list[asyncio.Task[None]] = []

        def start() -> None:
            if not tasks:
                tasks.extend(asyncio.create_task(worker()) for _ in range(workers))

        async def enqueue_command(*a: Any) -> None:
            start()
            queue.put_nowait((handle_command, a))

        async def enqueue_action(*a: Any) -> None:
            start()
            queue.put_nowait((handle_action, a))

        service.handle_command = enqueue_command  # type: ignore[method-assign]
        service.handle_action = enqueue_action  # type: ignore[method-assign]
    app = asgi_app(components, with_watcher=True)
    config = uvicorn.Config(app, host="0.0.0.0", port=settings.port, log_config=None,
                            lifespan="on", timeout_graceful_shutdown=10,
                            access_log="accesslog" not in only)
    await uvicorn.Server(config).serve()


if __name__ == "__main__":
    main()
