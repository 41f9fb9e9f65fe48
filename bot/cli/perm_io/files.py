"""Permissions files read and written: YAML (PyYAML) or JSON, with line numbers for problems."""

from __future__ import annotations

import importlib
import json
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from bot.cli.perm_io.model import (
    YAML_HEADER,
    Format,
    Path,
    PermFileError,
    PermSet,
    Problem,
)
from bot.cli.perm_io.validate import render_path, validate
from bot.errors import ConfigError

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


def load(
    content: str, *, source: str, fmt: Format | None = None, orgs: Sequence[str] = ()
) -> PermSet:
    """Parse and validate a permissions file; raise :class:`PermFileError` listing every
    problem (with its line, for YAML). ``orgs``: the configured orgs' names (a binding's
    ``org`` must name one)."""
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
    permset, found = validate(doc, lines, orgs)
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
                        render_path((*path, key)),
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
