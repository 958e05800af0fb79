"""The subscribe-message outbox: rows claimed in batches under a lease, sent with no
database transaction open, and each answer recorded on its own.

1. Claim (one short transaction, committed): due rows whose lease is free or ran out,
   skipping rows another worker has locked (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite:
   BEGIN IMMEDIATE lets one worker claim at a time). The members' credits are locked in id
   order and shared out, counting messages other workers hold leases for; rows without a
   credit become no_credit, the others get `claimed_by` and `claimed_until`.
2. Send, NOTICES_SEND_CONCURRENCY at a time (server/wechat/sending.py), no transaction open.
3. Record: each answer is written, with its credit, in a transaction of its own by the thread
   that sent the message, before that thread sends another (server/notices/answers.py). Rows
   stopped by the quota are released at the end.

A worker that dies leaves its unrecorded rows leased; the lease runs out (LEASE) and another
worker claims them again. WeChat's send takes no idempotency key, so the messages WeChat
accepted whose answer was not yet written are sent again: **at most one per sending thread,
i.e. at most NOTICES_SEND_CONCURRENCY messages per crash** (one when it is 1). Every other
accepted message was recorded before its thread sent the next. (On PostgreSQL an answer's
commit does not wait for the disk: a dead worker loses nothing, but a crash of the database
server itself can lose its last fraction of a second of answers, sent again later.)
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
import uuid
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.engine import Connection

from server.auth.models import User
from server.database import insert_or_ignore
from server.extensions import db
from server.members.models import Member
from server.notices.answers import (
    PAUSE_CODES,
    DeliveryReport,
    Policy,
    errcode_reason,
    record_answer,
    release,
)
from server.notices.models import (
    Notice,
    OutboxStatus,
    SubscribeCredit,
    SubscribeOutbox,
    SubscribeTemplate,
)
from server.timeutil import utcnow
from server.wechat import client as wechat

__all__ = ["DeliveryReport", "deliver_batch", "deliver_due", "enqueue", "errcode_reason",
           "insert_ignoring_duplicates"]

# Longer than a batch can take (50 messages, 4 at a time, each at most the client's timeout
# times its retries): a lease that ran out while its worker still sends would send twice.
LEASE = timedelta(minutes=10)


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


def _due(now: datetime, size: int) -> list[sa.Row]:
    """Due rows not leased to a live worker, with their member's openid (None: no WeChat
    login), locked (PostgreSQL: skipping rows another worker is claiming)."""
    return db.session.execute(
        sa.select(SubscribeOutbox.id, SubscribeOutbox.notice_id, SubscribeOutbox.member_id,
                  SubscribeOutbox.template_id, SubscribeOutbox.attempts, User.openid)
        .outerjoin(Member, Member.id == SubscribeOutbox.member_id)
        .outerjoin(User, User.id == Member.user_id)
        .where(
            SubscribeOutbox.status == OutboxStatus.PENDING.value,
            SubscribeOutbox.next_attempt_at <= now,
            sa.or_(SubscribeOutbox.claimed_until.is_(None), SubscribeOutbox.claimed_until <= now),
        )
        .order_by(SubscribeOutbox.id)
        .limit(size)
        .with_for_update(of=SubscribeOutbox, skip_locked=True)
    ).all()


def _credits_left(rows: list[sa.Row], now: datetime) -> dict[tuple[int, int], list[int]]:
    """(member, template) → [credit id, credits left]: the credit rows locked in id order
    (two workers never wait on each other in a cycle), less the messages other workers hold
    unexpired leases for."""
    pairs = sorted({(row.member_id, row.template_id) for row in rows})
    outbox_pair = sa.tuple_(SubscribeOutbox.member_id, SubscribeOutbox.template_id)
    in_flight = {
        (member_id, template_id): n
        for member_id, template_id, n in db.session.execute(
            sa.select(SubscribeOutbox.member_id, SubscribeOutbox.template_id, sa.func.count())
            .where(outbox_pair.in_(pairs),
                   SubscribeOutbox.status == OutboxStatus.PENDING.value,
                   SubscribeOutbox.claimed_until > now)
            .group_by(SubscribeOutbox.member_id, SubscribeOutbox.template_id))
    }
    credits = db.session.execute(
        sa.select(SubscribeCredit.id, SubscribeCredit.member_id, SubscribeCredit.template_id,
                  SubscribeCredit.credits)
        .where(sa.tuple_(SubscribeCredit.member_id, SubscribeCredit.template_id).in_(pairs))
        .order_by(SubscribeCredit.id)
        .with_for_update()
    )
    return {(c.member_id, c.template_id):
            [c.id, c.credits - in_flight.get((c.member_id, c.template_id), 0)]
            for c in credits}


def _claim(worker: str, now: datetime, size: int) -> tuple[list, int] | None:
    """Claim a batch and commit: [(row, credit id, message)] leased to `worker`; the rows
    without a credit (or a login, or an active template) are marked no_credit on the way."""
    rows = _due(now, size)
    if not rows:
        return None
    credits = _credits_left(rows, now)
    notices = dict(db.session.execute(
        sa.select(Notice.id, Notice.message_data)
        .where(Notice.id.in_({row.notice_id for row in rows}))).all())
    templates = {t.id: t for t in db.session.execute(
        sa.select(SubscribeTemplate.id, SubscribeTemplate.template_id, SubscribeTemplate.page,
                  SubscribeTemplate.active)
        .where(SubscribeTemplate.id.in_({row.template_id for row in rows})))}
    # shared out in row order: a member with two messages due and one credit gets the first
    claimed, without = [], []
    for row in rows:
        credit = credits.get((row.member_id, row.template_id))
        template = templates[row.template_id]
        if not row.openid or credit is None or credit[1] <= 0 or not template.active:
            without.append(row.id)
            continue
        credit[1] -= 1
        page = (template.page or "").replace("{notice_id}", str(row.notice_id)) or None
        claimed.append((row, credit[0], wechat.SubscribeMessage(
            row.openid, template.template_id, notices[row.notice_id], page)))
    outbox = SubscribeOutbox.__table__
    if without:
        db.session.execute(outbox.update().where(outbox.c.id.in_(without))
                           .values(status=OutboxStatus.NO_CREDIT.value, updated_at=utcnow()))
    if claimed:
        db.session.execute(outbox.update()
                           .where(outbox.c.id.in_([row.id for row, _, _ in claimed]))
                           .values(claimed_by=worker, claimed_until=now + LEASE))
    db.session.commit()
    return claimed, len(without)


def _worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def deliver_batch(
    now: datetime | None = None,
    size: int | None = None,
    pool: Executor | None = None,
    probe: bool = True,
) -> DeliveryReport:
    """Claim one batch of due rows, send them (several at a time through `pool`) with no
    transaction open, each answer recorded as it comes; the report says what happened
    (batches == 0: nothing was due).

    `probe`: the first message goes alone, so that a WeChat whose quota is used up answers
    45009 once, not once per thread."""
    now = now or utcnow()
    config = current_app.config
    worker = _worker_id()
    report = DeliveryReport()
    batch = _claim(worker, now, size or config["NOTICES_OUTBOX_BATCH_SIZE"])
    if not batch:
        db.session.commit()  # end the (SQLite: write-locking) transaction
        return report
    claimed, report.no_credit = batch
    report.batches = 1
    if not claimed:
        return report
    engine = db.engine
    policy = Policy(now, int(config["NOTICES_MAX_ATTEMPTS"]),
                    float(config["NOTICES_RETRY_BASE_SECONDS"]),
                    timedelta(minutes=config["NOTICES_QUOTA_PAUSE_MINUTES"]))

    # each sending thread records on a connection of its own, kept for the batch (a pool
    # checkout per message would cost a ping and a round trip)
    connections: dict[int, Connection] = {}

    def on_answer(index: int, outcome: wechat.SendOutcome) -> None:
        conn = connections.get(threading.get_ident())
        if conn is None:
            conn = connections[threading.get_ident()] = engine.connect()
        row, credit_id, _ = claimed[index]
        record_answer(conn, worker, row.id, row.attempts, credit_id, outcome, policy)

    try:
        outcomes = wechat.send_subscribe_messages(
            [message for _, _, message in claimed], pool, stop_on=PAUSE_CODES,
            first_alone=probe, on_answer=on_answer)
    except wechat.WeChatError as error:  # no token to send with: nothing went out
        release(engine, worker, [row.id for row, _, _ in claimed])
        report.paused = True
        report.retry += len(claimed)
        current_app.logger.warning("no WeChat access token, sending waits: %s", error)
        return report
    finally:
        for conn in connections.values():
            conn.close()
    release(engine, worker, [row.id for (row, _, _), outcome in zip(claimed, outcomes,
                                                                     strict=True)
                             if not outcome.attempted])
    for (row, _, _), outcome in zip(claimed, outcomes, strict=True):
        if outcome.attempted:
            report.count(outcome, gave_up=policy.gives_up(row.attempts))
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
    with pool or contextlib.nullcontext():
        while True:
            # the first batch probes WeChat with one message before the others go
            report = deliver_batch(now, pool=pool, probe=total.batches == 0)
            total.add(report)
            if report.batches == 0 or report.paused or time.perf_counter() - started > budget:
                return total
