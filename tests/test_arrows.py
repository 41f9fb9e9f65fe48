"""The arrows of DESIGN §8 hold: each layer imports only what is below it.

- ``bot/astra/`` and ``bot/store/`` import nothing above them (no service, Slack, CLI,
  watcher, web, bootstrap, nor the pure core's commands, policy and render);
- only ``bot/slack/``, ``bot/cli/``, ``bot/web.py`` and ``bot/bootstrap.py`` import
  ``bot.service`` (``bot/__main__.py`` goes through them);
- the watcher does not import the service (what it needs is given to it);
- the pure core (commands, policy, render) imports none of the I/O layers.

Every ``import`` statement counts, at module level or inside a function (a lazy import is
still an arrow). The pure core's own I/O check (libraries loaded) is tests/test_pure_core.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOT = ROOT / "bot"

#: What sits above the Astra and store layers.
ABOVE_ASTRA_AND_STORE = (
    "bot.service", "bot.slack", "bot.cli", "bot.watcher", "bot.web", "bot.bootstrap",
    "bot.__main__", "bot.commands", "bot.intents", "bot.policy", "bot.render",
    "bot.work",
)  # fmt: skip
#: The edges that may call the service.
SERVICE_USERS = ("bot/slack/", "bot/cli/", "bot/web.py", "bot/bootstrap.py", "bot/service/")
#: The I/O layers the pure core never imports.
IO_LAYERS = (
    "bot.service", "bot.slack", "bot.cli", "bot.watcher", "bot.web", "bot.bootstrap",
    "bot.store", "bot.astra.client", "bot.work",
)  # fmt: skip
PURE = ("bot/commands/", "bot/intents.py", "bot/policy.py", "bot/render/")

#: Arrows still against the flow, each with its reason and owner. Empty is the goal; an
#: entry that no longer holds fails (remove it), as in tests/test_house.py.
KNOWN: dict[tuple[str, str], str] = {
    # The store builds the policy's Rules from its rows; the rule types are to move below
    # the store, or the store to return rows the policy reads (store/ is storepkg's).
    ("bot/store/rules.py", "bot.policy"): "the rules' types",
    ("bot/store/rules.py", "bot.policy.Binding"): "the rules' types",
    ("bot/store/rules.py", "bot.policy.Rules"): "the rules' types",
    ("bot/store/repo.py", "bot.policy"): "the rules' types",
    ("bot/store/repo.py", "bot.policy.Rules"): "the rules' types",
}


def _rel(p: Path) -> str:
    return p.relative_to(ROOT).as_posix()


def _module_of(path: str) -> str:
    mod = path.removesuffix(".py").replace("/", ".")
    return mod.removesuffix(".__init__")


def _imports(path: Path, root: Path = ROOT) -> set[str]:
    """Every module ``path`` imports (``from a import b`` counts as ``a`` and ``a.b``)."""
    names: set[str] = set()
    package = _module_of(path.relative_to(root).as_posix())
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the package
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            names |= {f"{base}.{a.name}" for a in node.names}
    return names


def _edges() -> list[tuple[str, str]]:
    found = []
    for p in sorted(BOT.rglob("*.py")):
        if "__pycache__" in p.parts:
            continue
        found += [(_rel(p), name) for name in sorted(_imports(p)) if name.startswith("bot")]
    return found


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == x or name.startswith(x + ".") for x in prefixes)


def _violations() -> dict[tuple[str, str], str]:
    bad: dict[tuple[str, str], str] = {}
    for path, name in _edges():
        here = _module_of(path)
        if _under(name, (here,)) or _under(here, (name,)):
            continue  # a package and its own modules
        if path.startswith(("bot/astra/", "bot/store/")) and _under(name, ABOVE_ASTRA_AND_STORE):
            bad[(path, name)] = "astra/ and store/ import nothing above them"
        if _under(name, ("bot.service",)) and not path.startswith(SERVICE_USERS):
            bad[(path, name)] = "only slack/, cli/, web.py and bootstrap.py import the service"
        if path.startswith(PURE) and _under(name, IO_LAYERS):
            bad[(path, name)] = "the pure core imports no I/O layer"
    return bad


def test_the_arrow_check_sees_an_arrow_against_the_flow(tmp_path: Path) -> None:
    # the check itself can fail: a store module that imports the service is caught
    src = tmp_path / "bot" / "store" / "x.py"
    src.parent.mkdir(parents=True)
    src.write_text("from bot.service import Service\nimport bot.render.core\nfrom ..x import y\n")
    names = {n for n in _imports(src, tmp_path) if n.startswith("bot")}
    assert {"bot.service", "bot.render.core", "bot.x.y"} <= names


@pytest.mark.parametrize("rule", ["astra/ and store/", "only slack/", "the pure core"])
def test_no_arrow_against_the_flow(rule: str) -> None:
    found = {k: v for k, v in _violations().items() if rule in v and k not in KNOWN}
    assert found == {}, "\n".join(f"{p} imports {n}: {why}" for (p, n), why in found.items())


def test_the_watcher_does_not_import_the_service() -> None:
    found = [(p, n) for p, n in _edges() if p.startswith("bot/watcher/")
             and _under(n, ("bot.service",))]  # fmt: skip
    assert found == []


def test_known_exceptions_still_hold() -> None:
    stale = sorted(k for k in KNOWN if k not in _violations())
    assert stale == [], f"no longer against the flow, remove from KNOWN: {stale}"
