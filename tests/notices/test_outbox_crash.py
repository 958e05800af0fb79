"""A sending process killed mid-batch (kill -9): every member still gets the message, and
the messages sent twice are at most one per sending thread."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from server.extensions import db
from server.notices import outbox, service
from server.notices.models import SubscribeOutbox
from server.timeutil import utcnow

SEND = "cgi-bin/message/subscribe/send"
ROOT = Path(__file__).resolve().parents[2]
CONCURRENCY = 4  # the worker's NOTICES_SEND_CONCURRENCY
BATCH = 25  # its NOTICES_OUTBOX_BATCH_SIZE
ANSWERED = 30  # WeChat answers these; it holds the answers of the messages after them


def _leased() -> int:
    """Rows waiting for a message, leased to a worker (on a connection of its own: the
    test's session must not hold SQLite's write lock while the worker writes)."""
    with db.engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count(SubscribeOutbox.id)).where(
            SubscribeOutbox.status == "pending", SubscribeOutbox.claimed_by.is_not(None)))


def _wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_worker_killed_mid_batch_leaves_rows_that_are_sent_after_the_lease(
    app, org, bulk_members, standin, database_url
):
    bulk_members(org.buildings[0], 80, prefix="crash")
    notice = service.event_notice(
        "test:crash", community_id=org.communities[0].id, kind=service.NoticeKind.NOTICE,
        title="党员奉献日动员", body="周六上午九点集合。", audience={"type": "community"})
    notice_id = notice.id
    db.session.commit()
    # ANSWERED answers go back; after that WeChat accepts each message but the worker never
    # hears: its 4 sending threads each wait on one accepted message when it is killed
    standin.state.hold_after(SEND, ANSWERED)
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.notices.sending_worker", database_url, standin.url],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        # its sending threads each wait on an accepted message of the second batch, and the
        # third batch is claimed (while the second was being sent) and waits its turn
        _wait_for(lambda: (len(standin.state.sent()) == ANSWERED + CONCURRENCY
                           and _leased() == 3 * BATCH - ANSWERED) or worker.poll() is not None)
        assert worker.poll() is None, worker.stdout.read().decode()
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(30)
    finally:
        if worker.poll() is None:
            worker.kill()
        standin.state.release_holds()
    assert worker.returncode == -signal.SIGKILL
    db.session.remove()
    leased = _leased()
    # killed mid-batch: the rows of the batch it was sending whose answers it had not
    # written, and the batch it had claimed ahead, are still leased to the dead worker
    assert leased == 3 * BATCH - ANSWERED

    # a live worker sends the rows nobody had claimed; the leased rows wait for their lease
    assert outbox.deliver_due().sent == 80 - 3 * BATCH
    assert db.session.scalar(sa.select(sa.func.count(SubscribeOutbox.id)).where(
        SubscribeOutbox.status == "pending")) == leased
    report = outbox.deliver_due(utcnow() + outbox.LEASE + timedelta(minutes=1))

    sent = standin.state.sent()
    openids = [m["touser"] for m in sent]
    repeats = len(openids) - len(set(openids))
    print(f"\nkill -9 mid-batch: {len(openids)} sends for 80 members, {repeats} repeated "
          f"(bound {CONCURRENCY}: one per sending thread); the drain sent {report.sent}")
    assert len(set(openids)) == 80  # every member gets the message
    assert repeats <= CONCURRENCY
    statuses = dict(db.session.execute(
        sa.select(SubscribeOutbox.status, sa.func.count()).where(
            SubscribeOutbox.notice_id == notice_id).group_by(SubscribeOutbox.status)).all())
    assert statuses == {"sent": 80}
