"""`astra-bot perm …`: the bot's permissions from the command line (DESIGN §3), each change
audited as the command line's."""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path

from bot.bootstrap import open_store
from bot.cli import perm_io
from bot.errors import ConfigError
from bot.intents import parse_subject
from bot.settings import Settings
from bot.store.repo import Store


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
    if cmd == "list":
        await _list(settings, store)
    elif cmd == "export":
        _export(await perm_io.read_permset(store), args)
    elif cmd == "import":
        return await _import(store, args)
    elif cmd in {"protect", "unprotect"}:
        await _protect(store, cmd, args.glob)
    elif cmd in {"guard", "unguard"}:
        await _guard(settings, store, cmd, args)
    else:
        await _grant(settings, store, cmd, args)
    return 0


async def _audit(store: Store, command: str, outcome: str, *, permission: str) -> None:
    await store.audit(
        correlation_id=uuid.uuid4().hex[:12],
        actor_id="cli",
        source="cli",
        command=command,
        permission=permission,
        decision="allow",
        reason="astra-bot command line",
        outcome=outcome,
    )


async def _list(settings: Settings, store: Store) -> None:
    rules = await store.rules(settings.admins)
    for a in sorted(rules.admins):
        print(f"user {a} admin (ASTRA_BOT_ADMINS)")
    for b in rules.bindings:
        print(
            f"{b.subject_type} {b.subject_id} {b.role}"
            + (f" --db {b.db_glob}" if b.db_glob else "")
        )
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
        print(
            "no admins: set ASTRA_BOT_ADMINS to Slack member ids (U…, comma-separated), "
            "or run `astra-bot perm grant U… admin`"
        )


def _export(permset: perm_io.PermSet, args: argparse.Namespace) -> None:
    text = perm_io.dump(permset, args.format)
    if args.output and args.output != "-":
        write_file(args.output, text)
    else:
        sys.stdout.write(text)


async def _protect(store: Store, cmd: str, glob: str) -> None:
    why = perm_io.glob_problem(glob)
    if why:
        raise ConfigError(why)
    if cmd == "protect":
        done = await store.protect(glob, "cli")
        msg = ("protected" if done else "already protected") + f": {glob}"
    else:
        done = await store.unprotect(glob)
        msg = ("unprotected" if done else "was not protected") + f": {glob}"
    print(msg)
    await _audit(store, f"astra-bot perm {cmd} {glob}", msg, permission=f"perm.{cmd}")


async def _guard(settings: Settings, store: Store, cmd: str, args: argparse.Namespace) -> None:
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
    await _audit(store, shown, msg, permission=f"perm.{cmd}")


async def _grant(settings: Settings, store: Store, cmd: str, args: argparse.Namespace) -> None:
    """`grant` or `revoke`."""
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
    shown = f"astra-bot perm {cmd} {args.subject} {args.role}{scope}"
    await _audit(store, shown, msg, permission=f"perm.{cmd}")


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


async def _import(store: Store, args: argparse.Namespace) -> int:
    source = "<stdin>" if args.file == "-" else args.file
    content = sys.stdin.read() if args.file == "-" else read_file(args.file)
    try:
        wanted = perm_io.load(content, source=source, fmt=args.format)
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
