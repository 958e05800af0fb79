"""The subscribe-message outbox: rows claimed in batches, each marked in the same transaction
as WeChat's answer, so that every row is sent once however many schedulers run.

PostgreSQL: a batch is claimed with FOR UPDATE SKIP LOCKED, so two workers take different
rows. SQLite: every transaction starts with BEGIN IMMEDIATE (server/database.py), so one
worker at a time holds the batch. The credits a batch may use are locked up front in id
order, so two workers never wait on each other in a cycle.

The one window left is a crash between WeChat's answer and the commit: that batch is sent
again. Batches are small (NOTICES_OUTBOX_BATCH_SIZE) to keep the window small.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

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
from server.timeutil import utcnow
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


def _claim(now: datetime, size: int) -> list[SubscribeOutbox]:
    return list(
        db.session.scalars(
            sa.select(SubscribeOutbox)
            .where(
                SubscribeOutbox.status == OutboxStatus.PENDING.value,
                SubscribeOutbox.next_attempt_at <= now,
            )
            .order_by(SubscribeOutbox.id)
            .limit(size)
            .with_for_update(skip_locked=True)
        )
    )


def _lock_credits(rows: list[SubscribeOutbox]) -> dict[tuple[int, int], SubscribeCredit]:
    pairs = sorted({(row.member_id, row.template_id) for row in rows})
    credits = db.session.scalars(
        sa.select(SubscribeCredit)
        .where(sa.tuple_(SubscribeCredit.member_id, SubscribeCredit.template_id).in_(pairs))
        .order_by(SubscribeCredit.id)
        .with_for_update()
    )
    return {(c.member_id, c.template_id): c for c in credits}


def _backoff(attempts: int) -> timedelta:
    base = current_app.config["NOTICES_RETRY_BASE_SECONDS"]
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


def deliver_batch(now: datetime | None = None, size: int | None = None) -> DeliveryReport:
    """Claim one batch of due rows, send them, record every answer, commit; the report says
    what happened (batches == 0: nothing was due)."""
    now = now or utcnow()
    size = size or current_app.config["NOTICES_OUTBOX_BATCH_SIZE"]
    report = DeliveryReport()
    rows = _claim(now, size)
    if not rows:
        db.session.commit()  # end the (SQLite: write-locking) transaction
        return report
    report.batches = 1
    credits = _lock_credits(rows)
    notice_ids = {row.notice_id for row in rows}
    notices = {
        n.id: n for n in db.session.scalars(sa.select(Notice).where(Notice.id.in_(notice_ids)))
    }
    templates = {
        t.id: t
        for t in db.session.scalars(
            sa.select(SubscribeTemplate).where(
                SubscribeTemplate.id.in_({r.template_id for r in rows})
            )
        )
    }
    openids = dict(
        db.session.execute(
            sa.select(Member.id, User.openid)
            .join(User, Member.user_id == User.id)
            .where(Member.id.in_({row.member_id for row in rows}))
        ).all()
    )
    max_attempts = current_app.config["NOTICES_MAX_ATTEMPTS"]
    pause = timedelta(minutes=current_app.config["NOTICES_QUOTA_PAUSE_MINUTES"])

    for row in rows:
        credit = credits.get((row.member_id, row.template_id))
        openid = openids.get(row.member_id)
        notice, template = notices[row.notice_id], templates[row.template_id]
        if not openid or credit is None or credit.credits <= 0 or not template.active:
            row.status = OutboxStatus.NO_CREDIT.value
            report.no_credit += 1
            continue
        credit.credits -= 1
        row.attempts += 1
        page = (template.page or "").replace("{notice_id}", str(notice.id)) or None
        try:
            wechat.send_subscribe_message(openid, template.template_id, notice.message_data,
                                          page=page)
        except wechat.WeChatError as error:
            errcode = getattr(error, "errcode", None)
            errmsg = str(getattr(error, "errmsg", error))[:200]
        except Exception as error:  # network trouble: like a busy answer, retried later
            log.warning("subscribe send to member %s failed: %r", row.member_id, error)
            errcode, errmsg = None, repr(error)[:200]
        else:
            row.status, row.sent_at, row.errcode, row.errmsg = (
                OutboxStatus.SENT.value, utcnow(), None, None)
            report.sent += 1
            continue

        row.errcode, row.errmsg = errcode, errmsg
        if errcode == REFUSED:
            credit.credits = 0  # WeChat says no subscription is left
            row.status = OutboxStatus.FAILED.value
        elif errcode in PAUSE_CODES:
            credit.credits += 1
            row.attempts -= 1  # not the row's fault
            row.next_attempt_at = now + pause
            report.paused = True
            report.retry += 1
            log.warning("WeChat quota reached (%s): sending pauses until %s", errcode,
                        row.next_attempt_at)
            break  # the rest of the batch stays pending, untouched
        elif errcode in RETRY_CODES or errcode is None:
            credit.credits += 1  # nothing was delivered
            if row.attempts >= max_attempts:
                row.status = OutboxStatus.FAILED.value
            else:
                row.next_attempt_at = now + _backoff(row.attempts)
                report.retry += 1
                continue
        else:
            # 40003, 47003 and anything else: permanent. A bad field is our fault: say so.
            if errcode != BAD_OPENID:
                credit.credits += 1  # WeChat delivered nothing, the subscription stays
            row.status = OutboxStatus.FAILED.value
            if errcode == BAD_FIELD:
                log.error("WeChat refused the fields of template %s for notice %s: %s",
                          template.template_id, notice.id, notice.message_data)
        report.failed += 1
        report.failures[errcode] = report.failures.get(errcode, 0) + 1
    db.session.commit()
    return report


def deliver_due(now: datetime | None = None, budget_seconds: float | None = None) -> DeliveryReport:
    """Send batches until nothing is due, WeChat's quota stops us, or the time budget is used."""
    now = now or utcnow()
    budget = budget_seconds or current_app.config["NOTICES_DELIVER_BUDGET_SECONDS"]
    started = time.perf_counter()
    total = DeliveryReport()
    while True:
        report = deliver_batch(now)
        total.add(report)
        if report.batches == 0 or report.paused or time.perf_counter() - started > budget:
            return total
