"""PURE: the former home of the grammar, kept as re-exports while imports move to bot.commands."""

from bot.commands import COMMANDS, SPECS, CommandSpec, Subject, parse, parse_subject
from bot.commands import Command as Intent
from bot.commands.parse import check_value, command_named, specs_for_topic
from bot.commands.spec import TELEMETRY_KINDS
from bot.commands.tokenize import MAX_TEXT_CHARS, split_words, tokenize

__all__ = [
    "COMMANDS",
    "MAX_TEXT_CHARS",
    "SPECS",
    "TELEMETRY_KINDS",
    "CommandSpec",
    "Intent",
    "Subject",
    "check_value",
    "command_named",
    "parse",
    "parse_subject",
    "specs_for_topic",
    "split_words",
    "tokenize",
]
