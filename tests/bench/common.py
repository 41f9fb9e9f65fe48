"""Shared plumbing of the benchmark: processes that are always cleaned up, ports, waiting for
an HTTP endpoint, percentiles, RSS, the machine's description.

Every process the benchmark starts is put in its own session (process group) and recorded in
a :class:`Processes` registry; the registry terminates them (SIGTERM, then SIGKILL) when the
orchestrator exits, however it exits (normal end, exception, Ctrl-C, SIGTERM).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parents[2]
SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-test-token"  # tests.fakes.slack_api.DEFAULT_BOT_TOKEN
ADMIN = "UBENCH"


def base_env() -> dict[str, str]:
    """The environment of a child: the caller's, minus anything that would configure the
    bot. Bytecode is cached (under ``PYTHONPYCACHEPREFIX`` when the orchestrator set one, so
    nothing is written into the source tree) even if the caller disabled it: a deployed bot
    starts from compiled modules."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "ASTRA_", "DATABASE_URL", "PORT"))
    }
    if env.get("PYTHONPYCACHEPREFIX"):
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def median(values: Sequence[float]) -> float | None:
    return percentile(values, 50)


def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MiB, from /proc (Linux)."""
    rss = hwm = 0.0
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
    return rss, hwm


def machine() -> dict[str, Any]:
    model = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = None
    with contextlib.suppress(OSError), open("/proc/meminfo", encoding="ascii") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    return {
        "nproc": os.cpu_count(),
        "sched_cpus": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "mem_gib": mem,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
    }


# ---------------------------------------------------------------------------- processes


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    started_at: float
    log: TextIO | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


_ALL: list[Processes] = []


@atexit.register
def _stop_everything() -> None:  # the safety net behind every ``finally``
    for registry in _ALL:
        registry.stop_all()


@dataclass
class Processes:
    """Children of the benchmark; each in its own process group, always reaped (also at
    interpreter exit)."""

    log_dir: Path
    procs: list[Proc] = field(default_factory=list)

    def __post_init__(self) -> None:
        _ALL.append(self)

    def start(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> Proc:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"{name}.log"
        log = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        started = time.time()
        popen = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env if env is not None else base_env()),
            cwd=str(cwd or ROOT),
            start_new_session=True,
        )
        proc = Proc(name, popen, log_path, started, log)
        self.procs.append(proc)
        return proc

    def stop(self, proc: Proc, timeout: float = 10.0) -> int | None:
        """SIGTERM the process group, then SIGKILL after ``timeout``; its exit code."""
        if proc.alive():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.popen.pid, signal.SIGTERM)
            try:
                proc.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.popen.pid, signal.SIGKILL)
                proc.popen.wait(5)
        else:
            # the leader is gone; make sure nothing it started lingers
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.popen.pid, signal.SIGKILL)
        if proc.log is not None:
            proc.log.close()
            proc.log = None
        if proc in self.procs:
            self.procs.remove(proc)
        return proc.popen.returncode

    def stop_all(self) -> None:
        for proc in list(reversed(self.procs)):
            self.stop(proc, timeout=5.0)


@contextlib.contextmanager
def interrupts_as_exit() -> Iterator[None]:
    """SIGTERM (and SIGHUP) raise KeyboardInterrupt, so ``finally`` blocks clean up."""

    def raise_interrupt(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    old = {s: signal.signal(s, raise_interrupt) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def python_argv(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def bot_argv(*args: str) -> list[str]:
    """``astra-bot …`` as installed in the interpreter's environment (console script)."""
    script = Path(sys.executable).parent / "astra-bot"
    if script.exists():
        return [str(script), *args]
    return python_argv("bot", *args)


async def wait_http(
    url: str, *, within: float = 30.0, interval: float = 0.01, proc: Proc | None = None
) -> float:
    """Poll ``url`` until it answers 200; the time.time() it did. Raises on timeout or if
    ``proc`` died."""
    import aiohttp

    deadline = time.monotonic() + within
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        while time.monotonic() < deadline:
            if proc is not None and not proc.alive():
                raise RuntimeError(f"{proc.name} exited ({proc.popen.returncode}):\n{proc.tail()}")
            with contextlib.suppress(aiohttp.ClientError, asyncio.TimeoutError, OSError):
                async with http.get(url) as resp:
                    if resp.status == 200:
                        return time.time()
            await asyncio.sleep(interval)
    raise TimeoutError(
        f"{url} did not answer 200 within {within:.0f}s"
        + (f"; {proc.name} log:\n{proc.tail()}" if proc else "")
    )


def dump_json(path: Path, doc: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(doc, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8"
    )


def bot_env(
    *,
    port: int,
    slack_api_url: str,
    astra_url: str,
    database_url: str,
    poll_interval: float | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    from bot.astra.emulator import SANDBOX_TOKEN

    env = {
        **base_env(),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_api_url,
        "ASTRA_DB_APPLICATION_TOKEN": SANDBOX_TOKEN,
        "ASTRA_API_URL": astra_url,
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "ASTRA_BOT_ADMINS": ADMIN,
        "ASTRA_BOT_LOG_FORMAT": "json",
    }
    if poll_interval is not None:
        env["ASTRA_BOT_POLL_INTERVAL"] = format(poll_interval, "g")
    env.update(extra or {})
    return env
