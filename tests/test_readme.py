"""The README's shell transcripts are what `astra-bot shell` prints.

A transcript is a ```text block right after a ``<!-- shell transcript -->`` line. Its
input is what follows each prompt (``astra> …``, ``astra @U0BOB #c0ops> …``, a form's
``Name []> …``); the test pipes those lines into a fresh shell and compares everything
it prints after its banner with the block, line by line. What differs from run to run is
written as a reader expects and matched loosely: a database id as ``3f1c9a2e-…`` (any
id), a clock time (any time), a duration such as ``5s`` (any duration). ``[…]`` stands
for any text within a line, and a line that is only ``[…]`` for any lines.

The emulator's clock moves with the requests made to it (a fixed step per reading), so
every status of an operation is seen however loaded the machine is.
"""

from __future__ import annotations

import difflib
import io
import re
from pathlib import Path

import pytest

from bot.astra.emulator import AstraEmulator, EmulatorConfig
from bot.cli.shell import run_shell
from bot.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"
#: ``<!-- shell transcript -->``, or ``<!-- shell transcript --orgs a,b -->`` for a shell
#: run with ``--orgs a,b`` (several emulated orgs)
_BLOCK = re.compile(
    r"^<!-- shell transcript(?: --orgs ([a-z0-9,-]+))? -->\n```text\n(.*?)\n```$", re.S | re.M
)
_INPUT = re.compile(r"^(?:astra(?: @\S+ #\S+)?> |\S[^\n]*?\[[^\]\n]*\]>(?: |$))(.*)$")
_ELIDED = "[…]"

# what changes from run to run: (pattern in the shell's output, pattern in the README)
_VARYING = (
    (
        r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
        r"\b[0-9a-f]{8}-…",
        "<id>",
    ),
    (r"\b\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?: UTC|Z)", None, "<time>"),
    (r"\b(?:\d+h )?(?:\d+m )?\d+[sm]\b", None, "<duration>"),
)


def transcripts() -> list[tuple[list[str], str]]:
    """Each marked transcript: the emulated orgs it runs with (none: one), and its text."""
    found = _BLOCK.findall(README.read_text(encoding="utf-8"))
    assert found, "the README marks no shell transcript"
    return [(orgs.split(",") if orgs else [], text) for orgs, text in found]


def _normal(text: str, *, readme: bool) -> list[str]:
    for shell_pattern, readme_pattern, token in _VARYING:
        pattern = readme_pattern if readme and readme_pattern else shell_pattern
        text = re.sub(pattern, token, text)
    return [line.rstrip() for line in text.splitlines()]


def matches(expected: list[str], actual: list[str]) -> bool:
    """``expected`` (with ``[…]`` elisions) against ``actual``, each line whole."""
    parts = []
    for line in expected:
        if line.strip() == _ELIDED:
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*?".join(map(re.escape, line.split(_ELIDED))) + r"\n")
    return re.fullmatch("".join(parts), "".join(f"{a}\n" for a in actual)) is not None


class StepClock:
    """Each reading is ``step`` seconds after the one before."""

    def __init__(self, step: float) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


async def _run(transcript: str, tmp_path: Path, orgs: list[str] | None = None) -> list[str]:
    inputs = [m[1] for line in transcript.splitlines() if (m := _INPUT.match(line))]
    settings = Settings.model_validate(
        {
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/shell.db",
            # the shell looks this often; the emulator's own clock is the StepClock
            "ASTRA_BOT_EMULATOR_SPEED": "50",
        }
    )
    out = io.StringIO()
    emulator = AstraEmulator(EmulatorConfig(clock=StepClock(0.25)), orgs=orgs or None)
    code = await run_shell(
        settings,
        stdin=io.StringIO("\n".join(inputs) + "\n"),
        out=out,
        interactive=False,
        emulator=emulator,
        orgs=orgs or None,
    )
    assert code == 0
    return out.getvalue().splitlines()[1:]  # after the banner


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("ASTRA_DB_APPLICATION_TOKEN", "DATABASE_URL"):
        monkeypatch.delenv(var, raising=False)


@pytest.mark.parametrize("index", range(len(transcripts())))
async def test_readme_transcript_is_what_the_shell_prints(index: int, tmp_path: Path) -> None:
    orgs, transcript = transcripts()[index]
    printed = "\n".join(await _run(transcript, tmp_path, orgs))
    expected, actual = _normal(transcript, readme=True), _normal(printed, readme=False)
    assert matches(expected, actual), "README transcript and shell differ:\n" + "\n".join(
        difflib.unified_diff(expected, actual, "README.md", "astra-bot shell", lineterm="")
    )


def test_the_matcher_can_fail() -> None:
    assert matches(["a [1] b", "[…]", "c"], ["a [1] b", "x", "y", "c"])
    assert matches(["a […] c"], ["a b c"])
    assert not matches(["a", "c"], ["a", "b", "c"])
    assert not matches(["a b"], ["a b c"])
    assert _normal("`3f1c9a2e-…` (5s)", readme=True) == _normal(
        "`12bca1ba-1c2c-4697-a80e-8b06a49204f4` (0s)", readme=False
    )
