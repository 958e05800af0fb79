"""The "where the time goes" sections of the results: for each missed target, what its
profile shows and what would close it."""

from __future__ import annotations

from pathlib import Path

from bench.profiles import ours, summarise

RECONCILE_NOTE = """\
**`flask points reconcile` at L** (`server/points/reconcile.py`). The first runs of this
benchmark found that it did not finish at L: its member scan, `members.id IN (SELECT … FROM
point_entries) OR members.id IN (SELECT … FROM point_balances)`, was planned by PostgreSQL 15
as a non-hashed SubPlan (estimated cost 5.1 × 10⁹), and `placement()` made two queries per
member. Both were fixed on 2026-11-23 (EXISTS instead of IN; places read through the session's
identity map): the command now checks 100,000 members and 2,280,075 balances of a generated L
database in 74 s and finds 0 differences. `--reconcile auto` runs it at every size."""


def profile_block(files: list[str]) -> str:
    return "```\n" + ours(files, top=18) + "\n\n" + summarise(files, top=0).split(
        "Self")[1].join(["Self", ""]) + "\n```" if files else "(no profile taken)"


def burst_findings(b: dict, m: dict, ratio: float, work_dir: Path) -> str:
    clock, bare = m["clockin"], m["bare"]
    files = (b.get("profile") or {}).get("files", [])
    return "\n".join([
        "### Clock-in burst",
        "",
        f"Throughput: {clock['rate']:.0f} req/s against the bare endpoint's "
        f"{bare['rate']:.0f} req/s ({ratio:.0%}). A clock-in spends "
        f"{clock['server']['p50']:.0f} ms (p50) inside a worker, the bare INSERT "
        f"{bare['server']['p50']:.1f} ms; with 2 sync workers the rate is bounded by "
        f"2 / time-in-worker ({2000 / clock['server']['p50']:.0f}/s for the clock-in). The "
        f"bare endpoint does not reach its bound ({2000 / bare['server']['p50']:.0f}/s): its "
        f"ceiling is partly the load generator (httpx on the same 2 cores) and a new TCP "
        f"connection per request (sync workers do not keep connections alive), so the ratio "
        f"to the bare rate flatters the clock-in slightly; per request the clock-in costs "
        f"{clock['server']['p50'] / bare['server']['p50']:.1f}× the bare INSERT inside the "
        f"worker.",
        "",
        f"Latency: with {b['concurrency']} connections open and sync workers, a request waits "
        f"in the listen backlog for the {b['concurrency'] - b['workers']} ahead of it, so the "
        f"client's p99 is ≈ concurrency / throughput (Little's law): "
        f"{b['concurrency']} / {clock['rate']:.0f} per s ≈ "
        f"{1000 * b['concurrency'] / clock['rate']:.0f} ms for the clock-in and "
        f"{1000 * b['concurrency'] / bare['rate']:.0f} ms for the bare INSERT (measured "
        f"{clock['p99']:.0f} and {bare['p99']:.0f} ms). A p99 of 100 ms at 200 concurrent "
        f"requests needs ≥ 2,000 req/s, which neither the clock-in nor the bare endpoint "
        f"reaches on 2 cores; the time inside a worker (p99 {clock['server']['p99']:.0f} ms) is "
        f"the part the code controls." + (
            f" Measured at {b['low_concurrency']['concurrency']} connections (nothing queued) "
            f"the clock-in's client p99 is {b['low_concurrency']['p99']:.0f} ms."
            if b.get("low_concurrency") else ""),
        "",
        "py-spy over both workers during an extra (unreported) burst:",
        "",
        profile_block(files),
        "",
        "Reading: one clock-in is 3 round trips on PostgreSQL, as many as the bare endpoint's "
        "(BEGIN, INSERT, COMMIT): BEGIN goes out with the login query (session, user, role "
        "grants, member and the stored answer to the Idempotency-Key in one statement), the "
        "clock record is written by the statement that reads the activity with the caller's "
        "sign-up and record, and the key's answer goes out with COMMIT (server/database.py, "
        "psycopg pipeline mode). The pool does not ping on checkout (a closed connection is "
        "seen by polling its socket, server/unavailable.py). What is left above the bare "
        "INSERT is Python: each of the three statements through SQLAlchemy's ORM (compiling "
        "from its cache, psycopg describing and SQLAlchemy loading the rows into entities), "
        "Flask's and flask-smorest's request handling and the JSON answer — about 3.5 ms of "
        "CPU a request on a quiet core, against the bare endpoint's Core INSERT with no login, "
        "no parsing and no answer to store. ≤ 2 × bare would need the login and the clock "
        "record read as Core rows rather than ORM entities throughout the services that take "
        "them, a change of the whole request model, not of the clock-in.",
        "",
        "The client p99 target cannot be met at 200 concurrent connections by any Python "
        "endpoint on this machine (see the bare figure): it needs more cores or a concurrency "
        "limit in front (nginx `limit_conn`, or the mini-program spreading the burst); the "
        "open-loop measure below states it as arrivals per second instead.",
        "",
    ])


