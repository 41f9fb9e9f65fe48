"""`astra-bot perm …` and `astra-bot audit export` (bot/cli/perm_io.py, bot/cli/audit_export.py).

Most tests call ``bot.__main__.main`` in-process (fast); one runs the real entry point in a
subprocess. The README's worked example is checked both ways: its `/astra perm` commands
and its roles.yml give the same permissions, and those behave as the README says.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

import bot.__main__ as cli_main
from bot.cli import perm_io
from bot.cli.audit_export import FIELDS, parse_since
from bot.errors import StoreError
from bot.policy import Binding
from bot.render import ACTION_CONFIRM
from bot.store.db import make_engine, migrate
from bot.store.repo import Store
from tests.conftest import ADMIN, ROOT, BotHarness

ROLES_YML = """\
version: 1
roles:
  dba: [db.*, keyspace.*]
  desk: "perm.check db.list"
bindings:
  - {subject: U0ANA, role: viewer}
  - subject: "<!subteam^S0DEVS|@devs>"
    role: Operator
    db: dev-*
  - {subject: C0DBADMINS, role: admin}
  - {subject: U0BOB, role: dba, db: "stage-*"}
guards:
  C0GENERAL: viewer
  "<#C0DESK|desk>": desk
protected: ['prod-*', 'billing']
"""

EXPECTED = {
    "version": 1,
    "roles": {"dba": ["db.*", "keyspace.*"], "desk": ["perm.check", "db.list"]},
    "bindings": [
        {"subject": "U0ANA", "role": "viewer"},
        {"subject": "U0BOB", "role": "dba", "db": "stage-*"},
        {"subject": "S0DEVS", "role": "operator", "db": "dev-*"},
        {"subject": "C0DBADMINS", "role": "admin"},
    ],
    "guards": {"C0DESK": "desk", "C0GENERAL": "viewer"},
    "protected": ["billing", "prod-*"],
}

# Every line of this file is wrong in a known way; line numbers matter.
BAD_YML = """\
version: 1
roles:
  dba: [db.*, keyspace.creat]
  viewer: [db.list]
bindings:
  - {subject: ana, role: viewer}
  - {subject: U0BOB, role: superuser}
  - {subject: U0BOB, role: viewer, db: "dev *"}
  - {subject: U0CAT, rol: viewer}
  - {subject: U0DAN, role: old-custom}
guards:
  U0ANA: viewer
