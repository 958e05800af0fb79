"""The steps the drills share: fixtures through the app, the client's bursts, what the
database and the stand-in hold afterwards."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx

from bench import datagen
from bench.common import connect
from bench.drills.client import Log, Outcome
from bench.drills.cluster import Cluster

CONCURRENCY = 40
PG_DOWN_SECONDS = 3.0
SLOW_SECONDS = 10.0
DRAIN_TIMEOUT = 120.0
# the drills' outbox lease (NOTICES_LEASE_SECONDS): a killed scheduler's rows go again after it
LEASE_SECONDS = 45
# messages a killed scheduler may have sent without writing the answer, sent again:
# NOTICES_SEND_CONCURRENCY × NOTICES_UNRECORDED_PER_THREAD
KILL_BOUND = 4 * 1


def dispose(app) -> None:
    """The in-process app must not keep pooled connections across a database restart."""
    from server.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def clockin_jobs(activity_id: int, secret: str, tokens: dict[int, str]) -> list:
    """One clock-in per member; the body (with the code shown now) is fixed, as a retry of the
    mini-program resends the same request."""
    from server.activities import qrcode
    from server.timeutil import utcnow

    code = qrcode.make_code(secret, activity_id, qrcode.window_of(utcnow(), 30))
    return [("POST", f"/api/v1/activities/{activity_id}/clock-in",
             {"method": "qr", "code": code}, {"Authorization": f"Bearer {token}"})
            for token in tokens.values()]


def next_clockin(tokens, activity_id: int, secret: str):
    """The next member's clock-in with the code of this moment (None when all have)."""
    token = next(tokens, None)
    return None if token is None else clockin_jobs(activity_id, secret, {0: token})[0]


def attendance(url: str, activity_id: int) -> dict[int, int]:
    with connect(url) as conn:
        return dict(conn.execute("SELECT member_id, count(*) FROM attendances WHERE "
                                 "activity_id = %s GROUP BY member_id",
                                 (activity_id,)).fetchall())


def compare(outcomes: list[Outcome], member_ids: list[int], rows: dict[int, int]) -> dict:
    acked = {m for m, o in zip(member_ids, outcomes, strict=True) if o.acknowledged}
    return {
        "workload": len(member_ids),
        "acknowledged": len(acked),
        "found": sum(1 for m in acked if rows.get(m)),
        "duplicates": sum(n - 1 for n in rows.values() if n > 1),
        "lost": len(acked - set(rows)),
        "not_acknowledged_but_written": len(set(rows) - acked),
        "final": count(f"{o.status} {o.code or ''}".strip() for o in outcomes),
        "max_attempts": max((o.attempts for o in outcomes), default=0),
    }


def count(values) -> dict[str, int]:
    out: dict[str, int] = {}
    for value in values:
        out[value] = out.get(value, 0) + 1
    return out


async def when(log_: Log, answered: int, timeout: float = 120.0) -> None:
    """Wait until the client has seen `answered` answers (the burst is underway)."""
    deadline = time.monotonic() + timeout
    while len(log_.answers) < answered and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


def outbox_state(url: str, notice_id: int) -> dict:
    with connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = "
            "'sent'), count(*) FILTER (WHERE status NOT IN ('pending', 'sent')), "
            "count(DISTINCT member_id) FILTER (WHERE status = 'sent'), "
            "count(*) FILTER (WHERE attempts > 0 OR errcode IS NOT NULL) "
            "FROM subscribe_outbox WHERE notice_id = %s", (notice_id,)).fetchone()
    return dict(zip(("pending", "sent", "other", "distinct_sent", "tried"), row, strict=True))


def login(base: str, code: str) -> tuple[int, str | None, float, list[str]]:
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


def standin_code(cluster: Cluster, openid: str) -> str:
    return httpx.post(cluster.standin_url + "_standin/codes", json={"openid": openid},
                      timeout=5).json()["code"]


def wait_drained(url: str, notice_id: int, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    state = outbox_state(url, notice_id)
    while state["pending"] and time.monotonic() < deadline:
        time.sleep(0.5)
        state = outbox_state(url, notice_id)
    return state


def delivered(cluster: Cluster, ids: list[int]) -> dict[str, int]:
    """Messages the stand-in delivered to these members, per openid (calls it refused are not
    deliveries)."""
    openids = {datagen.openid_of(i) for i in ids}
    sent = httpx.get(cluster.standin_url + "_standin/sent", timeout=30).json()["sent"]
    return count(m["touser"] for m in sent if m["touser"] in openids)
