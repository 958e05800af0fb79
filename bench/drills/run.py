"""`python -m bench.drills`: start the real processes, run the drills, print one table and write
it to bench/results/drills-<date>.md (raw figures beside it as .json). `--short` is the CI
version (drills 1, 2 and 4 with a small burst): it exits 1 when anything acknowledged is lost
or doubled, or a 5xx other than the documented 503s appears."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

import httpx

from bench import broadcast, burst, datagen
from bench.common import bench_app, connect, log
from bench.drills.client import Log, Outcome
from bench.drills.client import burst as client_burst
from bench.drills.cluster import Cluster, OwnPostgres
from bench.run import RESULTS, machine_load

CONCURRENCY = 40
PG_DOWN_SECONDS = 3.0
SLOW_SECONDS = 10.0
DRAIN_TIMEOUT = 120.0
OUTBOX_BATCH = 50  # NOTICES_OUTBOX_BATCH_SIZE


# -- shared steps ---------------------------------------------------------------------------


def _dispose(app) -> None:
    """The in-process app must not keep pooled connections across a database restart."""
    from server.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _clockin_jobs(activity_id: int, secret: str, tokens: dict[int, str]) -> list:
    """One clock-in per member; the body (with the code shown now) is fixed, as a retry of the
    mini-program resends the same request."""
    from server.activities import qrcode
    from server.timeutil import utcnow

    code = qrcode.make_code(secret, activity_id, qrcode.window_of(utcnow(), 30))
    return [("POST", f"/api/v1/activities/{activity_id}/clock-in",
             {"method": "qr", "code": code}, {"Authorization": f"Bearer {token}"})
            for token in tokens.values()]


def _next_clockin(tokens, activity_id: int, secret: str):
    """The next member's clock-in with the code of this moment (None when all have)."""
    token = next(tokens, None)
    return None if token is None else _clockin_jobs(activity_id, secret, {0: token})[0]


def _attendance(url: str, activity_id: int) -> dict[int, int]:
    with connect(url) as conn:
        return dict(conn.execute("SELECT member_id, count(*) FROM attendances WHERE "
                                 "activity_id = %s GROUP BY member_id",
                                 (activity_id,)).fetchall())


def _compare(outcomes: list[Outcome], member_ids: list[int], rows: dict[int, int]) -> dict:
    acked = {m for m, o in zip(member_ids, outcomes, strict=True) if o.acknowledged}
    return {
        "workload": len(member_ids),
        "acknowledged": len(acked),
        "found": sum(1 for m in acked if rows.get(m)),
        "duplicates": sum(n - 1 for n in rows.values() if n > 1),
        "lost": len(acked - set(rows)),
        "not_acknowledged_but_written": len(set(rows) - acked),
        "final": _count(f"{o.status} {o.code or ''}".strip() for o in outcomes),
        "max_attempts": max((o.attempts for o in outcomes), default=0),
    }


def _count(values) -> dict[str, int]:
    out: dict[str, int] = {}
    for value in values:
        out[value] = out.get(value, 0) + 1
    return out


async def _when(log_: Log, answered: int, timeout: float = 120.0) -> None:
    """Wait until the client has seen `answered` answers (the burst is underway)."""
    deadline = time.monotonic() + timeout
    while len(log_.answers) < answered and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


# -- the drills -----------------------------------------------------------------------------


