"""The processes of a benchmark run and small clients of their control endpoints.

:class:`Stack` starts the Astra emulator (``tests.bench.emulator_server``) and the fake Slack
(``tests.bench.slack_server``) once, and bots (``astra-bot serve``) and the bare Bolt app on
demand, each in its own process; :meth:`Stack.close` stops them all.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from tests.bench.common import (
    Proc,
    Processes,
    base_env,
    bot_argv,
    bot_env,
    free_port,
    python_argv,
    wait_http,
)


@dataclass
class Bot:
    proc: Proc
    port: int
    db_path: Path
    interval: float | None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def events_url(self) -> str:
        return f"{self.url}/slack/events"

    @property
    def database_url(self) -> str:
        return f"sqlite+aiosqlite:///{self.db_path}"


@dataclass
class Stack:
    run_dir: Path
    procs: Processes
    http: aiohttp.ClientSession
    emu_url: str = ""
    slack_ctl: str = ""
    slack_api: str = ""
    slack_base: str = ""
    _n: int = field(default=0)

    @classmethod
    async def start(cls, run_dir: Path) -> Stack:
        procs = Processes(run_dir / "logs")
        # no keep-alive: a reused connection the server has just closed (uvicorn drops idle
        # ones after 5 s) would fail a control call at random
        http = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=60),
            connector=aiohttp.TCPConnector(force_close=True),
        )
        stack = cls(run_dir, procs, http)
        try:
            emu_port, ctl_port = free_port(), free_port()
            emu = procs.start(
                "emulator", python_argv("tests.bench.emulator_server", "--port", str(emu_port))
            )
            slack = procs.start(
                "fake-slack", python_argv("tests.bench.slack_server", "--ctl-port", str(ctl_port))
            )
            stack.emu_url = f"http://127.0.0.1:{emu_port}"
            stack.slack_ctl = f"http://127.0.0.1:{ctl_port}"
            await wait_http(f"{stack.emu_url}/_bench/health", proc=emu)
            await wait_http(f"{stack.slack_ctl}/_ctl/info", proc=slack)
            info = await stack.get(f"{stack.slack_ctl}/_ctl/info")
            stack.slack_api, stack.slack_base = info["api_url"], info["base_url"]
        except BaseException:
            await stack.close()
            raise
        return stack

    async def close(self) -> None:
        self.procs.stop_all()
        with contextlib.suppress(Exception):
            await self.http.close()

    # ------------------------------------------------------------------ http helpers

    async def get(self, url: str) -> Any:
        async with self.http.get(url) as r:
            r.raise_for_status()
            return await r.json()

    async def post(self, url: str, body: Any) -> Any:
        async with self.http.post(url, json=body) as r:
            r.raise_for_status()
            return await r.json()

    # ------------------------------------------------------------------ emulator

    async def emu_config(self, **values: float) -> Any:
        return await self.post(f"{self.emu_url}/_bench/config", values)

    async def emu_requests(self, since: int = 0) -> tuple[int, list[list[Any]]]:
        doc = await self.get(f"{self.emu_url}/_bench/requests?since={since}")
        return int(doc["total"]), doc["rows"]

    async def emu_mark(self) -> int:
        total, _ = await self.emu_requests(10**12)
        return total

    async def emu_purge(self, prefix: str = "") -> int:
        return int((await self.post(f"{self.emu_url}/_bench/purge", {"prefix": prefix}))["purged"])

    async def emu_add(
        self,
        count: int,
        *,
        status: str = "ACTIVE",
        prefix: str = "seed",
    ) -> list[str]:
        doc = await self.post(
            f"{self.emu_url}/_bench/databases", {"count": count, "status": status, "prefix": prefix}
        )
        return list(doc["ids"])

    async def emu_dbs(self, prefix: str) -> dict[str, str]:
        return dict(await self.get(f"{self.emu_url}/_bench/dbs?prefix={prefix}"))

    async def emu_activate(self, ids: list[str], status: str = "ACTIVE") -> float:
        doc = await self.post(f"{self.emu_url}/_bench/activate", {"ids": ids, "status": status})
        return float(doc["at"])

    # ------------------------------------------------------------------ fake slack

    async def slack_calls(
        self,
        since: int = 0,
        method: str | None = None,
    ) -> tuple[int, list[list[Any]]]:
        q = f"?since={since}" + (f"&method={method}" if method else "")
        doc = await self.get(f"{self.slack_ctl}/_ctl/calls{q}")
        return int(doc["total"]), doc["rows"]

    async def slack_mark(self) -> int:
        total, _ = await self.slack_calls(10**12)
        return total

    async def response_posts(self, since: int = 0) -> tuple[int, list[list[Any]]]:
        doc = await self.get(f"{self.slack_ctl}/_ctl/response_posts?since={since}")
        return int(doc["total"]), doc["rows"]

    async def slack_fault(self, method: str, kind: str, count: int = 1, **extra: Any) -> None:
        await self.post(
            f"{self.slack_ctl}/_ctl/fault",
            {"method": method, "kind": kind, "count": count, **extra},
        )

    async def slack_clear(self) -> None:
        await self.post(f"{self.slack_ctl}/_ctl/clear", {})

    # ------------------------------------------------------------------ bots

    def _bot_env(self, port: int, db_path: Path, interval: float | None) -> dict[str, str]:
        return bot_env(
            port=port,
            slack_api_url=self.slack_api,
            astra_url=self.emu_url,
            database_url=f"sqlite+aiosqlite:///{db_path}",
            poll_interval=interval,
        )

    def spawn_bot(
        self, name: str, *, db_path: Path | None = None, interval: float | None = None
    ) -> Bot:
        """``astra-bot serve`` in its own process (cwd: the run folder, so no .env is read)."""
        self._n += 1
        port = free_port()
        db_path = db_path or self.run_dir / f"{name}-{self._n}.db"
        proc = self.procs.start(
            f"{name}-{self._n}",
            bot_argv("serve"),
            env=self._bot_env(port, db_path, interval),
            cwd=self.run_dir,
        )
        return Bot(proc, port, db_path, interval)

    async def start_bot(
        self, name: str, *, interval: float | None = None, db_path: Path | None = None
    ) -> Bot:
        bot = self.spawn_bot(name, db_path=db_path, interval=interval)
        await wait_http(f"{bot.url}/healthz", proc=bot.proc)
        return bot

    def spawn_bare(self) -> Bot:
        self._n += 1
        port = free_port()
        env = {
            **base_env(),
            "PORT": str(port),
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_SIGNING_SECRET": "bench-signing-secret",
            "SLACK_API_URL": self.slack_api,
        }
        proc = self.procs.start(
            f"bare-bolt-{self._n}", python_argv("tests.bench.bare_bolt"), env=env
        )
        return Bot(proc, port, Path("/dev/null"), None)

    async def start_bare(self) -> Bot:
        bare = self.spawn_bare()
        await wait_http(f"{bare.url}/healthz", proc=bare.proc)
        return bare


def retire_operations(db_path: Path, name_prefix: str) -> int:
    """Bench bookkeeping between cells: end the operations a cell started, straight in the
    bot's SQLite store (as if they had finished), so one cell's watcher work does not leak
    into the next. Conditional like the store's own updates; a tick racing it loses."""
    con = sqlite3.connect(db_path, timeout=30)
    try:
        cur = con.execute(
            "UPDATE operations SET state='done', finished_at=?, lease_owner=NULL, "
            "lease_until=NULL WHERE database_name LIKE ? AND state IN ('pending','sending')",
            (time.time(), name_prefix + "%"),
        )
        con.commit()
        return cur.rowcount
    finally:
        con.close()


def cpu_seconds(pid: int) -> float:
    """user+system CPU seconds of a process so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


async def sleep_until(t: float) -> None:
    delay = t - time.time()
    if delay > 0:
        await asyncio.sleep(delay)
