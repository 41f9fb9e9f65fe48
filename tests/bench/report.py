"""The results as Markdown tables (for the README) and the verdict on each target."""

from __future__ import annotations

from typing import Any


def _f(v: Any, nd: int = 1) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.{nd}f}"
    return str(v)


def _lists(b: dict[str, Any]) -> int:
    """Astra listings (GET /v2/databases) the bot made over a burst cell."""
    return sum(x["astra_requests"].get("GET /v2/databases", 0) for x in b["per_round"])


def targets(r: dict[str, Any]) -> list[tuple[str, bool | None, str]]:
    """(target, holds?, evidence); None = not measured in this run."""
    out: list[tuple[str, bool | None, str]] = []
    ack = r.get("ack")
    if ack:
        bot = [c for c in ack["cells"] if c["target"] == "bot"]
        worst = max(bot, key=lambda c: c.get("p99_vs_bare") or 0)
        ok = all((c.get("p99_vs_bare") or 99) <= 1.5 for c in bot)
        out.append(
            (
                "Ack p99 ≤ 1.5 × bare Bolt, every concurrency",
                ok,
                f"worst {worst.get('p99_vs_bare')}× ({worst['command']}, "
                f"c={worst['concurrency']}, Astra {worst['astra_latency_s']} s: "
                f"{worst['ack_p99_ms']} ms)",
            )
        )
        lats = sorted({c["astra_latency_s"] for c in bot})
        if len(lats) > 1:
            # Unaffected (the issue: "the Astra call is never on the ack path"): an ack that
            # waited for any Astra request would take at least its latency; none of the
            # slow-Astra cells took even a tenth of it, and their p99 keeps
            # the bare-Bolt target. The p99 ratio and difference to the zero-latency cells
            # are shown as well: a few ms either way is the burst of answers coming back.
            ratios, diffs, never_waits, target = [], [], True, True
            for c in bot:
                if c["astra_latency_s"] != lats[-1]:
                    continue
                z = next(
                    x
                    for x in bot
                    if x["astra_latency_s"] == lats[0]
                    and x["concurrency"] == c["concurrency"]
                    and x["command"] == c["command"]
                )
                ratios.append(c["ack_p99_ms"] / z["ack_p99_ms"])
                diffs.append(c["ack_p99_ms"] - z["ack_p99_ms"])
                never_waits &= c["ack_max_ms"] < lats[-1] * 1000 * 0.1
                target &= (c.get("p99_vs_bare") or 99) <= 1.5
            slowest = max(c["ack_max_ms"] for c in bot if c["astra_latency_s"] == lats[-1])
            out.append(
                (
                    f"Ack unaffected by Astra latency ({lats[-1]} s vs {lats[0]} s)",
                    never_waits and target,
                    f"slowest ack {slowest} ms "
                    f"(< 10% of {lats[-1]} s: {never_waits}); p99 ≤ 1.5× bare: {target}; "
                    f"p99 vs {lats[0]} s: ratio {min(ratios):.2f}–{max(ratios):.2f}, "
                    f"{min(diffs):+.1f}–{max(diffs):+.1f} ms",
                )
            )
    for b in r.get("burst") or []:
        if b["astra_latency_s"] > 0:
            out.append(
                (
                    f"{b['size']} concurrent `db list` answered p99 ≤ 2 × Astra latency "
                    f"({b['astra_latency_s']:g} s)",
                    (b["answer_p99_s"] or 99) <= 2 * b["astra_latency_s"],
                    f"p99 {b['answer_p99_s']} s = {b['p99_vs_astra']}× "
                    f"({b['answered']}/{b['requests']} answered, {_lists(b)} Astra listings "
                    f"for {b['rounds']} bursts)",
                )
            )
    wr = r.get("watcher_reads")
    if wr:
        cases = wr["cases"]
        idle = [c for c in cases if c["n_pending"] == 0 and not c["subscription"]]
        pend = [c for c in cases if c["n_pending"] > 0]
        ok = all(c["reads_per_tick_max"] <= c["pages_needed"] for c in pend)
        ev = ", ".join(
            f"N={c['n_pending']}: {c['reads_per_tick_max']}/{c['pages_needed']}"
            f"×{c['ticks_to_see_all']} ticks"
            for c in pend
        )
        out.append(("Astra reads per tick ≤ ⌈databases/100⌉, independent of N", ok, ev))
        mem = r.get("memory") or {}
        idle_reads = idle[0]["reads_per_tick_max"] if idle else None
        out.append(
            (
                "Zero reads when nothing is pending or watched",
                idle_reads == 0 and mem.get("idle_astra_requests", 0) == 0,
                f"tick: {idle_reads}; idle bot process: "
                f"{mem.get('idle_astra_requests')} requests in {mem.get('idle_seconds')} s",
            )
        )
    for nr in r.get("notice", []):
        iv = nr["poll_interval_s"]
        ok = nr["delay_p95_s"] is not None and nr["delay_p95_s"] <= iv + 0.5 and not nr["missing"]
        out.append(
            (
                f"Notice delay p95 ≤ poll interval + 0.5 s (interval {iv:g} s)",
                ok,
                f"p95 {nr['delay_p95_s']} s, {nr['notices']}/{nr['creates']} notices",
            )
        )
        astrapy = nr["baselines"]["astrapy"]
        ok3 = (nr["delay_p95_s"] or 99) <= 3.0 and nr["watcher_reads_per_op"] < astrapy[
            "calls_per_op"
        ]
        out.append(
            (
                f"Create announced ≤ 3 s after ACTIVE with fewer calls than astrapy "
                f"(interval {iv:g} s)",
                ok3,
                f"p95 {nr['delay_p95_s']} s; {nr['watcher_reads_per_op']} reads/op vs "
                f"astrapy {astrapy['calls_per_op']}",
            )
        )
    mem = r.get("memory")
    if mem:
        out.append(
            (
                f"RSS ≤ 150 MB with {mem['pending_operations']} pending operations",
                mem["loaded_rss_mb_max"] <= 150,
                f"max {mem['loaded_rss_mb_max']} MB (idle {mem['idle_rss_mb']} MB)",
            )
        )
    st = r.get("startup")
    if st:
        worst = max(st["bot_fresh_store"]["median_s"], st["bot_migrated_store"]["median_s"])
        out.append(
            (
                "Start-up ≤ 2 s (process start → /healthz 200)",
                worst <= 2.0,
                f"median {st['bot_migrated_store']['median_s']} s (migrated store), "
                f"{st['bot_fresh_store']['median_s']} s (fresh store)",
            )
        )
    return out


