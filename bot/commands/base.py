"""PURE: the base of every typed command: a command IS its class, grammar entry included.

How to add a command: write its class (in the module of its noun, or a new module listed in
:mod:`bot.commands.grammar`) and a handler. The class keywords are the grammar line, the
docstring is its one-line summary, and each field, typed, is a positional parameter
(:class:`Param`) or an option (:class:`Flag`) in the order of the usage line::

    class ResizeDatabase(Command, command="db resize", level="operator", mutating=True):
        \"\"\"resize a classic database\"\"\"

        db: Db
        units: Annotated[int, Param("units", "int", bounds=CAPACITY_UNITS)]

No decorator: every subclass is a frozen, keyword-only dataclass (PEP 681), so mypy sees a
wrong field. The permission is named after the command (``db.resize``). The string-keyed
accessors (``arg("db")``, ``opt_num("page")``…) read the same fields by their grammar names,
for handlers not yet converted to attributes.
"""

from __future__ import annotations

import dataclasses
import inspect
import shlex
import typing
from collections.abc import Mapping
from typing import Any, ClassVar, Literal, TypeVar, dataclass_transform

from bot.commands.spec import ORG, CommandSpec, Flag, Param
from bot.commands.values import Subject, Value

C = TypeVar("C", bound="Command")
V = TypeVar("V")

#: permission → its command class, filled as the command modules are imported.
REGISTRY: dict[str, type[Command]] = {}


def _grammar_of(cls: type) -> tuple[tuple[Param, ...], tuple[Flag, ...], dict[str, str]]:
    """The parameters and options a command class declares, and grammar name → field."""
    hints = typing.get_type_hints(cls, include_extras=True)
    params: list[Param] = []
    flags: list[Flag] = []
    field_of: dict[str, str] = {}
    for name in inspect.get_annotations(cls):
        marks = [m for m in getattr(hints[name], "__metadata__", ()) if isinstance(m, Param | Flag)]
        if not marks:
            raise TypeError(f"{cls.__name__}.{name} is neither a Param nor a Flag")
        for mark in marks:
            if isinstance(mark, Param):
                params.append(mark)
                field_of[mark.name] = name
            else:
                flags.append(mark)
                field_of[mark.target] = name
    # every command takes `--org` (the field is the base class's), but one whose tail is
    # another command verbatim (`perm check`): that `--org` is the other command's
    if not any(p.raw for p in params):
        flags.insert(0, ORG)
        field_of[ORG.target] = "org"
    return tuple(params), tuple(flags), field_of


def _summary_and_example(cls: type) -> tuple[str, str]:
    """The command's summary (its docstring's first line) and example (the ``/astra …``
    paragraph after it, if any; a long one wraps)."""
    summary, _, rest = inspect.cleandoc(cls.__doc__ or "").partition("\n")
    example = " ".join(rest.split())
    if not summary or (example and not example.startswith("/astra ")):
        raise TypeError(f"{cls.__name__}: the docstring is a summary, then maybe one example")
    return summary, example


@dataclass_transform(frozen_default=True, kw_only_default=True)
@dataclasses.dataclass(frozen=True, kw_only=True)
class Command:
    """A parsed command: its grammar entry (:attr:`spec`) and its validated fields."""

    spec: ClassVar[CommandSpec]
    #: ``--org <name>``: the org to run it in, as typed (checked for shape here; whether it
    #: is configured, bot/service/dispatch.py decides); None: the channel's org.
    org: str | None = None
    #: The field naming the database the command acts on when it is not one of its
    #: ``db``-kind values (``db create``: the new database's name); None for the others.
    target_field: ClassVar[str | None] = None
    #: grammar name of each parameter and option → the field that holds it (they differ
    #: where the grammar's name is an attribute of every command: ``subject``).
    field_of: ClassVar[Mapping[str, str]]

    def __init_subclass__(
        cls,
        *,
        command: str,
        target: str | None = None,
        level: Literal["viewer", "operator", "admin"] = "admin",
        destructive: bool = False,
        mutating: bool | None = None,
        secret_output: bool = False,
        open_to_all: bool = False,
        **kw: Any,
    ) -> None:
        super().__init_subclass__(**kw)
        summary, example = _summary_and_example(cls)
        params, flags, cls.field_of = _grammar_of(cls)
        noun, *verb = command.split()
        cls.spec = CommandSpec(
            noun=noun,
            verb=tuple(verb),
            params=params,
            flags=flags,
            summary=summary,
            example=example,
            destructive=destructive,
            mutating=destructive if mutating is None else mutating,
            secret_output=secret_output,
            open_to_all=open_to_all,
            level=level,
        )
        cls.target_field = target
        if cls.spec.permission in REGISTRY:
            raise TypeError(f"two command classes for {cls.spec.permission}")
        REGISTRY[cls.spec.permission] = cls
        dataclasses.dataclass(frozen=True, kw_only=True)(cls)

    @classmethod
    def build(cls: type[C], args: Mapping[str, Value]) -> C:
        """The command from values keyed by their grammar names, already validated."""
        fields: dict[str, Any] = {cls.field_of[k]: v for k, v in args.items()}
        made: C = cls(**fields)
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
            out[p.name] = getattr(self, self.field_of[p.name])
        for f in self.spec.flags:
            out[f.target] = getattr(self, self.field_of[f.target])
        return out

    def _typed(self, name: str, kind: type[V]) -> V | None:
        """The value of ``name`` if it is a ``kind`` (a switch is no number), else None."""
        v = self.args.get(name)
        if not isinstance(v, kind) or (kind is int and isinstance(v, bool)):
            return None
        return v

    def _required(self, name: str, kind: type[V]) -> V:
        v = self._typed(name, kind)
        if v is None:
            raise KeyError(name)
        return v

    def arg(self, name: str) -> str:
        return self._required(name, str)

    def opt(self, name: str) -> str | None:
        return self._typed(name, str)

    def num(self, name: str) -> int:
        return self._required(name, int)

    def opt_num(self, name: str) -> int | None:
        return self._typed(name, int)

    def switch(self, name: str) -> bool | None:
        return self._typed(name, bool)

    def many(self, name: str) -> tuple[str, ...]:
        return tuple(x for x in self._typed(name, tuple) or () if isinstance(x, str))

    def subject(self, name: str) -> Subject:
        return self._required(name, Subject)

    def opt_subject(self, name: str) -> Subject | None:
        return self._typed(name, Subject)

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
