"""WeChat's answers to a subscribe message, and what each does to its outbox row and to the
member's credit: recorded one message at a time, in a transaction of its own."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from server.database import is_postgresql
from server.notices.models import OutboxStatus, SubscribeCredit, SubscribeOutbox
from server.timeutil import utcnow
from server.wechat.client import SendOutcome

log = logging.getLogger(__name__)

REFUSED = 43101  # the member has no subscription left: their credit is gone
BAD_OPENID = 40003
BAD_FIELD = 47003
BAD_TEMPLATE = 40037
BAD_PAGE = 41030
QUOTA = 45009  # daily quota reached: stop, resume later
MINUTE_QUOTA = 45011
BUSY = -1
# a token WeChat refused (invalid, malformed, missing, expired): the client refreshes it
# once; if it still comes back, the message is tried again later, never failed for good
TOKEN_REFUSED = frozenset({40001, 40014, 41001, 42001})
PAUSE_CODES = {QUOTA, MINUTE_QUOTA}
RETRY_CODES = {BUSY, *TOKEN_REFUSED}

ERRCODE_REASONS = {
    REFUSED: "党员已拒收或订阅次数已用完",
    BAD_OPENID: "党员的微信标识无效",
    BAD_FIELD: "消息内容不符合模板要求",
    BAD_TEMPLATE: "订阅消息模板ID无效",
    BAD_PAGE: "消息跳转的页面不存在",
    QUOTA: "今日发送次数已达上限",
    MINUTE_QUOTA: "发送太频繁",
    BUSY: "微信系统繁忙，多次重试仍失败",
    40001: "微信凭证失效",
    40014: "微信凭证无效",
    41001: "缺少微信凭证",
    42001: "微信凭证过期",
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

    def count(self, outcome: SendOutcome, gave_up: bool) -> None:
        """Add one message's answer (gave_up: a retryable one out of attempts)."""
        if outcome.sent:
            self.sent += 1
            return
        errcode = outcome.error.errcode
        if errcode in PAUSE_CODES:
            self.paused = True
            self.retry += 1
        elif (errcode in RETRY_CODES or errcode is None) and not gave_up:
            self.retry += 1
        else:
            self.failed += 1
            self.failures[errcode] = self.failures.get(errcode, 0) + 1

    def __str__(self) -> str:
        return (f"sent={self.sent} failed={self.failed} no_credit={self.no_credit} "
                f"retry={self.retry} batches={self.batches} paused={self.paused}")


@dataclass(frozen=True)
class Policy:
    """The settings an answer is recorded by."""

    now: datetime
    max_attempts: int
    retry_base_seconds: float
    quota_pause: timedelta

    def backoff(self, attempts: int) -> timedelta:
        seconds = self.retry_base_seconds * 2 ** max(attempts - 1, 0)
        return timedelta(seconds=min(seconds, 6 * 3600))

    def gives_up(self, attempts_before: int) -> bool:
        return attempts_before + 1 >= self.max_attempts


_outbox = SubscribeOutbox.__table__
_credits = SubscribeCredit.__table__
_RELEASED = {"claimed_by": None, "claimed_until": None}


def record_answer(conn: Connection, worker: str, row_id: int, attempts: int, credit_id: int,
                  outcome: SendOutcome, policy: Policy) -> None:
    """Write one message's answer and its credit in one transaction of their own on `conn`
    (the sending thread's). The row is written only while this worker's lease holds (a
    worker whose lease ran out records nothing: another has the row)."""
    now = utcnow()
    mine = sa.and_(_outbox.c.id == row_id, _outbox.c.claimed_by == worker)
    values: dict = {**_RELEASED, "updated_at": now}
    credit = None
    if outcome.sent:
        values.update(status=OutboxStatus.SENT.value, attempts=_outbox.c.attempts + 1,
                      errcode=None, errmsg=None, sent_at=outcome.answered_at)
        credit = _credits.c.credits - 1
    else:
        errcode, errmsg = outcome.error.errcode, str(outcome.error.errmsg)[:200]
        values.update(errcode=errcode, errmsg=errmsg)
        if errcode in PAUSE_CODES:  # not the row's fault: no attempt counted, credit kept
            values["next_attempt_at"] = policy.now + policy.quota_pause
            log.warning("WeChat quota reached (%s): sending pauses until %s", errcode,
                        values["next_attempt_at"])
        elif (errcode in RETRY_CODES or errcode is None) and not policy.gives_up(attempts):
            # nothing was delivered: the credit stays
            values.update(attempts=_outbox.c.attempts + 1,
                          next_attempt_at=policy.now + policy.backoff(attempts + 1))
        else:
            values.update(status=OutboxStatus.FAILED.value, attempts=_outbox.c.attempts + 1)
            if errcode == REFUSED:
                credit = sa.literal(0)  # WeChat says no subscription is left
            elif errcode == BAD_OPENID:
                credit = _credits.c.credits - 1
            elif errcode == BAD_FIELD:
                log.error("WeChat refused the fields of outbox row %s: %s", row_id, errmsg)
    with conn.begin():
        if is_postgresql(conn):
            # the commit need not wait for the disk: a worker that dies loses nothing (the
            # server has it); only a database server crash can lose the last fraction of a
            # second of answers, whose messages are then sent again
            conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
        if conn.execute(_outbox.update().where(mine).values(**values)).rowcount and (
            credit is not None
        ):
            conn.execute(_credits.update()
                         .where(_credits.c.id == credit_id, _credits.c.credits > 0)
                         .values(credits=credit))


def release(engine: Engine, worker: str, row_ids: list[int]) -> None:
    """Give back the rows this worker claimed and did not send (stopped by the quota)."""
    if not row_ids:
        return
    with engine.begin() as conn:
        conn.execute(_outbox.update()
                     .where(_outbox.c.id.in_(row_ids), _outbox.c.claimed_by == worker)
                     .values(**_RELEASED))
