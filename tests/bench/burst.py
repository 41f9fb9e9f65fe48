"""Answers under a burst: ``size`` signed ``/astra db list`` sent at once (one per
connection of the load client), each answered on its ``response_url``; repeated ``rounds``
times, each round after the previous one was answered in full.

This is what "50 concurrent `db list`" means: 50 commands in the bot at once. The closed
loop of figure 1 is not that: its acks return in milliseconds, so its workers send
hundreds of commands within a second or two and the bot holds all of them (its *answered*
column is the time to work through that backlog, not the answer time of a burst).

Per round: the time from each request sent to its answer at the fake Slack, and the Astra
requests the bot made meanwhile (the emulator's log, by path): a burst of identical
listings should cost Astra one listing, so the answers should come ≈ one Astra latency
after the burst.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from tests.bench.common import percentile
from tests.bench.phases import _drain, _run_load
from tests.bench.stack import Bot, Stack


async def burst(
    stack: Stack,
    bot: Bot,
    *,
    latency: float,
    size: int = 50,
    rounds: int = 5,
    seed_dbs: int = 20,
) -> dict[str, Any]:
    await stack.emu_purge("")
    await stack.emu_add(seed_dbs, prefix="seed")
    await stack.emu_config(latency_s=latency)
    answered: list[float] = []
    per_round: list[dict[str, Any]] = []
    try:
        for k in range(rounds):
            prefix = f"bu{k}x"
            posts_mark, _ = await stack.response_posts(10**12)
            emu_mark = await stack.emu_mark()
            load = await _run_load(
                bot.events_url,
                concurrency=size,
                requests=size,
                text="db list",
                rid_prefix=prefix,
                response_base=stack.slack_base,
                channel_prefix=f"CB{k}x",
            )
            sent = {r[0]: r[1] for r in load["rows"]}
            done = await _drain(
                stack, kind="list", rids=sent, slack_mark=0, posts_mark=posts_mark, within=120
            )
            _, rows = await stack.emu_requests(emu_mark)
            times = sorted(done[r] - sent[r] for r in done)
            answered.extend(times)
            first_sent = min(sent.values())
            astra = [r for r in rows if "bench" not in (r[2] or "")]
            per_round.append(
                {
                    "answered": len(done),
                    "p50_s": _s(percentile(times, 50)),
                    "max_s": _s(times[-1] if times else None),
                    "sent_spread_s": _s(max(sent.values()) - first_sent),
                    "astra_requests": dict(Counter(f"{r[0]} {r[1]}" for r in astra)),
                    "astra_at_s": [_s(r[3] - first_sent) for r in astra[:12]],
                }
            )
            await asyncio.sleep(0.5)
    finally:
        await stack.emu_config(latency_s=0.0)
    return {
        "method": f"{size} signed `db list` sent at once (one per keep-alive connection), "
        "answered = sent → its response_url post at the fake Slack; "
        f"{rounds} rounds, each after the last was answered",
        "size": size,
        "rounds": rounds,
        "astra_latency_s": latency,
        "seed_databases": seed_dbs,
        "requests": size * rounds,
        "answered": len(answered),
        "answer_p50_s": _s(percentile(answered, 50)),
        "answer_p99_s": _s(percentile(answered, 99)),
        "answer_max_s": _s(max(answered) if answered else None),
        "p99_vs_astra": round((percentile(answered, 99) or 0) / latency, 2) if latency else None,
        "per_round": per_round,
    }


def _s(v: float | None) -> float | None:
    return None if v is None else round(v, 3)
