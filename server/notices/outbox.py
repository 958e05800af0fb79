"""The subscribe-message outbox: rows claimed in batches under a lease, sent with no
database transaction open, the answers recorded as they come.

1. Claim (one short transaction, committed): due rows whose lease is free or ran out,
   skipping rows another worker has locked (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite:
   BEGIN IMMEDIATE lets one worker claim at a time). The members' credits are locked in id
   order and each claimed row takes one (a row claimed again after a lease ran out keeps
   the one it took); rows without a credit become no_credit, the others get `claimed_by`
   and `claimed_until` (NOTICES_LEASE_SECONDS).
2. Send, NOTICES_SEND_CONCURRENCY at a time (server/wechat/sending.py), no transaction open.
3. Record (server/notices/recorder.py): one thread writes the answers that have come, many
   in one transaction, with what they do to the credits (server/notices/answers.py); a
   sending thread waits until its answer is written before it sends another
   (NOTICES_UNRECORDED_PER_THREAD). Rows not sent (the quota, the database out of reach)
   are released with their credit at the end.

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
import os
import socket
import time
import uuid
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from server.auth.models import User
from server.database import insert_or_ignore
from server.extensions import db
from server.members.models import Member
from server.notices.answers import (
    PAUSE_CODES,
    Answer,
    DeliveryReport,
    Policy,
    errcode_reason,
    release,
)
from server.notices.models import (
    Notice,
    OutboxStatus,
    SubscribeCredit,
    SubscribeOutbox,
    SubscribeTemplate,
)
from server.notices.recorder import Recorder
from server.timeutil import utcnow
from server.wechat import client as wechat

__all__ = ["DeliveryReport", "deliver_batch", "deliver_due", "enqueue", "errcode_reason",
           "insert_ignoring_duplicates"]

# Longer than a batch can take (200 messages, 4 at a time, each at most the client's timeout
# times its tries, 5 s × 3): a lease that ran out while its worker still sends would send
# twice. Answers held for a database out of reach wait until a minute before it runs out.
LEASE = timedelta(minutes=15)  # NOTICES_LEASE_SECONDS' default (the drills shorten it)


def _lease() -> timedelta:
    return timedelta(seconds=int(current_app.config.get("NOTICES_LEASE_SECONDS",
                                                        LEASE.total_seconds())))


def insert_ignoring_duplicates(model, rows: list[dict], chunk: int = 500) -> None:
    """INSERT … ON CONFLICT DO NOTHING in chunks: the unique keys decide what exists."""
    for start in range(0, len(rows), chunk):
        db.session.execute(insert_or_ignore(model.__table__, rows[start : start + chunk]))


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


def _due(now: datetime, size: int, after: int) -> list[sa.Row]:
    """Due rows not leased to a live worker, with their member's openid (None: no WeChat
    login), locked (PostgreSQL: skipping rows another worker is claiming). A row whose
    `claimed_by` is set was claimed before by a worker whose lease ran out: it may have been
    sent, and it still holds the credit that claim took."""
    return db.session.execute(
        sa.select(SubscribeOutbox.id, SubscribeOutbox.notice_id, SubscribeOutbox.member_id,
                  SubscribeOutbox.template_id, SubscribeOutbox.attempts,
                  SubscribeOutbox.claimed_by, User.openid)
        .outerjoin(Member, Member.id == SubscribeOutbox.member_id)
        .outerjoin(User, User.id == Member.user_id)
        .where(
            SubscribeOutbox.status == OutboxStatus.PENDING.value,
            SubscribeOutbox.id > after,
            SubscribeOutbox.next_attempt_at <= now,
            sa.or_(SubscribeOutbox.claimed_until.is_(None), SubscribeOutbox.claimed_until <= now),
        )
        .order_by(SubscribeOutbox.id)
        .limit(size)
        .with_for_update(of=SubscribeOutbox, skip_locked=True)
    ).all()


def _credits_left(rows: list[sa.Row]) -> dict[tuple[int, int], list[int]]:
    """(member, template) → [credit id, credits left]: the credit rows locked in id order
    (two workers never wait on each other in a cycle). A claim takes the credit of each
    message it leases, so what is left is free."""
    pairs = sorted({(row.member_id, row.template_id) for row in rows})
    credits = db.session.execute(
        sa.select(SubscribeCredit.id, SubscribeCredit.member_id, SubscribeCredit.template_id,
                  SubscribeCredit.credits)
        .where(sa.tuple_(SubscribeCredit.member_id, SubscribeCredit.template_id).in_(pairs))
        .order_by(SubscribeCredit.id)
        .with_for_update()
    )
    return {(c.member_id, c.template_id): [c.id, c.credits] for c in credits}


class _Lookups:
    """What a run carries from batch to batch: the notices' message data and the templates
    it has met (read once a run), and where its claims read on from."""

    def __init__(self) -> None:
        self.notices: dict[int, dict] = {}
        self.templates: dict[int, sa.Row] = {}
        # the last row a run claimed: its next claim reads on from there, not from the start
        # of the pending index, which still holds every row sent since the last VACUUM
        self.after = 0

    def load(self, rows: list[sa.Row]) -> None:
        notice_ids = {row.notice_id for row in rows} - self.notices.keys()
        if notice_ids:
            self.notices.update(db.session.execute(
                sa.select(Notice.id, Notice.message_data)
                .where(Notice.id.in_(notice_ids))).all())
        template_ids = {row.template_id for row in rows} - self.templates.keys()
        if template_ids:
            self.templates.update({t.id: t for t in db.session.execute(
                sa.select(SubscribeTemplate.id, SubscribeTemplate.template_id,
                          SubscribeTemplate.page, SubscribeTemplate.active)
                .where(SubscribeTemplate.id.in_(template_ids)))})


def _claim(worker: str, now: datetime, size: int,
           lookups: _Lookups) -> tuple[list, int, int] | None:
    """Claim a batch and commit: [(row, credit id, message)] leased to `worker`, each with
    the member's credit taken (a row claimed again after a lease ran out keeps the one it
    has); the rows without a credit (or a login, or an active template) are marked no_credit
    on the way. Also returns how many rows were claimed again."""
    rows = _due(now, size, lookups.after)
    if not rows:
        return None
    lookups.after = rows[-1].id
    credits = _credits_left(rows)
    lookups.load(rows)
    # shared out in row order: a member with two messages due and one credit gets the first
    claimed, without, taken, back = [], [], {}, {}
    for row in rows:
        credit = credits.get((row.member_id, row.template_id))
        template = lookups.templates[row.template_id]
        holds = row.claimed_by is not None and credit is not None  # claimed before
        if not row.openid or not template.active or credit is None or (
                not holds and credit[1] <= 0):
            without.append(row.id)
            if holds:
                back[credit[0]] = back.get(credit[0], 0) + 1
            continue
        if not holds:
            credit[1] -= 1
            taken[credit[0]] = taken.get(credit[0], 0) + 1
        page = (template.page or "").replace("{notice_id}", str(row.notice_id)) or None
        claimed.append((row, credit[0], wechat.SubscribeMessage(
            row.openid, template.template_id, lookups.notices[row.notice_id], page)))
    outbox = SubscribeOutbox.__table__
    if without:
        db.session.execute(outbox.update().where(outbox.c.id.in_(without))
                           .values(status=OutboxStatus.NO_CREDIT.value, claimed_by=None,
                                   claimed_until=None, updated_at=utcnow()))
    if claimed:
        db.session.execute(outbox.update()
                           .where(outbox.c.id.in_([row.id for row, _, _ in claimed]))
                           .values(claimed_by=worker, claimed_until=now + _lease()))
    # one statement per amount (nearly always one: a credit taken once)
    by_amount: dict[int, list[int]] = {}
    for cid, n in taken.items():
        by_amount.setdefault(n, []).append(cid)
    for cid, n in back.items():
        by_amount.setdefault(-n, []).append(cid)
    credits = SubscribeCredit.__table__
    for n, ids in by_amount.items():
        db.session.execute(credits.update().where(credits.c.id.in_(ids))
                           .values(credits=credits.c.credits - n))
    db.session.commit()
    again = sum(1 for row, _, _ in claimed if row.claimed_by is not None)
    if again:
        current_app.logger.warning(
            "%d outbox rows claimed again after a lease ran out: a worker died with them, "
            "those it had sent go a second time", again)
    return claimed, len(without), again


def _worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def deliver_batch(
    now: datetime | None = None,
    size: int | None = None,
    pool: Executor | None = None,
    probe: bool = True,
    lookups: _Lookups | None = None,
) -> DeliveryReport:
    """Claim one batch of due rows, send them (several at a time through `pool`) with no
    transaction open, the answers recorded as they come; the report says what happened
    (batches == 0: nothing was due).

    `probe`: the first message goes alone, so that a WeChat whose quota is used up answers
    45009 once, not once per thread."""
    now = now or utcnow()
    config = current_app.config
    worker = _worker_id()
    report = DeliveryReport()
    started = time.perf_counter()
    batch = _claim(worker, now, size or config["NOTICES_OUTBOX_BATCH_SIZE"],
                   lookups or _Lookups())
    claimed_at = time.monotonic()
    report.timed("claim", time.perf_counter() - started)
    if not batch:
        db.session.commit()  # end the (SQLite: write-locking) transaction
        return report
    claimed, report.no_credit, report.claimed_again = batch
    report.batches = 1
    if not claimed:
        return report
    policy = Policy(now, int(config["NOTICES_MAX_ATTEMPTS"]),
                    float(config["NOTICES_RETRY_BASE_SECONDS"]),
                    timedelta(minutes=config["NOTICES_QUOTA_PAUSE_MINUTES"]))
    # answers wait for an unreachable database until shortly before the lease runs out
    lease = _lease().total_seconds()
    recorder = Recorder(db.engine, worker, policy,
                        deadline=claimed_at + lease - min(60.0, lease / 4),
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
            recorder.write(lambda conn: release(
                conn, worker, [(row.id, credit_id) for row, credit_id, _ in claimed]))
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


def deliver_due(now: datetime | None = None, budget_seconds: float | None = None) -> DeliveryReport:
    """Send batches until nothing is due, WeChat's quota stops us, or the time budget is used;
    NOTICES_SEND_CONCURRENCY messages of a batch are on their way at a time."""
    now = now or utcnow()
    budget = budget_seconds or current_app.config["NOTICES_DELIVER_BUDGET_SECONDS"]
    concurrency = int(current_app.config["NOTICES_SEND_CONCURRENCY"])
    started = time.perf_counter()
    total = DeliveryReport()
    pool = (ThreadPoolExecutor(concurrency, thread_name_prefix="outbox-send")
            if concurrency > 1 else None)
    lookups = _Lookups()
    with pool or contextlib.nullcontext():
        while True:
            # the first batch probes WeChat with one message before the others go
            report = deliver_batch(now, pool=pool, probe=total.batches == 0, lookups=lookups)
            total.add(report)
            total.seconds["run"] = time.perf_counter() - started
            if (report.batches == 0 or report.paused or report.database_outages
                    or time.perf_counter() - started > budget):
                return total
