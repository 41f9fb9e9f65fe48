"""PURE: the `/astra` grammar (DESIGN §2): every command's class, gathered as :data:`COMMANDS`.

    /astra <noun> <verb> [positional…] [--flag value | --flag=value | --switch]

The table drives parsing, help, usage messages, "did you mean", permissions (each
command's ``permission`` is named after it: ``db.create``, ``keyspace.delete``,
``telemetry.metrics.set``) and which commands are destructive or long-running.

Its lines are not written here: each command is declared once, as its frozen dataclass
(bot/commands/db.py, iam.py, org.py, perm.py, chat.py; see :mod:`bot.commands.base` for
the form), whose keywords, docstring and typed fields are its grammar line. To add a
command, write its class in the module of its noun, or in a new module imported below;
a new noun is also named in :data:`NOUNS`, the order of help.
"""

from __future__ import annotations

from collections.abc import Mapping

# imported for their classes, which register themselves in REGISTRY
from bot.commands import admin, chat, db, iam, network, org, perm  # noqa: F401
from bot.commands.base import REGISTRY
from bot.commands.spec import CommandSpec

#: Every noun, in the order help lists them (and "did you mean" weighs them).
NOUNS: tuple[str, ...] = (
    "db",
    "keyspace",
    "region",
    "access-list",
    "scb",
    "token",
    "role",
    "user",
    "org",
    "telemetry",
    "private-link",
    "custom-domain",
    "kms",
    "peering",
    "watch",
    "perm",
    "audit",
    "help",
)

_unlisted = {c.spec.noun for c in REGISTRY.values()} - set(NOUNS)
if _unlisted:
    raise TypeError(f"nouns missing from NOUNS: {sorted(_unlisted)}")

#: Every command, by noun in the order of :data:`NOUNS`, then as declared.
COMMANDS: tuple[CommandSpec, ...] = tuple(
    sorted((c.spec for c in REGISTRY.values()), key=lambda s: NOUNS.index(s.noun))
)

SPECS: Mapping[str, CommandSpec] = {c.permission: c for c in COMMANDS}
