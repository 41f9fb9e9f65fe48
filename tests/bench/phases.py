"""The measurements, one coroutine per figure of the benchmark (see README.md here)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.astra.emulator import SANDBOX_TOKEN
from tests.bench.common import median, percentile, python_argv, rss_mb, wait_http
from tests.bench.stack import Bot, Stack, cpu_seconds, retire_operations, sleep_until

LIST_PATH = "/v2/databases"


def _ms(v: float | None) -> float | None:
    return None if v is None else round(v, 2)


def _s(v: float | None) -> float | None:
    return None if v is None else round(v, 3)


def list_calls(rows: Sequence[Sequence[Any]], *, tagged: bool = False) -> list[list[Any]]:
    """GET /v2/databases (list) requests of the request log; untagged = the bot's."""
    out = []
    for r in rows:
        method, path, query = r[0], r[1], r[2]
        if method == "GET" and path == LIST_PATH and (("bench" in query) == tagged):
            out.append(list(r))
    return out


def rounds(times: Sequence[float], gap: float = 0.2) -> list[list[float]]:
    """Group request times into bursts (a watcher tick's pages come back to back)."""
    groups: list[list[float]] = []
    for t in sorted(times):
        if groups and t - groups[-1][-1] <= gap:
            groups[-1].append(t)
        else:
            groups.append([t])
    return groups


# ---------------------------------------------------------------------------- 5. start-up


async def run_json_child(module: str, *args: str) -> dict[str, Any]:
    """Run ``python -m module args…`` and return the JSON it prints (killed on cancel)."""
    proc = await asyncio.create_subprocess_exec(
        *python_argv(module, *args), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout=600)
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        raise
    if proc.returncode != 0:
        raise RuntimeError(f"{module} failed: {err.decode()[-2000:]}")
    return dict(json.loads(out))


async def startup(stack: Stack, runs: int) -> dict[str, Any]:
    """Process start (just before exec) to the first ``GET /healthz`` 200, polled every 5 ms.
    Interleaved A/B/C so the machine's drift hits all alike; the first round is a warm-up
    (bytecode and page cache; it also migrates the "migrated" store), reported apart."""
    migrated = stack.run_dir / "startup-migrated.db"
    out: dict[str, list[float]] = {"bot_fresh_store": [], "bot_migrated_store": [], "bare_bolt": []}
    rss: dict[str, list[float]] = {k: [] for k in out}
    cold: dict[str, float] = {}
    for i in range(runs + 1):
        for kind in out:
            if kind == "bot_fresh_store":
                bot = stack.spawn_bot("startup", db_path=stack.run_dir / f"startup-{i}.db")
            elif kind == "bot_migrated_store":
                bot = stack.spawn_bot("startup", db_path=migrated)
            else:
                bot = stack.spawn_bare()
            try:
                up = await wait_http(f"{bot.url}/healthz", proc=bot.proc, interval=0.005)
                took = up - bot.proc.started_at
                resident = rss_mb(bot.proc.pid)[0]
            finally:
                stack.procs.stop(bot.proc)
            if i > 0:
                out[kind].append(took)
                rss[kind].append(resident)
            else:
                cold[kind] = took
    return {
        "method": "separate process: `astra-bot serve` (SQLite store) and the bare Bolt app; "
        "time from just before exec to the first /healthz 200 (polled every 5 ms)",
        "runs": runs,
        **{
            k: {
                "median_s": _s(median(v)),
                "min_s": _s(min(v)),
                "max_s": _s(max(v)),
                "rss_at_ready_mb": round(median(rss[k]) or 0, 1),
                "all_s": [_s(x) for x in v],
                "first_start_s": _s(cold.get(k)),
            }
            for k, v in out.items()
        },
    }


# ---------------------------------------------------------------------------- 4. memory


async def _sample_rss(pid: int, seconds: float, every: float = 0.25) -> list[float]:
    samples = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        samples.append(rss_mb(pid)[0])
        await asyncio.sleep(every)
    return samples


