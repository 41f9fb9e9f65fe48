"""Org-scoped bindings on the command line: `astra-bot perm grant|revoke … --org`, `perm
list`, and a permissions file's optional `org` key (export writes it, import checks it names
a configured org and refuses the file otherwise, changing nothing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.astra.emulator import org_token
from bot.cli import perm_io
from bot.policy import Binding
from tests.test_perm_cli import Cli, db_url, export_doc  # noqa: F401 (fixtures)
from tests.test_perm_cli import cli as cli

ORGS = json.dumps({"prod": org_token("prod"), "dev": org_token("dev")})

ROLES = """\
version: 1
bindings:
  - {subject: U0ANA, role: viewer}
  - {subject: U0ANA, role: operator, org: dev}
  - {subject: S0DEVS, role: operator, db: "scratch-*", org: dev}
"""


def test_a_file_binding_may_name_its_org() -> None:
    got = perm_io.load(ROLES, source="roles.yml", orgs=["prod", "dev"])
    assert got.bindings == (
        Binding("user", "U0ANA", "viewer"),
        Binding("user", "U0ANA", "operator", None, "dev"),
        Binding("usergroup", "S0DEVS", "operator", "scratch-*", "dev"),
    )
    assert got.to_document()["bindings"] == [
        {"subject": "U0ANA", "role": "operator", "org": "dev"},
        {"subject": "U0ANA", "role": "viewer"},
        {"subject": "S0DEVS", "role": "operator", "db": "scratch-*", "org": "dev"},
    ]


def test_an_unknown_org_in_a_file_is_refused_with_the_names() -> None:
    bad = ROLES.replace("org: dev}\n  - {subject: S0DEVS", "org: devv}\n  - {subject: S0DEVS")
    try:
        perm_io.load(bad, source="roles.yml", orgs=["prod", "dev"])
    except perm_io.PermFileError as err:
        lines = err.lines()
    else:
        raise AssertionError("an unknown org was accepted")
    assert lines == [
        "roles.yml:4: bindings[1].org: there is no org `devv` (orgs: prod, dev). "
        "Did you mean `dev`?"
    ]


def test_the_same_binding_in_two_orgs_is_two_bindings() -> None:
    two = ROLES + "  - {subject: U0ANA, role: operator, org: prod}\n"
    assert len(perm_io.load(two, source="r.yml", orgs=["prod", "dev"]).bindings) == 4
    dup = ROLES + "  - {subject: U0ANA, role: operator, org: dev}\n"
    try:
        perm_io.load(dup, source="r.yml", orgs=["prod", "dev"])
    except perm_io.PermFileError as err:
        assert "duplicate of bindings[1]" in "\n".join(err.lines())
    else:
        raise AssertionError("a duplicate was accepted")


def test_import_and_export_keep_the_org(
    cli: Cli,
    db_url: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ASTRA_BOT_ORGS", ORGS)
    (tmp_path / "roles.yml").write_text(ROLES)
    res = cli("perm", "import", "roles.yml")
    assert res.rc == 0, res.err
    assert "user U0ANA operator --org dev" in res.out
    doc = export_doc(db_url)
    assert {"subject": "U0ANA", "role": "operator", "org": "dev"} in doc["bindings"]
    # the same file again changes nothing; without the org line, only that binding goes
    assert "no change" in cli("perm", "import", "roles.yml").out
    fewer = ROLES.replace("  - {subject: U0ANA, role: operator, org: dev}\n", "")
    (tmp_path / "roles.yml").write_text(fewer)
    again = cli("perm", "import", "roles.yml")
    assert "user U0ANA operator --org dev" in again.out and "bindings -1" in again.out
    (tmp_path / "bad.yml").write_text(ROLES.replace("org: dev}", "org: qa}"))
    refused = cli("perm", "import", "bad.yml")
    assert refused.rc == 2 and "there is no org `qa` (orgs: prod, dev)" in refused.err
    assert len(export_doc(db_url)["bindings"]) == 2


def test_grant_and_revoke_with_org_on_the_command_line(
    cli: Cli,
    db_url: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ASTRA_BOT_ORGS", ORGS)
    granted = cli("perm", "grant", "U0ANA", "operator", "--org", "dev")
    assert granted.rc == 0, granted.err
    assert granted.out.strip() == "🔑 cli granted operator in dev to @U0ANA."
    assert "• @U0ANA → operator in dev" in cli("perm", "list").out
    unscoped = cli("perm", "revoke", "U0ANA", "operator")
    assert "only in dev: revoke it with `--org dev`" in unscoped.out
    assert cli("perm", "revoke", "U0ANA", "operator", "--org", "dev").out.strip() == (
        "Revoked operator in dev from @U0ANA."
    )
    assert export_doc(db_url)["bindings"] == []
    wrong = cli("perm", "grant", "U0ANA", "operator", "--org", "devv")
    assert wrong.rc == 2 and "devv" in wrong.err and wrong.out == ""
    assert export_doc(db_url)["bindings"] == []
