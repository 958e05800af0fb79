"""Account deletion requests (注销), the history of consents, and the verdicts of clock-in
locations that outlive the coordinates themselves."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db
from server.timeutil import UTCDateTime, utcnow


class DeletionStatus(enum.StrEnum):
    REQUESTED = "requested"  # asked, not yet confirmed
    SCHEDULED = "scheduled"  # confirmed: the cooling-off period runs, still cancellable
    CANCELLED = "cancelled"
    COMPLETED = "completed"  # identity removed


OPEN_DELETION = (DeletionStatus.REQUESTED.value, DeletionStatus.SCHEDULED.value)


class AccountDeletion(db.Model):
    """注销账号: requested, confirmed, then carried out by the scheduled job after the
    cooling-off period, unless cancelled. Holds ids only, never who the person was."""

    __tablename__ = "account_deletions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"))
    status: Mapped[str] = mapped_column(sa.String(12), default=DeletionStatus.REQUESTED.value)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # what the job removed, by kind (counts only)
    summary: Mapped[dict | None] = mapped_column(sa.JSON)

    __table_args__ = (
        sa.Index(
            "uq_account_deletions_one_open",
            "user_id",
            unique=True,
            sqlite_where=sa.text("status IN ('requested', 'scheduled')"),
            postgresql_where=sa.text("status IN ('requested', 'scheduled')"),
        ),
        sa.Index("ix_account_deletions_due", "status", "scheduled_for"),
    )


class ConsentEvent(db.Model):
    """One consent given or withdrawn (location, public boards), for the member's own record."""

    __tablename__ = "consent_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    granted: Mapped[bool] = mapped_column(sa.Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LocationVerdict(db.Model):
    """What a clock-in/out location decided, kept when its coordinates are removed: the
    distance to the activity's point, and inside the fence or not."""

    __tablename__ = "location_verdicts"
    id: Mapped[int] = mapped_column(primary_key=True)
    attendance_id: Mapped[int] = mapped_column(sa.ForeignKey("attendances.id"), unique=True)
    clock_in_distance_m: Mapped[int | None] = mapped_column(sa.Integer)
    clock_in_inside: Mapped[bool | None] = mapped_column(sa.Boolean)
    clock_out_distance_m: Mapped[int | None] = mapped_column(sa.Integer)
    clock_out_inside: Mapped[bool | None] = mapped_column(sa.Boolean)
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