async def memory(
    stack: Stack, *, n_ops: int, n_dbs: int, interval: float, idle_s: float
) -> dict[str, Any]:
    """RSS of a fresh bot idle, then with ``n_ops`` pending operations (inserted straight
    into its store, due now) on ``n_dbs`` databases (PENDING, so the operations stay
    pending) — sampled every 0.25 s over two watcher intervals. Also the Astra requests the
    bot made while idle, and its watcher's list rounds while the operations were pending."""
    from bot.store.db import make_engine
    from bot.store.repo import Store
    from tests.bench.watcher_reads import insert_operations

    await stack.emu_purge("")
    await stack.emu_config(latency_s=0.0)
    bot = await stack.start_bot("memory", interval=interval)
    try:
        mark = await stack.emu_mark()
        idle = await _sample_rss(bot.proc.pid, idle_s)
        _, idle_rows = await stack.emu_requests(mark)
        ids = await stack.emu_add(n_dbs, status="PENDING", prefix="mem")
        engine = make_engine(bot.database_url)
        try:
            org = await _org_id(stack)
            await insert_operations(Store(engine), org, ids[:n_ops], prefix="mem")
        finally:
            await engine.dispose()
        mark = await stack.emu_mark()
        cpu0 = cpu_seconds(bot.proc.pid)
        window = 2 * interval + 6
        loaded = await _sample_rss(bot.proc.pid, window)
        cpu = cpu_seconds(bot.proc.pid) - cpu0
        _, rows = await stack.emu_requests(mark)
        hwm = rss_mb(bot.proc.pid)[1]
    finally:
        stack.procs.stop(bot.proc)
    lists = list_calls(rows)
    bursts = rounds([r[3] for r in lists])
    return {
        "method": "separate process `astra-bot serve`; VmRSS from /proc every 0.25 s; "
        "operations inserted into its SQLite store, databases added to the emulator",
        "interval_s": interval,
        "idle_rss_mb": round(median(idle) or 0, 1),
        "idle_astra_requests": len(idle_rows),
        "idle_seconds": idle_s,
        "pending_operations": n_ops,
        "databases": n_dbs,
        "loaded_rss_mb_median": round(median(loaded) or 0, 1),
        "loaded_rss_mb_max": round(max(loaded), 1),
        "vm_hwm_mb": round(hwm, 1),
        "window_s": window,
        "bot_cpu_s_in_window": round(cpu, 2),
        "list_rounds": len(bursts),
        "reads_per_round": [len(b) for b in bursts],
        "other_astra_requests": len(rows) - len(lists),
    }


async def _org_id(stack: Stack) -> str:
    headers = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}
    async with stack.http.get(f"{stack.emu_url}/v2/currentOrg", headers=headers) as r:
        return str((await r.json())["id"])


# ---------------------------------------------------------------------------- 1. ack latency


@dataclass
class AckPlan:
    latencies: Sequence[float]
    concurrencies: Sequence[int]
    requests: dict[int, int]
    creates: dict[int, int]
    seed_dbs: int = 20


async def _run_load(
    url: str,
    *,
    concurrency: int,
    requests: int,
    text: str,
    rid_prefix: str,
    response_base: str,
    channel_prefix: str,
) -> dict[str, Any]:
    return await run_json_child(
        "tests.bench.load",
        "--url",
        url,
        "--concurrency",
        str(concurrency),
        "--requests",
        str(requests),
        "--text",
        text,
        "--rid-prefix",
        rid_prefix,
        "--response-base",
        response_base,
        "--channel-prefix",
        channel_prefix,
        "--warmup",
        str(concurrency),
    )


async def _drain(
    stack: Stack,
    *,
    kind: str,
    rids: dict[str, float],
    slack_mark: int,
    posts_mark: int,
    within: float,
) -> dict[str, float]:
    """Wait until the bot answered every request of a cell (the private reply of `db list`
    on its response_url; the progress message of `db create` in the channel); the time each
    answer arrived, by request id."""
    done: dict[str, float] = {}
    deadline = time.monotonic() + within
    pat = re.compile(r"\b(ld\w+)\b")
    while time.monotonic() < deadline and len(done) < len(rids):
        if kind == "list":
            _, rows = await stack.response_posts(posts_mark)
            for rid, at, _status in rows:
                if rid in rids and rid not in done:
                    done[rid] = at
        else:
            _, rows = await stack.slack_calls(slack_mark, "chat.postMessage")
            for _i, _m, at, _st, _ok, _ch, text, _ts in rows:
                m = pat.search(text or "")
                if m and m.group(1) in rids and m.group(1) not in done:
                    done[m.group(1)] = at
        if len(done) < len(rids):
            await asyncio.sleep(0.25)
    return done


