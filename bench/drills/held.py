"""Drills 5 and 6: Redis down, and load held."""

from __future__ import annotations

import asyncio
import time

import httpx

from bench import burst
from bench.drills.client import Log
from bench.drills.cluster import Cluster, OwnPostgres
from bench.drills.steps import attendance, dispose, login, next_clockin, standin_code


def _activities(app, ctx: dict, writes: int) -> list[tuple[int, str]]:
    """Enough activities for `writes` clock-ins (one per member and activity)."""
    needed = max(1, -(-writes // len(ctx["member_ids"])))
    made = [burst.prepare_activity(app, ctx["member_ids"], ctx["community_id"])
            for _ in range(needed)]
    dispose(app)
    return made


def drill_load_held(cluster: Cluster, pg: OwnPostgres, app, url: str, ctx: dict,
                    seconds: float, rate: float) -> dict:
    """6. `rate` requests per second for `seconds`: 70 % reads (the community's leaderboard,
    the activity list), 30 % clock-ins (each member once per activity, over as many
    activities as it takes); worker memory and database connections at the start (after a
    warm-up) and the end, p99 at the client."""
    from bench.common import percentile, rss_mb

    token_list = list(ctx["tokens"].values())

    def run_for(duration: float) -> tuple[Log, list, list[int]]:
        total = int(duration * rate)
        activities = _activities(app, ctx, total * 3 // 10 + 1)
        writes = ((activity_id, secret, token) for activity_id, secret in activities
                  for token in token_list)
        log_ = Log()

        def job(n: int):
            if n % 10 < 3:
                item = next(writes, None)
                if item is None:
                    return None
                # the code the leader's phone shows at this moment (it lives 30 to 60 s)
                return next_clockin(iter([item[2]]), item[0], item[1])
            token = {"Authorization": f"Bearer {token_list[n % len(token_list)]}"}
            if n % 2:
                return ("GET", f"/api/v1/points/leaderboards?scope=community&scope_id="
                        f"{ctx['community_id']}&limit=50", None, token)
            return ("GET", "/api/v1/activities", None, token)

        async def held():
            from bench.drills.client import send

            async with httpx.AsyncClient(base_url=cluster.base, timeout=15) as client:
                tasks, started = [], time.monotonic()
                for n in range(total):
                    await asyncio.sleep(max(0.0, started + n / rate - time.monotonic()))
                    item = job(n)
                    if item is not None:
                        tasks.append(asyncio.create_task(send(client, log_, *item)))
                return await asyncio.gather(*tasks)

        return log_, asyncio.run(held()), [a for a, _ in activities]

    run_for(min(seconds, 20.0))  # warm: the workers' first requests load what they cache
    workers = cluster.workers()
    rss_start = {pid: rss_mb(pid) for pid in workers}
    connections_start = pg.connections()
    started = time.monotonic()
    log_, outcomes, activity_ids = run_for(seconds)
    rss_end = {pid: rss_mb(pid) for pid in workers}
    connections_end = pg.connections()
    latencies = [a[3] * 1000 for a in log_.answers]
    errors = sum(1 for o in outcomes if not (isinstance(o.status, int) and o.status < 300))
    growth = max((rss_end[p] / rss_start[p] - 1 for p in workers if p in rss_end),
                 default=0.0)
    writes = sum(1 for n in range(int(seconds * rate)) if n % 10 < 3)
    result = {
        "drill": f"6. load held {seconds / 60:.1f} min at {rate:.0f} req/s (70 % reads, 30 % "
                 f"clock-ins)",
        "workload": len(outcomes), "acknowledged": len(outcomes) - errors,
        "found": len(outcomes) - errors, "duplicates": 0, "lost": 0, "recovery_s": None,
        "errors": errors, "clock_ins": writes, "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99), "rss_start_mb": rss_start,
        "rss_end_mb": rss_end, "rss_growth": growth,
        "db_connections_start": connections_start, "db_connections_end": connections_end,
        "unexpected": log_.unexpected, "seconds": time.monotonic() - started,
    }
    rows: dict = {}
    for activity_id in activity_ids:
        for member_id, n in attendance(url, activity_id).items():
            rows[(activity_id, member_id)] = n
    result["duplicates"] = sum(n - 1 for n in rows.values() if n > 1)
    result["found"] = len(outcomes) - errors - writes + len(rows)
    # the count is the whole server's: in a hold shorter than a minute the scheduler's own
    # connections (its outbox job every 15 s) and the replaced workers' pools still come and
    # go, so only a longer hold judges whether connections stay flat (--short reports them)
    flat = connections_end <= connections_start + 2
    result["ok"] = errors == 0 and growth <= 0.10 and (flat or seconds < 60)
    return result


def drill_redis_down(cluster: Cluster, ctx: dict) -> dict:
    """5. Redis (the rate-limit store) down: a gunicorn whose store answers nothing. Decided:
    fall back to counting in each worker's memory (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED), so
    logins work and are still limited (per worker, so at most 2 × the limit)."""
    from bench.common import free_port

    process, base = cluster.start_other_gunicorn(
        PARTY_RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0")
    started = time.monotonic()
    logins, unexpected = [], []
    for n in range(5):
        status, code, seconds, bad = login(base, standin_code(cluster, f"oDrillRedis{n:04d}"))
        unexpected.extend(bad)
        logins.append({"status": status, "code": code, "seconds": seconds})
    from bench.common import stop

    stop(process)
    acked = sum(1 for x in logins if x["status"] == 200)
    return {"drill": "5. Redis (rate-limit store) down: in-memory fallback",
            "workload": len(logins), "acknowledged": acked, "found": acked, "duplicates": 0,
            "lost": 0, "recovery_s": None, "logins": logins, "unexpected": unexpected,
            "seconds": time.monotonic() - started, "ok": acked == len(logins)}