def drill_worker_killed(cluster: Cluster, app, url: str, ctx: dict) -> dict:
    """1. kill -9 one gunicorn worker mid clock-in burst, twice."""
    member_ids, tokens = ctx["member_ids"], ctx["tokens"]
    activity_id, secret = burst.prepare_activity(app, member_ids, ctx["community_id"])
    _dispose(app)
    log_ = Log()
    kills: list[dict] = []

    async def chaos():
        for share in (0.25, 0.6):
            await _when(log_, int(len(member_ids) * share))
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
        outcomes = await client_burst(cluster.base, _clockin_jobs(activity_id, secret, tokens),
                                      CONCURRENCY, log_)
        await task
        return outcomes

    started = time.monotonic()
    outcomes = asyncio.run(both())
    result = _compare(outcomes, member_ids, _attendance(url, activity_id))
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
    _dispose(app)
    log_ = Log()
    event: dict = {}

    async def chaos():
        await _when(log_, int(len(member_ids) * 0.25))
        event["stop_at"] = time.monotonic()
        await asyncio.to_thread(pg.stop, "fast")
        event["down_at"] = time.monotonic()
        await asyncio.sleep(PG_DOWN_SECONDS)
        await asyncio.to_thread(pg.start)
        event["up_at"] = time.monotonic()

    async def both():
        task = asyncio.create_task(chaos())
        outcomes = await client_burst(cluster.base, _clockin_jobs(activity_id, secret, tokens),
                                      CONCURRENCY, log_)
        await task
        return outcomes

    started = time.monotonic()
    outcomes = asyncio.run(both())
    result = _compare(outcomes, member_ids, _attendance(url, activity_id))
    down = [a for a in log_.answers if event["stop_at"] <= a[0] <= event["up_at"] + 0.5]
    first_ok = log_.first_ok_after(event["up_at"])
    result.update(
        drill="2. PostgreSQL fast restart mid clock-in burst",
        seconds=time.monotonic() - started,
        down_s=event["up_at"] - event["stop_at"],
        recovery_s=(first_ok - event["up_at"]) if first_ok else None,
        answers_while_down=_count(f"{s} {c or ''}".strip() for _, s, c, _ in down),
        slowest_answer_while_down_s=max((a[3] for a in down), default=0.0),
        answers=log_.statuses(), unexpected=log_.unexpected,
        gunicorn_workers_same=True,
    )
    result["ok"] = first_ok is not None and not any(
        "Timeout" in str(s) for _, s, _, _ in down)
    return result


def _outbox(url: str, notice_id: int) -> dict:
    with connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = "
            "'sent'), count(*) FILTER (WHERE status NOT IN ('pending', 'sent')), "
            "count(DISTINCT member_id) FILTER (WHERE status = 'sent'), "
            "count(*) FILTER (WHERE attempts > 0 OR errcode IS NOT NULL) "
            "FROM subscribe_outbox WHERE notice_id = %s", (notice_id,)).fetchone()
    return dict(zip(("pending", "sent", "other", "distinct_sent", "tried"), row, strict=True))


def _login(base: str, code: str) -> tuple[int, str | None, float, list[str]]:
    log_ = Log()
    started = time.monotonic()
    try:
        response = httpx.post(f"{base}/api/v1/auth/login", json={"code": code},
                              headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=60)
    except httpx.TransportError as error:
        return type(error).__name__, None, time.monotonic() - started, []
    from bench.drills.client import _check

    code_ = _check(response, log_)
    return response.status_code, code_, time.monotonic() - started, log_.unexpected


def _standin_code(cluster: Cluster, openid: str) -> str:
    return httpx.post(cluster.standin_url + "_standin/codes", json={"openid": openid},
                      timeout=5).json()["code"]


