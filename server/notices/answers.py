"""WeChat's answers to a subscribe message, and what each does to its outbox row and to the
credit the claim took for it: recorded many at a time, in a transaction of their own."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from server.database import is_postgresql
from server.notices.models import OutboxStatus, SubscribeCredit, SubscribeOutbox
from server.timeutil import UTCDateTime, utcnow
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
    claimed_again: int = 0  # rows whose earlier worker died holding them (maybe sent)
    database_outages: int = 0  # answers' writes that waited for the database to return
    failures: dict[int | None, int] = field(default_factory=dict)
    # where a run's time went (seconds): claiming batches, writing answers (both the
    # outbox's database work), WeChat's calls summed over the sending threads, and the
    # sending threads' wait for their answers' writes
    seconds: dict[str, float] = field(default_factory=dict)

    def timed(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def add(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.no_credit += other.no_credit
        self.retry += other.retry
        self.batches += other.batches
        self.paused = self.paused or other.paused
        self.claimed_again += other.claimed_again
        self.database_outages += other.database_outages
        for code, n in other.failures.items():
            self.failures[code] = self.failures.get(code, 0) + n
        for name, seconds in other.seconds.items():
            self.timed(name, seconds)

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
                f"retry={self.retry} batches={self.batches} paused={self.paused} "
                f"claimed_again={self.claimed_again} "
                f"database_outages={self.database_outages} " + " ".join(
                    f"{name}_s={seconds:.3f}" for name, seconds in self.seconds.items()))


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


@dataclass(frozen=True)
class Answer:
    """One message's final outcome, to be written to its outbox row."""

    row_id: int
    attempts: int  # before this one
    credit_id: int  # the credit the claim took for it
    outcome: SendOutcome


# (status, attempts added, errcode, errmsg, sent_at, next_attempt_at (None: unchanged)),
# and what happens to the credit the claim took: "used" (gone), "back" (+1), "zero" (none
# left, WeChat says)
def _effect(answer: Answer, policy: Policy) -> tuple[dict, str]:
    outcome = answer.outcome
    values = {"b_id": answer.row_id, "b_status": OutboxStatus.PENDING.value, "b_inc": 1,
              "b_errcode": None, "b_errmsg": None, "b_sent_at": None, "b_next": None}
    if outcome.sent:
        values.update(b_status=OutboxStatus.SENT.value, b_sent_at=outcome.answered_at)
        return values, "used"
    errcode, errmsg = outcome.error.errcode, str(outcome.error.errmsg)[:200]
    values.update(b_errcode=errcode, b_errmsg=errmsg)
    if errcode in PAUSE_CODES:  # not the row's fault: no attempt counted, credit kept
        values.update(b_inc=0, b_next=policy.now + policy.quota_pause)
        log.warning("WeChat quota reached (%s): sending pauses until %s", errcode,
                    values["b_next"])
        return values, "back"
    if (errcode in RETRY_CODES or errcode is None) and not policy.gives_up(answer.attempts):
        # nothing was delivered: the credit stays
        values["b_next"] = policy.now + policy.backoff(answer.attempts + 1)
        return values, "back"
    values["b_status"] = OutboxStatus.FAILED.value
    if errcode == REFUSED:
        return values, "zero"  # WeChat says no subscription is left
    if errcode == BAD_OPENID:
        return values, "used"
    if errcode == BAD_FIELD:
        log.error("WeChat refused the fields of outbox row %s: %s", answer.row_id, errmsg)
    return values, "back"


_RECORD = (
    _outbox.update()
    .where(_outbox.c.id == sa.bindparam("b_id"), _outbox.c.claimed_by == sa.bindparam("b_by"))
    .values(
        status=sa.bindparam("b_status", type_=sa.String),
        attempts=_outbox.c.attempts + sa.bindparam("b_inc", type_=sa.Integer),
        errcode=sa.bindparam("b_errcode", type_=sa.Integer),
        errmsg=sa.bindparam("b_errmsg", type_=sa.String),
        sent_at=sa.func.coalesce(sa.bindparam("b_sent_at", type_=UTCDateTime),
                                 _outbox.c.sent_at),
        next_attempt_at=sa.func.coalesce(sa.bindparam("b_next", type_=UTCDateTime),
                                         _outbox.c.next_attempt_at),
        claimed_by=None, claimed_until=None, updated_at=sa.bindparam("b_now", type_=UTCDateTime),
    )
)
_CREDIT_BACK = (_credits.update().where(_credits.c.id == sa.bindparam("b_credit"))
                .values(credits=_credits.c.credits + 1))
