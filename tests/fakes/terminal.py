"""A terminal screen for tests: what a VT100 terminal would show after some output.

Enough of ECMA-48 for prompt_toolkit's renderer: printable text, CR, LF (as a terminal in
cooked mode shows it: the next line's start), BS, cursor moves (CUU, CUD, CUF, CUB, CHA,
CUP), erase in line and in display (EL, ED); colours, modes and OSC titles are ignored.
The screen grows downwards and never scrolls, so every line printed stays readable.
"""

from __future__ import annotations

import io
import re

_CSI = re.compile(r"\x1b\[([?>=]?)([0-9;]*)([ -/]*)([@-~])")
_OSC = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


class Screen:
    def __init__(self, columns: int = 200) -> None:
        self.columns = columns
        self.rows: list[list[str]] = [[]]
        self.row = 0
        self.col = 0

    def feed(self, data: str) -> None:
        i = 0
        while i < len(data):
            ch = data[i]
            if ch == "\x1b":
                m = _CSI.match(data, i) or _OSC.match(data, i)
                if m is None:  # another escape (charset, keypad…): two characters
                    i += 2
                    continue
                if m.re is _CSI:
                    self._csi(m[1], m[2], m[4])
                i = m.end()
                continue
            i += 1
            if ch == "\r":
                self.col = 0
            elif ch == "\n":
                self.row += 1
                self.col = 0
            elif ch == "\b":
                self.col = max(0, self.col - 1)
            elif ch >= " ":
                self._put(ch)

    def _line(self) -> list[str]:
        while len(self.rows) <= self.row:
            self.rows.append([])
        return self.rows[self.row]

    def _put(self, ch: str) -> None:
        line = self._line()
        while len(line) < self.col:
            line.append(" ")
        if self.col < len(line):
            line[self.col] = ch
        else:
            line.append(ch)
        self.col += 1

    def _csi(self, private: str, params: str, final: str) -> None:
        if private:  # modes (?25l, ?2004h …)
            return
        args = [int(p) if p else 0 for p in params.split(";")] if params else []
        n = max(args[0], 1) if args else 1
        if final == "A":
            self.row = max(0, self.row - n)
        elif final == "B":
            self.row += n
        elif final == "C":
            self.col += n
        elif final == "D":
            self.col = max(0, self.col - n)
        elif final == "G":
            self.col = n - 1
        elif final in "Hf":
            self.row = (args[0] if args else 1) - 1
            self.col = (args[1] if len(args) > 1 else 1) - 1
        elif final == "K":
            line = self._line()
            mode = args[0] if args else 0
            if mode == 0:
                del line[self.col :]
            elif mode == 1:
                line[: self.col + 1] = [" "] * min(len(line), self.col + 1)
            else:
                line.clear()
        elif final == "J":
            mode = args[0] if args else 0
            if mode == 0:
                del self._line()[self.col :]
                del self.rows[self.row + 1 :]
            elif mode == 2:
                self.rows = [[] for _ in self.rows]

    @property
    def lines(self) -> list[str]:
        """The screen's lines, without trailing blanks (and no blank last lines)."""
        out = ["".join(r).rstrip() for r in self.rows]
        while out and not out[-1]:
            out.pop()
        return out

    @property
    def cursor_line(self) -> str:
        return "".join(self._line()).rstrip()


class TerminalOutput(io.StringIO):
    """A stream that a prompt_toolkit ``Vt100_Output`` writes to, shown on a :class:`Screen`."""

    def __init__(self, columns: int = 200) -> None:
        super().__init__()
        self.screen = Screen(columns)

    def write(self, s: str) -> int:
        self.screen.feed(s)
        return super().write(s)

    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:  # no descriptor: prompt_toolkit then asks get_size
        raise io.UnsupportedOperation("fileno")