async def ack(stack: Stack, bot: Bot, bare: Bot, plan: AckPlan) -> dict[str, Any]:
    await stack.emu_purge("")
    await stack.emu_add(plan.seed_dbs, prefix="seed")
    cells: list[dict[str, Any]] = []
    n = 0
    for latency in plan.latencies:
        # creates stay PENDING: the watcher's work stays small and alike in every cell
        await stack.emu_config(latency_s=latency, pending_s=3600.0)
        for c in plan.concurrencies:
            targets = [("bare", "list"), ("bot", "list"), ("bot", "create")]
            servers = {"bare": bare, "bot": bot}
            for target, command in targets:
                n += 1
                server = servers[target]
                prefix = f"ld{n}x"
                text = "db list" if command == "list" else "db create {rid}"
                requests = plan.requests[c] if command == "list" else plan.creates[c]
                slack_mark = await stack.slack_mark()
                posts_mark, _ = await stack.response_posts(10**12)
                emu_mark = await stack.emu_mark()
                cpu0 = cpu_seconds(server.proc.pid)
                load = await _run_load(
                    server.events_url,
                    concurrency=c,
                    requests=requests,
                    text=text,
                    rid_prefix=prefix,
                    response_base=stack.slack_base,
                    channel_prefix=f"CL{n}x",
                )
                cpu_ack = cpu_seconds(server.proc.pid) - cpu0
                rows = load["rows"]
                lat = [r[2] for r in rows if r[3] == 200]
                sent = {r[0]: r[1] for r in rows}
                cell: dict[str, Any] = {
                    "target": target,
                    "command": f"db {command}",
                    "concurrency": c,
                    "astra_latency_s": latency,
                    "requests": len(rows),
                    "ok": len(lat),
                    "errors": load["error_count"],
                    "ack_p50_ms": _ms(percentile(lat, 50)),
                    "ack_p99_ms": _ms(percentile(lat, 99)),
                    "ack_max_ms": _ms(max(lat) if lat else None),
                    "throughput_rps": round(len(rows) / load["wall_s"], 1),
                    "client_cpu_pct": round(100 * load["client_cpu_s"] / load["wall_s"], 1),
                    "server_cpu_ms_per_req": round(1000 * cpu_ack / max(1, len(rows)), 2),
                }
                if target != "bare":
                    done = await _drain(
                        stack,
                        kind=command,
                        rids=sent,
                        slack_mark=slack_mark,
                        posts_mark=posts_mark,
                        within=180,
                    )
                    cpu_all = cpu_seconds(server.proc.pid) - cpu0
                    answered = [done[r] - sent[r] for r in done]
                    cell.update(
                        {
                            "answered": len(done),
                            "answer_p50_s": _s(percentile(answered, 50)),
                            "answer_p99_s": _s(percentile(answered, 99)),
                            "bot_cpu_ms_per_command": round(1000 * cpu_all / max(1, len(rows)), 2),
                            "astra_requests": (await stack.emu_mark()) - emu_mark,
                        }
                    )
                    if command == "create":
                        retire_operations(server.db_path, prefix)
                        await stack.emu_purge(prefix)
                cells.append(cell)
                print(
                    f"  ack {target:8} db {command:6} c={c:<3} astra={latency}s: "
                    f"p50 {cell['ack_p50_ms']} ms, p99 {cell['ack_p99_ms']} ms",
                    file=sys.stderr,
                    flush=True,
                )
    await stack.emu_config(latency_s=0.0)
    for cell in cells:
        if cell["target"] == "bare":
            continue
        base = next(
            x
            for x in cells
            if x["target"] == "bare"
            and x["concurrency"] == cell["concurrency"]
            and x["astra_latency_s"] == cell["astra_latency_s"]
        )
        if cell["ack_p99_ms"] and base["ack_p99_ms"]:
            cell["p99_vs_bare"] = round(cell["ack_p99_ms"] / base["ack_p99_ms"], 2)
    return {
        "method": "separate processes: load client (aiohttp, closed loop, keep-alive pool = "
        "concurrency) → `astra-bot serve` / bare Bolt app; emulator and fake Slack "
        "each in their own process; latency = request sent → ack answer read",
        "seed_databases": plan.seed_dbs,
        "cells": cells,
    }