def _wait_drained(url: str, notice_id: int, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    state = _outbox(url, notice_id)
    while state["pending"] and time.monotonic() < deadline:
        time.sleep(0.5)
        state = _outbox(url, notice_id)
    return state


def _delivered(cluster: Cluster, ids: list[int]) -> dict[str, int]:
    """Messages the stand-in delivered to these members, per openid (calls it refused are not
    deliveries)."""
    openids = {datagen.openid_of(i) for i in ids}
    sent = httpx.get(cluster.standin_url + "_standin/sent", timeout=30).json()["sent"]
    return _count(m["touser"] for m in sent if m["touser"] in openids)


def drill_wechat_down(cluster: Cluster, app, url: str, ctx: dict) -> dict:
    """4. the stand-in stopped, then answering after 10 s, then back."""
    broadcast.RECIPIENTS = ctx["recipients"]
    community_id, staff_id, ids = broadcast._fixture(url, app)
    _dispose(app)
    # a notice is published while WeChat answers (publishing checks the text with WeChat)
    notice_id, _ = broadcast._publish(app, community_id, staff_id, cluster.standin_url)
    _dispose(app)
    cluster.stop_standin()
    logins: list[dict] = []
    unexpected: list[str] = []

    def login(phase: str, code: str) -> None:
        status, code_, seconds, bad = _login(cluster.base, code)
        unexpected.extend(bad)
        logins.append({"phase": phase, "status": status, "code": code_, "seconds": seconds})

    started = time.monotonic()
    for _ in range(3):
        login("stopped", "code_not_reachable")
    cluster.start_scheduler()
    # the outbox tries while WeChat is away: nothing is delivered, nothing given up
    deadline = time.monotonic() + 40
    while _outbox(url, notice_id)["tried"] == 0 and time.monotonic() < deadline:
        time.sleep(0.5)
    tried_while_down = _outbox(url, notice_id)
    cluster.proxy.delay = SLOW_SECONDS
    cluster.start_standin()
    for _ in range(2):
        login("answering after 10 s", "code_slow")
    cluster.proxy.delay = 0.0
    back_at = time.monotonic()
    login("back", _standin_code(cluster, ctx["openid"]))
    state = _wait_drained(url, notice_id, DRAIN_TIMEOUT)
    drained_s = time.monotonic() - back_at
    stats = httpx.get(cluster.standin_url + "_standin/stats", timeout=5).json()
    sends = stats["calls"].get("cgi-bin/message/subscribe/send", 0)
    delivered = _delivered(cluster, ids)
    recipients = len(ids)
    result = {
        "drill": "4. WeChat stand-in stopped, then answering after 10 s",
        "workload": recipients, "acknowledged": recipients, "found": state["sent"],
        "duplicates": state["sent"] - state["distinct_sent"],
        "lost": recipients - state["distinct_sent"],
        "repeats": sum(delivered.values()) - len(delivered),
        "delivered_by_standin": sum(delivered.values()),
        "recovery_s": drained_s, "seconds": time.monotonic() - started,
        "logins": logins, "outbox_while_down": tried_while_down, "outbox": state,
        "standin_send_calls_after_return": sends,
        "tokens_issued_after_return": stats.get("tokens_issued"),
        "unexpected": unexpected,
    }
    down = [x for x in logins if x["phase"] != "back"]
    result["ok"] = (all(x["status"] == 503 and x["code"] == "wechat_unavailable"
                        and x["seconds"] < 15 for x in down)
                    and logins[-1]["status"] == 200 and state["pending"] == 0)
    return result


def drill_scheduler_killed(cluster: Cluster, app, url: str, ctx: dict) -> dict:
    """3. kill -9 the scheduler mid broadcast; a second scheduler finishes it."""
    broadcast.RECIPIENTS = ctx["broadcast_recipients"]
    community_id, staff_id, ids = broadcast._fixture(url, app)
    _dispose(app)
    for process in cluster.schedulers:
        from bench.common import stop

        stop(process)
    notice_id, _ = broadcast._publish(app, community_id, staff_id, cluster.standin_url)
    _dispose(app)
    first = cluster.start_scheduler()
    started = time.monotonic()
    deadline = started + DRAIN_TIMEOUT
    while time.monotonic() < deadline:
        if _outbox(url, notice_id)["sent"] >= len(ids) * 0.3:
            break
        time.sleep(0.05)
    os.kill(first.pid, 9)
    first.wait(10)
    killed_at = time.monotonic()
    cluster.start_scheduler()
    state = _wait_drained(url, notice_id, DRAIN_TIMEOUT)
    delivered = _delivered(cluster, ids)
    sends = sum(delivered.values())
    result = {
        "drill": "3. scheduler kill -9 mid broadcast, a second scheduler started",
        "workload": len(ids), "acknowledged": len(ids), "found": state["distinct_sent"],
        "duplicates": state["sent"] - state["distinct_sent"],
        "lost": len(ids) - state["distinct_sent"],
        "repeats": sends - len(ids), "delivered_by_standin": sends,
        "recovery_s": time.monotonic() - killed_at, "outbox": state,
        "seconds": time.monotonic() - started, "unexpected": [],
    }
    # a batch sent but not yet committed when the process died is sent again: ≤ one batch
    result["ok"] = state["pending"] == 0 and result["repeats"] <= OUTBOX_BATCH
    return result


def _broadcast_broken_midway(cluster: Cluster, app, url: str, recipients: int, name: str,
                             break_it, ok_repeats: int) -> dict:
    """A notice to `recipients` members drained by the scheduler; `break_it()` when 30 % is
    sent; then every outbox row must be sent once and deliveries counted per member."""
    from bench.common import stop

    broadcast.RECIPIENTS = recipients
    community_id, staff_id, ids = broadcast._fixture(url, app)
    _dispose(app)
    for process in cluster.schedulers:
        stop(process)
    notice_id, _ = broadcast._publish(app, community_id, staff_id, cluster.standin_url)
    _dispose(app)
    cluster.start_scheduler()
    started = time.monotonic()
    deadline = started + DRAIN_TIMEOUT
    while time.monotonic() < deadline:
        if _outbox(url, notice_id)["sent"] >= len(ids) * 0.3:
            break
        time.sleep(0.05)
    details = break_it() or {}
    broken_at = time.monotonic()
    state = _wait_drained(url, notice_id, DRAIN_TIMEOUT)
    delivered = _delivered(cluster, ids)
    sends = sum(delivered.values())
    result = {
        "drill": name, "workload": len(ids), "acknowledged": len(ids),
        "found": state["distinct_sent"], "duplicates": state["sent"] - state["distinct_sent"],
        "lost": len(ids) - state["distinct_sent"], "repeats": sends - len(delivered),
        "delivered_by_standin": sends, "members_reached": len(delivered),
        "recovery_s": time.monotonic() - broken_at, "outbox": state,
        "seconds": time.monotonic() - started, "unexpected": [], **details,
    }
    # a batch sent but not yet committed when the process died is sent again: ≤ one batch
    result["ok"] = state["pending"] == 0 and result["repeats"] <= ok_repeats
    return result


def drill_database_restart_broadcast(cluster: Cluster, pg: OwnPostgres, app, url: str,
                                     ctx: dict) -> dict:
    """2b. PostgreSQL fast restart in the middle of a broadcast: the scheduler reconnects."""

    def restart() -> dict:
        pg.stop("fast")
        time.sleep(PG_DOWN_SECONDS)
        pg.start()
        return {"scheduler_processes_alive": sum(p.poll() is None for p in cluster.schedulers)}

    return _broadcast_broken_midway(
        cluster, app, url, ctx["broadcast_recipients"],
        "2b. PostgreSQL fast restart mid broadcast", restart, OUTBOX_BATCH)


def drill_load_held(cluster: Cluster, pg: OwnPostgres, app, url: str, ctx: dict,
                    seconds: float, rate: float) -> dict:
    """6 (shortened). `rate` requests per second for `seconds`: 70 % reads (the community's
    leaderboard, the activity list), 30 % clock-ins; worker memory and database connections
    at the start and the end, p99 at the client."""
    from bench.common import percentile, rss_mb

    member_ids, tokens = ctx["member_ids"], ctx["tokens"]
    activity_id, secret = burst.prepare_activity(app, member_ids, ctx["community_id"])
    _dispose(app)
    writes = iter(tokens.values())
    token_list = list(tokens.values())
    log_ = Log()
    total = int(seconds * rate)

    def job(n: int):
        if n % 10 < 3:
            # the code the leader's phone shows at this moment (a code lives 30 to 60 s)
            return _next_clockin(writes, activity_id, secret)
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

    asyncio.run(held())  # warm: the workers' first requests load what they cache
    workers = cluster.workers()
    rss_start = {pid: rss_mb(pid) for pid in workers}
    connections_start = pg.connections()
    log_ = Log()
    activity_id, secret = burst.prepare_activity(app, member_ids, ctx["community_id"])
    _dispose(app)
    writes = iter(tokens.values())
    started = time.monotonic()
    outcomes = asyncio.run(held())
    rss_end = {pid: rss_mb(pid) for pid in workers}
    connections_end = pg.connections()
    latencies = [a[3] * 1000 for a in log_.answers]
    errors = sum(1 for o in outcomes if not (isinstance(o.status, int) and o.status < 300))
    growth = max((rss_end[p] / rss_start[p] - 1 for p in workers if p in rss_end),
                 default=0.0)
    result = {
        "drill": f"6. load held {seconds:.0f} s at {rate:.0f} req/s (70 % reads, 30 % "
                 f"clock-ins; shortened from 10 min)",
        "workload": len(outcomes), "acknowledged": len(outcomes) - errors,
        "found": len(outcomes) - errors, "duplicates": 0, "lost": 0, "recovery_s": None,
        "errors": errors, "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99), "rss_start_mb": rss_start,
        "rss_end_mb": rss_end, "rss_growth": growth,
        "db_connections_start": connections_start, "db_connections_end": connections_end,
        "unexpected": log_.unexpected, "seconds": time.monotonic() - started,
    }
    rows = _attendance(url, activity_id)
    result["duplicates"] = sum(n - 1 for n in rows.values() if n > 1)
    result["ok"] = (errors == 0 and growth <= 0.10
                    and connections_end <= connections_start + 2)
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
        status, code, seconds, bad = _login(base, _standin_code(cluster, f"oDrillRedis{n:04d}"))
        unexpected.extend(bad)
        logins.append({"status": status, "code": code, "seconds": seconds})
    from bench.common import stop

    stop(process)
    acked = sum(1 for x in logins if x["status"] == 200)
    return {"drill": "5. Redis (rate-limit store) down: in-memory fallback",
            "workload": len(logins), "acknowledged": acked, "found": acked, "duplicates": 0,
            "lost": 0, "recovery_s": None, "logins": logins, "unexpected": unexpected,
            "seconds": time.monotonic() - started, "ok": acked == len(logins)}


# -- the run --------------------------------------------------------------------------------


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
    _dispose(app)
    return {"community_id": community_id, "member_ids": list(tokens), "tokens": tokens,
            "openid": datagen.openid_of(member_ids[0])}


def table(results: list[dict]) -> str:
    lines = ["| drill | workload | acknowledged | found in the database | duplicates | lost | "
             "repeated deliveries | recovery | unexpected 5xx | result |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in results:
        recovery = "—" if r.get("recovery_s") is None else f"{r['recovery_s']:.1f} s"
        lines.append(f"| {r['drill']} | {r['workload']} | {r['acknowledged']} | {r['found']} | "
                     f"{r['duplicates']} | {r['lost']} | {r.get('repeats', '—')} | {recovery} | "
                     f"{len(r['unexpected'])} | "
                     f"{'pass' if passed(r) else '**fail**'} |")
    return "\n".join(lines)


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
    if "repeats" in r:
        return (f"- {r['drill'].split('.')[0]}: {r['delivered_by_standin']} deliveries to "
                f"{r.get('members_reached', r['found'])} members ({r['repeats']} twice); "
                f"outbox drained {r['recovery_s']:.1f} s after the break (the outbox job runs "
                f"every 15 s).")
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
                        help="the CI version: drills 1, 2, 4 with a small burst")
    parser.add_argument("--members", type=int, help="members in the clock-in burst "
                        "(default 500, --short 60)")
    parser.add_argument("--only", nargs="*", type=int, choices=[1, 2, 22, 3, 4, 5, 6],
                        help="drills to run (22: PostgreSQL restart mid broadcast)")
    parser.add_argument("--hold", type=float, default=60.0,
                        help="seconds of drill 6, load held (default 60)")
    parser.add_argument("--results", default=str(RESULTS))
    parser.add_argument("--no-results", action="store_true", help="print only (CI)")
    args = parser.parse_args(argv)
    # `timeout` (CI) sends SIGTERM: end like Ctrl-C, so every started process is stopped
    signal.signal(signal.SIGTERM, _interrupt)
    members = args.members or (60 if args.short else 500)
    only = set(args.only or ([1, 2, 4] if args.short else [1, 2, 22, 3, 4, 5, 6]))
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
                          PARTY_WECHAT_TIMEOUT_SECONDS="5", PARTY_WECHAT_APPID=appid)
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
                  6: lambda: drill_load_held(cluster, pg, app, url, ctx, args.hold, _rate())}

        def _rate() -> float:
            """Half the clock-in rate of drill 1 (kills included), else 10 per second."""
            first = next((r for r in results if r["drill"].startswith("1.")), None)
            return max(2.0, first["workload"] / first["seconds"] / 2) if first else 10.0

        for number in (1, 2, 22, 4, 3, 5, 6):
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
        results_dir = Path(args.results)
        results_dir.mkdir(parents=True, exist_ok=True)
        path = results_dir / f"drills-{datetime.now():%Y-%m-%d}.md"
        counter = 2
        while path.exists():
            path = results_dir / f"drills-{datetime.now():%Y-%m-%d}-{counter}.md"
            counter += 1
        path.write_text(report, encoding="utf-8")
        path.with_suffix(".json").write_text(json.dumps(
            {"results": results, "load": load, "members": members}, indent=1, default=str))
        log(f"written to {path}")
    if not all(passed(r) for r in results):
        sys.exit(1)
