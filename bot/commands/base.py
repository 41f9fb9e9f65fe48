"""PURE: the base of every typed command — its grammar entry and the transition accessors.

Each command of the grammar is a frozen dataclass, a subclass of :class:`Command` declared
with its permission (``class CreateDatabase(Command, permission="db.create", target="name")``);
its fields are the command's parameters and options, typed, so mypy sees a wrong field.
The string-keyed accessors (``arg("db")``, ``opt_num("page")``…) read the same fields, for
handlers not yet converted to attributes.
"""

from __future__ import annotations

import dataclasses
import shlex
from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from bot.commands.grammar import SPECS
from bot.commands.spec import CommandSpec
from bot.commands.values import Subject, Value

C = TypeVar("C", bound="Command")

#: Grammar names that cannot be field names, because the base class has an attribute of
#: that name (``.permission``, ``.subject()``): `role create --permission …` is held in the
#: field ``permissions``, `perm grant <subject>` in ``who``.
_RENAMED = {"permission": "permissions", "subject": "who"}

#: permission → its command class, filled as the command modules are imported.
REGISTRY: dict[str, type[Command]] = {}


def field_name(grammar_name: str) -> str:
    """The dataclass field that holds the grammar's parameter or option ``grammar_name``."""
    return _RENAMED.get(grammar_name, grammar_name)


@dataclasses.dataclass(frozen=True)
class Command:
    """A parsed command: its grammar entry (:attr:`spec`) and its validated fields."""

    spec: ClassVar[CommandSpec]
    #: The field naming the database the command acts on when it is not one of its
    #: ``db``-kind values (``db create``: the new database's name); None for the others.
    target_field: ClassVar[str | None] = None

    def __init_subclass__(cls, *, permission: str, target: str | None = None, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        cls.spec = SPECS[permission]
        cls.target_field = target
        if permission in REGISTRY:
            raise TypeError(f"two command classes for {permission}")
        REGISTRY[permission] = cls

    @classmethod
    def build(cls: type[C], args: Mapping[str, Value]) -> C:
        """The command from values keyed by their grammar names, already validated."""
        made: C = cls(**{field_name(k): v for k, v in args.items()})
        return made

    @classmethod
    def narrow(cls: type[C], command: Command) -> C:
        """``command`` as this class (a handler's own command); TypeError if it is another."""
        if not isinstance(command, cls):
            raise TypeError(f"{cls.__name__} expected, not {type(command).__name__}")
        return command

    def without(self: C, *names: str) -> C:
        """The same command with the options ``names`` back at their defaults."""
        kept = {k: v for k, v in self.args.items() if k not in names}
        return type(self).build(kept)

    @property
    def permission(self) -> str:
        return self.spec.permission

    @property
    def args(self) -> Mapping[str, Value]:
        """Every parameter and option, keyed by its grammar name."""
        out: dict[str, Value] = {}
        for p in self.spec.params:
            out[p.name] = getattr(self, field_name(p.name))
        for f in self.spec.flags:
            out[f.target] = getattr(self, field_name(f.target))
        return out

    def arg(self, name: str) -> str:
        v = self.args.get(name)
        if not isinstance(v, str):
            raise KeyError(name)
        return v

    def opt(self, name: str) -> str | None:
        v = self.args.get(name)
        return v if isinstance(v, str) else None

    def num(self, name: str) -> int:
        v = self.args.get(name)
        if not isinstance(v, int) or isinstance(v, bool):
            raise KeyError(name)
        return v

    def opt_num(self, name: str) -> int | None:
        v = self.args.get(name)
        return v if isinstance(v, int) and not isinstance(v, bool) else None

    def switch(self, name: str) -> bool | None:
        v = self.args.get(name)
        return v if isinstance(v, bool) else None

    def many(self, name: str) -> tuple[str, ...]:
        v = self.args.get(name)
        if isinstance(v, tuple):
            return tuple(x for x in v if isinstance(x, str))
        return ()

    def subject(self, name: str) -> Subject:
        v = self.args.get(name)
        if not isinstance(v, Subject):
            raise KeyError(name)
        return v

    def opt_subject(self, name: str) -> Subject | None:
        v = self.args.get(name)
        return v if isinstance(v, Subject) else None

    @property
    def target_dbs(self) -> tuple[str, ...]:
        """Every existing database the command names, as typed (name or id): the values of
        its ``db``-kind parameters and options, whatever the noun (`watch all` names none)."""
        refs: list[str] = []
        kinds: list[tuple[str, str]] = [(p.name, p.kind) for p in self.spec.params]
        kinds += [(f.target, f.kind) for f in self.spec.flags]
        args = self.args
        for name, kind in kinds:
            if kind != "db":
                continue
            v = args.get(name)
            values = v if isinstance(v, tuple) else (v,)
            refs += [x for x in values if isinstance(x, str) and x and x != "all"]
        return tuple(dict.fromkeys(refs))

    @property
    def target_db(self) -> str | None:
        """The database the command acts on, as typed (name or id), if any: the field its
        class names (`db create`: the new name), else the first database it names."""
        if self.target_field is not None:
            v = getattr(self, self.target_field)
            return v if isinstance(v, str) else None
        refs = self.target_dbs
        return refs[0] if refs else None

    def canonical(self) -> str:
        """The command re-assembled from its fields (used in audit rows and confirmations)."""
        parts = ["/astra", self.spec.noun, *self.spec.verb]
        args = self.args
        for p in self.spec.params:
            parts.extend(_show(args.get(p.name)))
        for f in self.spec.flags:
            v = args.get(f.target)
            if f.kind == "switch":
                if v is f.value:
                    parts.append(f"--{f.name}")
                continue
            if v is None or v == ():
                continue
            parts.append(f"--{f.name}")
            parts.extend(_show(v))
        return " ".join(parts)


def _show(v: Value) -> list[str]:
    if v is None:
        return []
    if isinstance(v, Subject):
        return [v.mention()]
    if isinstance(v, tuple):
        out: list[str] = []
        for x in v:
            out.extend(_show(x))
        return out
    # quoted wherever the shell-like tokenizer would read it differently
    return [shlex.quote(str(v))]