# ---------------------------------------------------------------------------- 3. notice delay


@dataclass
class Poller:
    """A per-database wait loop as the SDKs do it: (probe,) then sleep ``period``, GET,
    until ACTIVE (NOTES.md §5: astrapy 15 s, astra-db-ts 10 s, astra-cli ≈5 s)."""

    name: str
    period: float
    probe: bool
    calls: int = 0
    seen_at: float | None = None


async def _poll(
    http: aiohttp.ClientSession,
    emu_url: str,
    db_id: str,
    start: float,
    poller: Poller,
    deadline: float,
) -> None:
    headers = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}
    url = f"{emu_url}/v2/databases/{db_id}?bench={poller.name}"
    if poller.probe:  # astrapy / astra-db-ts `_can_poll`: a GET of a random id (404)
        async with http.get(
            f"{emu_url}/v2/databases/probe-{db_id}?bench={poller.name}", headers=headers
        ) as r:
            await r.read()
        poller.calls += 1
    t = start
    while time.time() < deadline:
        t += poller.period
        await sleep_until(t)
        async with http.get(url, headers=headers) as r:
            doc = await r.json()
        poller.calls += 1
        if doc.get("status") == "ACTIVE":
            poller.seen_at = time.time()
            return


BASELINES = (("astrapy", 15.0, True), ("astra-db-ts", 10.0, True), ("astra-cli", 5.0, False))