protected: ['prod-*', 'prod-*']
bogus: 1
"""
BAD_EXPECTED = [
    ("3", "roles.dba[1]", "`keyspace.creat` names no command permission"),
    ("4", "roles.viewer", "built-in role"),
    ("6", "bindings[0].subject", "`ana` is not a Slack ID"),
    ("7", "bindings[1].role", "there is no role `superuser`"),
    ("8", "bindings[2].db", "not a database-name pattern"),
    ("9", "bindings[3].rol", "unknown key `rol`"),
    ("9", "bindings[3].role", "role is missing"),
    ("10", "bindings[4].role", "there is no role `old-custom`"),
    ("12", "guards.U0ANA", "is a user, not a channel"),
    ("13", "protected[1]", "listed twice"),
    ("14", "bogus", "unknown key `bogus`"),
]


@dataclass
class Result:
    rc: int
    out: str
    err: str


Cli = Callable[..., Result]


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/cli.db"


@pytest.fixture
def cli(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Cli]:
    """``astra-bot …`` in-process, on a SQLite store in tmp_path."""
    for key in list(os.environ):
        if key.startswith(("SLACK_", "ASTRA_", "DATABASE_URL")):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("ASTRA_BOT_ADMINS", "U0BOSS")
    monkeypatch.setattr(cli_main, "setup_logging", lambda *a, **k: None)

    def run(*args: str, stdin: str | None = None) -> Result:
        capsys.readouterr()
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        rc = cli_main.main(list(args))
        out, err = capsys.readouterr()
        return Result(rc, out, err)

    yield run


def with_store(url: str, fn: Callable[[Store], Any]) -> Any:
    async def go() -> Any:
        engine = make_engine(url)
        try:
            await migrate(engine)
            return await fn(Store(engine))
        finally:
            await engine.dispose()

    return asyncio.run(go())


def export_doc(url: str) -> dict[str, Any]:
    async def read(store: Store) -> dict[str, Any]:
        return (await perm_io.read_permset(store)).to_document()

    doc: dict[str, Any] = with_store(url, read)
    return doc


def audit_rows(url: str) -> list[Any]:
    async def read(store: Store) -> list[Any]:
        return list(reversed(await store.audit_entries(limit=1000)))

    rows: list[Any] = with_store(url, read)
    return rows


# ---------------------------------------------------------------------------- import/export


def test_import_then_export_round_trip(cli: Cli, tmp_path: Path, db_url: str) -> None:
    (tmp_path / "roles.yml").write_text(ROLES_YML)
    res = cli("perm", "import", "roles.yml")
    assert res.rc == 0, res.err
    assert "+ bindings: usergroup S0DEVS operator --db dev-*" in res.out
    assert "imported: roles +2, bindings +4, guards +2, protected +2" in res.out
    assert export_doc(db_url) == EXPECTED

    # `perm list` is `/astra perm list`'s handler: its words, as plain text
    listed = cli("perm", "list").out
    assert "• @U0BOSS → admin (ASTRA_BOT_ADMINS)" in listed
    assert "• @S0DEVS → operator on `dev-*`" in listed and "• guard #c0desk → desk" in listed
    assert "• protected `prod-*` (two-person rule)" in listed
    assert "• custom role dba: db.* keyspace.*" in listed
    assert "no role bindings yet" not in listed and "no admins" not in listed
    listed_row = audit_rows(db_url)[-1]
    assert (listed_row.command, listed_row.actor_id) == ("astra-bot perm list", "cli")
    assert (listed_row.decision, listed_row.outcome) == ("allow", "12 entries")

    yml = cli("perm", "export")
    assert yml.rc == 0 and yml.out.startswith("# astra-bot permissions")
    assert yaml.safe_load(yml.out) == EXPECTED
    as_json = cli("perm", "export", "--format", "json")
    assert json.loads(as_json.out) == EXPECTED

    # what was exported imports back to the same state, with no change
    (tmp_path / "back.yml").write_text(yml.out)
    again = cli("perm", "import", "back.yml")
    assert again.rc == 0 and again.out.strip() == "imported: no change"
    (tmp_path / "back.json").write_text(as_json.out)
    assert cli("perm", "import", "back.json").out.strip() == "imported: no change"
    assert cli("perm", "import", "-", stdin=as_json.out).out.strip() == "imported: no change"
    assert cli("perm", "export", "-o", "out.yml").rc == 0
    assert yaml.safe_load((tmp_path / "out.yml").read_text()) == EXPECTED
    assert export_doc(db_url) == EXPECTED

    rows = [r for r in audit_rows(db_url) if r.permission == "perm.import"]
    assert [r.outcome for r in rows] == [
        "roles +2, bindings +4, guards +2, protected +2",
        "no change",
        "no change",
        "no change",
    ]
    assert all(r.source == "cli" and r.decision == "allow" for r in rows)


def test_import_replaces_and_keeps_unchanged_rows(cli: Cli, tmp_path: Path, db_url: str) -> None:
    assert cli("perm", "grant", "U0ANA", "viewer").rc == 0
    assert cli("perm", "grant", "U0OLD", "operator").rc == 0
    assert cli("perm", "guard", "C0OLD", "operator").rc == 0
    assert cli("perm", "guard", "C0GENERAL", "operator").rc == 0
    assert cli("perm", "protect", "old-*").rc == 0

    async def first(store: Store) -> Any:
        async with store.session() as s:
            from sqlalchemy import select

            from bot.store.models import RoleBinding

            return (
                await s.scalars(select(RoleBinding).where(RoleBinding.subject_id == "U0ANA"))
            ).one()

    before = with_store(db_url, first)
    (tmp_path / "roles.yml").write_text(ROLES_YML)
    dry = cli("perm", "import", "roles.yml", "--dry-run")
    assert dry.rc == 0 and "nothing changed" in dry.out
    assert "- bindings: user U0OLD operator" in dry.out
    assert "~ guards: C0GENERAL operator → viewer" in dry.out
    assert "- guards: C0OLD operator" in dry.out and "- protected: old-*" in dry.out
    assert "+ bindings: user U0ANA viewer" not in dry.out  # already there
    assert export_doc(db_url)["protected"] == ["old-*"]  # the dry run changed nothing

    res = cli("perm", "import", "roles.yml")
    assert res.rc == 0
    assert export_doc(db_url) == EXPECTED
    after = with_store(db_url, first)
    assert (after.id, after.created_at) == (before.id, before.created_at)


def test_invalid_import_changes_nothing_and_reports_every_problem(
    cli: Cli, tmp_path: Path, db_url: str
) -> None:
    (tmp_path / "roles.yml").write_text(ROLES_YML)
    assert cli("perm", "import", "roles.yml").rc == 0
    state = export_doc(db_url)
    rows = len(audit_rows(db_url))

    (tmp_path / "bad.yml").write_text(BAD_YML)
    res = cli("perm", "import", "bad.yml")
    assert res.rc == 2
    lines = [ln for ln in res.err.splitlines() if ln.startswith("bad.yml:")]
    assert len(lines) == len(BAD_EXPECTED), res.err
    for (line, path, words), got in zip(BAD_EXPECTED, lines, strict=True):
        assert got.startswith(f"bad.yml:{line}: {path}: "), got
        assert words in got, got
    assert f"has {len(BAD_EXPECTED)} problems; nothing was changed" in res.err
    assert export_doc(db_url) == state
    assert len(audit_rows(db_url)) == rows

    for content, name, words in (
        ("", "empty.yml", "the file is empty"),
        ("bindings: [", "broken.yml", "not valid YAML"),
        ('{"bindings": [}', "broken.json", "not valid JSON"),
        ('{"protected": [], "protected": ["x"]}', "dupe.json", "key `protected` appears twice"),
        ("- just\n- a list\n", "list.yml", "must be a mapping"),
        (
            "bindings:\n  - {subject: U0ANA, role: viewer}\n  - {subject: U0ANA, role: VIEWER}\n",
            "dupe.yml",
            "bindings[1]: duplicate of bindings[0]",
        ),
        ("guards:\n  C0A: viewer\n  C0A: admin\n", "dupekey.yml", "appears twice"),
        ("version: 2\n", "v2.yml", "unsupported version"),
    ):
        (tmp_path / name).write_text(content)
        res = cli("perm", "import", name)
        assert res.rc == 2 and words in res.err, (name, res.err)
    assert export_doc(db_url) == state
    missing = cli("perm", "import", "nope.yml")
    assert missing.rc == 2 and "Cannot read nope.yml" in missing.err


def test_roles_must_be_defined_in_the_file(cli: Cli, tmp_path: Path, db_url: str) -> None:
    """A custom role that exists in the store but not in the file would be deleted by the
    import, so a binding may not use it."""
    (tmp_path / "roles.yml").write_text(ROLES_YML)
    assert cli("perm", "import", "roles.yml").rc == 0
    (tmp_path / "less.yml").write_text("bindings:\n  - {subject: U0BOB, role: dba}\n")
    res = cli("perm", "import", "less.yml")
    assert res.rc == 2 and "less.yml:2: bindings[0].role: there is no role `dba`" in res.err
    (tmp_path / "ok.yml").write_text("roles: {}\nbindings: []\n")
    res = cli("perm", "import", "ok.yml")
    assert res.rc == 0 and "- roles: dba" in res.out
    assert export_doc(db_url) == {
        "version": 1,
        "roles": {},
        "bindings": [],
        "guards": {},
        "protected": [],
    }


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/s.db"
    url: str = request.getfixturevalue("pg_database")
    return url


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    engine = make_engine(store_url)
    try:
        await migrate(engine)
        yield Store(engine)
    finally:
        await engine.dispose()


async def test_import_is_one_transaction(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure after part of the import was written leaves everything as it was."""
    await store.grant("user", "U0OLD", "operator", None, "test")
    await store.protect("old-*", "test")
    before = (await perm_io.read_permset(store)).to_document()
    wanted = perm_io.load(ROLES_YML, source="roles.yml")
    real = perm_io._apply

    async def apply_then_fail(s: Any, *args: Any) -> None:
        await real(s, *args)
        from sqlalchemy.exc import OperationalError

        raise OperationalError("INSERT …", {}, Exception("disk full"))

    monkeypatch.setattr(perm_io, "_apply", apply_then_fail)
    with pytest.raises(StoreError, match="not changed"):
        await perm_io.replace_all(store, wanted, by="test", command="import")
    assert (await perm_io.read_permset(store)).to_document() == before
    assert await store.audit_entries() == []

    monkeypatch.setattr(perm_io, "_apply", real)
    changes = await perm_io.replace_all(store, wanted, by="test", command="import")
    assert "bindings +4 -1" in changes.summary()
    assert (await perm_io.read_permset(store)).to_document() == EXPECTED
    (row,) = await store.audit_entries()
    assert row.permission == "perm.import" and row.outcome == changes.summary()


