"""The results table's rows of each benchmark whose rows are not written by the benchmark's own
module: (figure, measured, target, result, load before the measure)."""

from __future__ import annotations

from bench import burst
from bench.cells import mark, ms
from bench.machine import load_mark

Row = tuple[str, str, str, str, str]
GENERATION_TARGET_S = 300  # "build L in a few minutes"


def generation_rows(gen: dict, size: str, load: dict | None) -> list[Row]:
    return [(f"Data generation, size {size} ({gen['members']:,} members, "
             f"{gen['point_entries']:,} ledger entries, {gen['point_balances']:,} "
             f"balances, {gen['attendances']:,} activity records)",
             f"{gen['seconds']:.0f} s", f"a few minutes (≤ {GENERATION_TARGET_S} s)",
             mark(gen["seconds"] <= GENERATION_TARGET_S), load_mark(load))]


def reconcile_rows(rec: dict, load: dict | None) -> list[Row]:
    ok = rec["exit"] == 0 and "差异 0 处" in rec["summary"]
    return [("`flask points reconcile` after generation", f"{rec['summary']} "
             f"({rec['seconds']:.0f} s)", "0 differences", mark(ok), load_mark(load))]


def burst_rows(b: dict, load: dict | None) -> list[Row]:
    """The clock-in burst: rate, latency and time inside a worker beside the bare endpoint's
    in the same rounds, errors, attendance rows, worker RSS."""
    m = burst.median_round(b["rounds"])
    clock, bare = m["clockin"], m["bare"]
    ratio = clock["rate"] / bare["rate"] if bare["rate"] else 0
    errors = sum(n for r in b["rounds"] for code, n in r["clockin"]["statuses"].items()
                 if str(code) != "200")
    checks = b["attendance_check"]
    exact = len(checks) == len(b["rounds"]) + (1 if b.get("low_concurrency") else 0) and all(
        c["rows"] == b["members"] and c["doubled"] == 0 for c in checks)
    setup = (f"{b['members']} members, {b['concurrency']} concurrent connections, gunicorn "
             f"{b['workers']} {b['worker_class']} workers; median of {len(b['rounds'])} "
             f"rounds")
    rows = [(f"Clock-in burst rate ({setup})", f"{clock['rate']:.0f} req/s",
             f"≥ 50 % of bare ({bare['rate']:.0f} req/s): ≥ {bare['rate'] / 2:.0f}",
             f"{mark(ratio >= 0.5)} ({ratio:.0%})"),
            ("Clock-in latency at the client p50 / p95 / p99",
             f"{ms(clock['p50'])} / {ms(clock['p95'])} / {ms(clock['p99'])}",
             "p99 ≤ 100 ms", mark(clock["p99"] <= 100)),
            ("Bare one-INSERT endpoint, client p50 / p95 / p99 (the ceiling)",
             f"{ms(bare['p50'])} / {ms(bare['p95'])} / {ms(bare['p99'])}",
             "— (reference)", "—")]
    inside = (clock["server"]["p50"] / bare["server"]["p50"]
              if bare["server"]["p50"] else float("nan"))
    rows.append(("Clock-in time inside a worker (gunicorn %(D)s) p50 / p95 / p99; bare "
                 "one-INSERT endpoint, same round",
                 f"{ms(clock['server']['p50'])} / {ms(clock['server']['p95'])} / "
                 f"{ms(clock['server']['p99'])}; bare {ms(bare['server']['p50'])} / "
                 f"{ms(bare['server']['p95'])} / {ms(bare['server']['p99'])}",
                 "p50 ≤ 2 × bare", f"{mark(inside <= 2)} (×{inside:.1f})"))
    low = b.get("low_concurrency")
    if low:
        rows.append((f"Clock-in at {low['concurrency']} concurrent connections (one per "
                     f"worker, nothing queued): rate; client p50 / p99",
                     f"{low['rate']:.0f} req/s; {ms(low['p50'])} / {ms(low['p99'])}",
                     "— (what p99 is without queueing)", "—"))
        errors += sum(n for code, n in low["statuses"].items() if str(code) != "200")
    rows.append(("Clock-in errors (all rounds)", str(errors), "0", mark(errors == 0)))
    rows.append(("Attendance rows afterwards, per round's activity",
                 ", ".join(f"{c['rows']} rows / {c['distinct_members']} members" for c in
                           checks), f"exactly {b['members']}, none doubled", mark(exact)))
    rss = max(b["worker_rss_mb"].values()) if b["worker_rss_mb"] else float("nan")
    rows.append(("RSS of one app worker after the burst (largest of the workers)",
                 f"{rss:.0f} MiB ({rss * 1.048576:.0f} MB)", "≤ 150 MB",
                 mark(rss * 1.048576 <= 150)))
    return [(*row, load_mark(load)) for row in rows]


