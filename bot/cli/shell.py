"""`astra-bot shell`: a terminal Slack (DESIGN §2).

Type `/astra …` lines (the `/astra` is optional); replies are the same Block Kit messages
the bot sends to Slack, rendered as text by :func:`bot.render.to_text`. Buttons appear as
numbered choices: type the number to click a button of the latest message that has
buttons. Messages posted "in the channel" are prefixed with the channel, private answers
with ``(only you)``; a progress message that Slack would update in place is shown again,
marked ``↻``. Like Slack's composer, a typed ``@U0DEV`` / ``#C0OPS`` / ``@S0ENG`` is sent as
the escaped mention (``<@U0DEV>`` …). Lines that start with ``:`` are the shell's own:
``:as <user>``, ``:in <channel>``, ``:cancel`` (leave a form), ``:help``.

On a terminal the line editor is prompt_toolkit's (history, arrow keys, Home/End); what
arrives meanwhile (progress, notices) is printed above the prompt, which is redrawn.
Ctrl-C clears the line, or leaves the form being filled in; so does Ctrl-D in a form.
Ctrl-D (or ``quit``) while operations are in progress names them and stays; a second
Ctrl-D quits anyway.

Standard input may be a pipe or a file: the shell then runs the lines as a script, echoes
each after its prompt, waits for each started operation to end before the next line (so a
script is deterministic), and exits when the input ends (an empty input included).

Log records never reach the terminal: they go to a file (``--log-file``, created on the
first record), and the shell says once where it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import enum
import logging
import os
import re
import selectors
import sys
import tempfile
from collections.abc import AsyncIterator
from typing import Protocol, TextIO

from bot import render
from bot.astra.emulator import AstraEmulator
from bot.bootstrap import Components, build
from bot.render import Choice, Form, FormField, Message
from bot.service import Request
from bot.settings import Settings, require_for_shell

SHELL_USER = "USHELL"
SHELL_CHANNEL = "CSHELL"
QUIT = frozenset({"quit", "exit", "/quit", ":quit"})


class Key(enum.Enum):
    """What a reader returns instead of a line."""

    EOF = "eof"  # the input ended, or Ctrl-D
    INTERRUPT = "interrupt"  # Ctrl-C


# ---------------------------------------------------------------------------- composer

# A Slack id as the composer would send it. The shell knows no names, so only ids are
# mentioned; a channel may be typed as the shell shows it (`#cshell`).
_USER = re.compile(r"(?<![\w<@|^/])@([UW][A-Z0-9]{2,})(?![\w-])")
_GROUP = re.compile(r"(?<![\w<@|^/])@(S[A-Z0-9]{2,})(?![\w-])")
_CHANNEL = re.compile(r"(?<![\w<#|&/])#([CGD][A-Z0-9]{2,}|[cgd][a-z0-9]{2,})(?![\w-])")


def compose(line: str) -> str:
    """A typed line as Slack's composer sends it: ``@U0DEV`` → ``<@U0DEV>``, ``#C0OPS`` →
    ``<#C0OPS>``, ``@S0ENG`` → ``<!subteam^S0ENG>`` (Slack escapes mentions so that a
    bot gets ids: https://api.slack.com/reference/surfaces/formatting#escaping)."""
    line = _USER.sub(r"<@\1>", line)
    line = _GROUP.sub(r"<!subteam^\1>", line)
    return _CHANNEL.sub(lambda m: f"<#{m[1].upper()}>", line)


def _slack_id(text: str, kinds: str) -> str | None:
    """``U0BOB``, ``@U0BOB``, ``<@U0BOB|bob>``, ``#c0ops`` … as an id whose first letter
    is one of ``kinds``; None if it is no such id."""
    text = re.sub(r"^<[@#](.*?)(?:\|.*)?>$", r"\1", text.strip()).lstrip("@#").upper()
    return text if re.fullmatch(f"[{kinds}][A-Z0-9]{{2,}}", text) else None


# ---------------------------------------------------------------------------- screen


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


class ShellNotifier:
    def __init__(self, screen: Screen) -> None:
        self.screen = screen

    async def post(
        self,
        channel: str,
        message: Message,
        *,
        thread_ts: str | None = None,
        broadcast: bool = False,
    ) -> str | None:
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
        self.screen.say(
            f"(only you) ── {form.title} ── (empty answer: the default; :cancel leaves the form)"
        )
        return True


class _FirstLogRecord(logging.Handler):
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


