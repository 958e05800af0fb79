"""`python -m bench.drills`: start the real processes, run the drills, print one table and write
it to bench/results/drills-<date>.md (raw figures beside it as .json). `--short` is the CI
version (drills 1, 2 and 4 with a small burst, 6 held for 10 s): it exits 1 when anything
acknowledged is lost or doubled, or a 5xx other than the documented 503s appears."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from bench import burst, datagen
from bench.common import bench_app, connect, log
from bench.drills.broadcasts import (
    drill_database_restart_broadcast,
    drill_scheduler_killed,
    drill_wechat_down,
)
from bench.drills.clockins import drill_database_restart, drill_worker_killed
from bench.drills.cluster import Cluster, OwnPostgres
from bench.drills.held import drill_load_held, drill_redis_down
from bench.drills.jobs import drill_scheduler_killed_in_job
from bench.drills.steps import CONCURRENCY, LEASE_SECONDS, dispose
from bench.drills.token import drill_token_refresh
from bench.machine import machine_load
from bench.results_file import RESULTS, write_results

ORDER = [1, 2, 22, 4, 42, 3, 32, 5, 6]


def _fixture(app, url: str, members: int) -> dict:
    with connect(url) as conn:
        community_id, = conn.execute(
            "SELECT community_id FROM members WHERE community_id IS NOT NULL "
            "GROUP BY community_id HAVING count(*) >= %s ORDER BY community_id LIMIT 1",
            (members,)).fetchone()
        member_ids = [r[0] for r in conn.execute(
            "SELECT id FROM members WHERE community_id = %s ORDER BY id LIMIT %s",
            (community_id, members))]
    tokens = burst.issue_tokens(app, member_ids)
    dispose(app)
    return {"community_id": community_id, "member_ids": list(tokens), "tokens": tokens,
            "openid": datagen.openid_of(member_ids[0])}


def table(results: list[dict]) -> str:
    lines = ["| drill | workload | acknowledged | found in the database | duplicates | lost | "
             "repeated deliveries | recovery | unexpected 5xx | result |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in results:
        recovery = "—" if r.get("recovery_s") is None else f"{r['recovery_s']:.1f} s"
        lines.append(f"| {r['drill']} | {r['workload']} | {r['acknowledged']} | {r['found']} | "
                     f"{r['duplicates']} | {r['lost']} | {_repeats(r)} | {recovery} | "
                     f"{len(r['unexpected'])} | "
                     f"{'pass' if passed(r) else '**fail**'} |")
    return "\n".join(lines)


def _repeats(r: dict) -> str:
    if "repeats" not in r:
        return "—"
    return f"{r['repeats']} (bound {r['bound']})" if "bound" in r else str(r["repeats"])


def passed(r: dict) -> bool:
    return r.get("ok", False) and r["lost"] == 0 and r["duplicates"] == 0 and not r["unexpected"]


def highlight(r: dict) -> str:
    """The figures of a drill a reader looks for first."""
    if "p99_ms" in r:
        return (f"- Load held: {r['errors']} errors; client p50 {r['p50_ms']:.0f} ms, p99 "
                f"{r['p99_ms']:.0f} ms; worker RSS {_mb(r['rss_start_mb'])} → "
                f"{_mb(r['rss_end_mb'])} MiB (growth {r['rss_growth']:.1%}); database "
                f"connections {r['db_connections_start']} → {r['db_connections_end']}.")
    if "kills" in r:
        return "- Worker kill: " + "; ".join(
            f"pid {k['pid']} replaced in {k['replaced_s']:.1f} s by {k['replaced_by']}, which "
            f"served {k['replacement_served']} requests" for k in r["kills"]) + "."
    if "down_s" in r:
        return (f"- PostgreSQL down {r['down_s']:.1f} s: answers meanwhile "
                f"{r['answers_while_down']}, slowest {r['slowest_answer_while_down_s']:.1f} s; "
                f"first acknowledged clock-in {r['recovery_s']:.1f} s after the start, no "
                f"process restarted.")
    if "logins" in r and "outbox_while_down" in r:
        return "- WeChat: logins " + ", ".join(
            f"{x['phase']} {x['status']} {x['code'] or ''} in {x['seconds']:.1f} s"
            for x in r["logins"]) + (f"; outbox all sent {r['recovery_s']:.1f} s after WeChat "
                                     f"returned; access tokens fetched afterwards: "
                                     f"{r['tokens_issued_after_return']}.")
    if "party_days" in r:
        return (f"- 3b: killed mid run: {r['killed_mid_run']}; runs per job and slot "
                f"{r['runs']}; {r['party_days_created']} party days created "
                f"({r['party_days']}); all done {r['recovery_s']:.1f} s after the kill "
                f"(a dead run is taken over once its heartbeat is {r['taken_over_after_s']} s "
                f"old).")
    if "token_calls" in r:
        return (f"- 4b: access tokens issued after WeChat came back: "
                f"{r['tokens_issued_after_return']} (token calls {r['token_calls']}); phone "
                f"confirmations {r['phone_answers']}; {r['delivered_by_standin']} deliveries, "
                f"{r['repeats']} twice.")
    if "repeats" in r:
        held = r.get("answers_held_s")
        return (f"- {r['drill'].split('.')[0]}: {r['delivered_by_standin']} deliveries to "
                f"{r.get('members_reached', r['found'])} members ({r['repeats']} twice, documented "
                f"bound {r.get('bound', '—')}); "
                f"outbox drained {r['recovery_s']:.1f} s after the break (the outbox job runs "
                f"every 15 s)" + (f"; the scheduler held answers in memory while the database "
                                  f"was away, for {held} s" if held else "") + ".")
    return f"- {r['drill'].split('.')[0]}: " + ", ".join(
        f"{x['status']} in {x['seconds']:.1f} s" for x in r.get("logins", [])) + "."


def _mb(values: dict) -> str:
    return "/".join(f"{v:.0f}" for v in values.values())


def details(r: dict) -> str:
    keep = {k: v for k, v in r.items() if k not in ("drill", "ok")}
    return f"- **{r['drill']}**: " + json.dumps(keep, ensure_ascii=False, default=str)


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.drills", description=__doc__)
    parser.add_argument("--short", action="store_true",
                        help="the CI version: drills 1, 2, 4 with a small burst, 6 for 10 s")
    parser.add_argument("--members", type=int, help="members in the clock-in burst "
                        "(default 500, --short 60)")
    parser.add_argument("--only", nargs="*", type=int, choices=ORDER,
                        help="drills to run (22: 2b, PostgreSQL restart mid broadcast; 32: 3b, "
                             "scheduler killed mid monthly job; 42: 4b, the token refreshed "
                             "once)")
    parser.add_argument("--hold", type=float,
                        help="seconds of drill 6, load held (default 600, --short 10)")
    parser.add_argument("--results", default=str(RESULTS))
    parser.add_argument("--no-results", action="store_true", help="print only (CI)")
    args = parser.parse_args(argv)
    # `timeout` (CI) sends SIGTERM: end like Ctrl-C, so every started process is stopped
    signal.signal(signal.SIGTERM, _interrupt)
    members = args.members or (60 if args.short else 500)
    only = set(args.only or ([1, 2, 4, 6] if args.short else ORDER))
    hold = args.hold or (10.0 if args.short else 600.0)
    work_dir = Path(tempfile.mkdtemp(prefix="drills-"))
    log(f"drills: work files (logs, the PostgreSQL data folder) in {work_dir}")
    pg = OwnPostgres(work_dir)
    cluster = None
    results: list[dict] = []
    load = {"start": machine_load()}
    try:
        pg.init()
        url = pg.url
        datagen.migrate(url)
        datagen.generate(url, datagen.SIZES["S"])
        # an appid of this run's own: the access token is shared through Redis under the
        # appid, and other runs on the machine must not hand this run their token
        appid = f"wx-drills-{os.getpid()}"
        cluster = Cluster(work_dir, url, PARTY_NOTICES_RETRY_BASE_SECONDS="2",
                          PARTY_WECHAT_TIMEOUT_SECONDS="5", PARTY_WECHAT_APPID=appid,
                          PARTY_NOTICES_LEASE_SECONDS=str(LEASE_SECONDS))
        app = bench_app(url, cluster.wechat_url)
        app.config["WECHAT_APPID"] = appid
        ctx = _fixture(app, url, members)
        ctx["recipients"] = 60 if args.short else 200
        ctx["broadcast_recipients"] = 1000
        cluster.start_standin()
        cluster.start_gunicorn()
        drills = {1: lambda: drill_worker_killed(cluster, app, url, ctx),
                  2: lambda: drill_database_restart(cluster, pg, app, url, ctx),
                  4: lambda: drill_wechat_down(cluster, app, url, ctx),
                  3: lambda: drill_scheduler_killed(cluster, app, url, ctx),
                  5: lambda: drill_redis_down(cluster, ctx),
                  22: lambda: drill_database_restart_broadcast(cluster, pg, app, url, ctx),
                  32: lambda: drill_scheduler_killed_in_job(cluster, url),
                  42: lambda: drill_token_refresh(cluster, app, url, ctx),
                  6: lambda: drill_load_held(cluster, pg, app, url, ctx, hold, _rate())}

        def _rate() -> float:
            """Half the clock-in rate of drill 1 (kills included), else 10 per second."""
            first = next((r for r in results if r["drill"].startswith("1.")), None)
            return max(2.0, first["workload"] / first["seconds"] / 2) if first else 10.0

        for number in ORDER:
            if number not in only:
                continue
            load[str(number)] = machine_load()
            log(f"drill {number} (load {load[str(number)]['load1']:.1f})")
            results.append(drills[number]())
            log(f"drill {number}: {json.dumps(results[-1], ensure_ascii=False, default=str)}")
    finally:
        if cluster is not None:
            cluster.close()
        pg.stop("fast")
        shutil.rmtree(work_dir / "pgdata", ignore_errors=True)
    report = "\n".join([
        f"# Fault drills, {datetime.now():%Y-%m-%d %H:%M}" + (" (short)" if args.short else ""),
        "", f"Burst: {members} members clock in, {CONCURRENCY} concurrent connections, gunicorn "
        f"2 sync workers, own PostgreSQL (initdb, port {pg.port}). Load average (1 min, 2 cores,"
        f" shared machine): " + ", ".join(f"{k} {v['load1']:.1f}" for k, v in load.items()),
        "", table(results), "", *map(highlight, results), "", "Raw figures:", "",
        *map(details, results), ""])
    print(report)
    if not args.no_results:
        path = write_results(report, json.dumps(
            {"results": results, "load": load, "members": members}, indent=1, default=str),
            Path(args.results), prefix="drills-")
        log(f"written to {path}")
    if not all(passed(r) for r in results):
        sys.exit(1)
