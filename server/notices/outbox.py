"""The subscribe-message outbox: rows claimed in batches, each marked in the same transaction
as WeChat's answer, so that every row is sent once however many schedulers run.

PostgreSQL: a batch is claimed with FOR UPDATE SKIP LOCKED, so two workers take different
rows. SQLite: every transaction starts with BEGIN IMMEDIATE (server/database.py), so one
worker at a time holds the batch. The credits a batch may use are locked up front in id
order, so two workers never wait on each other in a cycle.

Within a batch, NOTICES_SEND_CONCURRENCY messages are on their way at a time (threads that
only talk to WeChat; the claiming thread keeps the transaction and records every answer).
The answers are written set-based: one UPDATE per group of rows that changed alike.

The one window left is a crash between WeChat's answer and the commit: that batch is sent
again. Batches are small (NOTICES_OUTBOX_BATCH_SIZE) to keep the window small.
"""

from __future__ import annotations

import contextlib
import logging
import time
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from server.auth.models import User
from server.extensions import db
from server.members.models import Member
from server.notices.models import (
    Notice,
    OutboxStatus,
    SubscribeCredit,
    SubscribeOutbox,
    SubscribeTemplate,
)
from server.timeutil import UTCDateTime, utcnow
from server.wechat import client as wechat

log = logging.getLogger(__name__)

REFUSED = 43101  # the member has no subscription left: their credit is gone
BAD_OPENID = 40003
BAD_FIELD = 47003
QUOTA = 45009  # daily quota reached: stop, resume later
MINUTE_QUOTA = 45011
BUSY = -1
TOKEN_EXPIRED = 40001  # the client refreshes once; if it still comes back, retry later
PAUSE_CODES = {QUOTA, MINUTE_QUOTA}
RETRY_CODES = {BUSY, TOKEN_EXPIRED}

ERRCODE_REASONS = {
    REFUSED: "党员已拒收或订阅次数已用完",
    BAD_OPENID: "党员的微信标识无效",
    BAD_FIELD: "消息内容不符合模板要求",
    QUOTA: "今日发送次数已达上限",
    MINUTE_QUOTA: "发送太频繁",
    BUSY: "微信系统繁忙，多次重试仍失败",
    TOKEN_EXPIRED: "微信凭证失效",
    None: "网络错误，多次重试仍失败",
}


def errcode_reason(errcode: int | None) -> str:
    return ERRCODE_REASONS.get(errcode, "微信返回错误")


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    no_credit: int = 0
    retry: int = 0
    batches: int = 0
    paused: bool = False
    failures: dict[int | None, int] = field(default_factory=dict)

    def add(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.no_credit += other.no_credit
        self.retry += other.retry
        self.batches += other.batches
        self.paused = self.paused or other.paused
        for code, n in other.failures.items():
            self.failures[code] = self.failures.get(code, 0) + n

    def __str__(self) -> str:
        return (f"sent={self.sent} failed={self.failed} no_credit={self.no_credit} "
                f"retry={self.retry} batches={self.batches} paused={self.paused}")


def insert_ignoring_duplicates(model, rows: list[dict], chunk: int = 500) -> None:
    """INSERT … ON CONFLICT DO NOTHING: the unique keys decide what already exists."""
    if not rows:
        return
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    for start in range(0, len(rows), chunk):
        statement = insert(model).values(rows[start : start + chunk]).on_conflict_do_nothing()
        db.session.execute(statement)


def enqueue(notice: Notice, member_ids: list[int], now: datetime) -> None:
    """One outbox row per member for the notice's template (none when it has no template)."""
    if notice.template_id is None:
        return
    insert_ignoring_duplicates(
        SubscribeOutbox,
        [
            {
                "notice_id": notice.id,
                "member_id": member_id,
                "template_id": notice.template_id,
                "status": OutboxStatus.PENDING.value,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for member_id in member_ids
        ],
    )


def _claim(now: datetime, size: int) -> list[sa.Row]:
    """Due rows with their member's openid (None: no WeChat login), locked (PostgreSQL:
    skipping rows another worker holds)."""
    return db.session.execute(
        sa.select(
            SubscribeOutbox.id,
            SubscribeOutbox.notice_id,
            SubscribeOutbox.member_id,
            SubscribeOutbox.template_id,
            SubscribeOutbox.attempts,
            User.openid,
        )
        .outerjoin(Member, Member.id == SubscribeOutbox.member_id)
        .outerjoin(User, User.id == Member.user_id)
        .where(
            SubscribeOutbox.status == OutboxStatus.PENDING.value,
            SubscribeOutbox.next_attempt_at <= now,
        )
        .order_by(SubscribeOutbox.id)
        .limit(size)
        .with_for_update(of=SubscribeOutbox, skip_locked=True)
    ).all()


def _lock_credits(rows: list[sa.Row]) -> dict[tuple[int, int], sa.Row]:
    """(member, template) → (id, credits), locked in id order so that two workers never
    wait on each other in a cycle."""
    pairs = sorted({(row.member_id, row.template_id) for row in rows})
    credits = db.session.execute(
        sa.select(SubscribeCredit.id, SubscribeCredit.member_id, SubscribeCredit.template_id,
                  SubscribeCredit.credits)
        .where(sa.tuple_(SubscribeCredit.member_id, SubscribeCredit.template_id).in_(pairs))
        .order_by(SubscribeCredit.id)
        .with_for_update()
    )
    return {(c.member_id, c.template_id): c for c in credits}


def _backoff(attempts: int) -> timedelta:
    base = current_app.config["NOTICES_RETRY_BASE_SECONDS"]
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


_SENT_FROM_ARRAYS = sa.text(
    "UPDATE subscribe_outbox SET status = :sent, attempts = attempts + 1, errcode = NULL, "
    "errmsg = NULL, sent_at = answers.answered_at, updated_at = :now "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:times AS timestamp[])) "
    "AS answers (row_id, answered_at) WHERE subscribe_outbox.id = answers.row_id"
)


