"""A model (no I/O) of watcher poll policies: notice delay and Astra reads per operation.

It replays K creates (start times spread over ``spread`` s, durations drawn from a range)
through each policy on one org of ≤ 100 databases (one list page per tick) and counts:

- ``current``: the watcher as it is: each operation has its own ``next_check_at`` (first
  look 2 s after the create, then every ``interval`` after each look); the watcher wakes at
  the next due operation, and one tick lists the org for the operations due then. Ticks are
  as many as the operations' phases.
- ``aligned``: one org tick every ``interval`` while anything is pending, advancing *every*
  pending operation of the org with that one list (the proposed batching).
- ``adaptive``: aligned, with the interval chosen per tick: ``fast`` while an operation is
  young (age < ``young``), ``interval`` afterwards, and the first look 2 s after a create
  (the proposed adaptive interval; subscriptions alone would use a long interval).
- ``adaptive+budget``: adaptive, but the fast interval is never shorter than 15 s divided
  by the number of young operations (one page), so the bot never reads more often than
  astrapy's per-database loops would for the same operations.
- ``astrapy`` / ``astra-db-ts`` / ``astra-cli``: one loop per database (probe GET, then sleep
  15 / 10 / 5 s and GET until ACTIVE), NOTES.md §5.

``python -m tests.bench.model`` prints JSON; the benchmark measures ``current`` and the SDK
loops for real, this model says what the proposals would do with the same inputs.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Callable
from typing import Any

FIRST_LOOK_S = 2.0  # bot.service: a new operation is first looked at after ≤ 2 s


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def per_op_schedule(
    starts: list[float],
    ends: list[float],
    interval: float,
) -> tuple[list[float], int]:
    """The current watcher: per-operation next_check_at; a tick lists the org for the due."""
    nxt = [s + FIRST_LOOK_S for s in starts]
    pending = set(range(len(starts)))
    delays = [0.0] * len(starts)
    reads = 0
    while pending:
        t = min(nxt[i] for i in pending)
        due = [i for i in pending if nxt[i] <= t + 0.05]
        reads += 1
        for i in due:
            if ends[i] <= t:
                delays[i] = t - ends[i]
                pending.discard(i)
            else:
                nxt[i] = t + interval
    return delays, reads


def org_ticks(
    starts: list[float], ends: list[float], interval_at: Callable[[float, list[int]], float]
) -> tuple[list[float], int]:
    """One org tick at a time; each tick advances every pending (started) operation."""
    order = sorted(range(len(starts)), key=lambda i: starts[i])
    pending: set[int] = set()
    delays = [0.0] * len(starts)
    reads = 0
    t = starts[order[0]] + FIRST_LOOK_S
    k = 0
    while k < len(order) or pending:
        while k < len(order) and starts[order[k]] <= t:
            pending.add(order[k])
            k += 1
        if pending:
            reads += 1
            for i in list(pending):
                if ends[i] <= t:
                    delays[i] = t - ends[i]
                    pending.discard(i)
        nxt = t + interval_at(t, sorted(pending)) if pending else math.inf
        if k < len(order):  # a new create wakes the watcher; first look 2 s later
            nxt = min(nxt, starts[order[k]] + FIRST_LOOK_S)
        t = nxt
    return delays, reads


def per_db_loop(
    starts: list[float],
    ends: list[float],
    period: float,
    probe: bool,
) -> tuple[list[float], int]:
    delays, reads = [], 0
    for s, e in zip(starts, ends, strict=True):
        n = max(1, math.ceil((e - s) / period))
        reads += n + (1 if probe else 0)
        delays.append(s + n * period - e)
    return delays, reads


def run_case(
    k: int,
    spread: float,
    duration: tuple[float, float],
    *,
    interval: float,
    fast: float,
    young: float,
    trials: int,
    seed: int,
) -> dict[str, Any]:
    rnd = random.Random(seed)
    acc: dict[str, tuple[list[float], int]] = {}

    def add(name: str, result: tuple[list[float], int]) -> None:
        d, r = acc.get(name, ([], 0))
        acc[name] = (d + result[0], r + result[1])

    for _ in range(trials):
        starts = [rnd.uniform(0, spread) for _ in range(k)]
        ends = [s + rnd.uniform(*duration) for s in starts]
        add("current", per_op_schedule(starts, ends, interval))
        add("aligned", org_ticks(starts, ends, lambda _t, _p: interval))

        def adaptive(t: float, pend: list[int], starts: list[float] = starts) -> float:
            return fast if any(t - starts[i] < young for i in pend) else interval

        add("adaptive", org_ticks(starts, ends, adaptive))

        def budgeted(t: float, pend: list[int], starts: list[float] = starts) -> float:
            # never read the org more often than the per-database loops would (15 s each)
            young_n = sum(1 for i in pend if t - starts[i] < young)
            if not young_n:
                return interval
            return min(interval, max(fast, 15.0 / young_n))

        add("adaptive+budget", org_ticks(starts, ends, budgeted))
        add("astrapy", per_db_loop(starts, ends, 15.0, True))
        add("astra-db-ts", per_db_loop(starts, ends, 10.0, True))
        add("astra-cli", per_db_loop(starts, ends, 5.0, False))
    ops = k * trials
    return {
        "creates": k,
        "spread_s": spread,
        "duration_s": list(duration),
        "policies": {
            name: {
                "delay_p50_s": round(_pct(d, 50), 2),
                "delay_p95_s": round(_pct(d, 95), 2),
                "reads_per_op": round(r / ops, 2),
            }
            for name, (d, r) in acc.items()
        },
    }


def run(
    *,
    interval: float = 10.0,
    fast: float = 2.5,
    young: float = 600.0,
    trials: int = 200,
    seed: int = 3,
) -> dict[str, Any]:
    cases = []
    for k, spread in ((1, 0.0), (5, 60.0), (20, 60.0)):
        for duration in ((5.0, 35.0), (90.0, 240.0)):
            cases.append(
                run_case(
                    k,
                    spread,
                    duration,
                    interval=interval,
                    fast=fast,
                    young=young,
                    trials=trials,
                    seed=seed,
                )
            )
    return {
        "method": "model (no I/O): policies replayed on random create timings, one list "
        "page per tick",
        "interval_s": interval,
        "fast_s": fast,
        "young_s": young,
        "cases": cases,
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="poll-policy model")
    p.add_argument("--interval", type=float, default=10.0)
    p.add_argument("--fast", type=float, default=2.5)
    p.add_argument("--young", type=float, default=600.0)
    args = p.parse_args(argv)
    json.dump(run(interval=args.interval, fast=args.fast, young=args.young), sys.stdout, indent=1)


if __name__ == "__main__":
    main()
