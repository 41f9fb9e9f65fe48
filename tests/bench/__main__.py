"""``python -m tests.bench [--quick] [--out results.json] [--only ack,reads,…]``

Runs the benchmark (see README.md here): starts the Astra emulator and the fake Slack in
their own processes, then bots (``astra-bot serve``) and the bare Bolt app as each phase
needs them, drives them from a separate load process, prints Markdown tables and writes the
JSON (default ``tests/bench/results/latest.json``). Every process is stopped at the end,
also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.bench import model, phases
from tests.bench.burst import burst
from tests.bench.common import ROOT, dump_json, interrupts_as_exit, machine
from tests.bench.report import markdown
from tests.bench.stack import Stack

PHASES = ("startup", "memory", "ack", "burst", "reads", "notice")


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    p.add_argument("--quick", action="store_true", help="fewer requests and samples (~3 min)")
    p.add_argument("--out", type=Path, default=ROOT / "tests/bench/results/latest.json")
    p.add_argument(
        "--only", default=",".join(PHASES), help=f"comma-separated subset of {', '.join(PHASES)}"
    )
    p.add_argument(
        "--astra-latency", default="0,2.5", help="emulator latencies (s) of the ack phase"
    )
    p.add_argument("--concurrency", default="1,10,50")
    p.add_argument(
        "--org-size",
        type=int,
        default=20,
        help="databases in the org during the ack phase (default 20)",
    )
    p.add_argument(
        "--notice-intervals",
        default=None,
        help="ASTRA_BOT_POLL_INTERVAL values of the notice phase; 'default' = "
        "unset (10 s). Default: 'default' (quick) or 'default,2' (full)",
    )
    p.add_argument(
        "--burst-size", type=int, default=50, help="db list sent at once in the burst phase"
    )
    p.add_argument("--keep", action="store_true", help="keep the run folder (logs, stores)")
    return p.parse_args(argv)


async def run(args: argparse.Namespace, run_dir: Path) -> dict[str, Any]:
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    unknown = only - set(PHASES)
    if unknown:
        raise SystemExit(f"unknown phase(s): {', '.join(sorted(unknown))}")
    quick = args.quick
    result: dict[str, Any] = {
        "machine": machine(),
        "quick": quick,
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "run_dir": str(run_dir),
    }
    t0 = time.monotonic()
    result["loadavg"] = []

    def say(msg: str) -> None:
        dump_json(args.out, result)  # what is measured so far survives an interruption
        # other work on a shared machine shows here: quote medians, compare within a run
        result["loadavg"].append([msg, os.getloadavg()[0]])
        print(
            f"[{time.monotonic() - t0:6.1f}s] {msg} (load {os.getloadavg()[0]:.2f})",
            file=sys.stderr,
            flush=True,
        )

    if "reads" in only:
        say("2. Astra reads per watcher tick (in-process)")
        result["watcher_reads"] = await phases.watcher_reads([1, 10, 100, 1000], extra=50)
        result["model"] = model.run(trials=100 if quick else 300)
    stack = await Stack.start(run_dir)
    try:
        if "startup" in only:
            say("5. start-up")
            result["startup"] = await phases.startup(stack, runs=3 if quick else 7)
        if "memory" in only:
            say("4. memory")
            result["memory"] = await phases.memory(
                stack, n_ops=1000, n_dbs=1000, interval=10.0, idle_s=4.0 if quick else 12.0
            )
        if "ack" in only:
            say("1. ack latency")
            concs = [int(x) for x in args.concurrency.split(",")]
            # creates leave pending operations (the watcher follows them): fewer of them
            per_c = {1: 60, 10: 150, 50: 300} if quick else {1: 300, 10: 600, 50: 1000}
            per_c_create = {1: 30, 10: 50, 50: 100} if quick else {1: 100, 10: 150, 50: 200}
            plan = phases.AckPlan(
                latencies=[float(x) for x in args.astra_latency.split(",")],
                concurrencies=concs,
                requests={c: per_c.get(c, 20 * c) for c in concs},
                creates={c: per_c_create.get(c, 4 * c) for c in concs},
                seed_dbs=args.org_size,
            )
            bot = await stack.start_bot("ack")
            bare = await stack.start_bare()
            try:
                result["ack"] = await phases.ack(stack, bot, bare, plan)
            finally:
                for server in (bot, bare):
                    stack.procs.stop(server.proc)
        if "burst" in only:
            say("1b. answers under a burst")
            bot = await stack.start_bot("burst")
            try:
                result["burst"] = [
                    await burst(
                        stack,
                        bot,
                        latency=float(x),
                        size=args.burst_size,
                        rounds=3 if quick else 5,
                        seed_dbs=args.org_size,
                    )
                    for x in args.astra_latency.split(",")
                ]
            finally:
                stack.procs.stop(bot.proc)
        if "notice" in only:
            spec = args.notice_intervals or ("default" if quick else "default,2")
            result["notice"] = []
            for item in spec.split(","):
                interval = None if item.strip() == "default" else float(item)
                say(f"3. notice delay (poll interval {item.strip()})")
                result["notice"].append(
                    await phases.notice(
                        stack,
                        interval=interval,
                        creates=12 if quick else 40,
                        create_spread=4.0 if quick else 10.0,
                        active_after=(3.0, 15.0) if quick else (5.0, 35.0),
                    )
                )
    finally:
        await stack.close()
    say("done")
    result["duration_s"] = round(time.monotonic() - t0, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    run_dir = Path(tempfile.mkdtemp(prefix="astra-bench-"))
    # children cache their bytecode in the run folder (warm starts, as deployed; nothing
    # written into the source tree)
    os.environ["PYTHONPYCACHEPREFIX"] = str(run_dir / "pycache")
    try:
        with interrupts_as_exit():
            result = asyncio.run(run(args, run_dir))
    except KeyboardInterrupt:
        print(f"interrupted; logs in {run_dir}", file=sys.stderr)
        return 130
    except BaseException:
        print(f"failed; logs in {run_dir}", file=sys.stderr)
        raise
    if not args.keep:
        shutil.rmtree(run_dir, ignore_errors=True)
    dump_json(args.out, result)
    print(markdown(result))
    print(f"JSON: {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
