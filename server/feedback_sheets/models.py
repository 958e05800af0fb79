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
