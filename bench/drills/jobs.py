"""Drill 3b: the scheduler killed (kill -9) in the middle of a monthly job — the party-day
creation of 1,000 communities — while it also runs the points job; a second scheduler is
started. Every job slot completes once: one run row per slot, done; one party day per
community and month, each with one activity."""

from __future__ import annotations

import os
import time

from bench.common import connect, stop
from bench.drills.cluster import Cluster

COMMUNITIES = 1000
STALE_SECONDS = 10  # SCHEDULER_STALE_SECONDS of these schedulers: a dead run is taken over
WATCHED = ("create_party_days", "points_reconcile_check")
TIMEOUT = 180.0


def _runs(url: str) -> dict[str, list[tuple]]:
    with connect(url) as conn:
        rows = conn.execute(
            "SELECT job_name, slot, status, owner FROM job_runs WHERE job_name = ANY(%s) "
            "AND slot NOT LIKE 'manual:%%' ORDER BY id", (list(WATCHED),)).fetchall()
    out: dict[str, list[tuple]] = {name: [] for name in WATCHED}
    for name, slot, status, owner in rows:
        out[name].append((slot, status, owner))
    return out


def _party_days(url: str) -> dict:
    with connect(url) as conn:
        days, pairs, activities, communities = conn.execute(
            "SELECT count(*), count(DISTINCT (community_id, month)), "
            "count(DISTINCT activity_id), (SELECT count(*) FROM communities) "
            "FROM party_days").fetchone()
        orphans = conn.execute(
            "SELECT count(*) FROM activities a WHERE a.category = 'party_day' AND NOT EXISTS "
            "(SELECT 1 FROM party_days p WHERE p.activity_id = a.id) AND NOT EXISTS "
            "(SELECT 1 FROM makeup_sessions m WHERE m.activity_id = a.id)").fetchone()[0]
    return {"party_days": days, "community_months": pairs, "activities": activities,
            "communities": communities, "party_day_activities_without_a_day": orphans}


def drill_scheduler_killed_in_job(cluster: Cluster, url: str) -> dict:
    for process in cluster.schedulers:
        stop(process)
    cluster.schedulers.clear()
    with connect(url) as conn:
        conn.execute(
            "INSERT INTO communities (street_id, name, address) SELECT (SELECT min(id) FROM "
            "streets), '演练社区' || g, '' FROM generate_series(1, %s) g", (COMMUNITIES,))
        conn.commit()
    before = _party_days(url)
    # today's daily runs are missed ones for a scheduler that starts now with a day's grace
    env = {"PARTY_SCHEDULER_MISFIRE_GRACE_SECONDS": "86400",
           "PARTY_SCHEDULER_STALE_SECONDS": str(STALE_SECONDS)}
    first = cluster.start_scheduler(**env)
    started = time.monotonic()
    running = None
    while time.monotonic() - started < TIMEOUT and running is None:
        running = next((r for r in _runs(url)["create_party_days"] if r[1] == "running"), None)
        time.sleep(0.05)
    time.sleep(1.0)  # well into the job
    mid_run = any(r[1] == "running" for r in _runs(url)["create_party_days"])
    os.kill(first.pid, 9)
    first.wait(10)
    killed_at = time.monotonic()
    cluster.start_scheduler(**env)
    runs = _runs(url)
    while time.monotonic() - killed_at < TIMEOUT and not all(
            runs[name] and all(status == "done" for _, status, _ in runs[name])
            for name in WATCHED):
        time.sleep(0.5)
        runs = _runs(url)
    recovered = time.monotonic() - killed_at
    days = _party_days(url)
    created = days["party_days"] - before["party_days"]
    slots = sum(len(v) for v in runs.values())
    duplicates = (days["party_days"] - days["community_months"]) + sum(
        len(v) - len({slot for slot, _, _ in v}) for v in runs.values())
    result = {
        "drill": f"3b. scheduler kill -9 mid monthly job (party days of {COMMUNITIES} "
                 f"communities, points check), a second scheduler started",
        "workload": len(WATCHED), "acknowledged": len(WATCHED),
        "found": sum(1 for v in runs.values() if v and all(s == "done" for _, s, _ in v)),
        "duplicates": duplicates, "lost": len(WATCHED) - sum(1 for v in runs.values() if v),
        "recovery_s": recovered, "killed_mid_run": mid_run, "runs": runs,
        "run_rows": slots, "party_days_created": created, "party_days": days,
        "taken_over_after_s": STALE_SECONDS, "unexpected": [],
        "seconds": time.monotonic() - started,
    }
    result["ok"] = (mid_run and slots == len(WATCHED) and result["found"] == len(WATCHED)
                    and days["party_day_activities_without_a_day"] == 0
                    and days["activities"] == days["party_days"] and created >= COMMUNITIES)
    return result