class _Changes:
    """A batch's results, written as one UPDATE per group of rows that change alike."""

    def __init__(self) -> None:
        self.outbox: dict[tuple, list[int]] = {}
        self.sent: list[dict] = []
        self.credit_delta: dict[int, int] = {}
        self.credit_gone: set[int] = set()

    def mark(self, row_id: int, **values) -> None:
        self.outbox.setdefault(tuple(sorted(values.items())), []).append(row_id)

    def mark_sent(self, row_id: int, sent_at: datetime) -> None:
        self.sent.append({"row_id": row_id, "answered_at": sent_at})

    def use_credit(self, credit_id: int) -> None:
        self.credit_delta[credit_id] = self.credit_delta.get(credit_id, 0) - 1

    def _write_sent(self, outbox: sa.Table) -> None:
        """Each sent row gets its own answer time: on PostgreSQL in one statement joined to
        the unnested arrays of ids and times, on SQLite (in-process, no round trips) one
        statement per row."""
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(_SENT_FROM_ARRAYS, {
                "ids": [a["row_id"] for a in self.sent],
                "times": [a["answered_at"].astimezone(UTC).replace(tzinfo=None)
                          for a in self.sent],
                "now": utcnow().replace(tzinfo=None),
                "sent": OutboxStatus.SENT.value,
            })
            return
        db.session.execute(
            outbox.update().where(outbox.c.id == sa.bindparam("row_id"))
            .values(status=OutboxStatus.SENT.value, attempts=outbox.c.attempts + 1,
                    errcode=None, errmsg=None,
                    sent_at=sa.bindparam("answered_at", type_=UTCDateTime())),
            self.sent,
        )

    def write(self) -> None:
        outbox = SubscribeOutbox.__table__
        if self.sent:
            self._write_sent(outbox)
        for values, ids in self.outbox.items():
            changes = dict(values)
            if changes.pop("attempted", False):
                changes["attempts"] = outbox.c.attempts + 1
            db.session.execute(outbox.update().where(outbox.c.id.in_(ids)).values(**changes))
        by_delta: dict[int, list[int]] = {}
        for credit_id, delta in self.credit_delta.items():
            if credit_id not in self.credit_gone and delta:
                by_delta.setdefault(delta, []).append(credit_id)
        credits = SubscribeCredit.__table__
        for delta, ids in by_delta.items():
            db.session.execute(credits.update().where(credits.c.id.in_(ids))
                               .values(credits=credits.c.credits + delta))
        if self.credit_gone:
            db.session.execute(credits.update().where(credits.c.id.in_(sorted(self.credit_gone)))
                               .values(credits=0))


