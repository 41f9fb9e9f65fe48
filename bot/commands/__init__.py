"""PURE: `/astra` commands — the grammar as data, the parser, one typed dataclass per command.

Read ``db``/``iam``/``org``/``perm``/``chat`` for the commands, each declared once as its
class (:mod:`bot.commands.base` says how; ``from bot.commands import db as cmd``;
``cmd.CreateDatabase`` is the command, ``bot.astra.models.CreateDatabase`` the DevOps API
request it leads to), :mod:`bot.commands.grammar` for their table and
:mod:`bot.commands.parse` for how text becomes a :class:`Command`.
"""

from bot.commands.base import REGISTRY, Command
from bot.commands.grammar import COMMANDS, NOUNS, SPECS
from bot.commands.parse import check_value, command_named, parse, specs_for_topic
from bot.commands.spec import CommandSpec, Flag, Param
from bot.commands.values import Subject, Value, parse_subject

__all__ = [
    "COMMANDS",
    "NOUNS",
    "REGISTRY",
    "SPECS",
    "Command",
    "CommandSpec",
    "Flag",
    "Param",
    "Subject",
    "Value",
    "check_value",
    "command_named",
    "parse",
    "parse_subject",
    "specs_for_topic",
]