# ---------------------------------------------------------------------------- input


class LineSource(Protocol):
    async def read(self, prompt: str, *, form: bool) -> str | Key:
        """The next line (without its end), or a :class:`Key`."""
        ...


def _pollable(fd: int) -> bool:
    """Whether the event loop can wait on ``fd`` (pipes, sockets, terminals can; regular
    files and devices such as /dev/null cannot: epoll refuses them with EPERM)."""
    with selectors.DefaultSelector() as sel:
        try:
            sel.register(fd, selectors.EVENT_READ)
        except (OSError, ValueError):
            return False
    return True


async def _lines(stdin: TextIO) -> AsyncIterator[str]:
    """Lines from stdin without blocking the event loop where it can wait on it; a file,
    /dev/null or an in-memory text is simply read (that never blocks for long)."""
    try:
        fd = stdin.fileno()
    except (OSError, ValueError):
        fd = -1
    if fd < 0 or not _pollable(fd):
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


class PlainInput:
    """Lines of a pipe, a file or a terminal without the line editor; ``prompts`` is where
    prompts are written (None for a script, whose lines the shell echoes itself)."""

    def __init__(self, stdin: TextIO, prompts: TextIO | None = None) -> None:
        self._lines = _lines(stdin)
        self._prompts = prompts

    async def read(self, prompt: str, *, form: bool) -> str | Key:
        if self._prompts is not None:
            self._prompts.write(prompt)
            self._prompts.flush()
        try:
            return (await anext(self._lines)).rstrip("\r\n")
        except StopAsyncIteration:
            return Key.EOF


class EditorInput:
    """prompt_toolkit's line editor; form answers keep a history apart from commands."""

    def __init__(self) -> None:
        from prompt_toolkit import PromptSession

        self._commands: PromptSession[str] = PromptSession()
        self._answers: PromptSession[str] = PromptSession()

    async def read(self, prompt: str, *, form: bool) -> str | Key:
        session = self._answers if form else self._commands
        try:
            return await session.prompt_async(prompt)
        except KeyboardInterrupt:
            return Key.INTERRUPT
        except EOFError:
            return Key.EOF


# ---------------------------------------------------------------------------- the shell

HELP = """\
The shell's own commands:
  :as <user>      act as another Slack user, e.g. :as U0BOB (alone: who you are)
  :in <channel>   act in another channel, e.g. :in C0OPS (a D… id is a direct message)
  :cancel         leave the form being filled in (Ctrl-C or Ctrl-D at its prompt, too)
  :help           this list
  home            your Home tab
  <number>        click that button of the latest message that has buttons
  quit            leave (Ctrl-D)
Anything else is an /astra command (the /astra is optional): /astra help lists yours.
@U…, @S… and #C… are sent as Slack sends mentions."""


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