def burst_missed(b: dict) -> tuple[dict, float] | None:
    """The median round and the rate's ratio to bare, when a burst target was missed."""
    m = burst.median_round(b["rounds"])
    clock, bare = m["clockin"], m["bare"]
    ratio = clock["rate"] / bare["rate"] if bare["rate"] else 0
    return (m, ratio) if ratio < 0.5 or clock["p99"] > 100 else None


def openloop_rows(ol: dict) -> list[Row]:
    """The dedication day at a fixed arrival rate, then the stepped rates; each step's clock-in
    and bare figures back to back, under the load sampled before that step."""
    b = ol["burst"]
    clock, bare = b["clockin"], b["bare"]
    rows = [(f"Dedication-day burst, open loop: {b['rate']:.0f} clock-ins/s (Poisson) for "
             f"{b['seconds']:.0f} s, client p50 / p99 from the arrival",
             f"{ms(clock['p50'])} / {ms(clock['p99'])}; bare {ms(bare['p50'])} / "
             f"{ms(bare['p99'])} under the same arrivals; generator lag p99 "
             f"{ms(clock['generator_lag_p99_ms'])}",
             "p99 ≤ 100 ms", mark(clock["p99"] <= 100 and clock["errors"] == 0),
             load_mark(b.get("load")))]
    for step in ol["steps"]:
        rows.append((f"Open loop {step['rate']:.0f}/s for {step['seconds']:.0f} s",
                     f"clock-in p99 {ms(step['clockin']['p99'])} "
                     f"({step['clockin']['errors']} errors); bare p99 "
                     f"{ms(step['bare']['p99'])}", "p99 ≤ 100 ms", "—",
                     load_mark(step.get("load"))))
    best, fraction = ol["highest_rate_within_target"], ol.get("fraction_of_bare")
    rows.append(("Highest open-loop rate with p99 ≤ 100 ms: clock-in / bare (stepped, back to "
                 "back)", f"{best['clockin']:.0f}/s / {best['bare']:.0f}/s",
                 "≥ 50 % of bare",
                 f"{mark(fraction is not None and fraction >= 0.5)} "
                 f"({fraction:.0%})" if fraction is not None else "— (bare never met it)",
                 loads_mark([step.get("load") for step in ol["steps"]])))
    return rows


def leaderboard_missed(lb: dict) -> bool:
    return any(r["ratio"] > 3 or r["service"]["p50"] > 30 for r in lb["boards"])


def leaderboard_rows(lb: dict, load: dict | None) -> list[Row]:
    """Each board: the service beside the raw SQL, measured interleaved (raw, service, HTTP in
    each iteration), so the ratio is back to back."""
    rows = []
    for row in lb["boards"]:
        ok = row["ratio"] <= 3 and row["service"]["p50"] <= 30
        rows.append((f"Leaderboard {row['scope']} {row['scope_id']} ({row['board_size']:,} "
                     f"members) {row['period']}: service p50 (p95) vs raw SQL p50; "
                     f"HTTP p50",
                     f"{ms(row['service']['p50'])} ({ms(row['service']['p95'])}) vs "
                     f"{ms(row['raw']['p50'])} = ×{row['ratio']:.1f}; HTTP "
                     f"{ms(row['http']['p50'])}",
                     "≤ 3 × raw, p50 ≤ 30 ms", mark(ok), load_mark(load)))
    return rows


