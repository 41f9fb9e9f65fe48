"""The `astra-bot` command line (DESIGN §2): serve, worker, shell, migrate, perm, audit,
doctor."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import ValidationError

from bot.errors import BotError, ConfigError
from bot.logs import setup_logging
from bot.settings import Settings, require_for_serve

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from bot.app import Components
    from bot.store.repo import Store

log = logging.getLogger("astra_bot")


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        # every refused value at once (their values are never shown: some are secrets)
        lines = [f"{e.get('loc', ['?'])[0]} is not valid: {e.get('msg')}."
                 for e in exc.errors(include_url=False)]
        if len(lines) == 1:
            raise ConfigError(f"Setting {lines[0]}") from None
        raise ConfigError(f"{len(lines)} settings are not valid:\n"
                          + "\n".join(f"  - {line}" for line in lines)) from None


# ---------------------------------------------------------------------------- serve / worker


def _say_if_sandbox(settings: Settings, *, sandbox: bool) -> None:
    """The first log line of a sandbox: an operator must not take it for the real Astra."""
    if sandbox:
        log.warning("sandbox: Astra is the built-in emulator (databases live in this "
                    "process's memory; no real Astra organization is touched%s)",
                    "; ASTRA_DB_APPLICATION_TOKEN is not used" if settings.astra_token else "")


async def _serve(settings: Settings, *, sandbox: bool, watcher: bool) -> int:
    import uvicorn

    from bot.app import build
    from bot.web import asgi_app

    require_for_serve(settings, sandbox=sandbox)
    _say_if_sandbox(settings, sandbox=sandbox)
    components = await build(settings, sandbox=sandbox)
    app = asgi_app(components, with_watcher=watcher)
    # What start-up built (modules, models, the app) lives as long as the process: out of
    # the collector's sight, a full collection under load walks only what requests made
    # instead of pausing every request in flight for the whole heap.
    gc.freeze()
    # No access log: every command is in the audit and the JSON log already; the access
    # log line costs about 2% of the ack path's CPU (benchmark).
    config = uvicorn.Config(app, host="0.0.0.0", port=settings.port, log_config=None,
                            lifespan="on", timeout_graceful_shutdown=10, access_log=False)
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
    import aiohttp
    from slack_sdk.errors import SlackApiError

    from bot.app import socket_mode_handler

    handler = socket_mode_handler(components)
    assert components.slack is not None
    try:
        resp = await components.slack.apps_connections_open(app_token=handler.app_token)
    except SlackApiError as exc:
        code = exc.response.get("error") if exc.response is not None else None
        if code in {"invalid_auth", "not_allowed_token_type", "missing_scope", "token_revoked",
                    "not_authed"}:
            raise ConfigError(f"Slack refuses SLACK_APP_TOKEN ({code}).",
                              hint="Run `astra-bot doctor` for the fix.") from None
        log.warning("Socket Mode: apps.connections.open failed (%s); retrying", code)
        return
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        log.warning("Socket Mode: Slack not reachable (%s); retrying", type(exc).__name__)
        return
    handler.client.wss_uri = resp.get("url")  # use this ticket for the first connection


async def _worker(settings: Settings, *, sandbox: bool) -> int:
    from bot.app import build

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
    if before == after:
        print(f"store already at head ({after}): nothing to migrate")
    else:
        print(f"store migrated: {before or 'empty'} → {after} (head {head_revision()})")
    return 0


async def _open_store(settings: Settings) -> tuple[AsyncEngine, Store]:
    """The store for a command-line tool: SQLite is migrated in place; PostgreSQL must
    already be at head (`astra-bot migrate`), as for `serve`."""
    from bot.store.db import is_at_head, make_engine, migrate
    from bot.store.repo import Store

    engine = make_engine(settings.database_url)
    try:
        if not settings.is_postgres:
            await migrate(engine)
        elif not await is_at_head(engine):
            raise ConfigError("The store is not migrated to the latest revision.",
                              hint="Run `astra-bot migrate` first.")
    except BaseException:
        await engine.dispose()
        raise
    from bot.redact import Redactor

    return engine, Store(engine, redactor=Redactor(settings.secret_values()))


async def _cli_audit(store: Store, command: str, outcome: str, *,
                     permission: str | None = None) -> None:
    import uuid

    await store.audit(correlation_id=uuid.uuid4().hex[:12], actor_id="cli", source="cli",
                      command=command, permission=permission, decision="allow",
                      reason="astra-bot command line", outcome=outcome)


async def _perm(settings: Settings, args: argparse.Namespace) -> int:
    engine, store = await _open_store(settings)
    try:
        return await _perm_run(settings, store, args)
    finally:
        await engine.dispose()


async def _perm_run(settings: Settings, store: Store, args: argparse.Namespace) -> int:
    from bot.cli import perm_io
    from bot.intents import parse_subject

    cmd = args.perm_cmd
    if cmd == "list":
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
        for name, perms in sorted(rules.custom_roles.items()):
            print(f"role {name} {' '.join(sorted(perms))}")
        # a fresh store lists nothing: say so, and how a first admin is made
        if not rules.bindings:
            print("no role bindings yet (`astra-bot perm grant <U…|S…|C…> <role>` adds one)")
        if not rules.admins and not any(b.role == "admin" for b in rules.bindings):
            print("no admins: set ASTRA_BOT_ADMINS to Slack member ids (U…, comma-separated), "
                  "or run `astra-bot perm grant U… admin`")
        return 0
    if cmd == "export":
        text = perm_io.dump(await perm_io.read_permset(store), args.format)
        if args.output and args.output != "-":
            _write_file(args.output, text)
        else:
            sys.stdout.write(text)
        return 0
    if cmd == "import":
        return await _perm_import(store, args)
    if cmd in {"protect", "unprotect"}:
        why = perm_io.glob_problem(args.glob)
        if why:
            raise ConfigError(why)
        if cmd == "protect":
            done = await store.protect(args.glob, "cli")
            msg = ("protected" if done else "already protected") + f": {args.glob}"
        else:
            done = await store.unprotect(args.glob)
            msg = ("unprotected" if done else "was not protected") + f": {args.glob}"
        print(msg)
        await _cli_audit(store, f"astra-bot perm {cmd} {args.glob}", msg,
                         permission=f"perm.{cmd}")
        return 0
    if cmd in {"guard", "unguard"}:
        channel, why = perm_io.subject_problem(args.channel, channel_only=True)
        if channel is None:
            raise ConfigError(why or f"`{args.channel}` is not a channel ID.")
        if cmd == "guard":
            rules = await store.rules(settings.admins)
            role = args.role.lower()
            if why := perm_io.check_role(role, rules.custom_roles):
                raise ConfigError(why[0].upper() + why[1:])
            await store.set_guard(channel.id, role, "cli")
            msg = f"guarded: {channel.id} {role}"
            shown = f"astra-bot perm guard {args.channel} {args.role}"
        else:
            removed = await store.remove_guard(channel.id)
            msg = ("unguarded" if removed else "had no guard") + f": {channel.id}"
            shown = f"astra-bot perm unguard {args.channel}"
        print(msg)
        await _cli_audit(store, shown, msg, permission=f"perm.{cmd}")
        return 0
    # grant / revoke
    subject = parse_subject(args.subject)
    if subject is None:
        raise ConfigError(f"`{args.subject}` is not a Slack user, usergroup or channel ID.")
    if args.db is not None and (why := perm_io.glob_problem(args.db)):
        raise ConfigError(f"--db: {why}")
    rules = await store.rules(settings.admins)
    role = args.role.lower()
    if perm_io.check_role(role, rules.custom_roles) is not None:
        raise ConfigError(f"There is no role `{args.role}`.")
    if cmd == "grant":
        added = await store.grant(subject.type, subject.id, role, args.db, "cli")
        msg = ("granted" if added else "already granted") + f": {subject.id} {role}"
    else:
        n = await store.revoke(subject.type, subject.id, role, args.db)
        msg = f"revoked {n} binding(s)"
    print(msg)
    scope = f" --db {args.db}" if args.db else ""
    await _cli_audit(store, f"astra-bot perm {cmd} {args.subject} {args.role}{scope}", msg,
                     permission=f"perm.{cmd}")
    return 0


def _read_file(path: str) -> str:
    from pathlib import Path

    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"Cannot read {path}: it is not UTF-8 text.") from None


def _write_file(path: str, text: str) -> None:
    from pathlib import Path

    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Cannot write {path}: {exc.strerror or exc}.") from None


async def _perm_import(store: Store, args: argparse.Namespace) -> int:
    from bot.cli import perm_io

    source = "<stdin>" if args.file == "-" else args.file
    content = sys.stdin.read() if args.file == "-" else _read_file(args.file)
    try:
        wanted = perm_io.load(content, source=source, fmt=args.format)
    except perm_io.PermFileError as err:
        for line in err.lines():
            print(line, file=sys.stderr)
        print(f"astra-bot: {err.user_message}", file=sys.stderr)
        return 2
    changes = await perm_io.replace_all(store, wanted, by="cli",
                                        command=f"astra-bot perm import {source}",
                                        dry_run=args.dry_run)
    for line in changes.lines():
        print(line)
    verb = "would change" if args.dry_run else "imported"
    print(f"{verb}: {changes.summary()}" + (" (dry run: nothing changed)" if args.dry_run else ""))
    return 0


async def _audit(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli.audit_export import export_jsonl, parse_since

    since = parse_since(args.since) if args.since else None
    engine, store = await _open_store(settings)
    try:
        await export_jsonl(store, sys.stdout, since=since, limit=args.limit,
                           after_id=args.after_id)
    finally:
        await engine.dispose()
    return 0


# ---------------------------------------------------------------------------- doctor


def _doctor(*, as_json: bool) -> int:
    """Settings are read by the doctor itself: a value pydantic refuses is one of its
    findings, not a reason to stop."""
    from bot.cli import doctor

    settings, problems = doctor.load_settings()
    secrets = settings.secret_values()
    setup_logging("text", quiet=True, secrets=secrets)  # stdout is the report's
    report = asyncio.run(doctor.diagnose(settings, problems))
    out = doctor.format_json(report, secrets) if as_json else doctor.format_text(report, secrets)
    sys.stdout.write(out)
    return report.exit_code


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
    sh.add_argument("--log-file", default="astra-bot-shell.log",
                    help="where log records go, never the screen (created at the first "
                    "record; default: %(default)s)")
    sub.add_parser("migrate", help="alembic upgrade head on DATABASE_URL")
    pm = sub.add_parser("perm", help="manage role bindings from the command line")
    psub = pm.add_subparsers(dest="perm_cmd", required=True)
    for name in ("grant", "revoke"):
        g = psub.add_parser(name)
        g.add_argument("subject", help="U…, S… (usergroup) or C… (channel) id")
        g.add_argument("role")
        g.add_argument("--db", default=None, help="database-name glob scope")
    psub.add_parser("list", help="bindings, guards, protected globs and custom roles")
    gd = psub.add_parser("guard", help="cap what may be done in a channel")
    gd.add_argument("channel", help="C… channel id")
    gd.add_argument("role")
    ug = psub.add_parser("unguard", help="remove a channel's guard")
    ug.add_argument("channel", help="C… channel id")
    pr = psub.add_parser("protect", help="two-person rule for matching databases")
    pr.add_argument("glob", help="database-name glob, e.g. 'prod-*'")
    up = psub.add_parser("unprotect", help="remove a protected glob")
    up.add_argument("glob")
    im = psub.add_parser("import", help="make the permissions what a roles.yml says "
                         "(validated, atomic)")
    im.add_argument("file", help="a YAML or JSON file, or - for stdin")
    im.add_argument("--format", choices=("yaml", "json"), default=None,
                    help="default: from the file name")
    im.add_argument("--dry-run", action="store_true", help="show the changes, apply nothing")
    ex = psub.add_parser("export", help="the permissions as a file for `perm import`")
    ex.add_argument("--format", choices=("yaml", "json"), default="yaml")
    ex.add_argument("--output", "-o", default=None, help="a file (default: stdout)")
    au = sub.add_parser("audit", help="the audit log")
    asub = au.add_subparsers(dest="audit_cmd", required=True)
    ae = asub.add_parser("export", help="audit rows as JSON lines on stdout, oldest first")
    ae.add_argument("--format", choices=("jsonl",), default="jsonl")
    ae.add_argument("--since", default=None, help="ISO 8601 date or time (UTC if no offset)")
    ae.add_argument("--limit", type=int, default=None, help="at most N rows")
    ae.add_argument("--after-id", type=int, default=None,
                    help="only rows after this id (resume a previous export)")
    d = sub.add_parser("doctor", help="check this deployment")
    d.add_argument("--json", action="store_true")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. A reader that leaves early (`| head -1`, a closed pager) ends it
    quietly, as the Python docs advise for SIGPIPE (library/signal.html, "Note on
    SIGPIPE"): stdout is pointed at devnull so that the flush at exit cannot fail again,
    and the exit code is 1."""
    try:
        code = _main(argv)
        sys.stdout.flush()  # inside the try: a pipe closed meanwhile fails here, not at exit
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return code


def _main(argv: Sequence[str] | None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.cmd == "doctor":
            return _doctor(as_json=args.json)
        settings = load_settings()
        # the shell's screen is its user's: its log records go to a file
        log_file = args.log_file if args.cmd == "shell" else None
        setup_logging(settings.log_format, quiet=args.cmd in {"shell", "perm", "audit"},
                      secrets=settings.secret_values(), path=log_file)
        match args.cmd:
            case "serve":
                return asyncio.run(_serve(settings, sandbox=args.sandbox,
                                          watcher=not args.no_watcher))
            case "worker":
                return asyncio.run(_worker(settings, sandbox=args.sandbox))
            case "shell":
                from bot.cli.shell import SHELL_CHANNEL, SHELL_USER, run_shell

                return asyncio.run(run_shell(settings, user=args.user or SHELL_USER,
                                             channel=args.channel or SHELL_CHANNEL,
                                             wait=not args.no_wait, log_file=log_file))
            case "migrate":
                return asyncio.run(_migrate(settings))
            case "perm":
                return asyncio.run(_perm(settings, args))
            case "audit":
                return asyncio.run(_audit(settings, args))
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