class Shell:
    """One session: who acts where, the form being filled in, what each line does."""

    def __init__(
        self,
        components: Components,
        screen: Screen,
        *,
        user: str,
        channel: str,
        script: bool,
        wait: bool,
        op_timeout: float,
    ) -> None:
        self.components = components
        self.screen = screen
        self.replier = ShellReplier(screen)
        self.user, self.channel = user, channel
        self.home_place = (user, channel)
        self.script = script
        self.wait = wait
        self.op_timeout = op_timeout

    @property
    def where(self) -> str:
        return f"@{self.user} in #{self.channel.lower()}"

    def prompt(self) -> str:
        if self.screen.form is not None:
            return self.screen.form.prompt()
        if (self.user, self.channel) == self.home_place:
            return "astra> "
        return f"astra {self.where.replace(' in ', ' ')}> "

    def request(self) -> Request:
        return Request(
            user_id=self.user,
            channel_id=self.channel,
            is_dm=self.channel.startswith("D"),
            source="shell",
        )

    async def run(self, source: LineSource) -> None:
        quitting = False  # Ctrl-D was pressed once with operations in progress
        while True:
            got = await source.read(self.prompt(), form=self.screen.form is not None)
            line = got.strip() if isinstance(got, str) else got
            if self.screen.form is not None and line in (Key.EOF, Key.INTERRUPT):
                self.cancel_form()  # Ctrl-C / Ctrl-D at a form's prompt; the input's end
                if self.script:
                    break
                continue
            if line is Key.INTERRUPT:  # Ctrl-C: the line is dropped, as in a shell
                quitting = False
                continue
            if line is Key.EOF or line in QUIT:
                if self.script and isinstance(line, str):
                    self.screen.say(f"astra> {line}")
                if self.script or quitting or not await self.tell_still_running():
                    break
                quitting = True
                continue
            assert isinstance(line, str)
            quitting = False
            await self.line(line)
        if self.script and not (self.wait and await wait_idle(self.components, self.op_timeout)):
            await self.tell_still_running(ending=True)

    async def line(self, line: str) -> None:
        form = self.screen.form
        if form is not None:
            if self.script:
                self.screen.say(f"{form.prompt()}{line}")
            if line.startswith(":"):
                await self.shell_command(line, in_form=True)
                return
            await self.form_line(form, line)
            if self.screen.form is None:
                await self.settle()
            return
        if not line or line.startswith("#"):  # a comment, in a script
            return
        if self.script:
            self.screen.say(f"{self.prompt()}{line}")
        if line.startswith(":"):
            await self.shell_command(line)
            return
        service = self.components.service
        req = self.request()
        if line == "home":
            view = await service.home(self.user)
            self.screen.show("(home) ", Message(text="Home", blocks=tuple(view["blocks"])))
        elif line.isdigit():
            n = int(line)
            if not 1 <= n <= len(self.screen.choices):
                self.screen.say(f"There is no choice {n}.")
                return
            ch = self.screen.choices[n - 1]
            await service.handle_action(req, ch.action_id, ch.value, None, self.replier)
        else:
            text = line[len("/astra") :] if line.startswith("/astra") else line
            text = text[len("astra ") :] if text.startswith("astra ") else text
            await service.handle_command(req, compose(text), self.replier)
        await self.settle()

    async def settle(self) -> None:
        """Let the watcher look now; a script also waits for what the line started."""
        self.components.watcher.wake()
        if self.script and self.wait:
            await wait_idle(self.components, self.op_timeout)

    async def form_line(self, session: FormSession, line: str) -> None:
        """Feed one answer to the form; submit it once every field has one."""
        service = self.components.service
        req = self.request()
        redraws = session.field.redraws
        problem = session.answer(line)
        if problem:
            self.screen.say(f"  {problem}")
            return
        if redraws:  # e.g. the cloud changed: the region choices follow it
            session.form = await service.create_form(req, session.values)
        if not session.done:
            return
        errors = await service.form_errors(session.form.callback_id, session.values)
        if errors:
            for name, msg in errors.items():
                self.screen.say(f"  {name}: {msg}")
            session.index = next(i for i, f in enumerate(session.form.fields) if f.name in errors)
            return
        self.screen.form = None
        await service.submit_form(req, session.form.callback_id, session.values, self.replier)

    def cancel_form(self) -> None:
        if self.screen.form is not None:
            title = self.screen.form.form.title
            self.screen.form = None
            self.screen.say(f"(only you) Left the form “{title}”: nothing was done.")

    async def shell_command(self, line: str, *, in_form: bool = False) -> None:
        word, _, arg = line.partition(" ")
        arg = arg.strip()
        if word == ":cancel":
            if in_form:
                self.cancel_form()
            else:
                self.screen.say("There is no form to leave.")
        elif word == ":help":
            self.screen.say(HELP)
        elif in_form:
            self.screen.say(f"`{word}` waits until the form is done; :cancel leaves it.")
        elif word == ":as":
            if arg:
                user = _slack_id(arg, "UW")
                if user is None:
                    self.screen.say(
                        f"`{arg}` is not a Slack user id: type one such as "
                        "U0BOB (the shell knows ids, not names)."
                    )
                    return
                self.user = user
            self.screen.say(f"You are @{self.user} now, in #{self.channel.lower()}.")
        elif word == ":in":
            if arg:
                channel = _slack_id(arg, "CGD")
                if channel is None:
                    self.screen.say(
                        f"`{arg}` is not a Slack channel id: type one such as "
                        "C0OPS (D… for a direct message)."
                    )
                    return
                self.channel = channel
            self.screen.say(f"You are in #{self.channel.lower()} now, as @{self.user}.")
        else:
            known = [":as", ":in", ":cancel", ":help"]
            near = difflib.get_close_matches(word, known, n=1, cutoff=0.5)
            self.screen.say(
                f"`{word}` is not a shell command (they are {', '.join(known)})."
                + (f" Did you mean `{near[0]}`?" if near else "")
            )

    async def tell_still_running(self, *, ending: bool = False) -> bool:
        """Name the operations still in progress; False if there are none."""
        service = self.components.service
        ops = await service.in_progress(limit=10)
        if not ops:
            return False
        now = service.clock()
        lines = "\n".join("  " + render.mrkdwn_text(render.in_progress_line(op, now)) for op in ops)
        tail = (
            "The input ended; this shell will not see how they end."
            if ending
            else "Ctrl-D again quits now (this shell will not see how they end); "
            "or wait here for their notices."
        )
        self.screen.say(f"Still running:\n{lines}\n{tail}")
        return True