async def test_concurrent_imports_end_in_one_of_the_files(store: Store) -> None:
    one = perm_io.load(ROLES_YML, source="one.yml")
    two = perm_io.load(
        "bindings:\n  - {subject: U0ZED, role: admin}\nprotected: [x-*]\n", source="two.yml"
    )
    for _ in range(3):
        await asyncio.gather(
            *(
                perm_io.replace_all(store, ps, by="t", command="import")
                for ps in (one, two, one, two)
            )
        )
        doc = (await perm_io.read_permset(store)).to_document()
        assert doc in (one.to_document(), two.to_document())


def test_validate_accepts_what_slack_accepts() -> None:
    ps, problems = perm_io.validate(
        {
            "roles": {"Ops": "db.* region.add"},
            "bindings": [
                {"subject": "<@U0ANA|ana>", "role": "ops"},
                {"subject": "W0GRID", "role": "viewer", "db": None},
                {"subject": "<#G0PRIV>", "role": "viewer"},
            ],
        }
    )
    assert problems == []
    assert ps.roles == {"ops": ("db.*", "region.add")}
    assert ps.bindings == (
        Binding("user", "U0ANA", "ops"),
        Binding("user", "W0GRID", "viewer"),
        Binding("channel", "G0PRIV", "viewer"),
    )


