"""The shell on a terminal: the real `astra-bot shell` on a pseudo-terminal, driven by
keystrokes, its output read off a terminal screen (tests/fakes/terminal.py)."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import fcntl
import os
import struct
import sys
import termios
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from tests.fakes.terminal import Screen

UP, HOME, END, CTRL_C, CTRL_D = "\x1b[A", "\x1b[H", "\x1b[F", "\x03", "\x04"


@dataclass
class Tty:
    master: int
    screen: Screen
    shell: asyncio.subprocess.Process

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    async def until(self, what: Callable[[Screen], bool], limit_s: float = 30.0) -> None:
        """Wait until the screen shows ``what`` (a deadline, not a timing assertion)."""
        deadline = asyncio.get_running_loop().time() + limit_s
        while not what(self.screen):
            if self.shell.returncode is not None or asyncio.get_running_loop().time() > deadline:
                raise AssertionError("the screen never showed it:\n" + "\n".join(self.screen.lines))
            await asyncio.sleep(0.02)

    async def prompt(self, text: str = "astra> ") -> None:
        await self.until(lambda s: s.cursor_line == text.rstrip())

    def text(self) -> str:
        return "\n".join(self.screen.lines)


@contextlib.asynccontextmanager
async def terminal_shell(tmp_path: Path, speed: str = "10") -> AsyncIterator[Tty]:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"ASTRA_DB_APPLICATION_TOKEN", "DATABASE_URL"}
    }
    # the fake screen does not answer cursor position requests
    env.update(TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", ASTRA_BOT_EMULATOR_SPEED=speed)
    shell = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "shell",
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=tmp_path,
        start_new_session=True,
    )
    os.close(slave)
    screen = Screen()
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    loop = asyncio.get_running_loop()

    def readable() -> None:
        try:
            data = os.read(master, 65536)
        except OSError:  # the shell has closed the terminal
            data = b""
        if not data:
            loop.remove_reader(master)
        screen.feed(decoder.decode(data))

    loop.add_reader(master, readable)
    tty = Tty(master, screen, shell)
    try:
        await tty.until(lambda s: s.cursor_line == "astra>", limit_s=90)  # a loaded machine
        yield tty
    finally:
        # Ctrl-D at a prompt (keys typed before one is up would meet the terminal's
        # cooked mode): leaves a form, then warns of operations in flight, then quits
        for _ in range(3):
            with contextlib.suppress(AssertionError):
                await tty.until(lambda s: s.cursor_line.endswith(">"), limit_s=10)
            if shell.returncode is not None:
                break
            tty.type(CTRL_D)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(shell.wait(), 3)
        if shell.returncode is None:
            shell.kill()
            await shell.wait()
        loop.remove_reader(master)
        os.close(master)


async def test_history_arrows_home_and_end(tmp_path: Path) -> None:
    async with terminal_shell(tmp_path) as tty:
        tty.type("perm whoami\r")
        await tty.until(lambda s: any(line.startswith("(only you)") for line in s.lines))
        await tty.prompt()
        tty.type(UP)  # the last command comes back, ready to edit
        await tty.prompt("astra> perm whoami")
        tty.type(CTRL_C)  # Ctrl-C drops the line
        await tty.prompt()
        tty.type("list" + HOME + "db " + END + " --all")
        await tty.prompt("astra> db list --all")
        tty.type("\r")
        await tty.until(lambda s: "(only you) No databases in this organization." in s.lines)
        assert "^[" not in tty.text() and "is not an /astra command" not in tty.text()


async def test_notices_print_above_the_prompt_and_keep_what_is_typed(tmp_path: Path) -> None:
    async with terminal_shell(tmp_path, speed="5") as tty:
        tty.type("db create orders\r")
        await tty.prompt()
        tty.type("db li")  # half a line when the progress and the notice come
        await tty.prompt("astra> db li")
        await tty.until(lambda s: "#cshell │ ● orders is ACTIVE." in s.lines)
        await tty.prompt("astra> db li")  # redrawn below the notice, with the typed text
        lines = tty.screen.lines
        assert lines[-1] == "astra> db li"
        prompts = [line for line in lines if "astra>" in line]
        assert prompts == ["astra> db create orders", "astra> db li"], lines
        assert any(line.startswith("#cshell ↻ ") for line in lines)  # progress came too
        tty.type("st\r")
        await tty.until(
            lambda s: any(
                "● orders" in line and "ACTIVE" in line and line.startswith("           ")
                for line in s.lines
            )
        )


async def test_ctrl_c_or_ctrl_d_at_a_form_prompt_leaves_it(tmp_path: Path) -> None:
    async with terminal_shell(tmp_path) as tty:
        tty.type("db create\r")
        await tty.prompt("Name []>")
        tty.type(CTRL_C)
        await tty.until(
            lambda s: "(only you) Left the form “Create a database”: nothing was done." in s.lines
        )
        await tty.prompt()
        tty.type("db create\rorders\r")
        await tty.prompt("Cloud [gcp]>")
        tty.type(CTRL_D)
        await tty.until(lambda s: "\n".join(s.lines).count("nothing was done.") == 2)
        await tty.prompt()
        assert tty.shell.returncode is None  # Ctrl-D left the form, not the shell
        tty.type("db list\r")
        await tty.until(lambda s: "(only you) No databases in this organization." in s.lines)


async def test_ctrl_d_with_an_operation_in_flight_says_what_runs(tmp_path: Path) -> None:
    async with terminal_shell(tmp_path, speed="0.5") as tty:  # the create takes 10 s
        tty.type("db create orders\r")
        await tty.until(lambda s: any("Creating orders — PENDING" in line for line in s.lines))
        await tty.prompt()
        tty.type(CTRL_D)
        await tty.until(lambda s: "Still running:" in s.lines)
        await tty.prompt()
        assert any(line.startswith("  … Creating orders — PENDING") for line in tty.screen.lines)
        assert "Ctrl-D again quits now" in tty.text()
        assert tty.shell.returncode is None
        tty.type(CTRL_D)
        assert await asyncio.wait_for(tty.shell.wait(), 30) == 0
