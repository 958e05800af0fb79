"""Notices (通知), who received them, subscribe-message templates and credits, and the outbox."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.extensions import db
from server.timeutil import UTCDateTime, utcnow


class NoticeStatus(enum.StrEnum):
    SCHEDULED = "scheduled"  # waits for its send_at
    SENT = "sent"  # published: recipients fixed, in-app visible, subscribe messages queued
    CANCELLED = "cancelled"


class NoticeKind(enum.StrEnum):
    """What caused a notice; each kind has its own subscribe template (purpose)."""

    NOTICE = "notice"  # written by staff (网上动员)
    ACTIVITY_REMINDER = "activity_reminder"
    SIGNUP_CONFIRMED = "signup_confirmed"
    SIGNUP_PROMOTED = "signup_promoted"
    ACTIVITY_CHANGED = "activity_changed"
    ACTIVITY_CANCELLED = "activity_cancelled"
    PARTY_DAY_REMINDER = "party_day_reminder"
    PARTY_DAY_MAKEUP = "party_day_makeup"
    DESK_TODO = "desk_todo"  # to staff: what waits in their inbox (digest, an appeal)
    FEEDBACK_SHEET = "feedback_sheet"  # 反馈单 sent to, or waiting for, a unit's secretary


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # permanently, errcode says why
    NO_CREDIT = "no_credit"  # the member holds no credit for the template: in-app only


class SubscribeResult(enum.StrEnum):
    """One template's answer from wx.requestSubscribeMessage."""

    ACCEPT = "accept"
    REJECT = "reject"
    BAN = "ban"
    FILTER = "filter"


class SubscribeTemplate(db.Model):
    """A subscribe-message template (订阅消息模板) configured for one purpose.

    `fields` maps the template's keywords to what fills them: a list of
    {"key": "thing1", "source": "title", "truncate": true}.
    """

    __tablename__ = "subscribe_templates"
    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(sa.String(30), unique=True)
    template_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    title: Mapped[str] = mapped_column(sa.String(50), default="")
    fields: Mapped[list] = mapped_column(sa.JSON, default=list)
    page: Mapped[str | None] = mapped_column(sa.String(200))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SubscribeCredit(db.Model):
    """How many one-time subscriptions a member has granted for a template (one per accept)."""

    __tablename__ = "subscribe_credits"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("subscribe_templates.id"), index=True)
    credits: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_result: Mapped[str | None] = mapped_column(sa.String(10))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    template: Mapped[SubscribeTemplate] = relationship()

    __table_args__ = (sa.UniqueConstraint("member_id", "template_id"),)


class Notice(db.Model):
    """A notice to an audience of one community; reminders are notices with an event key."""

    __tablename__ = "notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(30), default=NoticeKind.NOTICE.value)
    # one notice per event (a reminder, a sign-up confirmation …): unique, NULL for staff notices
    event_key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    title: Mapped[str] = mapped_column(sa.String(100))
    body: Mapped[str] = mapped_column(sa.Text)
    activity_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    audience: Mapped[dict] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(20), default=NoticeStatus.SCHEDULED.value)
    send_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the subscribe message every recipient with a credit gets, rendered once at publishing
    template_id: Mapped[int | None] = mapped_column(sa.ForeignKey("subscribe_templates.id"))
    message_data: Mapped[dict | None] = mapped_column(sa.JSON)
    content_check: Mapped[str | None] = mapped_column(sa.String(10))
    created_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    template: Mapped[SubscribeTemplate | None] = relationship()

    __table_args__ = (sa.Index("ix_notices_status_send_at", "status", "send_at"),)


class NoticeRecipient(db.Model):
    """A member's copy of a notice in the in-app list; read when they open it."""

    __tablename__ = "notice_recipients"
    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("notices.id"))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    notice: Mapped[Notice] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("notice_id", "member_id"),
        sa.Index("ix_notice_recipients_member_read", "member_id", "read_at"),
    )


class SubscribeOutbox(db.Model):
    """One subscribe message to send: unique per notice, member and template (exactly once).

    Claimed in batches by the scheduler with a lease (claimed_by, claimed_until), sent with
    no transaction open, and its answer recorded before its sending thread sends another.
    """

    __tablename__ = "subscribe_outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("notices.id"))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("subscribe_templates.id"))
    status: Mapped[str] = mapped_column(sa.String(20), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    errcode: Mapped[int | None] = mapped_column(sa.Integer)
    errmsg: Mapped[str | None] = mapped_column(sa.String(200))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the worker sending it, until when: a worker that died leaves a lease that runs out
    claimed_by: Mapped[str | None] = mapped_column(sa.String(80))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("notice_id", "member_id", "template_id"),
        sa.Index("ix_subscribe_outbox_due", "status", "next_attempt_at"),
        # the claim's order: the next batch is found without reading every pending row
        sa.Index("ix_subscribe_outbox_pending", "id",
                 postgresql_where=sa.text("status = 'pending'"),
                 sqlite_where=sa.text("status = 'pending'")),
    )
