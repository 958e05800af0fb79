"""`python -m bench`: build a fresh PostgreSQL database of the chosen size, run every benchmark
beside its ceiling, print the Markdown table and write it to bench/results/<date>.md.

This module is the command line and the order of the run; the machine and its load are
bench/machine.py, the table's rows bench/report_rows.py (and each benchmark's own
`report_rows`), the missed targets' sections bench/findings.py, the file bench/results_file.py.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench import broadcast, burst, console, datagen, leaderboard, lists, openloop
from bench import statistics as stats_bench
from bench.common import (
    ROOT,
    VENV_BIN,
    create_database,
    drop_database,
    log,
    production_env,
)
from bench.machine import machine_info, machine_load
from bench.report_rows import leaderboard_missed
from bench.results_file import RESULTS, build_report, rebuild, write_results

# The open loop needs rate × seconds members; S (500 members) proves the code, L measures.
OPENLOOP_SIZES = {
    "S": {"burst_seconds": 10, "step_rates": (25, 50, 100), "step_seconds": 5},
    "M": {},
    "L": {},
}
BENCHMARKS = ["burst", "openloop", "lists", "console", "leaderboard", "broadcast", "statistics"]


def run_reconcile(database_url: str, work_dir: Path) -> dict:
    """The real command: `flask --app server points reconcile` (exit 1 on any difference)."""
    started = time.monotonic()
    result = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "server", "points", "reconcile"],
        env=production_env(database_url), cwd=ROOT, capture_output=True, text=True,
    )
    (work_dir / "reconcile.log").write_text(result.stdout + result.stderr)
    summary = [line for line in result.stdout.splitlines() if line.startswith("核对")]
    return {"exit": result.returncode, "summary": summary[-1] if summary else "",
            "seconds": time.monotonic() - started}



def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=datagen.SIZES, default="L",
                        help="data size (default L: the leaderboard target is for L)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", help="database name (default bench_<size>_<pid>)")
    parser.add_argument("--reuse", action="store_true",
                        help="use the --database as it is (already generated): no generation, "
                             "and it is kept afterwards")
    parser.add_argument("--keep", action="store_true", help="do not drop the database after")
    parser.add_argument("--only", nargs="*", default=None,
                        choices=BENCHMARKS,
                        help="run only these benchmarks")
    parser.add_argument("--rounds", type=int, default=3, help="burst rounds (median reported)")
    parser.add_argument("--reconcile", choices=["auto", "yes", "no"], default="auto",
                        help="run `flask points reconcile` after generation (auto: yes)")
    parser.add_argument("--profile", choices=["auto", "yes", "no"], default="auto",
                        help="profile a missed target (auto), always, or never")
    parser.add_argument("--results", default=str(RESULTS), help="directory for the .md")
    parser.add_argument("--rebuild", metavar="JSON",
                        help="only rewrite the .md beside a results .json (no benchmark runs)")
    args = parser.parse_args(argv)
    if args.rebuild:
        print(rebuild(Path(args.rebuild)))
        return
    profile = {"auto": "auto", "yes": True, "no": False}[args.profile]
    only = set(args.only or BENCHMARKS)

    name = args.database or f"bench_{args.size.lower()}_{os.getpid()}"
    work_dir = Path(tempfile.mkdtemp(prefix="bench-"))
    log(f"work files (logs, profiles) in {work_dir}")
    figures: dict = {}
    if args.reuse:
        from sqlalchemy import make_url

        from bench.common import ADMIN_URL
        url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    else:
        url = create_database(name)
    try:
        info = machine_info(url)
        if not args.reuse:
            datagen.migrate(url)
            figures.setdefault("load", {})["generation"] = machine_load()
            figures["generation"] = datagen.generate(url, datagen.SIZES[args.size], args.seed)
        reconcile = args.reconcile != "no"
        if reconcile:
            figures.setdefault("load", {})["reconcile"] = machine_load()
            log("running `flask --app server points reconcile`")
            figures["reconcile"] = run_reconcile(url, work_dir)
        if "burst" in only:
            figures.setdefault("load", {})["burst"] = machine_load()
            log("clock-in burst")
            figures["burst"] = burst.run(url, work_dir, rounds=args.rounds, profile=profile)
        if "openloop" in only:
            figures.setdefault("load", {})["openloop"] = machine_load()
            log("open-loop dedication-day burst")
            figures["openloop"] = openloop.run(url, work_dir, **OPENLOOP_SIZES[args.size])
        if "lists" in only:
            log("lists through HTTP")
            figures["lists"] = lists.run(url, work_dir)
        if "console" in only:
            log("console in Chromium")
            figures["console"] = console.run(url, work_dir)
        if "leaderboard" in only:
            figures.setdefault("load", {})["leaderboard"] = machine_load()
            log("leaderboards")
            figures["leaderboard"] = leaderboard.run(url)
            missed = leaderboard_missed(figures["leaderboard"])
            if profile is True or (profile == "auto" and missed):
                worst = max(figures["leaderboard"]["boards"], key=lambda r: r["ratio"])
                figures["leaderboard_profile"] = leaderboard.profile_service(
                    url, worst["scope"], worst["period"], work_dir / "leaderboard-profile.txt")
        if "broadcast" in only:
            figures.setdefault("load", {})["broadcast"] = machine_load()
            log("broadcast")
            figures["broadcast"] = broadcast.run(url, work_dir, profile=profile)
        if "statistics" in only:
            figures.setdefault("load", {})["statistics"] = machine_load()
            log("statistics")
            figures["statistics"] = stats_bench.run(url, work_dir=work_dir)
            figures["load"]["statistics_after"] = machine_load()
        figures.update(size=args.size, seed=args.seed, machine=info,
                       work_dir=str(work_dir), finished_at=f"{datetime.now():%Y-%m-%d %H:%M}")
        (work_dir / "figures.json").write_text(json.dumps(figures, indent=1, default=str))
        report = build_report(args.size, args.seed, info, figures, work_dir)
    finally:
        if not (args.keep or args.reuse):  # a reused database was made by someone else
            log(f"dropping database {name}")
            drop_database(name)
    path = write_results(report, (work_dir / "figures.json").read_text(),
                         Path(args.results))
    print(report)
    log(f"written to {path} (raw figures: {path.with_suffix('.json')})")


if __name__ == "__main__":
    main()