def loads_mark(loads: list[dict | None]) -> str:
    """Several samples under one figure (before, between, after): the range of the load, and
    BUSY with every busy sample's processes."""
    taken = [load for load in loads if load]
    if not taken:
        return "not sampled"
    low, high = min(t["load1"] for t in taken), max(t["load1"] for t in taken)
    mark_ = f"load {low:.1f}" + (f"–{high:.1f}" if high - low >= 0.05 else "")
    busiest = [name for t in taken if t.get("busy") for name in t["busiest"]]
    return mark_ + (f"; BUSY: {', '.join(busiest)}" if busiest else "")


# the sending job's time, as server/notices/outbox.py reports it in each run's summary
SPLIT = [
    ("run_s", "the runs' wall time"),
    ("idle_s", "no batch being sent (the first claim, or a claim slower than the batch before)"),
    ("claim_s", "claiming (the outbox's database work; overlaps the sending)"),
    ("record_s", "writing the answers (the outbox's database work, the recorder thread)"),
    ("wechat_s", "WeChat calls (the client and the stand-in, summed over the sending threads)"),
    ("wait_record_s", "the sending threads waiting for their answers' writes"),
]


def broadcast_rows(bc: dict, load: dict | None) -> list[Row]:
    """The outbox's rate beside the stand-in's raw rate measured before and after the drain in
    the same run (the ratio's load: all three samples), sends counted, time split, RSS."""
    loads = bc.get("loads") or {}
    around = loads_mark([loads.get("raw_before", load), loads.get("drain"),
                         loads.get("raw_after")])
    drain = load_mark(loads.get("drain", load))
    ratio = bc.get("rate", 0) / bc["raw_rate"] if bc["raw_rate"] else 0
    rows = [(f"Broadcast to {bc['recipients']:,} members: outbox send rate (first → last "
             f"sent_at) vs the stand-in's raw accept rate (one keep-alive client, mean "
             f"of before/after: {bc['raw']['rate']:.0f} / "
             f"{(bc.get('raw_after') or bc['raw'])['rate']:.0f})",
             f"{bc.get('rate', 0):.0f} msg/s vs {bc['raw_rate']:.0f}/s",
             "≥ 80 % of raw", f"{mark(ratio >= 0.8)} ({ratio:.0%})", around),
            ("The app's wechatpy client alone in a loop (no outbox, no DB)",
             f"{bc['client_loop']['rate']:.0f} msg/s", "— (splits the gap)", "—",
             load_mark(loads.get("raw_before", load)))]
    split = bc.get("time_split") or {}
    if split.get("run_s"):
        parts = [(name, label) for name, label in SPLIT if name in split]
        rows.append(("Broadcast time split (the sending job's runs, `job_runs.result`, summed): "
                     + "; ".join(label for _, label in parts),
                     "; ".join(f"{split[name]:.1f} s" for name, _ in parts),
                     "— (names a miss's cause)", "—", drain))
    exact = bc["standin_sends"] == bc["recipients"] and bc["outbox"]["sent"] == bc[
        "recipients"] and bc["outbox"]["distinct_sent"] == bc["recipients"]
    rows.append(("Sends counted by the stand-in / outbox rows sent (distinct members)",
                 f"{bc['standin_sends']:,} / {bc['outbox']['sent']:,} "
                 f"({bc['outbox']['distinct_sent']:,})", f"exactly {bc['recipients']:,}",
                 mark(exact), drain))
    if "scheduler_cpu_ms_per_message" in bc:
        rows.append(("The scheduler's CPU time per message sent (user + system, over the drain; "
                     "hardly moved by other processes, unlike the rate)",
                     f"{bc['scheduler_cpu_ms_per_message']:.2f} ms", "— (reported)", "—", drain))
    rows.append(("Broadcast wall time, publish → last send (includes waiting for the "
                 "15 s job slot)", f"{bc.get('drain_seconds_from_publish', 0):.1f} s", "—",
                 "—", drain))
    peak = bc.get("scheduler_peak_rss_mb", bc["scheduler_rss_mb"])
    rows.append(("RSS of the scheduler process during the broadcast: peak (after)",
                 f"{peak:.0f} MiB ({peak * 1.048576:.0f} MB) "
                 f"({bc['scheduler_rss_mb'] * 1.048576:.0f} MB)", "≤ 200 MB",
                 mark(peak * 1.048576 <= 200), drain))
    return rows