def deliver_batch(
    now: datetime | None = None,
    size: int | None = None,
    pool: Executor | None = None,
    probe: bool = True,
) -> DeliveryReport:
    """Claim one batch of due rows, send them (several at a time through `pool`), record
    every answer, commit; the report says what happened (batches == 0: nothing was due).

    `probe`: the first message goes alone, so that a WeChat whose quota is used up answers
    45009 once, not once per thread."""
    now = now or utcnow()
    size = size or current_app.config["NOTICES_OUTBOX_BATCH_SIZE"]
    report = DeliveryReport()
    rows = _claim(now, size)
    if not rows:
        db.session.commit()  # end the (SQLite: write-locking) transaction
        return report
    report.batches = 1
    credits = _lock_credits(rows)
    notices = dict(db.session.execute(
        sa.select(Notice.id, Notice.message_data)
        .where(Notice.id.in_({row.notice_id for row in rows}))
    ).all())
    templates = {
        t.id: t
        for t in db.session.execute(
            sa.select(SubscribeTemplate.id, SubscribeTemplate.template_id,
                      SubscribeTemplate.page, SubscribeTemplate.active)
            .where(SubscribeTemplate.id.in_({row.template_id for row in rows}))
        )
    }
    max_attempts = current_app.config["NOTICES_MAX_ATTEMPTS"]
    pause = timedelta(minutes=current_app.config["NOTICES_QUOTA_PAUSE_MINUTES"])
    changes = _Changes()

    # the credits are shared out in row order before anything is sent: a member with two
    # messages due and one credit gets the first only
    left = {pair: credit.credits for pair, credit in credits.items()}
    sending, messages = [], []
    for row in rows:
        pair = (row.member_id, row.template_id)
        template = templates[row.template_id]
        if not row.openid or left.get(pair, 0) <= 0 or not template.active:
            changes.mark(row.id, status=OutboxStatus.NO_CREDIT.value)
            report.no_credit += 1
            continue
        left[pair] -= 1
        page = (template.page or "").replace("{notice_id}", str(row.notice_id)) or None
        sending.append(row)
        messages.append(wechat.SubscribeMessage(row.openid, template.template_id,
                                                notices[row.notice_id], page))

    outcomes = wechat.send_subscribe_messages(messages, pool, stop_on=PAUSE_CODES,
                                              first_alone=probe)
    for row, outcome in zip(sending, outcomes, strict=True):
        credit_id = credits[(row.member_id, row.template_id)].id
        if not outcome.attempted:
            continue  # stopped by the quota: stays pending, untouched
        if outcome.sent:
            changes.mark_sent(row.id, outcome.answered_at)
            changes.use_credit(credit_id)
            report.sent += 1
            continue
        errcode = outcome.error.errcode
        errmsg = str(outcome.error.errmsg)[:200]
        failed = {"status": OutboxStatus.FAILED.value, "errcode": errcode, "errmsg": errmsg,
                  "attempted": True}
        if errcode == REFUSED:
            changes.credit_gone.add(credit_id)  # WeChat says no subscription is left
            changes.mark(row.id, **failed)
        elif errcode in PAUSE_CODES:
            # not the row's fault: no attempt counted, the credit stays
            next_attempt_at = now + pause
            changes.mark(row.id, errcode=errcode, errmsg=errmsg, next_attempt_at=next_attempt_at)
            report.paused = True
            report.retry += 1
            log.warning("WeChat quota reached (%s): sending pauses until %s", errcode,
                        next_attempt_at)
            continue
        elif errcode in RETRY_CODES or errcode is None:
            # nothing was delivered: the credit stays
            attempts = row.attempts + 1
            if attempts < max_attempts:
                changes.mark(row.id, errcode=errcode, errmsg=errmsg, attempted=True,
                             next_attempt_at=now + _backoff(attempts))
                report.retry += 1
                continue
            changes.mark(row.id, **failed)
        else:
            # 40003, 47003 and anything else: permanent. A bad field is our fault: say so.
            if errcode == BAD_OPENID:
                changes.use_credit(credit_id)
            elif errcode == BAD_FIELD:
                log.error("WeChat refused the fields of template %s for notice %s: %s",
                          templates[row.template_id].template_id, row.notice_id,
                          notices[row.notice_id])
            changes.mark(row.id, **failed)
        report.failed += 1
        report.failures[errcode] = report.failures.get(errcode, 0) + 1
    changes.write()
    db.session.commit()
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
