"""In-process fakes of external services used by the test-suite."""

from __future__ import annotations

from aiohttp import web


async def serve_on_free_port(app: web.Application, host: str) -> tuple[web.AppRunner, int]:
    """Serve ``app`` on ``host`` at a port the OS picks; the runner (to clean up) and the
    port. Shared by the fakes of Slack's Web API and of Socket Mode."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    await web.TCPSite(runner, host, 0).start()
    return runner, int(runner.addresses[0][1])
