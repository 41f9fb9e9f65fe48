"""`astra-bot perm …`: the bot's permissions from the command line (DESIGN §3).

`list` and every change (grant, revoke, guard, unguard, protect, unprotect) is the
`/astra perm …` command it stands for, run through the service's one path
(bot/service/dispatch.py) by the command line's actor: the same parser, validation, handlers,
words and audit rows as in Slack; its answer is printed as plain text (bot/render/text.py).
`export` and `import` read or replace the rules whole (bot/cli/perm_io/).
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
from pathlib import Path

from bot import render
from bot.bootstrap import make_orgs, open_store
from bot.cli import perm_io
from bot.errors import ConfigError
from bot.render import Form, Message
from bot.service import Request, Service
from bot.settings import Settings
from bot.store.repo import Store

#: The command line's actor, as its audit rows name it; an admin by the program.
CLI_ACTOR = "cli"
#: The subcommands that are `/astra perm …` commands, and their arguments in order.
COMMANDS: dict[str, tuple[str, ...]] = {
    "list": (),
    "grant": ("subject", "role"),
    "revoke": ("subject", "role"),
    "guard": ("channel", "role"),
    "unguard": ("channel",),
    "protect": ("glob",),
    "unprotect": ("glob",),
}


async def main(settings: Settings, args: argparse.Namespace) -> int:
    """One `perm` subcommand on the store of ``settings``; the exit code."""
    engine, store = await open_store(settings)
    try:
        return await run(settings, store, args)
    finally:
        await engine.dispose()


async def run(settings: Settings, store: Store, args: argparse.Namespace) -> int:
    """One `perm` subcommand (``args.perm_cmd``); the exit code."""
    cmd = args.perm_cmd
    if cmd == "export":
        _export(await perm_io.read_permset(store), args)
    elif cmd == "import":
        return await _import(store, args, org_names(settings))
    else:
        await _command(settings, store, command_text(args))
    return 0


def _word(arg: str) -> str:
    """One argument as typed in Slack: quoted only where the tokenizer needs it."""
    return arg if arg and not re.search(r"[\s'\"]", arg) else shlex.quote(arg)


def command_text(args: argparse.Namespace) -> str:
    """The `/astra` command a change subcommand stands for (``perm guard C0OPS viewer``)."""
    words = [args.perm_cmd, *(getattr(args, name) for name in COMMANDS[args.perm_cmd])]
    for flag in ("db", "org"):  # grant and revoke: the binding's database glob and org
        if getattr(args, flag, None) is not None:
            words += [f"--{flag}", getattr(args, flag)]
    return "perm " + " ".join(_word(w) for w in words)


def org_names(settings: Settings) -> list[str]:
    """The configured orgs' names (a bot with no token yet: the default org's)."""
    return list(settings.orgs) or [settings.default_org]


class _Answers:
    """What the service answers the command line (privately or in the channel): kept, to
    be printed once the audit row says how the command ended."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, message: Message) -> None:
        self.lines.append(render.to_text(message)[0])

    async def private(self, message: Message) -> None:
        self.add(message)

    async def replace(self, message: Message) -> None:
        self.add(message)

    async def open_form(self, form: Form) -> bool:
        return False  # no form on a command line: the command says everything

    async def post(self, channel: str, message: Message, **where: object) -> str | None:
        self.add(message)
        return None

    async def update(self, channel: str, ts: str, message: Message) -> None:
        self.add(message)


async def _command(settings: Settings, store: Store, text: str) -> None:
    """Run ``text`` as the command line's `/astra` command; its answer on stdout, or a
    refusal as an error (exit code 2, nothing changed)."""
    answers = _Answers()
    # the sandbox's in-process Astra, with the configured orgs' names (for `--org`): a
    # perm command never calls Astra, and the command line must not need a token to
    # manage the bot's own permissions
    orgs, _ = make_orgs(settings, sandbox=True, emulated=list(settings.orgs) or None)
    try:
        service = Service(
            settings, store, orgs, answers, extra_admins={CLI_ACTOR: "the command line"}
        )
        # a direct message: no channel guard caps the command line
        req = Request(user_id=CLI_ACTOR, channel_id="", is_dm=True, source="cli")
        await service.handle_command(req, text, answers)
    finally:
        await orgs.aclose()
    rows = await store.audit_entries(limit=5, actor_id=CLI_ACTOR)
    ended = next((r.decision for r in rows if r.correlation_id == req.correlation_id), None)
    if ended != "allow":
        raise ConfigError("\n".join(answers.lines) or f"`{text}` was not run.")
    for line in answers.lines:
        print(line)


def _export(permset: perm_io.PermSet, args: argparse.Namespace) -> None:
    text = perm_io.dump(permset, args.format)
    if args.output and args.output != "-":
        write_file(args.output, text)
    else:
        sys.stdout.write(text)


def read_file(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"Cannot read {path}: it is not UTF-8 text.") from None


def write_file(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Cannot write {path}: {exc.strerror or exc}.") from None


async def _import(store: Store, args: argparse.Namespace, orgs: list[str]) -> int:
    source = "<stdin>" if args.file == "-" else args.file
    content = sys.stdin.read() if args.file == "-" else read_file(args.file)
    try:
        wanted = perm_io.load(content, source=source, fmt=args.format, orgs=orgs)
    except perm_io.PermFileError as err:
        for line in err.lines():
            print(line, file=sys.stderr)
        print(f"astra-bot: {err.user_message}", file=sys.stderr)
        return 2
    changes = await perm_io.replace_all(
        store,
        wanted,
        by="cli",
        command=f"astra-bot perm import {source}",
        dry_run=args.dry_run,
    )
    for line in changes.lines():
        print(line)
    verb = "would change" if args.dry_run else "imported"
    dry = " (dry run: nothing changed)" if args.dry_run else ""
    print(f"{verb}: {changes.summary()}{dry}")
    return 0
