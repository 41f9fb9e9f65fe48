"""The `astra-bot` command line (DESIGN §2): serve, worker, shell, migrate, perm, doctor."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bot.errors import BotError, ConfigError
from bot.logs import setup_logging
from bot.settings import Settings, require_for_serve

log = logging.getLogger("astra_bot")


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first.get("loc", ["?"])[0])
        raise ConfigError(f"Setting {name} is not valid: {first.get('msg')}.") from None


# ---------------------------------------------------------------------------- serve / worker


async def _serve(settings: Settings, *, sandbox: bool, watcher: bool) -> int:
    import uvicorn

    from bot.app import asgi_app, build

    require_for_serve(settings, sandbox=sandbox)
    components = await build(settings, sandbox=sandbox)
    app = asgi_app(components, with_watcher=watcher)
    config = uvicorn.Config(app, host="0.0.0.0", port=settings.port, log_config=None,
                            lifespan="on", timeout_graceful_shutdown=10)
    server = uvicorn.Server(config)
    if not settings.socket_mode:
        log.info("serving HTTP on :%d (Slack request URL: /slack/events)", settings.port)
        await server.serve()
        return 0

    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    assert components.bolt is not None and settings.slack_app_token is not None
    handler = AsyncSocketModeHandler(components.bolt, settings.slack_app_token.get_secret_value())
    log.info("Socket Mode; health on :%d", settings.port)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    try:
        await server.serve()  # health, readiness and the watcher's lifespan
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
    return 0


async def _worker(settings: Settings, *, sandbox: bool) -> int:
    from bot.app import build

    require_for_serve(settings, sandbox=sandbox)
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


# ---------------------------------------------------------------------------- migrate / perm


async def _migrate(settings: Settings) -> int:
    from bot.store.db import current_revision, head_revision, make_engine, migrate

    engine = make_engine(settings.database_url)
    try:
        before = await current_revision(engine)
        await migrate(engine)
        after = await current_revision(engine)
    finally:
        await engine.dispose()
    print(f"store migrated: {before or 'empty'} → {after} (head {head_revision()})")
    return 0


async def _perm(settings: Settings, args: argparse.Namespace) -> int:
    from bot.intents import parse_subject
    from bot.policy import BUILTIN_ROLES
    from bot.store.db import make_engine, migrate
    from bot.store.repo import Store

    engine = make_engine(settings.database_url)
    try:
        if not settings.is_postgres:
            await migrate(engine)
        store = Store(engine)
        if args.perm_cmd == "list":
            rules = await store.rules(settings.admins)
            for a in sorted(rules.admins):
                print(f"user {a} admin (ASTRA_BOT_ADMINS)")
            for b in rules.bindings:
                print(f"{b.subject_type} {b.subject_id} {b.role}"
                      + (f" --db {b.db_glob}" if b.db_glob else ""))
            for ch, role in sorted(rules.guards.items()):
                print(f"guard {ch} {role}")
            for g in rules.protected:
                print(f"protect {g}")
            return 0
        subject = parse_subject(args.subject)
        if subject is None:
            raise ConfigError(f"`{args.subject}` is not a Slack user, usergroup or channel ID.")
        rules = await store.rules(settings.admins)
        if args.role not in BUILTIN_ROLES and args.role not in rules.custom_roles:
            raise ConfigError(f"There is no role `{args.role}`.")
        if args.perm_cmd == "grant":
            added = await store.grant(subject.type, subject.id, args.role, args.db, "cli")
            print(("granted" if added else "already granted") + f": {subject.id} {args.role}")
        else:
            n = await store.revoke(subject.type, subject.id, args.role, args.db)
            print(f"revoked {n} binding(s)")
        await store.audit(correlation_id="cli", actor_id="cli", source="cli",
                          command=f"astra-bot perm {args.perm_cmd} {args.subject} {args.role}",
                          decision="allow", outcome="done")
        return 0
    finally:
        await engine.dispose()


# ---------------------------------------------------------------------------- doctor


async def _doctor(settings: Settings, *, as_json: bool) -> int:
    from bot.settings import check_token_shapes
    from bot.store.db import current_revision, head_revision, make_engine

    checks: list[dict[str, object]] = []

    def add(name: str, ok: bool, detail: str) -> None:
        checks.append({"check": name, "ok": ok, "detail": detail})

    add("SLACK_BOT_TOKEN set", settings.slack_bot_token is not None,
        "set" if settings.slack_bot_token else "missing: copy the Bot User OAuth Token")
    add("Slack signing secret or app token",
        settings.slack_signing_secret is not None or settings.slack_app_token is not None,
        "Socket Mode" if settings.socket_mode else
        ("HTTP mode" if settings.slack_signing_secret else "set SLACK_SIGNING_SECRET or "
         "SLACK_APP_TOKEN"))
    add("ASTRA_DB_APPLICATION_TOKEN set", settings.astra_token is not None,
        "set" if settings.astra_token else "missing: only `--sandbox` will work")
    for problem in check_token_shapes(settings):
        add("token shape", False, problem)
    engine = make_engine(settings.database_url)
    try:
        rev = await current_revision(engine)
        head = head_revision()
        add("store migrated", rev == head,
            f"at {rev or 'empty'}, head {head}" + ("" if rev == head else
                                                   ": run `astra-bot migrate`"))
    except BotError as err:
        add("store reachable", False, err.user_message)
    finally:
        await engine.dispose()
    ok = all(bool(c["ok"]) for c in checks)
    if as_json:
        print(json.dumps({"ok": ok, "checks": checks}, indent=2))
    else:
        for c in checks:
            print(f"{'ok  ' if c['ok'] else 'FAIL'} {c['check']}: {c['detail']}")
    return 0 if ok else 1


# ---------------------------------------------------------------------------- main


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="astra-bot", description="Slack chat-ops for Astra DB")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="run the bot (HTTP, or Socket Mode with SLACK_APP_TOKEN)")
    s.add_argument("--sandbox", action="store_true", help="use the built-in Astra emulator")
    s.add_argument("--no-watcher", action="store_true", help="run the watcher elsewhere")
    w = sub.add_parser("worker", help="run the watcher alone")
    w.add_argument("--sandbox", action="store_true")
    sh = sub.add_parser("shell", help="a terminal Slack on the embedded defaults")
    sh.add_argument("--user", default=None, help="act as this Slack user id")
    sh.add_argument("--channel", default=None, help="act in this channel id")
    sh.add_argument("--no-wait", action="store_true",
                    help="scripts: don't wait for operations to end between lines")
    sub.add_parser("migrate", help="alembic upgrade head on DATABASE_URL")
    pm = sub.add_parser("perm", help="manage role bindings from the command line")
    psub = pm.add_subparsers(dest="perm_cmd", required=True)
    for name in ("grant", "revoke"):
        g = psub.add_parser(name)
        g.add_argument("subject", help="U…, S… (usergroup) or C… (channel) id")
        g.add_argument("role")
        g.add_argument("--db", default=None, help="database-name glob scope")
    psub.add_parser("list")
    d = sub.add_parser("doctor", help="check this deployment")
    d.add_argument("--json", action="store_true")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
        setup_logging(settings.log_format, quiet=args.cmd == "shell")
        match args.cmd:
            case "serve":
                return asyncio.run(_serve(settings, sandbox=args.sandbox,
                                          watcher=not args.no_watcher))
            case "worker":
                return asyncio.run(_worker(settings, sandbox=args.sandbox))
            case "shell":
                from bot.shell import SHELL_CHANNEL, SHELL_USER, run_shell

                return asyncio.run(run_shell(settings, user=args.user or SHELL_USER,
                                             channel=args.channel or SHELL_CHANNEL,
                                             wait=not args.no_wait))
            case "migrate":
                return asyncio.run(_migrate(settings))
            case "perm":
                return asyncio.run(_perm(settings, args))
            case "doctor":
                return asyncio.run(_doctor(settings, as_json=args.json))
    except ConfigError as err:
        print(f"astra-bot: {err.user_message}" + (f"\n  {err.hint}" if err.hint else ""),
              file=sys.stderr)
        return 2
    except BotError as err:
        print(f"astra-bot: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 2


if __name__ == "__main__":
    sys.exit(main())
