"""One feedback sheet (反馈单): what a community tells one employer unit about its members for
one period, and where it is on its way draft → signed → sent → acknowledged (回执)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db
from server.timeutil import UTCDateTime, utcnow


class SheetStatus(enum.StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"


STATUS_LABELS = {
    SheetStatus.DRAFT: "草稿",
    SheetStatus.SIGNED: "已签发",
    SheetStatus.SENT: "已送达",
    SheetStatus.ACKNOWLEDGED: "已回执",
}


class FeedbackSheet(db.Model):
    __tablename__ = "feedback_sheets"
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    employer_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("employer_units.id"), index=True)
    period: Mapped[str] = mapped_column(sa.String(8))  # 2026, 2026-H2, 2026-Q4
    status: Mapped[str] = mapped_column(sa.String(12), default=SheetStatus.DRAFT.value)
    # the rows as signed: what the unit receives is what the secretary signed, even when
    # points are corrected afterwards (None while a draft: drafts show the live numbers)
    signed_rows: Mapped[list | None] = mapped_column(sa.JSON)
    created_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    signed_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminders: Mapped[int] = mapped_column(sa.Integer, default=0)

    __table_args__ = (
        sa.UniqueConstraint("community_id", "employer_unit_id", "period"),
        sa.Index("ix_feedback_sheets_community_period", "community_id", "period"),
    )


class Grade(enum.StrEnum):
    EXCELLENT = "excellent"
    QUALIFIED = "qualified"
    BASIC = "basic"
    UNQUALIFIED = "unqualified"


GRADE_LABELS = {Grade.EXCELLENT: "优秀", Grade.QUALIFIED: "合格", Grade.BASIC: "基本合格",
                Grade.UNQUALIFIED: "不合格"}


class AppraisalThresholds(db.Model):
    """评议 thresholds of a street or a community: the year's points for each grade."""

    __tablename__ = "appraisal_thresholds"
    id: Mapped[int] = mapped_column(primary_key=True)
    scope_type: Mapped[str] = mapped_column(sa.String(10))  # street | community
    scope_id: Mapped[int] = mapped_column(sa.Integer)
    excellent_points: Mapped[int] = mapped_column(sa.Integer)
    qualified_points: Mapped[int] = mapped_column(sa.Integer)
    basic_points: Mapped[int] = mapped_column(sa.Integer)
    updated_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("scope_type", "scope_id"),)


class AppraisalGrade(db.Model):
    """The secretary's final grade of a member for a period, with the reason when it differs
    from the suggestion. Changing thresholds re-suggests; it never touches a final grade."""

    __tablename__ = "appraisal_grades"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    period: Mapped[str] = mapped_column(sa.String(8))
    grade: Mapped[str] = mapped_column(sa.String(12))
    suggested: Mapped[str] = mapped_column(sa.String(12))  # the suggestion when it was set
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    set_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("member_id", "community_id", "period"),)
