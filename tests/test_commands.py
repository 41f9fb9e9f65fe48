"""Typed commands: every command of the grammar parses to its own frozen dataclass, whose
fields are the command's parameters and options, typed (so mypy sees a wrong field)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import typing
from pathlib import Path
from typing import Annotated

import pytest

from bot.commands import COMMANDS, REGISTRY, SPECS, Command, CommandSpec, Subject, iam, parse, perm
from bot.commands import db as cmd
from bot.commands.spec import Db, Param
from tests.command_samples import every_option

ROOT = Path(__file__).resolve().parents[1]


def _expected_type(kind: str, *, many: bool, optional: bool) -> object:
    if many:
        return tuple[str, ...]
    base: object = {"int": int, "subject": Subject, "channel": Subject, "switch": bool}.get(
        kind, str
    )
    return base | None if optional else base  # type: ignore[operator]


@pytest.mark.parametrize("spec", COMMANDS, ids=lambda s: s.permission)
def test_every_command_parses_to_its_own_frozen_dataclass(spec: CommandSpec) -> None:
    command = parse(every_option(spec))
    cls = REGISTRY[spec.permission]
    assert type(command) is cls and cls.spec is spec
    assert dataclasses.is_dataclass(command)
    with pytest.raises(dataclasses.FrozenInstanceError):
        command.__setattr__("spec", None)
    # the fields are the grammar's parameters and options, nothing more, each typed by its kind
    hints = typing.get_type_hints(cls)
    fields = {f.name: hints[f.name] for f in dataclasses.fields(cls)}
    expected: dict[str, object] = {"org": str | None}  # the base class's `--org`
    expected |= {
        cls.field_of[p.name]: _expected_type(p.kind, many=p.rest, optional=p.optional)
        for p in spec.params
    }
    for f in spec.flags:
        expected[cls.field_of[f.target]] = _expected_type(f.kind, many=f.many, optional=not f.many)
    assert fields == expected
    # every field was set from the text; the string-keyed view reads the same values
    for name, value in command.args.items():
        assert value not in (None, ()), (spec.permission, name)
        assert getattr(command, cls.field_of[name]) == value


def test_one_class_per_command_and_verb_noun_names() -> None:
    assert set(REGISTRY) == set(SPECS)
    names = [c.__name__ for c in REGISTRY.values()]
    assert len(set(names)) == len(names)
    assert all(issubclass(c, Command) for c in REGISTRY.values())


def test_typed_fields_read_what_was_typed() -> None:
    c = parse("db create orders --cloud GCP --capacity-units 2 --non-vector")
    assert isinstance(c, cmd.CreateDatabase)
    assert (c.name, c.cloud, c.capacity_units, c.vector, c.region) == (
        "orders",
        "gcp",
        2,
        False,
        None,
    )
    g = parse("perm grant <@U1AB|ana> operator --db 'dev-*'")
    assert isinstance(g, perm.GrantRole)
    assert (g.who, g.role, g.db) == (Subject("user", "U1AB"), "operator", "dev-*")
    assert g.subject("subject") == g.who  # the transition accessor reads the same field
    r = parse("role create readers --permission org-db-view --permission db-view")
    assert isinstance(r, iam.CreateRole)
    assert r.many("permission") == ("org-db-view", "db-view") == r.permissions


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("db create orders", "orders"),
        ("db delete orders", "orders"),
        ("keyspace create orders shop", "orders"),
        ("telemetry metrics show orders", "orders"),
        ("watch orders", "orders"),
        ("watch all", None),
        ("perm grant U1AB operator --db orders", None),
        ("role create r --db orders", "orders"),
        ("audit --db orders", None),
        ("region available", None),
    ],
)
def test_the_target_database_is_named_by_data(text: str, target: str | None) -> None:
    assert parse(text).target_db == target


def test_every_declared_target_is_a_text_field_of_its_command() -> None:
    for cls in REGISTRY.values():
        if cls.target_field is not None:
            assert typing.get_type_hints(cls)[cls.target_field] is str, cls.__name__


def test_without_puts_an_option_back_at_its_default() -> None:
    c = parse("db list --status ACTIVE --page 2")
    assert c.without("page").canonical() == "/astra db list --status ACTIVE"
    assert c.opt_num("page") == 2


def test_mypy_sees_a_wrong_field_of_a_command(tmp_path: Path) -> None:
    snippet = tmp_path / "snippet.py"
    snippet.write_text(
        "from bot.commands.db import CreateDatabase\n"
        "def f(c: CreateDatabase) -> str:\n"
        "    return c.nmae\n"
        "CreateDatabase(name='x', capacity_units='2')\n"
    )
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\nstrict = True\nplugins = pydantic.mypy\nfollow_imports = silent\n")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(config),
            "--no-error-summary",
            "--cache-dir",
            str(ROOT / ".mypy_cache" / "snippets"),
            str(snippet),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert '"CreateDatabase" has no attribute "nmae"' in out.stdout, out.stdout + out.stderr
    assert 'Argument "capacity_units" to "CreateDatabase" has incompatible type "str"' in (
        out.stdout
    ), out.stdout


def test_narrow_gives_a_handler_its_own_command_type() -> None:
    c = parse("keyspace create orders shop")
    assert cmd.CreateKeyspace.narrow(c).keyspace == "shop"
    with pytest.raises(TypeError, match="DeleteKeyspace expected, not CreateKeyspace"):
        cmd.DeleteKeyspace.narrow(c)


def test_commands_are_keyword_only_and_frozen_without_a_decorator() -> None:
    c = cmd.ResizeDatabase(db="orders", units=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.__setattr__("units", 3)
    with pytest.raises(TypeError):
        cmd.ResizeDatabase("orders", 2)  # type: ignore[misc]
    assert c.canonical() == "/astra db resize orders 2"


def test_a_class_is_its_grammar_line() -> None:
    spec = cmd.CreateKeyspace.spec
    assert (spec.noun, spec.verb, spec.permission) == ("keyspace", ("create",), "keyspace.create")
    assert spec.summary == "create a keyspace"
    assert spec.example == "/astra keyspace create orders shop"
    assert [p.name for p in spec.params] == ["db", "keyspace"]
    assert (spec.level, spec.mutating, spec.destructive) == ("operator", True, False)
    assert perm.GrantRole.field_of == {"subject": "who", "role": "role", "db": "db", "org": "org"}
    assert SPECS["db.create"].flags[-2].name == "non-vector"  # two switches, one field
    assert cmd.CreateDatabase.field_of["vector"] == "vector"


def test_a_field_outside_the_grammar_is_refused_at_declaration() -> None:
    with pytest.raises(TypeError, match="neither a Param nor a Flag"):

        class Bad(Command, command="db frobnicate"):
            """frobnicate a database"""

            db: Db
            force: bool = False

    assert "db.frobnicate" not in REGISTRY


@pytest.mark.parametrize("doc", [None, "frobnicate\n\n    db frobnicate orders"])
def test_a_command_needs_a_summary_and_at_most_an_example(doc: str | None) -> None:
    with pytest.raises(TypeError, match="summary"):
        type(
            "Bad",
            (Command,),
            {"__doc__": doc, "__annotations__": {"db": Annotated[str, Param("db", "db")]}},
            command="db frobnicate",
        )
    assert "db.frobnicate" not in REGISTRY


def test_a_second_class_for_a_command_is_refused() -> None:
    with pytest.raises(TypeError, match=r"two command classes for db\.get"):

        class Again(Command, command="db get"):
            """show a database"""

            db: Db

    assert REGISTRY["db.get"] is cmd.GetDatabase
