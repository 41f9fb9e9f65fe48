"""What the shell shows: messages rendered as text, the numbered choices, forms line by line."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TextIO

from bot import render
from bot.render import Choice, Form, FormField, Message


class FormSession:
    """A form filled in line by line: each field is a prompt; selects take a number or a
    value; an empty answer keeps the default."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.values: dict[str, str] = {}
        self.index = 0

    @property
    def field(self) -> FormField:
        return self.form.fields[self.index]

    @property
    def done(self) -> bool:
        return self.index >= len(self.form.fields)

    def prompt(self) -> str:
        f = self.field
        default = self.values.get(f.name, f.initial) or ""
        if f.kind == "select":
            opts = "  ".join(f"[{i}] {label}" for i, (_, label) in enumerate(f.options, 1))
            return f"  {opts}\n{f.label} [{default}]> "
        return f"{f.label}{' (optional)' if f.optional else ''} [{default}]> "

    def answer(self, line: str) -> str | None:
        """Take an answer for the current field; an error message, or None."""
        f = self.field
        text = line.strip()
        if not text:
            text = self.values.get(f.name, f.initial) or ""
        elif f.kind == "select":
            values = [v for v, _ in f.options]
            if text.isdigit() and 1 <= int(text) <= len(values):
                text = values[int(text) - 1]
            elif text.lower() in (v.lower() for v in values):
                text = next(v for v in values if v.lower() == text.lower())
            else:
                return f"Pick one of 1–{len(values)}."
        self.values[f.name] = text
        self.index += 1
        return None


class Screen:
    """Where the shell writes; also remembers the numbered choices on screen, and the form
    being filled in."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.choices: list[Choice] = []
        self.form: FormSession | None = None
        self._ts = 0

    def show(self, prefix: str, message: Message) -> None:
        text, choices = render.to_text(message)
        if choices:  # a number picks a button of the latest message that has buttons
            self.choices = choices
        lines = text.splitlines() or [""]
        pad = " " * len(prefix)
        self.say("\n".join([prefix + lines[0], *(pad + line for line in lines[1:])]))

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def next_ts(self) -> str:
        self._ts += 1
        return f"1700000000.{self._ts:06d}"


@dataclass(frozen=True)
class ShellNotifier:
    """Channel messages, on the screen: a post is shown; an update is shown again (↻)."""

    screen: Screen

    async def post(self, channel: str, message: Message, **where: object) -> str | None:
        # a thread or a broadcast (``where``) is one and the same place on one screen
        self.screen.show(f"#{channel.lower()} │ ", message)
        return self.screen.next_ts()

    async def update(self, channel: str, ts: str, message: Message) -> None:
        self.screen.show(f"#{channel.lower()} ↻ ", message)


@dataclass(frozen=True)
class ShellReplier:
    """Private answers, on the screen, marked ``(only you)``; a form becomes prompts."""

    screen: Screen

    async def private(self, message: Message) -> None:
        self.screen.show("(only you) ", message)

    async def replace(self, message: Message) -> None:
        self.screen.show("(only you) ↻ ", message)

    async def open_form(self, form: Form) -> bool:
        self.screen.form = FormSession(form)
        self.screen.say(
            f"(only you) ── {form.title} ── (empty answer: the default; :cancel leaves the form)"
        )
        return True


class FirstLogRecord(logging.Handler):
    """Says once, on the screen, where the log records go (they never reach it)."""

    def __init__(self, screen: Screen, path: str) -> None:
        super().__init__(logging.WARNING)
        self.screen = screen
        self.path = path
        self.told = False

    def emit(self, record: logging.LogRecord) -> None:
        if not self.told:
            self.told = True
            self.screen.say(f"(shell) Warnings are written to {self.path}, not to this screen.")
