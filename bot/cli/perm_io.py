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
    guards:                     # channel -> the role that caps what may be done there
      C0GENERAL: viewer
    protected: [prod-*]         # destructive commands on these need a second person

Import validates the whole file first — subjects are Slack IDs (``U…``, ``S…``, ``C…``, or
their ``<@…>`` escapes, never a display name), roles are built in or defined in the same
file, globs are valid database-name patterns, permissions name real commands — and reports
every problem with its location (``roles.yml:12: bindings[2].role: …``). Only a valid file
is applied, in ONE transaction that makes the store equal to the file (rows that are
already there are left alone, so their history is kept) and appends the audit row; a
section left out of the file is empty. On any error nothing changes.

YAML is read and written with PyYAML (a dependency of the bot), JSON with the standard library.
"""

from __future__ import annotations

import difflib
import importlib
import json
import re
import shlex
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Literal

from bot.errors import BotError, ConfigError, UsageError
from bot.intents import SPECS, Subject, parse, parse_subject
from bot.policy import BUILTIN_ROLES, Binding, permits
from bot.store.repo import Store
from bot.store.tx import Tx

FORMAT_VERSION = 1
Format = Literal["yaml", "json"]
SECTIONS = ("version", "roles", "bindings", "guards", "protected")
BINDING_KEYS = ("subject", "role", "db")
_ROLE_NAME_RE = re.compile(r"^[^\s*]{1,64}$")
_SUBJECT_ORDER = {"user": 0, "usergroup": 1, "channel": 2}
Path = tuple[str | int, ...]

YAML_HEADER = (
    "# astra-bot permissions. `astra-bot perm import <file>` makes the bot's custom roles,\n"
    "# bindings, channel guards and protected globs exactly what this file says (a missing\n"
    "# section means none). Subjects are Slack IDs: U… user, S… usergroup, C… channel.\n"
    "# ASTRA_BOT_ADMINS are admins everywhere and are not part of this file.\n"
)


# ---------------------------------------------------------------------------- data


@dataclass(frozen=True)
class PermSet:
    """The permission state: what an export writes and an import applies."""

    roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    bindings: tuple[Binding, ...] = ()
    guards: Mapping[str, str] = field(default_factory=dict)
    protected: tuple[str, ...] = ()

    def to_document(self) -> dict[str, Any]:
        """A JSON/YAML-able dict, in a stable order (so that exports diff well in git)."""
        bindings: list[dict[str, str]] = []
        for b in sorted(self.bindings, key=_binding_order):
            row = {"subject": b.subject_id, "role": b.role}
            if b.db_glob:
                row["db"] = b.db_glob
            bindings.append(row)
        return {
            "version": FORMAT_VERSION,
            "roles": {name: list(self.roles[name]) for name in sorted(self.roles)},
            "bindings": bindings,
            "guards": {ch: self.guards[ch] for ch in sorted(self.guards)},
            "protected": sorted(self.protected),
        }


def _binding_order(b: Binding) -> tuple[int, str, str, str]:
    return (_SUBJECT_ORDER.get(b.subject_type, 9), b.subject_id, b.role, b.db_glob or "")


def _binding_key(b: Binding) -> tuple[str, str, str, str]:
    return (b.subject_type, b.subject_id, b.role, b.db_glob or "")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a permissions file, and where (``line`` is 1-based)."""

    path: str
    message: str
    line: int | None = None

    def render(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line else source
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class PermFileError(BotError):
    """A permissions file is not valid; ``problems`` lists every problem found."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        n = len(self.problems)
        super().__init__(
            f"{source} has {n} problem{'s' if n != 1 else ''}; nothing was changed.",
            hint="\n".join(p.render(source) for p in self.problems),
        )

    def lines(self) -> list[str]:
        return [p.render(self.source) for p in self.problems]


@dataclass(frozen=True)
class Changes:
    """What an import changes (or would change), per section."""

    added: Mapping[str, tuple[str, ...]]
    removed: Mapping[str, tuple[str, ...]]
    changed: Mapping[str, tuple[str, ...]]

    @property
    def empty(self) -> bool:
        return not any((*self.added.values(), *self.removed.values(), *self.changed.values()))

    def summary(self) -> str:
        parts: list[str] = []
        for section in ("roles", "bindings", "guards", "protected"):
            a = len(self.added.get(section, ()))
            r = len(self.removed.get(section, ()))
            c = len(self.changed.get(section, ()))
            if a or r or c:
                bits = [f"+{a}" if a else "", f"-{r}" if r else "", f"~{c}" if c else ""]
                parts.append(f"{section} {' '.join(b for b in bits if b)}")
        return ", ".join(parts) if parts else "no change"

    def lines(self) -> list[str]:
        out: list[str] = []
        for section in ("roles", "bindings", "guards", "protected"):
            out += [f"+ {section}: {x}" for x in self.added.get(section, ())]
            out += [f"~ {section}: {x}" for x in self.changed.get(section, ())]
            out += [f"- {section}: {x}" for x in self.removed.get(section, ())]
        return out


def _describe(b: Binding) -> str:
    scope = f" --db {b.db_glob}" if b.db_glob else ""
    return f"{b.subject_type} {b.subject_id} {b.role}{scope}"


def diff(current: PermSet, new: PermSet) -> Changes:
    added: dict[str, tuple[str, ...]] = {}
    removed: dict[str, tuple[str, ...]] = {}
    changed: dict[str, tuple[str, ...]] = {}
    added["roles"] = tuple(
        f"{n}: {' '.join(new.roles[n])}" for n in sorted(new.roles) if n not in current.roles
    )
    removed["roles"] = tuple(n for n in sorted(current.roles) if n not in new.roles)
    changed["roles"] = tuple(
        f"{n}: {' '.join(current.roles[n])} → {' '.join(new.roles[n])}"
        for n in sorted(new.roles)
        if n in current.roles and current.roles[n] != new.roles[n]
    )
    cur_b = {_binding_key(b): b for b in current.bindings}
    new_b = {_binding_key(b): b for b in new.bindings}
    added["bindings"] = tuple(_describe(b) for k, b in new_b.items() if k not in cur_b)
    removed["bindings"] = tuple(_describe(b) for k, b in cur_b.items() if k not in new_b)
    added["guards"] = tuple(
        f"{c} {new.guards[c]}" for c in sorted(new.guards) if c not in current.guards
    )
    removed["guards"] = tuple(
        f"{c} {current.guards[c]}" for c in sorted(current.guards) if c not in new.guards
    )
    changed["guards"] = tuple(
        f"{c} {current.guards[c]} → {new.guards[c]}"
        for c in sorted(new.guards)
        if c in current.guards and current.guards[c] != new.guards[c]
    )
    added["protected"] = tuple(g for g in new.protected if g not in current.protected)
    removed["protected"] = tuple(g for g in current.protected if g not in new.protected)
    return Changes(added, removed, changed)


# ---------------------------------------------------------------------------- checks


def glob_problem(glob: str) -> str | None:
    """Why ``glob`` is not a database-name pattern (the grammar's rule), or None."""
    try:
        parse(f"perm protect {shlex.quote(glob)}")
    except UsageError as err:
        return err.user_message.removeprefix("<glob>: ")
    return None


def permission_problem(pattern: str) -> str | None:
    """Why ``pattern`` names no command permission (``db.create``, ``keyspace.*``), or None."""
    if not pattern or any(c.isspace() for c in pattern):
        return f"`{pattern}` is not a permission (no spaces: `db.create`, `keyspace.*`)."
    if any(permits([pattern], p) for p in SPECS):
        return None
    near = difflib.get_close_matches(pattern, list(SPECS), n=3, cutoff=0.5)
    hint = f" Did you mean {' or '.join(f'`{n}`' for n in near)}?" if near else ""
    return f"`{pattern}` names no command permission.{hint}"


def subject_problem(raw: str, *, channel_only: bool = False) -> tuple[Subject | None, str | None]:
    subj = parse_subject(raw)
    if subj is None:
        what = (
            "a Slack channel ID (C…)"
            if channel_only
            else ("a Slack ID: user U…, usergroup S… or channel C… (or its <@…> escape)")
        )
        return None, f"`{raw}` is not {what}; display names are not allowed."
    if channel_only and subj.type != "channel":
        return None, f"`{raw}` is a {subj.type}, not a channel."
    if len(subj.id) > 32:
        return None, f"`{raw}` is too long for a Slack ID."
    return subj, None


def check_role(role: str, custom: Iterable[str]) -> str | None:
    known = [*BUILTIN_ROLES, *custom]
    if role in known:
        return None
    near = difflib.get_close_matches(role, known, n=2, cutoff=0.5)
    hint = f" Did you mean {' or '.join(f'`{n}`' for n in near)}?" if near else ""
    return f"there is no role `{role}` (roles: {', '.join(known)}).{hint}"


# ---------------------------------------------------------------------------- validation


class _Checker:
    def __init__(self, lines: Mapping[Path, int]) -> None:
        self.lines = lines
        self.problems: list[Problem] = []

    def add(self, path: Path, message: str) -> None:
        line = None
        for n in range(len(path), -1, -1):
            if path[:n] in self.lines:
                line = self.lines[path[:n]]
                break
        self.problems.append(Problem(_render_path(path), message, line))

    def string(self, path: Path, value: Any, what: str) -> str | None:
        if isinstance(value, str) and value.strip():
            return value.strip()
        if value is None:
            self.add(path, f"{what} is missing.")
        else:
            shown = "empty" if value == "" else f"a {type(value).__name__}"
            self.add(path, f"{what} must be a non-empty string, not {shown}.")
        return None


def _render_path(path: Path) -> str:
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + p
    return out


def _unknown_keys(c: _Checker, path: Path, found: Iterable[Any], allowed: Sequence[str]) -> None:
    for key in found:
        if key not in allowed:
            near = difflib.get_close_matches(str(key), list(allowed), n=1, cutoff=0.6)
            hint = f" Did you mean `{near[0]}`?" if near else ""
            c.add((*path, str(key)), f"unknown key `{key}` (keys: {', '.join(allowed)}).{hint}")


def validate(doc: Any, lines: Mapping[Path, int] | None = None) -> tuple[PermSet, list[Problem]]:
    """The :class:`PermSet` a parsed document describes, and every problem found in it."""
    c = _Checker(lines or {})
    if doc is None:
        c.add((), "the file is empty (an empty file would remove every permission).")
        return PermSet(), c.problems
    if not isinstance(doc, Mapping):
        c.add((), f"the file must be a mapping with keys {', '.join(SECTIONS)}.")
        return PermSet(), c.problems
    _unknown_keys(c, (), doc.keys(), SECTIONS)
    version = doc.get("version", FORMAT_VERSION)
    if version != FORMAT_VERSION or isinstance(version, bool):
        c.add(("version",), f"unsupported version `{version}` (this bot reads {FORMAT_VERSION}).")

    roles = _validate_roles(c, doc.get("roles"))
    known = set(roles)
    bindings = _validate_bindings(c, doc.get("bindings"), known)
    guards = _validate_guards(c, doc.get("guards"), known)
    protected = _validate_protected(c, doc.get("protected"))
    return PermSet(roles, tuple(bindings), guards, tuple(protected)), c.problems


def _validate_roles(c: _Checker, raw: Any) -> dict[str, tuple[str, ...]]:
    roles: dict[str, tuple[str, ...]] = {}
    if raw is None:
        return roles
    if not isinstance(raw, Mapping):
        c.add(("roles",), "must be a mapping of role name to a list of permissions.")
        return roles
    for key, perms in raw.items():
        path: Path = ("roles", str(key))
        name = str(key).strip().lower()
        if not isinstance(key, str) or not _ROLE_NAME_RE.match(name):
            c.add(path, f"`{key}` is not a role name (1–64 characters, no spaces or `*`).")
            continue
        if name in BUILTIN_ROLES:
            c.add(path, f"`{name}` is a built-in role and cannot be redefined.")
            continue
        if name in roles:
            c.add(path, f"role `{name}` is defined twice (names are not case-sensitive).")
            continue
        items = perms.split() if isinstance(perms, str) else perms
        if not isinstance(items, list) or not items:
            c.add(path, "must list at least one permission (`db.create`, `keyspace.*`, …).")
            roles[name] = ()
            continue
        good: list[str] = []
        for i, p in enumerate(items):
            ppath: Path = (*path, i) if not isinstance(perms, str) else path
            s = c.string(ppath, p, "a permission")
            if s is None:
                continue
            why = permission_problem(s)
            if why:
                c.add(ppath, why)
            elif s not in good:
                good.append(s)
        roles[name] = tuple(good)
    return roles


def _validate_bindings(c: _Checker, raw: Any, custom: set[str]) -> list[Binding]:
    out: list[Binding] = []
    if raw is None:
        return out
    if not isinstance(raw, list):
        c.add(("bindings",), "must be a list of {subject, role, db} entries.")
        return out
    seen: dict[tuple[str, str, str, str], int] = {}
    for i, item in enumerate(raw):
        path: Path = ("bindings", i)
        if not isinstance(item, Mapping):
            c.add(path, "must be a mapping like {subject: U0ANA, role: viewer, db: dev-*}.")
            continue
        _unknown_keys(c, path, item.keys(), BINDING_KEYS)
        ok = True
        subj: Subject | None = None
        raw_subject = c.string((*path, "subject"), item.get("subject"), "subject")
        if raw_subject is None:
            ok = False
        else:
            subj, why = subject_problem(raw_subject)
            if why:
                c.add((*path, "subject"), why)
                ok = False
        role = c.string((*path, "role"), item.get("role"), "role")
        if role is None:
            ok = False
        else:
            role = role.lower()
            why = check_role(role, custom)
            if why:
                c.add((*path, "role"), why)
                ok = False
        glob: str | None = None
        if item.get("db") is not None:
            glob = c.string((*path, "db"), item.get("db"), "db")
            if glob is None:
                ok = False
            elif why := glob_problem(glob):
                c.add((*path, "db"), why)
                ok = False
        if not ok or subj is None or role is None:
            continue
        b = Binding(subj.type, subj.id, role, glob)
        key = _binding_key(b)
        if key in seen:
            c.add(path, f"duplicate of bindings[{seen[key]}].")
            continue
        seen[key] = i
        out.append(b)
    return out


def _validate_guards(c: _Checker, raw: Any, custom: set[str]) -> dict[str, str]:
    guards: dict[str, str] = {}
    if raw is None:
        return guards
    if not isinstance(raw, Mapping):
        c.add(("guards",), "must be a mapping of channel ID to role (C0GENERAL: viewer).")
        return guards
    for key, value in raw.items():
        path: Path = ("guards", str(key))
        subj, why = subject_problem(str(key), channel_only=True)
        if why:
            c.add(path, why)
        role = c.string(path, value, "the guard's role")
        if role is not None:
            role = role.lower()
            if why := check_role(role, custom):
                c.add(path, why)
                role = None
        if subj is None or role is None:
            continue
        if subj.id in guards:
            c.add(path, f"channel {subj.id} is guarded twice.")
            continue
        guards[subj.id] = role
    return guards


def _validate_protected(c: _Checker, raw: Any) -> list[str]:
    out: list[str] = []
    if raw is None:
        return out
    if not isinstance(raw, list):
        c.add(("protected",), "must be a list of database-name globs (['prod-*']).")
        return out
    for i, item in enumerate(raw):
        g = c.string(("protected", i), item, "a protected glob")
        if g is None:
            continue
        if why := glob_problem(g):
            c.add(("protected", i), why)
        elif g in out:
            c.add(("protected", i), f"`{g}` is listed twice.")
        else:
            out.append(g)
    return out


# ---------------------------------------------------------------------------- files


def _yaml() -> ModuleType:
    try:
        return importlib.import_module("yaml")
    except ImportError:
        raise ConfigError(
            "Reading or writing YAML needs PyYAML, which is not installed.",
            hint="Install it (`pip install pyyaml`), or use JSON (`--format json`).",
        ) from None


def guess_format(source: str, content: str) -> Format:
    low = source.lower()
    if low.endswith(".json"):
        return "json"
    if low.endswith((".yml", ".yaml")):
        return "yaml"
    return "json" if content.lstrip().startswith("{") else "yaml"


def load(content: str, *, source: str, fmt: Format | None = None) -> PermSet:
    """Parse and validate a permissions file; raise :class:`PermFileError` listing every
    problem (with its line, for YAML)."""
    fmt = fmt or guess_format(source, content)
    problems: list[Problem] = []
    lines: dict[Path, int] = {}
    if fmt == "json":
        dupes: list[str] = []

        def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for k, v in items:
                if k in out:
                    dupes.append(k)
                out[k] = v
            return out

        try:
            doc = json.loads(content, object_pairs_hook=pairs)
        except json.JSONDecodeError as exc:
            problem = Problem("", f"not valid JSON: {exc.msg}.", exc.lineno)
            raise PermFileError(source, [problem]) from None
        problems += [Problem("", f"key `{k}` appears twice.") for k in dupes]
    else:
        yaml = _yaml()
        try:
            doc = yaml.safe_load(content)
            node = yaml.compose(content, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            what = getattr(exc, "problem", None) or type(exc).__name__
            line = mark.line + 1 if mark is not None else None
            raise PermFileError(source, [Problem("", f"not valid YAML: {what}.", line)]) from None
        if node is not None:
            problems += _yaml_lines(yaml, node, (), lines, set())
    permset, found = validate(doc, lines)
    problems += found
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise PermFileError(source, problems)
    return permset


def _yaml_lines(
    yaml: ModuleType, node: Any, path: Path, out: dict[Path, int], seen: set[int]
) -> list[Problem]:
    """Record the line of every path in a composed YAML document; report duplicate keys."""
    problems: list[Problem] = []
    if id(node) in seen:
        return problems
    seen.add(id(node))
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in first:
                problems.append(
                    Problem(
                        _render_path((*path, key)),
                        f"key `{key}` appears twice (first on line {first[key]}).",
                        line,
                    )
                )
                continue
            first[key] = line
            out[(*path, key)] = line
            problems += _yaml_lines(yaml, value_node, (*path, key), out, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            problems += _yaml_lines(yaml, item, (*path, i), out, seen)
    return problems


def dump(permset: PermSet, fmt: Format = "yaml") -> str:
    doc = permset.to_document()
    if fmt == "json":
        return json.dumps(doc, indent=2) + "\n"
    body = _yaml().safe_dump(doc, sort_keys=False, default_flow_style=False, allow_unicode=True)
    return YAML_HEADER + str(body)


# ---------------------------------------------------------------------------- store


async def _read(tx: Tx) -> PermSet:
    bindings, guards, roles, prot = await tx.rules.rows()
    return PermSet(
        roles={r.name: tuple(r.permissions.split()) for r in roles},
        bindings=tuple(
            Binding(b.subject_type, b.subject_id, b.role, b.db_glob or None)  # type: ignore[arg-type]
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
    rules = tx.rules
    for name in current.roles:
        if name not in new.roles:
            await rules.delete_role(name)
    for name, perms in new.roles.items():
        if current.roles.get(name) != perms:
            await rules.create_role(name, perms, by)
    wanted = {_binding_key(b) for b in new.bindings}
    have = {_binding_key(b) for b in current.bindings}
    for st, sid, role, glob in have - wanted:
        await rules.revoke(st, sid, role, glob)
    for b in new.bindings:
        if _binding_key(b) not in have:
            await rules.grant(b.subject_type, b.subject_id, b.role, b.db_glob, by)
    for ch in current.guards:
        if ch not in new.guards:
            await rules.remove_guard(ch)
    for ch, role in new.guards.items():
        if current.guards.get(ch) != role:
            await rules.set_guard(ch, role, by)
    for g in current.protected:
        if g not in new.protected:
            await rules.unprotect(g)
    for g in new.protected:
        if g not in current.protected:
            await rules.protect(g, by)


__all__ = [
    "Changes",
    "PermFileError",
    "PermSet",
    "Problem",
    "check_role",
    "diff",
    "dump",
    "glob_problem",
    "load",
    "permission_problem",
    "read_permset",
    "replace_all",
    "subject_problem",
    "validate",
]
