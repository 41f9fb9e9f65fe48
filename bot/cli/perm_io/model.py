"""The permissions file's data: a PermSet, the problems found in a file, an import's changes."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.errors import BotError
from bot.policy import Binding

FORMAT_VERSION = 1
Format = Literal["yaml", "json"]
SECTIONS = ("version", "roles", "bindings", "guards", "protected")
BINDING_KEYS = ("subject", "role", "db", "org")
ROLE_NAME_RE = re.compile(r"^[^\s*]{1,64}$")
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
            if b.org:
                row["org"] = b.org
            bindings.append(row)
        return {
            "version": FORMAT_VERSION,
            "roles": {name: list(self.roles[name]) for name in sorted(self.roles)},
            "bindings": bindings,
            "guards": {ch: self.guards[ch] for ch in sorted(self.guards)},
            "protected": sorted(self.protected),
        }


def _binding_order(b: Binding) -> tuple[int, str, str, str, str]:
    order = _SUBJECT_ORDER.get(b.subject_type, 9)
    return (order, b.subject_id, b.role, b.db_glob or "", b.org or "")


#: A binding's identity: subject, role, database glob ("" every database) and org ("" every
#: org) — what the store keeps one row of.
BindingKey = tuple[str, str, str, str, str]


def binding_key(b: Binding) -> BindingKey:
    return (b.subject_type, b.subject_id, b.role, b.db_glob or "", b.org or "")


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
    org = f" --org {b.org}" if b.org else ""
    return f"{b.subject_type} {b.subject_id} {b.role}{scope}{org}"


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
    cur_b = {binding_key(b): b for b in current.bindings}
    new_b = {binding_key(b): b for b in new.bindings}
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
