"""The pure core (intents, policy, render) does no I/O (DESIGN §1).

Two checks: the modules' own import statements name no I/O library, and importing them in
a fresh interpreter loads none. (``slack_sdk/__init__.py`` itself imports its sync
``WebClient`` module when ``slack_sdk.models`` is used; that is the package's doing, loads
no network library, and is allowed for the Block Kit models only.)
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IO_LIBS = (
    "slack_bolt",
    "slack_sdk.web",
    "slack_sdk.socket_mode",
    "httpx",
    "sqlalchemy",
    "aiohttp",
    "asyncpg",
    "aiosqlite",
    "starlette",
    "uvicorn",
    "bot.store",
    "bot.astra.client",
    "bot.service",
)
PURE = [
    "bot.intents",
    "bot.policy",
    "bot.render",
    *sorted(
        f"bot.render.{p.stem}"
        for p in (ROOT / "bot" / "render").glob("*.py")
        if p.stem != "__init__"
    ),
    "bot.commands",
    *sorted(
        f"bot.commands.{p.stem}"
        for p in (ROOT / "bot" / "commands").glob("*.py")
        if p.stem != "__init__"
    ),
]


def _is_io(name: str) -> bool:
    return any(name == x or name.startswith(x + ".") for x in IO_LIBS)


@pytest.mark.parametrize("module", PURE)
def test_pure_module_imports_name_no_io_library(module: str) -> None:
    path = ROOT / module.replace(".", "/")
    source = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    tree = ast.parse(source.read_text())
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    assert [n for n in names if _is_io(n)] == []


@pytest.mark.parametrize("module", PURE)
def test_pure_module_loads_no_io_library(module: str) -> None:
    code = (
        "import sys, importlib\n"
        f"importlib.import_module({module!r})\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    loaded = out.stdout.split()
    bad = [m for m in loaded if _is_io(m) and not m.startswith("slack_sdk.web")]
    assert bad == [], f"{module} loads {bad}"
    assert "aiohttp" not in loaded and "httpx" not in loaded
