"""Claiming a batch of the subscribe-message outbox (server/notices/outbox.py): due rows
leased to one worker in one short transaction, each with the member's credit taken.

Due rows whose lease is free or ran out are locked, skipping rows another worker has locked
(PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: BEGIN IMMEDIATE lets one worker claim at a
time). The members' credits are locked in id order and each claimed row takes one (a row
claimed again after a lease ran out keeps the one it took); rows without a credit become
no_credit, the others get `claimed_by` and `claimed_until` (NOTICES_LEASE_SECONDS).
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from server.auth.models import User
from server.extensions import db
from server.members.models import Member
from server.notices.answers import DeliveryReport
from server.notices.models import (
    Notice,
    OutboxStatus,
    SubscribeCredit,
    SubscribeOutbox,
    SubscribeTemplate,
)
from server.timeutil import utcnow
from server.wechat import client as wechat

# Longer than a batch can take (200 messages, 4 at a time, each at most the client's timeout
# times its tries, 5 s × 3): a lease that ran out while its worker still sends would send
# twice. Answers held for a database out of reach wait until a minute before it runs out.
LEASE = timedelta(minutes=15)  # NOTICES_LEASE_SECONDS' default (the drills shorten it)


def lease() -> timedelta:
    return timedelta(seconds=int(current_app.config.get("NOTICES_LEASE_SECONDS",
                                                        LEASE.total_seconds())))



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


class Lookups:
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
           lookups: Lookups) -> tuple[list, int, int] | None:
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
                           .values(claimed_by=worker, claimed_until=now + lease()))
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


def worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


@dataclass
class Batch:
    """Rows claimed under one lease: [(row, credit id, message)]."""

    worker: str
    claimed: list
    no_credit: int
    claimed_again: int
    claimed_at: float  # time.monotonic(): the lease's patience for answers counts from it


def claim_batch(now: datetime, size: int, lookups: Lookups,
                 report: DeliveryReport) -> Batch | None:
    """Claim the next batch (None: nothing is due); its time goes to `report` as "claim"."""
    worker = worker_id()
    started = time.perf_counter()
    batch = _claim(worker, now, size, lookups)
    if not batch:
        db.session.commit()  # end the (SQLite: write-locking) transaction
    report.timed("claim", time.perf_counter() - started)
    return Batch(worker, *batch, time.monotonic()) if batch else None