# ---------------------------------------------------------------------------- one-off commands


def test_guard_protect_and_their_undo(cli: Cli, db_url: str) -> None:
    """The command line runs the `/astra perm` commands: Slack's answers, as plain text."""
    guarded = cli("perm", "guard", "C0GENERAL", "viewer").out.strip()
    assert guarded == "🛡 #c0general is now guarded to viewer."
    guarded = cli("perm", "guard", "<#C0OPS|ops>", "Operator").out.strip()
    assert guarded == "🛡 #c0ops is now guarded to operator."
    assert cli("perm", "protect", "prod-*").out.strip() == (
        "🔒 Databases matching `prod-*` now need a second person's approval for destructive "
        "commands."
    )
    assert cli("perm", "protect", "prod-*").out.strip() == "`prod-*` was already protected."
    listed = cli("perm", "list").out
    assert "guard #c0general → viewer" in listed and "guard #c0ops → operator" in listed
    assert "protected `prod-*` (two-person rule)" in listed

    for args, words in (
        (("perm", "guard", "U0ANA", "viewer"), "`U0ANA` is not a channel."),
        (("perm", "guard", "general", "viewer"), "`general` is not a channel."),
        (("perm", "guard", "C0X", "superuser"), "There is no role `superuser`"),
        (("perm", "protect", "prod *"), "not a database-name pattern"),
        (("perm", "grant", "U0ANA", "viewer", "--db", "a b"), "--db:"),
        (("perm", "grant", "U0ANA", "nobody"), "There is no role"),
    ):
        res = cli(*args)
        assert res.rc == 2 and words in res.err and res.out == "", (args, res.err)

    assert cli("perm", "unguard", "C0GENERAL").out.strip() == "Removed the guard of #c0general."
    assert cli("perm", "unguard", "C0GENERAL").out.strip() == "#c0general had no guard."
    assert cli("perm", "unprotect", "prod-*").out.strip() == "`prod-*` is no longer protected."
    doc = export_doc(db_url)
    assert doc["guards"] == {"C0OPS": "operator"} and doc["protected"] == []
    rows = audit_rows(db_url)
    done = [r for r in rows if r.decision == "allow"]
    assert [r.command for r in done] == [
        "astra-bot perm guard C0GENERAL viewer",
        "astra-bot perm guard <#C0OPS|ops> Operator",
        "astra-bot perm protect prod-*",
        "astra-bot perm protect prod-*",
        "astra-bot perm list",  # audited as `/astra perm list` is
        "astra-bot perm unguard C0GENERAL",
        "astra-bot perm unguard C0GENERAL",
        "astra-bot perm unprotect prod-*",
    ]
    # the rows of the Slack path: each change is written as requested, then as done
    assert all(r.actor_id == "cli" and r.source == "cli" for r in rows)
    requested = {r.correlation_id for r in rows if r.decision == "requested"}
    changes = [r for r in done if r.command != "astra-bot perm list"]  # a read: one row
    assert {r.correlation_id for r in changes} <= requested
    refused = [r.decision for r in rows if r.decision not in {"allow", "requested"}]
    assert refused == ["invalid", "invalid", "error", "invalid", "invalid", "error"]


