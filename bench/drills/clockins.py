"""Drills 1 and 2: a gunicorn worker killed, PostgreSQL restarted, mid clock-in burst."""

from __future__ import annotations

import asyncio
import time

from bench import burst
from bench.drills.client import Log
from bench.drills.client import burst as client_burst
from bench.drills.cluster import Cluster, OwnPostgres
from bench.drills.steps import (
    CONCURRENCY,
    PG_DOWN_SECONDS,
    attendance,
    clockin_jobs,
    compare,
    count,
    dispose,
    when,
)


def drill_worker_killed(cluster: Cluster, app, url: str, ctx: dict) -> dict:
    """1. kill -9 one gunicorn worker mid clock-in burst, twice."""
    member_ids, tokens = ctx["member_ids"], ctx["tokens"]
    activity_id, secret = burst.prepare_activity(app, member_ids, ctx["community_id"])
    dispose(app)
    log_ = Log()
    kills: list[dict] = []

    async def chaos():
        for share in (0.25, 0.6):
            await when(log_, int(len(member_ids) * share))
            before = cluster.workers()
            victim = before[0]
            cluster.kill_worker(victim)
            killed_at = time.monotonic()
            while True:  # gunicorn's arbiter forks a replacement
                now = cluster.workers()
                if len(now) == 2 and victim not in now or time.monotonic() - killed_at > 60:
                    break
                await asyncio.sleep(0.05)
            kills.append({"pid": victim, "replaced_by": sorted(set(now) - set(before)),
                          "replaced_s": time.monotonic() - killed_at, "at": killed_at})

    async def both():
        task = asyncio.create_task(chaos())
        outcomes = await client_burst(cluster.base, clockin_jobs(activity_id, secret, tokens),
                                      CONCURRENCY, log_)
        await task
        return outcomes

    started = time.monotonic()
    outcomes = asyncio.run(both())
    result = compare(outcomes, member_ids, attendance(url, activity_id))
    # the other worker keeps answering: recovery is the gap until the next acknowledged write
    recovery = [(log_.first_ok_after(k["at"]) or k["at"]) - k["at"] for k in kills]
    served = cluster.served_by()
    for k in kills:
        k["replacement_served"] = sum(served.get(p, 0) for p in k["replaced_by"])
    result.update(drill="1. gunicorn worker kill -9 (×2) mid clock-in burst",
                  seconds=time.monotonic() - started, kills=kills,
                  recovery_s=max(recovery) if recovery else None,
                  replaced=all(k["replaced_by"] for k in kills) and len(kills) == 2,
                  answers=log_.statuses(), unexpected=log_.unexpected)
    result["ok"] = result["replaced"]
    return result


def drill_database_restart(cluster: Cluster, pg: OwnPostgres, app, url: str, ctx: dict) -> dict:
    """2. PostgreSQL fast shutdown and start mid clock-in burst."""
    member_ids, tokens = ctx["member_ids"], ctx["tokens"]
    activity_id, secret = burst.prepare_activity(app, member_ids, ctx["community_id"])
    dispose(app)
    log_ = Log()
    event: dict = {}

    async def chaos():
        await when(log_, int(len(member_ids) * 0.25))
        event["stop_at"] = time.monotonic()
        await asyncio.to_thread(pg.stop, "fast")
        event["down_at"] = time.monotonic()
        await asyncio.sleep(PG_DOWN_SECONDS)
        await asyncio.to_thread(pg.start)
        event["up_at"] = time.monotonic()

    async def both():
        task = asyncio.create_task(chaos())
        outcomes = await client_burst(cluster.base, clockin_jobs(activity_id, secret, tokens),
                                      CONCURRENCY, log_)
        await task
        return outcomes

    started = time.monotonic()
    outcomes = asyncio.run(both())
    result = compare(outcomes, member_ids, attendance(url, activity_id))
    down = [a for a in log_.answers if event["stop_at"] <= a[0] <= event["up_at"] + 0.5]
    first_ok = log_.first_ok_after(event["up_at"])
    result.update(
        drill="2. PostgreSQL fast restart mid clock-in burst",
        seconds=time.monotonic() - started,
        down_s=event["up_at"] - event["stop_at"],
        recovery_s=(first_ok - event["up_at"]) if first_ok else None,
        answers_while_down=count(f"{s} {c or ''}".strip() for _, s, c, _ in down),
        slowest_answer_while_down_s=max((a[3] for a in down), default=0.0),
        answers=log_.statuses(), unexpected=log_.unexpected,
        gunicorn_workers_same=True,
    )
    result["ok"] = first_ok is not None and not any(
        "Timeout" in str(s) for _, s, _, _ in down)
    return result
