"""The subscribe-message outbox: rows claimed in batches under a lease, sent with no
database transaction open, the answers recorded as they come.

1. Claim (server/notices/claims.py; one short transaction, committed): due rows whose
   lease is free or ran out, each with the member's credit taken, leased to the batch's
   worker id. The next batch is claimed while the one before is being sent.
2. Send, NOTICES_SEND_CONCURRENCY at a time (server/wechat/sending.py), no transaction open.
3. Record (server/notices/recorder.py): one thread writes the answers that have come, many
   in one transaction, with what they do to the credits (server/notices/answers.py); a
   sending thread waits until its answer is written before it sends another
   (NOTICES_UNRECORDED_PER_THREAD). Rows not sent (the quota, the database out of reach)
   are released with their credit at the end, and so is a batch claimed ahead that the run
   does not send.

What is sent twice, WeChat's send taking no idempotency key:
- **The database restarted or out of reach mid-batch: none.** The first write that fails
  stops the batch (nothing more starts); the answers of the messages on their way are kept
  in memory and written, with the release of the rest, as soon as the database answers
  again (tried until shortly before the lease runs out).
- **The sending process killed: at most NOTICES_SEND_CONCURRENCY ×
  NOTICES_UNRECORDED_PER_THREAD messages (4).** Its rows stay leased until the lease runs
  out; another worker then claims them again (counted as `claimed_again`) and sends the ones
  whose answer was not yet written. (On PostgreSQL an answer's commit does not wait for the
  disk: a dead worker loses nothing, but a crash of the database server itself can lose its
  last fraction of a second of answers, sent again later.)
"""

from __future__ import annotations

import contextlib
import time
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from server.database import insert_or_ignore, is_postgresql
from server.extensions import db
from server.notices.answers import (
    PAUSE_CODES,
    Answer,
    DeliveryReport,
    Policy,
    errcode_reason,
    release,
)
from server.notices.claims import LEASE, Batch, Lookups, claim_batch, lease
from server.notices.models import Notice, OutboxStatus, SubscribeOutbox
from server.notices.recorder import Recorder, out_of_reach
from server.timeutil import utcnow
from server.wechat import client as wechat

__all__ = ["LEASE", "DeliveryReport", "deliver_due", "enqueue", "errcode_reason",
           "insert_ignoring_duplicates"]


def insert_ignoring_duplicates(model, rows: list[dict], chunk: int = 500) -> None:
    """INSERT … ON CONFLICT DO NOTHING in chunks: the unique keys decide what exists."""
    for start in range(0, len(rows), chunk):
        db.session.execute(insert_or_ignore(model.__table__, rows[start : start + chunk]))


# A broadcast this large has the outbox's statistics taken again (PostgreSQL) with its rows
ANALYZE_AFTER_ROWS = 1000


def enqueue(notice: Notice, member_ids: list[int], now: datetime) -> None:
    """One outbox row per member for the notice's template (none when it has no template)."""
    if notice.template_id is None:
        return
    insert_ignoring_duplicates(SubscribeOutbox, [
        {"notice_id": notice.id, "member_id": member_id, "template_id": notice.template_id,
         "status": OutboxStatus.PENDING.value, "attempts": 0, "next_attempt_at": now,
         "created_at": now, "updated_at": now}
        for member_id in member_ids
    ])
    if len(member_ids) >= ANALYZE_AFTER_ROWS and is_postgresql(db.engine):
        # Planned with statistics from before a large broadcast, a claim reads and sorts every
        # pending row to take the first 200 (measured at 100,000 members: 0.76 s a claim,
        # claims slower than the sending) instead of reading the pending index in id order;
        # autovacuum's own analyze comes a minute or more later, or never where it is off.
        # ANALYZE counts this transaction's own new rows, and takes no lock the claims wait on.
        db.session.execute(sa.text("ANALYZE subscribe_outbox"))



