"""`astra-bot perm export` / `perm import`: the bot's permissions as a file kept in git.

The file holds everything the bot's store knows about permissions — custom roles, role
bindings, channel guards and protected database globs — and nothing else (the admins of
``ASTRA_BOT_ADMINS`` live in the environment)::

    version: 1
    roles:                      # custom roles: name -> permissions named after commands
      dba: [db.*, keyspace.*]
    bindings:                   # subject: a Slack user (U…), usergroup (S…) or channel (C…)
      - {subject: C0DBADMINS, role: admin}
      - {subject: S0DEVS, role: operator, db: dev-*}
      - {subject: U0ANA, role: operator, org: dev}   # in the org dev only
    guards:                     # channel -> the role that caps what may be done there
      C0GENERAL: viewer
    protected: [prod-*]         # destructive commands on these need a second person

Import validates the whole file first — subjects are Slack IDs (``U…``, ``S…``, ``C…``, or
their ``<@…>`` escapes, never a display name), roles are built in or defined in the same
file, globs are valid database-name patterns, an ``org`` is a configured org's name (none:
every org), permissions name real commands — and reports
every problem with its location (``roles.yml:12: bindings[2].role: …``). Only a valid file
is applied, in ONE transaction that makes the store equal to the file (rows that are
already there are left alone, so their history is kept) and appends the audit row; a
section left out of the file is empty. On any error nothing changes.

YAML is read and written with PyYAML (a dependency of the bot), JSON with the standard library.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from bot.cli.perm_io.checks import check_role, glob_problem, permission_problem, subject_problem
from bot.cli.perm_io.files import dump, guess_format, load
from bot.cli.perm_io.model import Changes, PermFileError, PermSet, Problem, binding_key, diff
from bot.cli.perm_io.validate import validate
from bot.policy import Binding
from bot.store.repo import Store
from bot.store.tx import Tx

T = TypeVar("T")


async def _read(tx: Tx) -> PermSet:
    bindings, guards, roles, prot = await tx.rules.rows()
    return PermSet(
        roles={r.name: tuple(r.permissions.split()) for r in roles},
        bindings=tuple(
            Binding(b.subject_type, b.subject_id, b.role, b.db_glob or None, b.org)  # type: ignore[arg-type]
            for b in bindings
        ),
        guards={g.channel_id: g.role for g in guards},
        protected=tuple(sorted(p.glob for p in prot)),
    )


async def read_permset(store: Store) -> PermSet:
    """The current permissions, read in one consistent snapshot."""
    async with store.transaction(doing="reading the permissions") as tx:
        await tx.rules.snapshot()
        return await _read(tx)


class _DryRun(Exception):
    def __init__(self, changes: Changes) -> None:
        super().__init__("dry run")
        self.changes = changes


async def replace_all(
    store: Store, new: PermSet, *, by: str, command: str, dry_run: bool = False
) -> Changes:
    """Make the store's permissions equal to ``new`` in ONE transaction (with its audit row).

    Unchanged rows are kept (with who made them and when). Concurrent writers wait
    (:meth:`bot.store.rules.RuleRepo.lock`). ``dry_run`` computes the changes and rolls back.
    """
    try:
        async with store.transaction(
            doing="replacing the permissions; they were not changed",
            hint="Nothing was applied; run the import again.",
        ) as tx:
            await tx.rules.lock()
            current = await _read(tx)
            changes = diff(current, new)
            if dry_run:
                raise _DryRun(changes)
            await _apply(tx, current, new, by)
            tx.audit.add(
                correlation_id=uuid.uuid4().hex[:12],
                actor_id=by[:32],
                source="cli",
                command=command,
                permission="perm.import",
                decision="allow",
                reason="astra-bot command line",
                outcome=changes.summary(),
            )
    except _DryRun as dry:
        return dry.changes
    return changes


async def _apply(tx: Tx, current: PermSet, new: PermSet, by: str) -> None:
    await _apply_roles(tx, current, new, by)
    await _apply_bindings(tx, current, new, by)
    await _apply_guards(tx, current, new, by)
    await _apply_protected(tx, current, new, by)


async def _sync(
    have: Mapping[str, T],
    want: Mapping[str, T],
    remove: Callable[[str], Awaitable[object]],
    put: Callable[[str, T], Awaitable[object]],
) -> None:
    """Make the rows keyed in ``have`` equal to ``want``; an unchanged row is kept."""
    for key in [k for k in have if k not in want]:
        await remove(key)
    for key, value in want.items():
        if have.get(key) != value:
            await put(key, value)


async def _apply_roles(tx: Tx, current: PermSet, new: PermSet, by: str) -> None:
    async def create(name: str, perms: tuple[str, ...]) -> None:
        await tx.rules.create_role(name, perms, by)

    await _sync(current.roles, new.roles, tx.rules.delete_role, create)


async def _apply_bindings(tx: Tx, current: PermSet, new: PermSet, by: str) -> None:
    wanted = {binding_key(b) for b in new.bindings}
    have = {binding_key(b) for b in current.bindings}
    for st, sid, role, glob, org in have - wanted:
        await tx.rules.revoke(st, sid, role, glob, org or None)
    for b in new.bindings:
        if binding_key(b) not in have:
            await tx.rules.grant(b.subject_type, b.subject_id, b.role, b.db_glob, by, b.org)


async def _apply_guards(tx: Tx, current: PermSet, new: PermSet, by: str) -> None:
    async def guard(channel: str, role: str) -> None:
        await tx.rules.set_guard(channel, role, by)

    await _sync(current.guards, new.guards, tx.rules.remove_guard, guard)


async def _apply_protected(tx: Tx, current: PermSet, new: PermSet, by: str) -> None:
    for g in current.protected:
        if g not in new.protected:
            await tx.rules.unprotect(g)
    for g in new.protected:
        if g not in current.protected:
            await tx.rules.protect(g, by)


__all__ = [
    "Changes",
    "PermFileError",
    "PermSet",
    "Problem",
    "check_role",
    "diff",
    "dump",
    "glob_problem",
    "guess_format",
    "load",
    "permission_problem",
    "read_permset",
    "replace_all",
    "subject_problem",
    "validate",
]