def markdown(r: dict[str, Any]) -> str:
    lines: list[str] = []
    m = r["machine"]
    loads = [x[1] for x in r.get("loadavg", [])]
    load = f"; 1-min load average {min(loads):.1f}–{max(loads):.1f}" if loads else ""
    lines += [
        f"Machine: {m['nproc']} CPUs ({m['cpu_model']}), {m['mem_gib']} GiB, "
        f"Python {m['python']} ({m['platform']}); run {r['started']} "
        f"({'quick' if r['quick'] else 'full'}, {r['duration_s']} s{load}).",
        "",
    ]
    ack = r.get("ack")
    if ack:
        lines += [
            "**1. Ack latency** (ms; load client, bot, bare Bolt, emulator and fake Slack "
            "in separate processes; closed loop)",
            "",
            "| Astra latency | conc. | command | bare p50 / p99 | bot p50 / p99 | "
            "bot p99 ÷ bare | bot answered p50 / p99 (s) | bot CPU ms/cmd |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for c in ack["cells"]:
            if c["target"] == "bare":
                continue
            b = next(
                x
                for x in ack["cells"]
                if x["target"] == "bare"
                and x["concurrency"] == c["concurrency"]
                and x["astra_latency_s"] == c["astra_latency_s"]
            )
            lines.append(
                f"| {c['astra_latency_s']:g} s | {c['concurrency']} | `{c['command']}` | "
                f"{_f(b['ack_p50_ms'])} / {_f(b['ack_p99_ms'])} | "
                f"{_f(c['ack_p50_ms'])} / {_f(c['ack_p99_ms'])} | "
                f"{_f(c.get('p99_vs_bare'), 2)}× | "
                f"{_f(c.get('answer_p50_s'), 2)} / {_f(c.get('answer_p99_s'), 2)} | "
                f"{_f(c.get('bot_cpu_ms_per_command'))} |"
            )
        lines.append("")
    bursts = r.get("burst") or []
    if bursts:
        lines += [
            "**1b. Answers under a burst** (s; "
            f"{bursts[0]['size']} signed `db list` sent at once, {bursts[0]['rounds']} times; "
            "sent → its response_url post at the fake Slack)",
            "",
            "| Astra latency | answered p50 / p99 / max | p99 ÷ Astra latency | "
            "Astra listings per burst |",
            "|---|---|---|---|",
        ]
        for b in bursts:
            lines.append(
                f"| {b['astra_latency_s']:g} s | {_f(b['answer_p50_s'], 2)} / "
                f"{_f(b['answer_p99_s'], 2)} / {_f(b['answer_max_s'], 2)} | "
                f"{_f(b['p99_vs_astra'], 2)}{'×' if b['p99_vs_astra'] else ''} | "
                f"{_lists(b) / max(1, b['rounds']):g} |"
            )
        lines.append("")
    wr = r.get("watcher_reads")
    if wr:
        lines += [
            "**2. Astra reads per watcher tick** (in-process: real `Watcher.tick()`, "
            "store on SQLite, reads counted by the emulator)",
            "",
            "| pending N | watched | databases | pages needed | reads per tick | "
            "ticks to look at all N | per-database polling | tick wall (s) | "
            "SQL statements / tick |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for c in wr["cases"]:
            lines.append(
                f"| {c['n_pending']} | {'watch all' if c['subscription'] else '—'} | "
                f"{c['databases'] if (c['n_pending'] or c['subscription']) else '—'} | "
                f"{c['pages_needed']} | {c['reads_per_tick_max']} | "
                f"{c['ticks_to_see_all']} | {c['per_database_polling']} | "
                f"{_f(c['tick_seconds_max'], 2)} | {c['sql_per_tick_max']} |"
            )
        lines.append("")
    notices = r.get("notice") or []
    if notices:
        lines += [
            "**3. Notice delay** (ACTIVE in the emulator → the final notice at the fake "
            "Slack; SDK loops run on the same databases in the same run)",
            "",
            "| who | poll | delay p50 (s) | delay p95 (s) | Astra reads per operation |",
            "|---|---|---|---|---|",
        ]
        for nr in notices:
            lines.append(
                f"| astra-bot ({nr['creates']} creates) | "
                f"{nr['poll_interval_s']:g} s (setting) | "
                f"{_f(nr['delay_p50_s'], 2)} | {_f(nr['delay_p95_s'], 2)} | "
                f"{nr['watcher_reads_per_op']} |"
            )
        for name, b in notices[0]["baselines"].items():
            lines.append(
                f"| {name} loop, per database | {b['period_s']:g} s | "
                f"{_f(b['delay_p50_s'], 2)} | {_f(b['delay_p95_s'], 2)} | "
                f"{b['calls_per_op']} |"
            )
        lines.append("")
    mod = r.get("model")
    if mod:
        lines += [
            f"**3b. Poll policies, modelled** (no I/O; creates of 90–240 s, one list page; "
            f"interval {mod['interval_s']:g} s, fast {mod['fast_s']:g} s while an "
            f"operation is younger than {mod['young_s']:g} s): delay p95 (s) / Astra "
            "reads per operation",
            "",
            "| creates in flight | current | aligned | adaptive | adaptive+budget | "
            "astrapy 15 s | astra-cli 5 s |",
            "|---|---|---|---|---|---|---|",
        ]
        for c in mod["cases"]:
            if c["duration_s"][0] < 60:
                continue
            p = c["policies"]
            cells = " | ".join(
                f"{p[k]['delay_p95_s']:.1f} / {p[k]['reads_per_op']:.1f}"
                for k in (
                    "current",
                    "aligned",
                    "adaptive",
                    "adaptive+budget",
                    "astrapy",
                    "astra-cli",
                )
            )
            lines.append(f"| {c['creates']} | {cells} |")
        lines.append("")
    mem = r.get("memory")
    st = r.get("startup")
    if mem or st:
        lines += ["**4–5. Memory and start-up**", "", "| figure | value |", "|---|---|"]
        if mem:
            lines += [
                f"| RSS idle | {mem['idle_rss_mb']} MB |",
                f"| RSS, {mem['pending_operations']} pending operations, {mem['databases']} "
                f"databases (max over {mem['window_s']:g} s) | {mem['loaded_rss_mb_max']} MB |",
                f"| watcher list rounds in that window / reads each | {mem['list_rounds']} / "
                f"{mem['reads_per_round']} |",
            ]
        if st:
            lines += [
                f"| start-up → /healthz 200, migrated store (median of {st['runs']}) | "
                f"{st['bot_migrated_store']['median_s']} s |",
                f"| start-up, fresh store (migrations run) | "
                f"{st['bot_fresh_store']['median_s']} s |",
                f"| start-up, bare Bolt app (floor) | {st['bare_bolt']['median_s']} s |",
            ]
        lines.append("")
    lines += ["**Targets**", "", "| target | holds | evidence |", "|---|---|---|"]
    for name, ok, ev in targets(r):
        lines.append(f"| {name} | {'—' if ok is None else ('yes' if ok else '**no**')} | {ev} |")
    return "\n".join(lines) + "\n"