async def notice(
    stack: Stack,
    *,
    interval: float | None,
    creates: int,
    create_spread: float,
    active_after: tuple[float, float],
    seed: int = 7,
) -> dict[str, Any]:
    """``creates`` signed `/astra db create` commands spread over ``create_spread`` s; each
    database is marked ACTIVE by the emulator at a random moment ``active_after`` s after its
    create; delay = the final notice's arrival at the fake Slack − that moment. The SDKs'
    per-database loops follow the same databases in the same run (their requests tagged)."""
    from tests.bench.common import ADMIN, SIGNING_SECRET
    from tests.fakes.slack_api import sign_request, slash_command_body

    rnd = random.Random(seed)
    await stack.emu_purge("")
    await stack.emu_add(20, prefix="seed")
    await stack.emu_config(latency_s=0.0, pending_s=3600.0)
    bot = await stack.start_bot("notice", interval=interval)
    effective = interval if interval is not None else 10.0
    names = [f"nd{i:03d}" for i in range(creates)]
    pollers: dict[str, list[Poller]] = {}
    tasks: list[asyncio.Task[None]] = []
    try:
        t_first = time.time()
        emu_mark = await stack.emu_mark()
        slack_mark = await stack.slack_mark()
        created: dict[str, float] = {}
        ids: dict[str, str] = {}
        for i, name in enumerate(names):
            await sleep_until(t_first + i * create_spread / max(1, creates))
            body = slash_command_body(
                f"db create {name}",
                user_id=ADMIN,
                channel_id=f"CN{i}",
                response_url=f"{stack.slack_base}/response_url/{name}",
            )
            headers = {
                **sign_request(SIGNING_SECRET, body),
                "Content-Type": "application/x-www-form-urlencoded",
            }
            async with stack.http.post(bot.events_url, data=body, headers=headers) as r:
                await r.read()
            created[name] = time.time()
        # the ids Astra gave (creates are sent right after the ack)
        deadline = time.monotonic() + 60
        while len(ids) < creates and time.monotonic() < deadline:
            ids = await stack.emu_dbs("nd")
            await asyncio.sleep(0.2)
        horizon = max(created.values()) + active_after[1] + 3 * effective + 30
        for name in names:
            if name not in ids:
                continue
            ps = [Poller(n, p, probe) for n, p, probe in BASELINES]
            pollers[name] = ps
            for p in ps:
                tasks.append(
                    asyncio.create_task(
                        _poll(stack.http, stack.emu_url, ids[name], created[name], p, horizon)
                    )
                )
        schedule = sorted((created[n] + rnd.uniform(*active_after), n) for n in ids)
        active_at: dict[str, float] = {}
        for t, name in schedule:
            await sleep_until(t)
            active_at[name] = await stack.emu_activate([ids[name]])
        # the final notices
        notice_at: dict[str, float] = {}
        pats = {n: re.compile(rf"\b{n} is ACTIVE") for n in names}
        while len(notice_at) < len(active_at) and time.time() < horizon:
            _, rows = await stack.slack_calls(slack_mark, "chat.postMessage")
            for _i, _m, at, _st, ok, _ch, text, _ts in rows:
                for n, pat in pats.items():
                    if ok and n not in notice_at and pat.search(text or ""):
                        notice_at[n] = at
            await asyncio.sleep(0.1)
        t_last = max(notice_at.values(), default=time.time())
        await asyncio.gather(*tasks, return_exceptions=True)
        # one more interval: is the bot silent once nothing is pending?
        quiet_mark = await stack.emu_mark()
        await asyncio.sleep(min(effective, 12.0) + 1)
        quiet_reads = (await stack.emu_mark()) - quiet_mark
        _, rows = await stack.emu_requests(emu_mark)
    finally:
        for t in tasks:
            t.cancel()
        stack.procs.stop(bot.proc)
    bot_rows = [r for r in rows if "bench" not in r[2] and r[0] == "GET" and r[3] <= t_last + 0.5]
    # the create path lists the org once per create (duplicate-name check) just before its
    # POST: those reads are the command's, not the watcher's
    posts = sorted(r[3] for r in rows if r[0] == "POST" and r[1] == LIST_PATH)
    lists = sorted(r[3] for r in list_calls(bot_rows))
    create_path = set()
    for p in posts:
        before = [t for t in lists if t <= p and t not in create_path]
        if before:
            create_path.add(before[-1])
    watcher_reads = [
        r
        for r in bot_rows
        if not (r[1] == LIST_PATH and r[3] in create_path)
        and (r[1] == LIST_PATH or r[1].startswith(LIST_PATH + "/"))
    ]
    delays = [notice_at[n] - active_at[n] for n in notice_at]
    window = t_last - t_first
    kinds: dict[str, int] = {}
    for r in watcher_reads:
        key = "list" if r[1] == LIST_PATH else "get one"
        kinds[key] = kinds.get(key, 0) + 1
    result: dict[str, Any] = {
        "method": "separate processes; creates through signed HTTP, ACTIVE set through the "
        "emulator's control at random moments, notice = chat.postMessage "
        "'<name> is ACTIVE' recorded by the fake Slack (same clock)",
        "poll_interval_s": effective,
        "creates": creates,
        "notices": len(notice_at),
        "missing": sorted(set(active_at) - set(notice_at)),
        "delay_p50_s": _s(percentile(delays, 50)),
        "delay_p95_s": _s(percentile(delays, 95)),
        "delay_max_s": _s(max(delays, default=None)),
        "window_s": round(window, 1),
        "watcher_reads": len(watcher_reads),
        "watcher_list_rounds": len(rounds([r[3] for r in list_calls(watcher_reads)])),
        "watcher_reads_per_op": round(len(watcher_reads) / max(1, creates), 2),
        "watcher_reads_by_kind": kinds,
        "create_path_lists": len(create_path),
        "reads_after_idle": quiet_reads,
        "baselines": {},
    }
    for k, (bname, period, _probe) in enumerate(BASELINES):
        ps = [pollers[n][k] for n in pollers]
        bd = [
            p.seen_at - active_at[n]
            for n, p in zip(pollers, ps, strict=True)
            if p.seen_at is not None and n in active_at
        ]
        result["baselines"][bname] = {
            "period_s": period,
            "delay_p50_s": _s(percentile(bd, 50)),
            "delay_p95_s": _s(percentile(bd, 95)),
            "calls": sum(p.calls for p in ps),
            "calls_per_op": round(sum(p.calls for p in ps) / max(1, len(ps)), 2),
        }
    return result


# ---------------------------------------------------------------------------- 2. reads / tick


async def watcher_reads(ns: Sequence[int], extra: int) -> dict[str, Any]:
    return await run_json_child(
        "tests.bench.watcher_reads", "--n", ",".join(map(str, ns)), "--extra", str(extra)
    )