def leaderboard_findings(lb: dict, worst: dict, figures: dict) -> str:
    text = figures.get("leaderboard_profile", "")
    slowest = max(lb["boards"], key=lambda r: r["service"]["p50"])
    largest = max(lb["boards"], key=lambda r: r["board_size"])
    extra = [r["service"]["p50"] - r["raw"]["p50"] for r in lb["boards"]]
    http_extra = [r["http"]["p50"] - r["service"]["p50"] for r in lb["boards"]]
    excerpt = "\n".join(text.splitlines()[:45])
    return "\n".join([
        "### Leaderboard",
        "",
        f"The worst ratio is {worst['scope']} {worst['period']}: the service "
        f"{worst['service']['p50']:.2f} ms against {worst['raw']['p50']:.2f} ms of raw SQL "
        f"(×{worst['ratio']:.1f}). Slowest service p50: {slowest['service']['p50']:.2f} ms "
        f"({slowest['scope']} {slowest['period']}, {slowest['board_size']:,} members) against "
        f"the 30 ms target. The service adds a nearly fixed "
        f"{min(extra):.1f}–{max(extra):.1f} ms per call to the raw read, so the ratio is worst "
        f"where the raw read is cheapest (small boards, under 1 ms) and best on the largest "
        f"board ({largest['scope']}, {largest['board_size']:,} members: "
        f"×{min(r['ratio'] for r in lb['boards'] if r['scope'] == largest['scope']):.1f}–"
        f"{max(r['ratio'] for r in lb['boards'] if r['scope'] == largest['scope']):.1f}).",
        "",
        "pyinstrument over 100 service calls of that board:",
        "",
        "```",
        excerpt,
        "```",
        "",
        "Reading: the SQL itself is the same index range as the raw read; the extra ≈ 2 ms is "
        "a fourth round trip (`db.session.get(model, scope_id)` for the board's name, which the "
        "raw read does not need), SQLAlchemy statement construction and result processing for "
        "three statements (the `select()` is rebuilt on every call, then its cache key "
        "computed), the ORM session's autobegin, and `mask_name`/`hours_of` (Decimal) per row.",
        "",
        f"Through HTTP (test client, whole Flask stack) a board takes "
        f"{min(http_extra):.1f}–{max(http_extra):.1f} ms more than the service call: the "
        f"principal (auth session, user, role grants, member: 4 queries), "
        f"`sees_full_names_on_board`, the schema and JSON.",
        "",
        "What would close it (owner: points): fetch the place name in the same statement as the "
        "top-50 (or cache the name: places are rarely renamed), fold `my_rank`'s two reads into "
        "one (`SELECT points, (SELECT count(*) …)`), and build the statements once with "
        "`bindparam`s (or `lambda_stmt`) so that only the cached compiled form is used; "
        "`hours_of` can divide integers instead of quantizing Decimals.",
        "",
    ])


def broadcast_findings(bc: dict, ratio: float) -> str:
    files = bc.get("profile_files") or []
    split = bc.get("time_split") or {}
    threads = 4  # NOTICES_SEND_CONCURRENCY
    run = split.get("run_s") or float("nan")
    per_thread = {name: split.get(name, 0.0) / threads for name in ("wechat_s", "wait_record_s")}
    return "\n".join([
        "### Broadcast",
        "",
        f"The outbox sent {bc.get('rate', 0):.0f} msg/s, {ratio:.0%} of the stand-in's raw "
        f"accept rate ({bc['raw_rate']:.0f}/s: {bc['raw']['rate']:.0f} before, "
        f"{(bc.get('raw_after') or bc['raw'])['rate']:.0f} after); the app's wechatpy client "
        f"alone, without the outbox, reaches {bc['client_loop']['rate']:.0f}/s.",
        "",
        f"Time split over {run:.1f} s of sending runs: {split.get('idle_s', 0):.1f} s with no "
        f"batch being sent (claims overlap the sending); each of the {threads} sending threads "
        f"spent {per_thread['wechat_s']:.1f} s in WeChat's calls and "
        f"{per_thread['wait_record_s']:.1f} s waiting for its answer's write (a thread sends "
        f"its next message only once its last answer is written: the bound on messages sent "
        f"twice after a crash). So the rate is about {threads} / (the call's latency + the "
        f"write's latency): on a busy machine both are mostly waiting for a core, and the raw "
        f"loop (one call at a time) slows as much or more; on a quiet one the scheduler's CPU "
        f"per message ({bc.get('scheduler_cpu_ms_per_message', float('nan')):.2f} ms) and the "
        f"stand-in's and PostgreSQL's share the 2 cores.",
        "",
        "py-spy over the scheduler during a second (unreported) drain:",
        "",
        profile_block(files),
        "",
    ])
