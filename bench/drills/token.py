"""Drill 4b: WeChat comes back (a new stand-in process: every token handed out before is
unknown to it) while three processes need an access token at once — both gunicorn workers
(members confirming their phone number, which calls getPhoneNumber with the token) and the
scheduler (a broadcast). The token is fetched once across the processes (the shared store),
counted at the stand-in."""

from __future__ import annotations

import asyncio
import time

import httpx

from bench import broadcast
from bench.common import stop
from bench.drills.client import Log
from bench.drills.client import burst as client_burst
from bench.drills.cluster import Cluster
from bench.drills.steps import DRAIN_TIMEOUT, delivered, dispose, wait_drained

PHONE_REQUESTS = 40


def _phone_code(cluster: Cluster, n: int) -> str:
    return httpx.post(cluster.standin_url + "_standin/phone-codes",
                      json={"phone": f"139{n:08d}"}, timeout=5).json()["code"]


def drill_token_refresh(cluster: Cluster, app, url: str, ctx: dict) -> dict:
    broadcast.RECIPIENTS = ctx["recipients"]
    community_id, staff_id, ids = broadcast._fixture(url, app)
    dispose(app)
    for process in cluster.schedulers:
        stop(process)
    cluster.schedulers.clear()
    notice_id, _ = broadcast._publish(app, community_id, staff_id, cluster.standin_url)
    dispose(app)
    # WeChat goes away and comes back as a new process: the token every process holds
    # (in its memory and in the shared store) is refused from now on
    cluster.stop_standin()
    cluster.start_standin()
    back_at = time.monotonic()
    tokens = list(ctx["tokens"].values())
    jobs = [("POST", "/api/v1/me/phone", {"code": _phone_code(cluster, n)},
             {"Authorization": f"Bearer {tokens[n % len(tokens)]}"})
            for n in range(PHONE_REQUESTS)]
    log_ = Log()
    cluster.start_scheduler()  # the broadcast's first run needs the token too
    outcomes = asyncio.run(client_burst(cluster.base, jobs, 20, log_))
    state = wait_drained(url, notice_id, DRAIN_TIMEOUT)
    stats = httpx.get(cluster.standin_url + "_standin/stats", timeout=5).json()
    per_member = delivered(cluster, ids)
    sends = sum(per_member.values())
    acked = sum(1 for o in outcomes if o.acknowledged)
    result = {
        "drill": "4b. WeChat back as a new process: the token fetched once by 3 processes",
        "workload": len(ids) + len(jobs), "acknowledged": len(ids) + acked,
        "found": state["distinct_sent"] + acked,
        "duplicates": state["sent"] - state["distinct_sent"],
        "lost": len(ids) - state["distinct_sent"] + len(jobs) - acked,
        "repeats": sends - len(per_member), "bound": 0, "delivered_by_standin": sends,
        "recovery_s": time.monotonic() - back_at,
        "tokens_issued_after_return": stats.get("tokens_issued"),
        "token_calls": stats["calls"].get("cgi-bin/token", 0),
        "phone_answers": log_.statuses(),
        "outbox": state, "unexpected": log_.unexpected,
        "seconds": time.monotonic() - back_at,
    }
    result["ok"] = (result["tokens_issued_after_return"] == 1 and acked == len(jobs)
                    and state["pending"] == 0 and result["repeats"] == 0)
    return result
