"""The `astra-bot` command line (DESIGN §2): serve, worker, shell, migrate, perm, audit,
doctor. Argument parsing only: each subcommand runs in bot/cli/."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from bot.errors import BotError, ConfigError
from bot.logs import setup_logging
from bot.settings import Settings, load_settings, parse_org_names


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="astra-bot", description="Slack chat-ops for Astra DB")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="run the bot (HTTP, or Socket Mode with SLACK_APP_TOKEN)")
    s.add_argument("--sandbox", action="store_true", help="use the built-in Astra emulator")
    s.add_argument("--no-watcher", action="store_true", help="run the watcher elsewhere")
    _orgs_option(s)
    w = sub.add_parser("worker", help="run the watcher alone")
    w.add_argument("--sandbox", action="store_true")
    sh = sub.add_parser("shell", help="a terminal Slack on the embedded defaults")
    sh.add_argument("--user", default=None, help="act as this Slack user id")
    sh.add_argument("--channel", default=None, help="act in this channel id")
    sh.add_argument(
        "--no-wait",
        action="store_true",
        help="scripts: don't wait for operations to end between lines",
    )
    sh.add_argument(
        "--log-file",
        default="astra-bot-shell.log",
        help="where log records go, never the screen (created at the first "
        "record; default: %(default)s)",
    )
    _orgs_option(sh)
    sub.add_parser("migrate", help="alembic upgrade head on DATABASE_URL")
    _perm_parser(sub.add_parser("perm", help="manage role bindings from the command line"))
    _audit_parser(sub.add_parser("audit", help="the audit log"))
    d = sub.add_parser("doctor", help="check this deployment")
    d.add_argument("--json", action="store_true")
    return p


def _org_names(raw: str) -> list[str]:
    try:
        return parse_org_names(raw)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _orgs_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--orgs",
        type=_org_names,
        default=None,
        metavar="NAME,NAME…",
        help="the built-in emulator serves these orgs, each with its own token "
        "(e.g. sandbox,sandbox-2; the first is the default)",
    )


def _perm_parser(pm: argparse.ArgumentParser) -> None:
    psub = pm.add_subparsers(dest="perm_cmd", required=True)
    for name in ("grant", "revoke"):
        g = psub.add_parser(name)
        g.add_argument("subject", help="U…, S… (usergroup) or C… (channel) id")
        g.add_argument("role")
        g.add_argument("--db", default=None, help="database-name glob scope")
        g.add_argument("--org", default=None, help="the org it holds in (default: every org)")
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
    im = psub.add_parser(
        "import", help="make the permissions what a roles.yml says (validated, atomic)"
    )
    im.add_argument("file", help="a YAML or JSON file, or - for stdin")
    im.add_argument(
        "--format", choices=("yaml", "json"), default=None, help="default: from the file name"
    )
    im.add_argument("--dry-run", action="store_true", help="show the changes, apply nothing")
    ex = psub.add_parser("export", help="the permissions as a file for `perm import`")
    ex.add_argument("--format", choices=("yaml", "json"), default="yaml")
    ex.add_argument("--output", "-o", default=None, help="a file (default: stdout)")


def _audit_parser(au: argparse.ArgumentParser) -> None:
    asub = au.add_subparsers(dest="audit_cmd", required=True)
    ae = asub.add_parser("export", help="audit rows as JSON lines on stdout, oldest first")
    ae.add_argument("--format", choices=("jsonl",), default="jsonl")
    ae.add_argument("--since", default=None, help="ISO 8601 date or time (UTC if no offset)")
    ae.add_argument("--limit", type=int, default=None, help="at most N rows")
    ae.add_argument(
        "--after-id",
        type=int,
        default=None,
        help="only rows after this id (resume a previous export)",
    )


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
            from bot.cli.tools import run_doctor

            return run_doctor(as_json=args.json)
        settings = load_settings()
        # the shell's screen is its user's: its log records go to a file
        log_file = args.log_file if args.cmd == "shell" else None
        setup_logging(
            settings.log_format,
            quiet=args.cmd in {"shell", "perm", "audit"},
            secrets=settings.secret_values(),
            path=log_file,
        )
        return asyncio.run(_run(settings, args, log_file))
    except ConfigError as err:
        print(
            f"astra-bot: {err.user_message}" + (f"\n  {err.hint}" if err.hint else ""),
            file=sys.stderr,
        )
        return 2
    except BotError as err:
        print(f"astra-bot: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


async def _run(settings: Settings, args: argparse.Namespace, log_file: str | None) -> int:
    """The subcommand's coroutine (the modules of each are imported only when run)."""
    match args.cmd:
        case "serve" | "worker" | "migrate":
            from bot.cli import serve

            if args.cmd == "serve":
                return await serve.serve(
                    settings, sandbox=args.sandbox, watcher=not args.no_watcher, orgs=args.orgs
                )
            if args.cmd == "worker":
                return await serve.worker(settings, sandbox=args.sandbox)
            return await serve.migrate_store(settings)
        case "shell":
            from bot.cli.shell import SHELL_CHANNEL, SHELL_USER, run_shell

            return await run_shell(
                settings,
                user=args.user or SHELL_USER,
                channel=args.channel or SHELL_CHANNEL,
                wait=not args.no_wait,
                log_file=log_file,
                orgs=args.orgs,
            )
        case "perm":
            from bot.cli import perm

            return await perm.main(settings, args)
        case "audit":
            from bot.cli.tools import audit

            return await audit(settings, args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