# ---------------------------------------------------------------------------- audit export


def seed_audit(url: str) -> None:
    async def seed(store: Store) -> None:
        base = 1_800_000_000.0
        for i in range(7):
            store.clock = lambda i=i: base + i * 3600  # type: ignore[misc]
            await store.audit(
                correlation_id=f"c{i}",
                actor_id=f"U{i}",
                source="command",
                channel_id="C1",
                command=f"/astra db get db{i}",
                decision="allow",
                permission="db.get",
                database=f"db{i}",
                outcome="shown",
                duration_ms=i,
            )
        # a row written before redaction was in place (or by a careless writer)
        await store.audit(
            correlation_id="leak",
            actor_id="U9",
            source="cli",
            command="/astra telemetry metrics set x token=AstraCS:SeCrEt:1",
            decision="error",
            reason="password=hunter2",
            outcome="https://s3.example.com/b?X-Amz-Signature=abc",
        )

    with_store(url, seed)


def test_audit_export_jsonl(cli: Cli, db_url: str) -> None:
    seed_audit(db_url)
    res = cli("audit", "export", "--format", "jsonl")
    assert res.rc == 0, res.err
    docs = [json.loads(line) for line in res.out.splitlines()]
    assert len(docs) == 8
    assert all(tuple(d) == FIELDS for d in docs)
    assert [d["id"] for d in docs] == sorted(d["id"] for d in docs)
    assert docs[0]["at"] == "2027-01-15T08:00:00.000Z" and docs[0]["ts"] == 1_800_000_000.0
    assert docs[0]["actor_id"] == "U0" and docs[0]["decision"] == "allow"
    assert docs[0]["command"] == "/astra db get db0" and docs[0]["duration_ms"] == 0
    assert "SeCrEt" not in res.out and "hunter2" not in res.out and "X-Amz" not in res.out
    assert "token=[redacted]" in docs[-1]["command"]

    since = [
        json.loads(x)
        for x in cli("audit", "export", "--since", "2027-01-15T10:00:00Z").out.splitlines()
    ]
    assert [d["actor_id"] for d in since][:2] == ["U2", "U3"]
    assert len(since) == 6
    same = cli("audit", "export", "--since", "2027-01-15T11:00:00+01:00").out
    assert json.loads(same.splitlines()[0])["actor_id"] == "U2"
    limited = cli("audit", "export", "--limit", "3").out.splitlines()
    assert [json.loads(x)["actor_id"] for x in limited] == ["U0", "U1", "U2"]
    last = json.loads(limited[-1])["id"]
    rest = cli("audit", "export", "--after-id", str(last)).out.splitlines()
    assert json.loads(rest[0])["actor_id"] == "U3" and len(rest) == 5
    assert cli("audit", "export", "--since", "2030-01-01").out == ""

    bad = cli("audit", "export", "--since", "yesterday")
    assert bad.rc == 2 and "not an ISO 8601" in bad.err
    assert cli("audit", "export", "--limit", "0").rc == 2


def test_audit_export_pages_through_many_rows(db_url: str) -> None:
    from bot.cli.audit_export import export_jsonl

    async def go(store: Store) -> list[str]:
        for i in range(23):
            await store.audit(
                correlation_id="c",
                actor_id=f"U{i}",
                source="command",
                command="/astra db list",
                decision="allow",
            )
        out = io.StringIO()
        n = await export_jsonl(store, out, page=5)
        assert n == 23
        return out.getvalue().splitlines()

    lines: list[str] = with_store(db_url, go)
    assert [json.loads(x)["actor_id"] for x in lines] == [f"U{i}" for i in range(23)]


def test_parse_since() -> None:
    assert parse_since("2027-01-15") == 1_799_971_200.0
    assert parse_since("2027-01-15T08:00:00") == 1_800_000_000.0
    assert parse_since("2027-01-15T08:00:00Z") == 1_800_000_000.0
    assert parse_since("2027-01-15T09:00:00+01:00") == 1_800_000_000.0


# ---------------------------------------------------------------------------- real process


