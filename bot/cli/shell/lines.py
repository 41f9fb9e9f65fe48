"""Where the shell's lines come from: a pipe, a file, a terminal, or prompt_toolkit's editor."""

from __future__ import annotations

import asyncio
import enum
import selectors
from collections.abc import AsyncIterator
from typing import Protocol, TextIO


class Key(enum.Enum):
    """What a reader returns instead of a line."""

    EOF = "eof"  # the input ended, or Ctrl-D
    INTERRUPT = "interrupt"  # Ctrl-C


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