# ---------------------------------------------------------------------------- entry point


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (OSError, ValueError):
        return False


async def run_shell(
    settings: Settings,
    *,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
    user: str = SHELL_USER,
    channel: str = SHELL_CHANNEL,
    interactive: bool | None = None,
    editor: bool | None = None,
    wait: bool = True,
    op_timeout: float = 120.0,
    emulator: AstraEmulator | None = None,
    log_file: str | None = None,
) -> int:
    """Run one session. ``interactive``: a person types (default: stdin is a terminal);
    ``editor``: with the line editor (default: interactive on a terminal); ``emulator``:
    the sandbox's Astra (default: a new one); ``log_file``: where the log records go, said
    once on the screen when the first one comes."""
    require_for_shell(settings)
    stdin = sys.stdin if stdin is None else stdin
    out = sys.stdout if out is None else out
    interactive = _isatty(stdin) if interactive is None else interactive
    editor = (interactive and _isatty(out)) if editor is None else editor
    if editor:
        from prompt_toolkit.patch_stdout import patch_stdout

        with patch_stdout():  # whatever is printed meanwhile goes above the prompt
            return await _session(
                settings,
                EditorInput(),
                Screen(sys.stdout),
                user=user,
                channel=channel,
                script=False,
                wait=wait,
                op_timeout=op_timeout,
                emulator=emulator,
                log_file=log_file,
            )
    source = PlainInput(stdin, prompts=out if interactive else None)
    return await _session(
        settings,
        source,
        Screen(out),
        user=user,
        channel=channel,
        script=not interactive,
        wait=wait,
        op_timeout=op_timeout,
        emulator=emulator,
        log_file=log_file,
    )


def _greet(screen: Screen, user: str, channel: str, sandbox: bool, api_url: str) -> None:
    """The shell's first line: who you are, where, and against which Astra."""
    where = "the built-in Astra emulator" if sandbox else api_url
    screen.say(
        f"astra-bot shell — you are @{user} in #{channel.lower()}, on {where}. "
        "Type /astra help, :help for the shell's own commands, a number to "
        "click a button, home for the Home tab, or quit."
    )


async def _session(
    settings: Settings,
    source: LineSource,
    screen: Screen,
    *,
    user: str,
    channel: str,
    script: bool,
    wait: bool,
    op_timeout: float,
    emulator: AstraEmulator | None,
    log_file: str | None,
) -> int:
    sandbox = settings.astra_token is None
    tmpdir = None
    if sandbox and "DATABASE_URL" not in os.environ:
        # The emulator's state lives in memory, so the shell's store starts fresh too.
        tmpdir = tempfile.TemporaryDirectory(prefix="astra-bot-shell-")
        settings = settings.model_copy(
            update={"database_url": f"sqlite+aiosqlite:///{tmpdir.name}/shell.db"}
        )
    hint = _FirstLogRecord(screen, log_file) if log_file else None
    if hint is not None:
        logging.getLogger().addHandler(hint)
    components = None
    try:
        components = await build(
            settings,
            sandbox=sandbox,
            notifier=ShellNotifier(screen),
            emulator=emulator,
            extra_admins={SHELL_USER: "the shell's local admin"},
            # the emulator's transitions take seconds: look often enough to show each
            poll_interval=min(
                settings.poll_interval, 0.5 / (settings.emulator_speed if sandbox else 1.0)
            ),
        )
        components.tasks.append(asyncio.create_task(components.watcher.run(components.stop)))
        _greet(screen, user, channel, sandbox, settings.astra_api_url)
        await Shell(
            components,
            screen,
            user=user,
            channel=channel,
            script=script,
            wait=wait,
            op_timeout=op_timeout,
        ).run(source)
    finally:
        if components is not None:
            await components.aclose()
        if hint is not None:
            logging.getLogger().removeHandler(hint)
        if tmpdir is not None:
            with contextlib.suppress(OSError):
                tmpdir.cleanup()
    return 0
