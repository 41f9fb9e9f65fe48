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
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from typing import TextIO

from bot.astra.emulator import AstraEmulator
from bot.bootstrap import build
from bot.cli.shell.compose import compose
from bot.cli.shell.lines import EditorInput, LineSource, PlainInput
from bot.cli.shell.screen import FirstLogRecord, Screen, ShellNotifier
from bot.cli.shell.session import SHELL_CHANNEL, SHELL_USER, Pace, Shell
from bot.errors import ConfigError
from bot.settings import Settings, require_for_shell

__all__ = ["SHELL_CHANNEL", "SHELL_USER", "compose", "run_shell"]


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
    orgs: Sequence[str] | None = None,
) -> int:
    """Run one session. ``interactive``: a person types (default: stdin is a terminal);
    ``editor``: with the line editor (default: interactive on a terminal); ``emulator``:
    the sandbox's Astra (default: a new one); ``log_file``: where the log records go, said
    once on the screen when the first one comes; ``orgs``: the emulator's orgs by name
    (``--orgs sandbox,sandbox-2``; default: one)."""
    require_for_shell(settings)
    if orgs and settings.orgs:
        raise ConfigError(
            "--orgs names the built-in emulator's orgs, but an Astra token is set "
            "(ASTRA_DB_APPLICATION_TOKEN or ASTRA_BOT_ORGS).",
            hint="Unset it to try emulated orgs, or leave out --orgs to use the real ones.",
        )
    stdin = sys.stdin if stdin is None else stdin
    out = sys.stdout if out is None else out
    interactive = _isatty(stdin) if interactive is None else interactive
    editor = (interactive and _isatty(out)) if editor is None else editor
    pace = Pace(script=not (interactive or editor), wait=wait, op_timeout=op_timeout)
    where = (user, channel, emulator, log_file, list(orgs or ()))
    if editor:
        from prompt_toolkit.patch_stdout import patch_stdout

        with patch_stdout():  # whatever is printed meanwhile goes above the prompt
            return await _session(settings, EditorInput(), Screen(sys.stdout), pace, *where)
    source = PlainInput(stdin, prompts=out if interactive else None)
    return await _session(settings, source, Screen(out), pace, *where)


def _greet(
    screen: Screen, user: str, channel: str, sandbox: bool, api_url: str, orgs: Sequence[str]
) -> None:
    """The shell's first line: who you are, where, and against which Astra."""
    where = "the built-in Astra emulator" if sandbox else api_url
    if len(orgs) > 1:
        where += f" (orgs {', '.join(orgs)}; `/astra org list`)"
    screen.say(
        f"astra-bot shell — you are @{user} in #{channel.lower()}, on {where}. "
        "Type /astra help, :help for the shell's own commands, a number to "
        "click a button, home for the Home tab, or quit."
    )


async def _session(
    settings: Settings,
    source: LineSource,
    screen: Screen,
    pace: Pace,
    user: str,
    channel: str,
    emulator: AstraEmulator | None,
    log_file: str | None,
    orgs: list[str],
) -> int:
    sandbox = not settings.orgs  # no token at all: the built-in emulator
    tmpdir = None
    if sandbox and "DATABASE_URL" not in os.environ:
        # The emulator's state lives in memory, so the shell's store starts fresh too.
        tmpdir = tempfile.TemporaryDirectory(prefix="astra-bot-shell-")
        settings = settings.model_copy(
            update={"database_url": f"sqlite+aiosqlite:///{tmpdir.name}/shell.db"}
        )
    hint = FirstLogRecord(screen, log_file) if log_file else None
    if hint is not None:
        logging.getLogger().addHandler(hint)
    components = None
    try:
        components = await build(
            settings,
            sandbox=sandbox,
            notifier=ShellNotifier(screen),
            emulator=emulator,
            emulated_orgs=orgs or None,
            extra_admins={SHELL_USER: "the shell's local admin"},
            # the emulator's transitions take seconds: look often enough to show each
            poll_interval=min(
                settings.poll_interval, 0.5 / (settings.emulator_speed if sandbox else 1.0)
            ),
        )
        components.tasks.append(asyncio.create_task(components.watcher.run(components.stop)))
        _greet(screen, user, channel, sandbox, settings.astra_api_url, orgs)
        await Shell(components, screen, pace, user=user, channel=channel).run(source)
    finally:
        if components is not None:
            await components.aclose()
        if hint is not None:
            logging.getLogger().removeHandler(hint)
        if tmpdir is not None:
            with contextlib.suppress(OSError):
                tmpdir.cleanup()
    return 0
