"""`astra-bot shell`: a terminal Slack.

Type `/astra …` lines (the `/astra` is optional); replies are the same Block Kit messages
the bot sends to Slack, rendered as text by :func:`bot.render.to_text`. Buttons appear as
numbered choices: type the number to click a button of the latest message that has
buttons. Messages posted "in the channel" are prefixed
with the channel, private answers with ``(only you)``; a progress message that Slack would
update in place is shown again, marked ``↻``.

Standard input may be a pipe or a file: the shell then runs the lines as a script, waits
for each started operation to end before the next line (so a script is deterministic),
and exits when the input ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import stat
import sys
import tempfile
from collections.abc import AsyncIterator
from typing import TextIO

from bot import render
from bot.app import Components, build
from bot.render import Choice, Form, FormField, Message
from bot.service import Request
from bot.settings import Settings

SHELL_USER = "USHELL"
SHELL_CHANNEL = "CSHELL"


def _pretty(text: str) -> str:
    """Slack mrkdwn → terminal text: mentions by ID, emoji as symbols, *bold* plain."""
    text = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"\1", text)
    text = re.sub(r"<@([A-Z0-9]+)(?:\|[^>]*)?>", r"@\1", text)
    text = re.sub(r"<#([A-Z0-9]+)(?:\|([^>]*))?>", lambda m: "#" + (m.group(2) or m.group(1)),
                  text)
    text = re.sub(r"<!subteam\^([A-Z0-9]+)(?:\|([^>]*))?>",
                  lambda m: m.group(2) or "@" + m.group(1), text)
    text = re.sub(r":(large_green_circle|hourglass_flowing_sand|wrench|parking|zzz|"
                  r"wastebasket|black_circle|red_circle|warning|white_circle|x|no_entry|"
                  r"white_check_mark|no_entry_sign|hourglass|lock|key|shield|eyes):",
                  lambda m: _EMOJI.get(m.group(1), ""), text)
    return text


_EMOJI = {
    "large_green_circle": "●", "hourglass_flowing_sand": "…", "wrench": "⚙", "parking": "P",
    "zzz": "z", "wastebasket": "✗", "black_circle": "○", "red_circle": "!", "warning": "!",
    "white_circle": "○", "x": "✗", "no_entry": "⛔", "white_check_mark": "✓",
    "no_entry_sign": "⊘", "hourglass": "⌛", "lock": "🔒", "key": "🔑", "shield": "🛡",
    "eyes": "👀",
}


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
        lines = _pretty(text).splitlines() or [""]
        pad = " " * len(prefix)
        self.out.write(prefix + lines[0] + "\n")
        for line in lines[1:]:
            self.out.write(pad + line + "\n")
        self.out.flush()

    def next_ts(self) -> str:
        self._ts += 1
        return f"1700000000.{self._ts:06d}"


class ShellNotifier:
    def __init__(self, screen: Screen) -> None:
        self.screen = screen

    async def post(self, channel: str, message: Message, *, thread_ts: str | None = None,
                   broadcast: bool = False) -> str | None:
        self.screen.show(f"#{channel.lower()} │ ", message)
        return self.screen.next_ts()

    async def update(self, channel: str, ts: str, message: Message) -> None:
        self.screen.show(f"#{channel.lower()} ↻ ", message)


class ShellReplier:
    def __init__(self, screen: Screen) -> None:
        self.screen = screen

    async def private(self, message: Message) -> None:
        self.screen.show("(only you) ", message)

    async def replace(self, message: Message) -> None:
        self.screen.show("(only you) ↻ ", message)

    async def open_form(self, form: Form) -> bool:
        self.screen.form = FormSession(form)
        self.screen.out.write(f"(only you) ── {form.title} ── (empty answer: the default)\n")
        return True


async def _form_line(
    components: Components, req: Request, session: FormSession, line: str,
    replier: ShellReplier,
) -> bool:
    """Feed one line to the form; True when the form is finished (submitted)."""
    out = replier.screen.out
    redraws = session.field.redraws
    problem = session.answer(line)
    if problem:
        out.write(f"  {problem}\n")
        return False
    if redraws:  # e.g. the cloud changed: the region choices follow it
        session.form = await components.service.create_form(req, session.values)
    if not session.done:
        return False
    errors = await components.service.form_errors(session.form.callback_id, session.values)
    if errors:
        for name, msg in errors.items():
            out.write(f"  {name}: {msg}\n")
        session.index = next(i for i, f in enumerate(session.form.fields) if f.name in errors)
        return False
    replier.screen.form = None
    await components.service.submit_form(req, session.form.callback_id, session.values,
                                         replier)
    return True


async def _lines(stdin: TextIO) -> AsyncIterator[str]:
    """Lines from stdin without blocking the event loop (pipes and terminals); a regular
    file or an in-memory text is simply read (that never blocks for long)."""
    try:
        mode = os.fstat(stdin.fileno()).st_mode
    except (OSError, ValueError):
        mode = 0
    if not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISSOCK(mode)):
        for line in stdin:
            yield line
        return
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), stdin)
    while True:
        raw = await reader.readline()
        if not raw:
            return
        yield raw.decode("utf-8", "replace")


async def wait_idle(components: Components, limit_s: float) -> bool:
    """Wait until no operation is pending and no notice is undelivered."""
    deadline = asyncio.get_running_loop().time() + limit_s
    while asyncio.get_running_loop().time() < deadline:
        pending = await components.store.pending_operations(limit=1)
        notices = await components.store.pending_notice_count()
        if not pending and not notices:
            return True
        components.watcher.wake()
        await asyncio.sleep(0.05)
    return False


async def run_shell(
    settings: Settings,
    *,
    stdin: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
    user: str = SHELL_USER,
    channel: str = SHELL_CHANNEL,
    interactive: bool | None = None,
    wait: bool = True,
    op_timeout: float = 120.0,
) -> int:
    screen = Screen(out)
    sandbox = settings.astra_token is None
    tmpdir = None
    if sandbox and "DATABASE_URL" not in os.environ:
        # The emulator's state lives in memory, so the shell's store starts fresh too.
        tmpdir = tempfile.TemporaryDirectory(prefix="astra-bot-shell-")
        settings = settings.model_copy(
            update={"database_url": f"sqlite+aiosqlite:///{tmpdir.name}/shell.db"})
    components = await build(
        settings, sandbox=sandbox, notifier=ShellNotifier(screen),
        extra_admins=frozenset({SHELL_USER}),
        # the emulator's transitions take seconds: look often enough to show each of them
        poll_interval=min(settings.poll_interval,
                          0.5 / (settings.emulator_speed if sandbox else 1.0)),
    )
    interactive = stdin.isatty() if interactive is None else interactive
    task = asyncio.create_task(components.watcher.run(components.stop))
    components.tasks.append(task)
    replier = ShellReplier(screen)
    where = "the built-in Astra emulator" if sandbox else settings.astra_api_url
    out.write(f"astra-bot shell — you are @{user} in #{channel.lower()}, on {where}. "
              "Type /astra help, a number to click a button, home for the Home tab, "
              "or quit.\n")

    def prompt() -> str:
        return screen.form.prompt() if screen.form is not None else "astra> "

    if interactive:
        out.write(prompt())
    out.flush()
    try:
        async for raw in _lines(stdin):
            line = raw.strip()
            req = Request(user_id=user, channel_id=channel, is_dm=channel.startswith("D"),
                          source="shell")
            if screen.form is not None:
                if not interactive:
                    out.write(f"{prompt()}{line}\n")
                await _form_line(components, req, screen.form, line, replier)
                if screen.form is None and not interactive and wait:
                    components.watcher.wake()
                    await wait_idle(components, op_timeout)
                if interactive:
                    out.write(prompt())
                    out.flush()
                continue
            if not line or line.startswith("#"):
                if interactive:
                    out.write(prompt())
                    out.flush()
                continue
            if line in {"quit", "exit", "/quit"}:
                break
            if not interactive:
                out.write(f"astra> {line}\n")
            if line == "home":
                view = await components.service.home(user)
                screen.show("(home) ", Message(text="Home", blocks=tuple(view["blocks"])))
            elif line.isdigit():
                n = int(line)
                if not 1 <= n <= len(screen.choices):
                    out.write(f"There is no choice {n}.\n")
                else:
                    ch = screen.choices[n - 1]
                    await components.service.handle_action(req, ch.action_id, ch.value, None,
                                                           replier)
            else:
                text = line[len("/astra"):] if line.startswith("/astra") else line
                text = text[len("astra "):] if text.startswith("astra ") else text
                await components.service.handle_command(req, text, replier)
            components.watcher.wake()
            if not interactive and wait:
                await wait_idle(components, op_timeout)
            if interactive:
                out.write(prompt())
                out.flush()
        if not interactive and wait:
            await wait_idle(components, op_timeout)
    finally:
        await components.aclose()
        if tmpdir is not None:
            with contextlib.suppress(OSError):
                tmpdir.cleanup()
    return 0
