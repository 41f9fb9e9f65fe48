"""A parsed permissions document checked whole: every problem, with its place in the file."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bot.cli.perm_io.checks import check_role, glob_problem, permission_problem, subject_problem
from bot.cli.perm_io.model import (
    BINDING_KEYS,
    FORMAT_VERSION,
    ROLE_NAME_RE,
    SECTIONS,
    BindingKey,
    Path,
    PermSet,
    Problem,
    binding_key,
)
from bot.intents import Subject
from bot.policy import BUILTIN_ROLES, Binding

# ---------------------------------------------------------------------------- validation


class _Checker:
    def __init__(self, lines: Mapping[Path, int], orgs: Sequence[str] = ()) -> None:
        self.lines = lines
        self.problems: list[Problem] = []
        #: the configured orgs' names: what a binding's ``org`` may be
        self.orgs = tuple(orgs)

    def add(self, path: Path, message: str) -> None:
        line = None
        for n in range(len(path), -1, -1):
            if path[:n] in self.lines:
                line = self.lines[path[:n]]
                break
        self.problems.append(Problem(render_path(path), message, line))

    def string(self, path: Path, value: Any, what: str) -> str | None:
        if isinstance(value, str) and value.strip():
            return value.strip()
        if value is None:
            self.add(path, f"{what} is missing.")
        else:
            shown = "empty" if value == "" else f"a {type(value).__name__}"
            self.add(path, f"{what} must be a non-empty string, not {shown}.")
        return None


def render_path(path: Path) -> str:
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


def validate(
    doc: Any, lines: Mapping[Path, int] | None = None, orgs: Sequence[str] = ()
) -> tuple[PermSet, list[Problem]]:
    """The :class:`PermSet` a parsed document describes, and every problem found in it
    (``orgs``: the configured orgs' names, which a binding's ``org`` must be one of)."""
    c = _Checker(lines or {}, orgs)
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
    section = _section(c, "roles", raw, Mapping, "a mapping of role name to a list of permissions")
    for key, perms in (section or {}).items():
        path: Path = ("roles", str(key))
        name = str(key).strip().lower()
        if not isinstance(key, str) or not ROLE_NAME_RE.match(name):
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


def _section(c: _Checker, name: str, raw: Any, kind: type, shape: str) -> Any:
    """``raw`` if it is a section of the ``kind`` it must be; else None (a missing section
    is empty; a section of another kind is a problem)."""
    if raw is None:
        return None
    if not isinstance(raw, kind):
        c.add((name,), f"must be {shape}.")
        return None
    return raw


def _validate_bindings(c: _Checker, raw: Any, custom: set[str]) -> list[Binding]:
    out: list[Binding] = []
    items = _section(c, "bindings", raw, list, "a list of {subject, role, db} entries")
    seen: dict[BindingKey, int] = {}
    for i, item in enumerate(items or ()):
        b = _binding(c, ("bindings", i), item, custom)
        if b is None:
            continue
        key = binding_key(b)
        if key in seen:
            c.add(("bindings", i), f"duplicate of bindings[{seen[key]}].")
            continue
        seen[key] = i
        out.append(b)
    return out


def _binding(c: _Checker, path: Path, item: Any, custom: set[str]) -> Binding | None:
    """One entry of ``bindings``, or None when it has a problem (each one noted)."""
    if not isinstance(item, Mapping):
        c.add(path, "must be a mapping like {subject: U0ANA, role: viewer, db: dev-*}.")
        return None
    _unknown_keys(c, path, item.keys(), BINDING_KEYS)
    subj: Subject | None = None
    raw_subject = c.string((*path, "subject"), item.get("subject"), "subject")
    if raw_subject is not None:
        subj, why = subject_problem(raw_subject)
        if why:
            c.add((*path, "subject"), why)
    role = c.string((*path, "role"), item.get("role"), "role")
    if role is not None:
        role = role.lower()
        if why := check_role(role, custom):
            c.add((*path, "role"), why)
            role = None
    glob_ok, glob = _binding_glob(c, path, item.get("db"))
    org_ok, org = _binding_org(c, path, item.get("org"))
    if subj is None or role is None or not glob_ok or not org_ok:
        return None
    return Binding(subj.type, subj.id, role, glob, org)


def _binding_org(c: _Checker, path: Path, raw: Any) -> tuple[bool, str | None]:
    """A binding's ``org``: whether it is right, and the org (None: every org)."""
    if raw is None:
        return True, None
    org = c.string((*path, "org"), raw, "org")
    if org is None:
        return False, None
    if org not in c.orgs:
        near = difflib.get_close_matches(org, c.orgs, n=1, cutoff=0.5)
        hint = f" Did you mean `{near[0]}`?" if near else ""
        names = ", ".join(c.orgs) or "none"
        c.add((*path, "org"), f"there is no org `{org}` (orgs: {names}).{hint}")
        return False, None
    return True, org


def _binding_glob(c: _Checker, path: Path, raw: Any) -> tuple[bool, str | None]:
    """A binding's ``db``: whether it is right, and the glob (None: every database)."""
    if raw is None:
        return True, None
    glob = c.string((*path, "db"), raw, "db")
    if glob is None:
        return False, None
    if why := glob_problem(glob):
        c.add((*path, "db"), why)
        return False, None
    return True, glob


def _validate_guards(c: _Checker, raw: Any, custom: set[str]) -> dict[str, str]:
    guards: dict[str, str] = {}
    shape = "a mapping of channel ID to role (C0GENERAL: viewer)"
    for key, value in (_section(c, "guards", raw, Mapping, shape) or {}).items():
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
    shape = "a list of database-name globs (['prod-*'])"
    for i, item in enumerate(_section(c, "protected", raw, list, shape) or ()):
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
