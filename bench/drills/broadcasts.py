"""Drills 2b, 3 and 4: a broadcast broken midway (PostgreSQL restarted, the scheduler
killed) and WeChat down or slow; counted at the stand-in, per member."""

from __future__ import annotations

import os
import re
import time

import httpx

from bench import broadcast
from bench.common import stop
from bench.drills.cluster import Cluster, OwnPostgres
from bench.drills.steps import (
    DRAIN_TIMEOUT,
    KILL_BOUND,
    PG_DOWN_SECONDS,
    SLOW_SECONDS,
    delivered,
    dispose,
    login,
    outbox_state,
    standin_code,
    wait_drained,
)


def drill_wechat_down(cluster: Cluster, app, url: str, ctx: dict) -> dict:
    """4. the stand-in stopped, then answering after 10 s, then back."""
    broadcast.RECIPIENTS = ctx["recipients"]
    community_id, staff_id, ids = broadcast._fixture(url, app)
    dispose(app)
    # a notice is published while WeChat answers (publishing checks the text with WeChat)
    notice_id, _ = broadcast._publish(app, community_id, staff_id, cluster.standin_url)
    dispose(app)
    cluster.stop_standin()
    logins: list[dict] = []
    unexpected: list[str] = []

    def try_login(phase: str, code: str) -> None:
        status, code_, seconds, bad = login(cluster.base, code)
        unexpected.extend(bad)
        logins.append({"phase": phase, "status": status, "code": code_, "seconds": seconds})

    started = time.monotonic()
    for _ in range(3):
        try_login("stopped", "code_not_reachable")
    cluster.start_scheduler()
    # the outbox tries while WeChat is away: nothing is delivered, nothing given up
    deadline = time.monotonic() + 40
    while outbox_state(url, notice_id)["tried"] == 0 and time.monotonic() < deadline:
        time.sleep(0.5)
    tried_while_down = outbox_state(url, notice_id)
    cluster.proxy.delay = SLOW_SECONDS
    cluster.start_standin()
    for _ in range(2):
        try_login("answering after 10 s", "code_slow")
    cluster.proxy.delay = 0.0
    back_at = time.monotonic()
    try_login("back", standin_code(cluster, ctx["openid"]))
    state = wait_drained(url, notice_id, DRAIN_TIMEOUT)
    drained_s = time.monotonic() - back_at
    stats = httpx.get(cluster.standin_url + "_standin/stats", timeout=5).json()
    sends = stats["calls"].get("cgi-bin/message/subscribe/send", 0)
    per_member = delivered(cluster, ids)
    recipients = len(ids)
    result = {
        "drill": "4. WeChat stand-in stopped, then answering after 10 s",
        "workload": recipients, "acknowledged": recipients, "found": state["sent"],
        "duplicates": state["sent"] - state["distinct_sent"],
        "lost": recipients - state["distinct_sent"],
        "repeats": sum(per_member.values()) - len(per_member),
        "delivered_by_standin": sum(per_member.values()),
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
    dispose(app)
    for process in cluster.schedulers:
        stop(process)
    notice_id, _ = broadcast._publish(app, community_id, staff_id, cluster.standin_url)
    dispose(app)
    first = cluster.start_scheduler()
    started = time.monotonic()
    deadline = started + DRAIN_TIMEOUT
    while time.monotonic() < deadline:
        if outbox_state(url, notice_id)["sent"] >= len(ids) * 0.3:
            break
        time.sleep(0.05)
    os.kill(first.pid, 9)
    first.wait(10)
    killed_at = time.monotonic()
    cluster.start_scheduler()
    state = wait_drained(url, notice_id, DRAIN_TIMEOUT)
    per_member = delivered(cluster, ids)
    sends = sum(per_member.values())
    result = {
        "drill": "3. scheduler kill -9 mid broadcast, a second scheduler started",
        "workload": len(ids), "acknowledged": len(ids), "found": state["distinct_sent"],
        "duplicates": state["sent"] - state["distinct_sent"],
        "lost": len(ids) - state["distinct_sent"],
        "repeats": sends - len(ids), "bound": KILL_BOUND, "delivered_by_standin": sends,
        "recovery_s": time.monotonic() - killed_at, "outbox": state,
        "seconds": time.monotonic() - started, "unexpected": [],
    }
    # the accepted messages whose answers were not yet written are sent again once the dead
    # scheduler's lease runs out: at most one per sending thread
    result["ok"] = state["pending"] == 0 and result["repeats"] <= KILL_BOUND
    return result


def _broadcast_broken_midway(cluster: Cluster, app, url: str, recipients: int, name: str,
                             break_it, ok_repeats: int) -> dict:
    """A notice to `recipients` members drained by the scheduler; `break_it()` when 30 % is
    sent; then every outbox row must be sent once and deliveries counted per member."""

    broadcast.RECIPIENTS = recipients
    community_id, staff_id, ids = broadcast._fixture(url, app)
    dispose(app)
    for process in cluster.schedulers:
        stop(process)
    notice_id, _ = broadcast._publish(app, community_id, staff_id, cluster.standin_url)
    dispose(app)
    cluster.start_scheduler()
    started = time.monotonic()
    deadline = started + DRAIN_TIMEOUT
    while time.monotonic() < deadline:
        if outbox_state(url, notice_id)["sent"] >= len(ids) * 0.3:
            break
        time.sleep(0.05)
    details = break_it() or {}
    broken_at = time.monotonic()
    state = wait_drained(url, notice_id, DRAIN_TIMEOUT)
    per_member = delivered(cluster, ids)
    sends = sum(per_member.values())
    result = {
        "drill": name, "workload": len(ids), "acknowledged": len(ids),
        "found": state["distinct_sent"], "duplicates": state["sent"] - state["distinct_sent"],
        "lost": len(ids) - state["distinct_sent"], "repeats": sends - len(per_member),
        "bound": ok_repeats,
        "delivered_by_standin": sends, "members_reached": len(per_member),
        "recovery_s": time.monotonic() - broken_at, "outbox": state,
        "seconds": time.monotonic() - started, "unexpected": [], **details,
    }
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

    # the answers of the messages on their way wait in the scheduler's memory until the
    # database is back: nothing is sent twice
    result = _broadcast_broken_midway(
        cluster, app, url, ctx["broadcast_recipients"],
        "2b. PostgreSQL fast restart mid broadcast", restart, 0)
    # what the scheduler says it did: answers kept in memory while the database was away
    held = re.compile(r"database back: answers written after ([0-9.]+) s")
    result["answers_held_s"] = [float(m.group(1)) for path in
                                sorted(cluster.work_dir.glob("scheduler-*.log"))
                                for m in held.finditer(path.read_text(errors="replace"))]
    return result