def _send_batch(batch: Batch, now: datetime, pool: Executor | None,
                probe: bool) -> DeliveryReport:
    """Send a claimed batch (several at a time through `pool`) with no transaction open, the
    answers recorded as they come; the rows not sent are released with their credits.

    `probe`: the first message goes alone, so that a WeChat whose quota is used up answers
    45009 once, not once per thread."""
    config = current_app.config
    report = DeliveryReport(no_credit=batch.no_credit, claimed_again=batch.claimed_again,
                            batches=1)
    claimed, worker = batch.claimed, batch.worker
    if not claimed:
        return report
    policy = Policy(now, int(config["NOTICES_MAX_ATTEMPTS"]),
                    float(config["NOTICES_RETRY_BASE_SECONDS"]),
                    timedelta(minutes=config["NOTICES_QUOTA_PAUSE_MINUTES"]))
    # answers wait for an unreachable database until shortly before the lease runs out
    patience = lease().total_seconds()
    recorder = Recorder(db.engine, worker, policy,
                        deadline=batch.claimed_at + patience - min(60.0, patience / 4),
                        depth=int(config["NOTICES_UNRECORDED_PER_THREAD"]))

    def on_answer(index: int, outcome: wechat.SendOutcome) -> None:
        row, credit_id, _ = claimed[index]
        recorder.add(Answer(row.id, row.attempts, credit_id, outcome))

    try:
        try:
            outcomes = wechat.send_subscribe_messages(
                [message for _, _, message in claimed], pool, stop_on=PAUSE_CODES,
                first_alone=probe, on_answer=on_answer, stop=recorder.stop)
        except wechat.WeChatError as error:  # no token to send with: nothing went out
            recorder.close()
            recorder.write(lambda conn: release(conn, worker, _rows_of(batch)))
            report.paused = True
            report.retry += len(claimed)
            current_app.logger.warning("no WeChat access token, sending waits: %s", error)
            return report
        except BaseException:
            recorder.stop.set()
            recorder.close()
            raise
        recorder.close()
        recorder.write(lambda conn: release(conn, worker, [
            (row.id, credit_id) for (row, credit_id, _), outcome in zip(claimed, outcomes,
                                                                         strict=True)
            if not outcome.attempted]))
    finally:
        recorder.finish()
    report.database_outages += recorder.outages
    report.timed("record", recorder.writing_seconds)
    report.timed("wait_record", recorder.waited_seconds)
    report.timed("wechat", sum(outcome.seconds for outcome in outcomes))
    for (row, _, _), outcome in zip(claimed, outcomes, strict=True):
        if outcome.attempted:
            report.count(outcome, gave_up=policy.gives_up(row.attempts))
        elif recorder.outages:
            report.retry += 1
    return report


def _rows_of(batch: Batch) -> list[tuple[int, int]]:
    return [(row.id, credit_id) for row, credit_id, _ in batch.claimed]


def _give_back(batch: Batch | None) -> None:
    """A batch claimed ahead and not sent (the run stopped): its rows and credits released
    now; if the database is out of reach, they wait for their lease to run out."""
    if batch is None or not batch.claimed:
        return
    try:
        with db.engine.connect() as conn:
            release(conn, batch.worker, _rows_of(batch))
    except Exception as error:
        if not out_of_reach(error):
            raise
        current_app.logger.warning("%d claimed rows wait for their lease: %s",
                                   len(batch.claimed), error)


def _in_app(app, send, *args) -> tuple[DeliveryReport, float]:
    """`send(*args)` in the app's context (on the batch's own thread), and when it ended."""
    with app.app_context():
        return send(*args), time.perf_counter()


def deliver_due(now: datetime | None = None, budget_seconds: float | None = None) -> DeliveryReport:
    """Send batches until nothing is due, WeChat's quota stops us, or the time budget is used;
    NOTICES_SEND_CONCURRENCY messages of a batch are on their way at a time.

    The next batch is claimed while one is being sent (a thread of its own sends it), so
    that the claim's database work does not hold the sending up; a batch claimed ahead that
    the run does not send is released. A batch is claimed only if it can be sent within the
    budget, judged by the last batch's time."""
    now = now or utcnow()
    config = current_app.config
    budget = budget_seconds or config["NOTICES_DELIVER_BUDGET_SECONDS"]
    size = int(config["NOTICES_OUTBOX_BATCH_SIZE"])
    concurrency = int(config["NOTICES_SEND_CONCURRENCY"])
    app = current_app._get_current_object()
    started = time.perf_counter()
    total = DeliveryReport()
    pool = (ThreadPoolExecutor(concurrency, thread_name_prefix="outbox-send")
            if concurrency > 1 else None)
    lookups = Lookups()
    with pool or contextlib.nullcontext(), ThreadPoolExecutor(
            1, thread_name_prefix="outbox-batch") as sender:
        batch = claim_batch(now, size, lookups, total)
        last = 0.0  # the last batch's time, from the start of its sending to its end
        idle_since = started  # no batch was being sent since
        while batch is not None:
            sent_from = time.perf_counter()
            # "idle": the run's time with no batch being sent (the first claim, and any
            # claim that took longer than the batch before it)
            total.timed("idle", sent_from - idle_since)
            # the first batch probes WeChat with one message before the others go
            sending = sender.submit(_in_app, app, _send_batch, batch, now, pool,
                                    total.batches == 0)
            upcoming = None
            try:
                if time.perf_counter() - started + 2 * last <= budget:
                    upcoming = claim_batch(now, size, lookups, total)
            except Exception as error:
                db.session.rollback()
                total.add(sending.result()[0])  # its answers are written first
                if not out_of_reach(error):
                    raise
                total.database_outages += 1
                current_app.logger.warning("database out of reach while claiming: %s", error)
                return _ran(total, started)
            try:
                report, idle_since = sending.result()
            except BaseException:
                _give_back(upcoming)
                raise
            total.add(report)
            last = idle_since - sent_from
            if (report.paused or report.database_outages
                    or time.perf_counter() - started > budget):
                _give_back(upcoming)
                return _ran(total, started)
            batch = upcoming
    return _ran(total, started)


def _ran(total: DeliveryReport, started: float) -> DeliveryReport:
    total.seconds["run"] = time.perf_counter() - started
    return total