_CREDIT_ZERO = (_credits.update().where(_credits.c.id == sa.bindparam("b_credit"))
                .values(credits=0))


def record_answers(conn: Connection, worker: str, answers: list[Answer],
                   policy: Policy) -> None:
    """Write many answers, and what they do to the credits the claim took, in one
    transaction on `conn`: one statement for the rows, one per kind of credit change. Only
    rows this worker still holds are written (a worker whose lease ran out records nothing:
    another has the row)."""
    if not answers:
        return
    now = utcnow()
    rows, back, zero = [], [], []
    for answer in answers:
        values, credit = _effect(answer, policy)
        rows.append({**values, "b_by": worker, "b_now": now})
        if credit == "back":
            back.append((answer.row_id, {"b_credit": answer.credit_id}))
        elif credit == "zero":
            zero.append((answer.row_id, {"b_credit": answer.credit_id}))
    if not (back or zero) and is_postgresql(conn):
        _rows_alone(conn, rows)
        return
    with conn.begin():
        if back or zero:
            # the credits change only for rows this worker still holds
            mine = set(conn.scalars(
                sa.select(_outbox.c.id)
                .where(_outbox.c.id.in_([row_id for row_id, _ in back + zero]),
                       _outbox.c.claimed_by == worker)
                .with_for_update()))
            back = [(row_id, c) for row_id, c in back if row_id in mine]
            zero = [(row_id, c) for row_id, c in zero if row_id in mine]
        conn.execute(_RECORD, rows)
        if back:
            conn.execute(_CREDIT_BACK, [c for _, c in back])
        if zero:
            conn.execute(_CREDIT_ZERO, [c for _, c in zero])


def _rows_alone(conn: Connection, rows: list[dict]) -> None:
    """Answers that change only their own rows (a credit used was taken at the claim): each
    row's update stands alone — one written without the others is an answer recorded, and
    one not yet written is sent again, as after a crash — so they go in autocommit, in one
    round trip (psycopg sends executemany's statements together) instead of three (BEGIN,
    the updates, COMMIT), while the sending threads wait for them. A failure leaves the
    connection in autocommit: the recorder drops a connection that failed."""
    conn.execution_options(isolation_level="AUTOCOMMIT")
    conn.execute(_RECORD, rows)
    conn.commit()  # ends SQLAlchemy's own transaction: nothing is left to commit
    conn.execution_options(isolation_level=conn.default_isolation_level)


def fast_commits(conn: Connection, on: bool) -> None:
    """On PostgreSQL, the recorder's commits need not wait for the disk: a worker that dies
    loses nothing (the server has it); only a crash of the database server itself can lose
    its last fraction of a second of answers, whose messages are then sent again. Set on
    the recorder's own connection, and reset before the connection goes back to the pool."""
    if is_postgresql(conn):
        conn.exec_driver_sql(f"SET synchronous_commit TO {'OFF' if on else 'DEFAULT'}")
        conn.commit()


def release(conn: Connection, worker: str, rows: list[tuple[int, int]]) -> None:
    """Give back the rows this worker claimed and did not send (stopped by the quota or a
    database out of reach), and the credits the claim took for them: [(row id, credit id)]."""
    if not rows:
        return
    with conn.begin():
        mine = set(conn.scalars(
            sa.select(_outbox.c.id)
            .where(_outbox.c.id.in_([row_id for row_id, _ in rows]),
                   _outbox.c.claimed_by == worker)
            .with_for_update()))
        back = [{"b_credit": credit_id} for row_id, credit_id in rows if row_id in mine]
        if mine:
            conn.execute(_outbox.update().where(_outbox.c.id.in_(mine))
                         .values(**_RELEASED, updated_at=utcnow()))
        if back:
            conn.execute(_CREDIT_BACK, back)
