"""The results of a run as a file: the Markdown report (machine, method, the table of every
figure with the load before its measure, the missed targets' findings) and the raw figures as
JSON beside it, in bench/results/<date>.md unless told otherwise."""

from __future__ import annotations

import json
import tempfile
from datetime import datetime
from pathlib import Path

from sqlalchemy import make_url

from bench import console, findings, lists
from bench import statistics as stats_bench
from bench.common import ADMIN_URL
from bench.machine import load_mark, machine_info
from bench.report_rows import (
    broadcast_rows,
    burst_missed,
    burst_rows,
    generation_rows,
    leaderboard_missed,
    leaderboard_rows,
    openloop_rows,
    reconcile_rows,
)

RESULTS = Path(__file__).resolve().parent / "results"


def _with_loads(rows: list[tuple], loads: list[dict | None]) -> list[tuple]:
    """Rows written by a benchmark's own module (four cells) with the load before each."""
    if len(loads) != len(rows):
        loads = [loads[0] if loads else None] * len(rows)
    return [(*row, load_mark(load)) for row, load in zip(rows, loads, strict=True)]


def build_report(size: str, seed: int, info: dict, figures: dict, work_dir: Path) -> str:
    load = figures.get("load") or {}
    rows: list[tuple[str, str, str, str, str]] = []
    missed: list[str] = []
    if figures.get("generation"):
        rows += generation_rows(figures["generation"], size, load.get("generation"))
    if figures.get("reconcile"):
        rows += reconcile_rows(figures["reconcile"], load.get("reconcile"))

    b = figures.get("burst")
    if b:
        rows += burst_rows(b, load.get("burst"))
        miss = burst_missed(b)
        if miss:
            missed.append(findings.burst_findings(b, *miss, work_dir))
    if figures.get("openloop"):
        rows += openloop_rows(figures["openloop"])
    ls = figures.get("lists")
    if ls:
        rows += _with_loads(lists.report_rows(ls), [row.get("load") for row in ls["lists"]])
        if lists.findings(ls):
            missed.append(lists.findings(ls))
    c = figures.get("console")
    if c:
        rows += _with_loads(console.report_rows(c), [c.get("load")])
        if console.findings(c):
            missed.append(console.findings(c))

    lb = figures.get("leaderboard")
    if lb:
        rows += leaderboard_rows(lb, load.get("leaderboard"))
        if leaderboard_missed(lb):
            worst = max(lb["boards"], key=lambda r: r["ratio"])
            missed.append(findings.leaderboard_findings(lb, worst, figures))

    bc = figures.get("broadcast")
    if bc:
        rows += broadcast_rows(bc, load.get("broadcast"))
        ratio = bc.get("rate", 0) / bc["raw_rate"] if bc["raw_rate"] else 0
        if ratio < 0.8:
            missed.append(findings.broadcast_findings(bc, ratio))

    when = figures.get("finished_at") or f"{datetime.now():%Y-%m-%d %H:%M}"
    lines = [f"# Benchmarks, {when} — size {size}, seed {seed}", "",
             f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory']} memory; "
             f"{info['os']}; Python {info['python']}; PostgreSQL {info['postgresql']}; "
             f"gunicorn {info['gunicorn']}; SQLAlchemy {info['sqlalchemy']}. Everything "
             f"(PostgreSQL, Redis, the app, the load generator, the stand-in) on this one "
             f"machine, over loopback.", "",
             "Method (bench/README.md): app processes run with APP_ENV=production, "
             "PostgreSQL, rate limits in Redis, gunicorn 2 sync workers; burst tokens issued "
             "through the app's `server.auth.tokens.issue_token` into the database, rotating "
             "codes made from the activity's secret with `server.activities.qrcode.make_code` "
             "as each request is sent; the broadcast drained by `flask --app server scheduler`"
             " into `flask --app server wechat-standin` (own processes).", "",
             "Load before: the 1-minute load average sampled just before the measure, and "
             "BUSY with every other process that took more than 20 % of a core then. With 2 "
             "cores, a load above ~0.5 from others lowers every rate here; a ratio only "
             "compares figures measured back to back under the same load.", "",
             "| Figure | Measured | Target / ceiling | Result | Load before |",
             "| --- | --- | --- | --- | --- |"]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    st = figures.get("statistics")
    if st:
        before, after = load.get("statistics"), load.get("statistics_after")
        lines += ["", "## 数据统计 requests (bench/statistics.py)", "",
                  "Each GET /api/v1/statistics through HTTP (gunicorn, 1 sync worker, keep-alive) "
                  "beside the raw SQL of the same measures (the statements the request ran, "
                  "replayed with psycopg). Load before: " + load_mark(before)
                  + (f"; after: {load_mark(after)}" if after else "")
                  + (" — NOISY: the machine was busy, every figure here is inflated by the "
                     "other processes" if (before or {}).get("load1", 0) > 2 else ""), ""]
        lines += stats_bench.report_rows(st)
    if missed:
        lines += ["", "## Where the time goes (targets missed)", ""]
        lines += missed
    if size == "L":
        lines += ["", "## Found on the way", "", findings.RECONCILE_NOTE]
    return "\n".join(lines) + "\n"


def write_results(report: str, figures_json: str, directory: Path, prefix: str = "") -> Path:
    """<prefix><date>.md (or <prefix><date>-2.md, …) with the raw figures beside it as .json."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{prefix}{datetime.now():%Y-%m-%d}.md"
    counter = 2
    while path.exists():
        path = directory / f"{prefix}{datetime.now():%Y-%m-%d}-{counter}.md"
        counter += 1
    path.write_text(report, encoding="utf-8")
    path.with_suffix(".json").write_text(figures_json)
    return path


def rebuild(path: Path) -> str:
    """The Markdown again from a run's figures (e.g. after improving the findings)."""
    figures = json.loads(path.read_text())
    info = figures.get("machine") or machine_info(
        make_url(ADMIN_URL).render_as_string(hide_password=False))
    work_dir = Path(figures.get("work_dir") or tempfile.gettempdir())
    report = build_report(figures.get("size", "L"), figures.get("seed", 1), info, figures,
                          work_dir)
    path.with_suffix(".md").write_text(report, encoding="utf-8")
    return report