def test_the_entry_point(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "ASTRA_", "DATABASE_URL"))
    }
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path}/p.db"
    (tmp_path / "roles.yml").write_text(ROLES_YML)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=120,
            check=False,
        )

    imported = run("perm", "import", "roles.yml")
    assert imported.returncode == 0, imported.stderr
    exported = run("perm", "export", "--format", "json")
    assert json.loads(exported.stdout) == EXPECTED
    shipped = run("audit", "export", "--format", "jsonl")
    assert shipped.returncode == 0
    (row,) = [json.loads(x) for x in shipped.stdout.splitlines()]
    assert row["command"] == "astra-bot perm import roles.yml"


# ---------------------------------------------------------------------------- README example


README_IDS = {
    "@engineering": "<!subteam^S0ENG|@engineering>",
    "@dev-team": "<!subteam^S0DEVTEAM|@dev-team>",
    "#db-admins": "<#C0DBADMINS|db-admins>",
    "#general": "<#C0GENERAL|general>",
}


def readme_example() -> tuple[list[str], str]:
    """The slash commands and the roles.yml of the README's worked example."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index("### A worked example") :]
    commands = re.search(r"```text\n(.*?)```", section, re.S)
    roles = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert commands and roles
    lines = [
        ln.removeprefix("/astra ")
        for ln in commands.group(1).splitlines()
        if ln.startswith("/astra perm") and "perm list" not in ln
    ]
    for name, escaped in README_IDS.items():
        lines = [ln.replace(name, escaped) for ln in lines]
    return lines, roles.group(1)


async def test_readme_example_commands_and_file_agree_and_behave(bot: BotHarness) -> None:
    commands, roles_yml = readme_example()
    assert len(commands) == 5
    bot.slack.set_usergroup("S0ENG", ["UVERA", "UDEV", "UADA", "UBOB"])
    bot.slack.set_usergroup("S0DEVTEAM", ["UDEV"])
    for line in commands:
        await bot.command(line)
        assert "not" not in bot.private_texts()[-1].split(":")[0], bot.private_texts()[-1]
    from_slack = (await perm_io.read_permset(bot.store)).to_document()
    from_file = perm_io.load(roles_yml, source="README roles.yml")
    assert from_slack == from_file.to_document()
    changes = await perm_io.replace_all(bot.store, from_file, by="test", command="import")
    assert changes.empty

    prod = bot.emulator.add_database("prod-orders")
    bot.emulator.add_database("dev-cart")

    def writes() -> list[str]:
        return [r.path for r in bot.emulator.requests if r.method != "GET"]

    await bot.command("db list", user="UVERA", channel="C0TEAM")
    assert "prod-orders" in json.dumps(bot.slack.response_url_posts[-1].blocks)
    await bot.command("db create x", user="UVERA", channel="C0TEAM")
    assert "not allowed" in bot.private_texts()[-1]
    await bot.command("db create dev-new", user="UDEV", channel="C0TEAM")
    await bot.command("db create dev-new2", user="UDEV", channel="C0GENERAL")
    assert "guarded to viewer" in bot.private_texts()[-1]
    await bot.command("db delete prod-orders", user="UDEV", channel="C0TEAM")
    assert "not allowed" in bot.private_texts()[-1]
    await bot.command("db create dba-db", user="UADA", channel="C0TEAM")  # admin only there
    assert "not allowed" in bot.private_texts()[-1]
    assert writes() == ["/v2/databases"]

    await bot.command("db delete prod-orders", user="UADA", channel="C0DBADMINS")
    post = bot.channel_posts("C0DBADMINS")[-1]
    assert "another person" in post["text"]
    conf = next(
        e["value"]
        for b in post["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == ACTION_CONFIRM
    )
    await bot.click(ACTION_CONFIRM, conf, user="UADA", channel="C0DBADMINS")
    assert "cannot approve your own request" in bot.private_texts()[-1]
    # a click is decided in the confirmation's channel (#db-admins, where Bob is admin),
    # never in a channel its payload names (C0TEAM, where he is not)
    await bot.click(ACTION_CONFIRM, conf, user="UBOB", channel="C0TEAM")
    assert writes() == ["/v2/databases", f"/v2/databases/{prod}/terminate"]
    assert any(
        "Confirmed by <@UBOB>" in str(c.params.get("text")) for c in bot.slack.calls("chat.update")
    )
    assert ADMIN not in {r.actor_id for r in await bot.store.audit_entries(limit=5)}
