"""`astra-bot serve`, `worker` and `migrate`: the processes a deployment runs."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Sequence

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.bootstrap import Components, build
from bot.errors import ConfigError
from bot.settings import Settings, require_for_serve
from bot.store.db import current_revision, head_revision, make_engine, migrate

log = logging.getLogger("astra_bot")

#: Slack's answers to apps.connections.open that no retry mends: the token is wrong
#: (https://api.slack.com/methods/apps.connections.open#errors).
REFUSED_APP_TOKEN = frozenset(
    {"invalid_auth", "not_allowed_token_type", "missing_scope", "token_revoked", "not_authed"}
)


def _say_if_sandbox(
    settings: Settings, *, sandbox: bool, orgs: Sequence[str] | None = None
) -> None:
    """The first log line of a sandbox: an operator must not take it for the real Astra."""
    if sandbox:
        log.warning(
            "sandbox: Astra is the built-in emulator%s (databases live in this "
            "process's memory; no real Astra organization is touched%s)",
            f", orgs {', '.join(orgs)}" if orgs else "",
            "; ASTRA_DB_APPLICATION_TOKEN and ASTRA_BOT_ORGS are not used" if settings.orgs else "",
        )


async def serve(
    settings: Settings, *, sandbox: bool, watcher: bool, orgs: Sequence[str] | None = None
) -> int:
    """The bot: HTTP on $PORT, or Socket Mode with health and metrics on $PORT. ``orgs``:
    the emulator's orgs by name (``--orgs``, with ``--sandbox`` only)."""
    import uvicorn

    from bot.web import asgi_app

    if orgs and not sandbox:
        raise ConfigError(
            "--orgs names the built-in emulator's orgs: it needs --sandbox.",
            hint="Real organizations come from ASTRA_BOT_ORGS (name → token).",
        )
    require_for_serve(settings, sandbox=sandbox)
    _say_if_sandbox(settings, sandbox=sandbox, orgs=orgs)
    components = await build(settings, sandbox=sandbox, emulated_orgs=orgs)
    app = asgi_app(components, with_watcher=watcher)
    # What start-up built (modules, models, the app) lives as long as the process: out of
    # the collector's sight, a full collection under load walks only what requests made
    # instead of pausing every request in flight for the whole heap.
    gc.freeze()
    # No access log: every command is in the audit and the JSON log already; the access
    # log line costs about 2% of the ack path's CPU (benchmark).
    config = uvicorn.Config(
        app,
        host="0.0.0.0",
        port=settings.port,
        log_config=None,
        lifespan="on",
        timeout_graceful_shutdown=10,
        access_log=False,
    )
    server = uvicorn.Server(config)
    # uvicorn re-raises the signal that stopped it once it has shut down; a SIGTERM
    # (deploys, scaling) is a normal stop here, so the process then exits 0.
    signal.signal(signal.SIGTERM, lambda *_: None)
    if not settings.socket_mode:
        log.info("serving HTTP on :%d (Slack request URL: /slack/events)", settings.port)
        await server.serve()
        return 0
    # Socket Mode: the app's lifespan connects in the background (health and metrics
    # answer on $PORT meanwhile; /readyz says when Slack is connected) and disconnects
    # first on shutdown. A token Slack refuses stops the start here, with the reason.
    try:
        await _open_socket_mode(components)
    except BaseException:
        await components.aclose()
        raise
    log.info("Socket Mode; health, readiness and metrics on :%d", settings.port)
    await server.serve()
    return 0


async def _open_socket_mode(components: Components) -> None:
    handler = components.socket
    if handler is None or components.slack is None:
        raise ConfigError("Socket Mode needs SLACK_APP_TOKEN (xapp-…) and SLACK_BOT_TOKEN.")
    try:
        resp = await components.slack.apps_connections_open(app_token=handler.app_token)
    except SlackApiError as exc:
        code = exc.response.get("error") if exc.response is not None else None
        if code in REFUSED_APP_TOKEN:
            raise ConfigError(
                f"Slack refuses SLACK_APP_TOKEN ({code}).",
                hint="Run `astra-bot doctor` for the fix.",
            ) from None
        log.warning("Socket Mode: apps.connections.open failed (%s); retrying", code)
        return
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        log.warning("Socket Mode: Slack not reachable (%s); retrying", type(exc).__name__)
        return
    handler.client.wss_uri = resp.get("url")  # use this ticket for the first connection


async def worker(settings: Settings, *, sandbox: bool) -> int:
    """The watcher alone, until SIGTERM or SIGINT."""
    require_for_serve(settings, sandbox=sandbox)
    _say_if_sandbox(settings, sandbox=sandbox)
    components = await build(settings, sandbox=sandbox)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, components.stop.set)
    try:
        await components.watcher.run(components.stop)
    finally:
        await components.aclose()
    return 0


async def migrate_store(settings: Settings) -> int:
    """alembic upgrade head on DATABASE_URL, saying what changed."""
    engine = make_engine(settings.database_url)
    try:
        before = await current_revision(engine)
        await migrate(engine)
        after = await current_revision(engine)
    finally:
        await engine.dispose()
    if before == after:
        print(f"store already at head ({after}): nothing to migrate")
    else:
        print(f"store migrated: {before or 'empty'} → {after} (head {head_revision()})")
    return 0
