"""Activities, sign-ups, clock records (签到/签退), volunteer-hours records, appeals, rules."""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.extensions import db
from server.members.models import Member
from server.timeutil import UTCDateTime, utcnow


class ActivityCategory(enum.StrEnum):
    ENVIRONMENT = "environment"  # 环境整治
    CIVILITY = "civility"  # 文明劝导
    PATROL = "patrol"  # 平安巡逻
    ELDER_HELP = "elder_help"  # 助老助残
    PUBLICITY = "publicity"  # 政策宣传
    PARTY_DAY = "party_day"  # 党员活动日
    DEDICATION_DAY = "dedication_day"  # 党员奉献日
    OTHER = "other"


CATEGORY_LABELS = {
    ActivityCategory.ENVIRONMENT: "环境整治",
    ActivityCategory.CIVILITY: "文明劝导",
    ActivityCategory.PATROL: "平安巡逻",
    ActivityCategory.ELDER_HELP: "助老助残",
    ActivityCategory.PUBLICITY: "政策宣传",
    ActivityCategory.PARTY_DAY: "党员活动日",
    ActivityCategory.DEDICATION_DAY: "党员奉献日",
    ActivityCategory.OTHER: "其他",
}


class ActivityStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    IN_PROGRESS = "in_progress"
    ENDED = "ended"
    ARCHIVED = "archived"
    CANCELLED = "cancelled"


STATUS_LABELS = {
    ActivityStatus.DRAFT: "草稿",
    ActivityStatus.PUBLISHED: "报名中",
    ActivityStatus.IN_PROGRESS: "进行中",
    ActivityStatus.ENDED: "已结束",
    ActivityStatus.ARCHIVED: "已归档",
    ActivityStatus.CANCELLED: "已取消",
}


# published and not yet over: open for sign-up, clock-in and edits announced to those signed up
OPEN_STATES = (ActivityStatus.PUBLISHED.value, ActivityStatus.IN_PROGRESS.value)


class SignUpStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    WITHDRAWN = "withdrawn"


class AttendanceStatus(enum.StrEnum):
    CLOCKED_IN = "clocked_in"  # 已签到
    CLOCKED_OUT = "clocked_out"  # 已签退
    AUTO_CLOSED = "auto_closed"  # 未签退, credited until the scheduled end by the community's rule
    UNCONFIRMED = "unconfirmed"  # 未签退, waiting for staff to confirm
    CONFIRMED = "confirmed"  # 未签退, confirmed by staff


class ClockMethod(enum.StrEnum):
    QR = "qr"
    LOCATION = "location"
    JOB = "job"  # closed by the missing-clock-out job
    STAFF = "staff"  # confirmed by staff


class HoursSource(enum.StrEnum):
    CLOCKIN = "clockin"
    MANUAL = "manual"  # 补录
    CORRECTED = "corrected"


class HoursStatus(enum.StrEnum):
    PENDING = "pending"  # waits for the second person (community secretary)
    APPROVED = "approved"  # counts
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # replaced by an approved correction (kept, never deleted)


class MissingClockoutRule(enum.StrEnum):
    CREDIT_UNTIL_END = "credit_until_end"
    MARK_UNCONFIRMED = "mark_unconfirmed"


class RoundingRule(enum.StrEnum):
    NONE = "none"  # two decimals
    QUARTER_HOUR_DOWN = "quarter_hour_down"
    HALF_HOUR_DOWN = "half_hour_down"
    HALF_HOUR_NEAREST = "half_hour_nearest"
    HOUR_DOWN = "hour_down"


class AppealStatus(enum.StrEnum):
    OPEN = "open"
    UPHELD = "upheld"
    DISMISSED = "dismissed"


def _new_secret() -> str:
    return secrets.token_hex(16)


class Activity(db.Model):
    """A community activity (志愿服务活动) members sign up to and clock in at."""

    __tablename__ = "activities"
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    title: Mapped[str] = mapped_column(sa.String(100))
    category: Mapped[str] = mapped_column(sa.String(20))
    content: Mapped[str] = mapped_column(sa.Text, default="")
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    # GCJ-02 (the coordinate system of WeChat's wx.getLocation type "gcj02")
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)
    radius_m: Mapped[int] = mapped_column(sa.Integer, default=200)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    organiser: Mapped[str] = mapped_column(sa.String(100), default="")
    leader_name: Mapped[str] = mapped_column(sa.String(50), default="")  # 现场负责人
    leader_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    capacity: Mapped[int | None] = mapped_column(sa.Integer)  # None: unlimited
    signup_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    audience_grid_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    audience_member_types: Mapped[list] = mapped_column(sa.JSON, default=list)
    # 党员奉献日: every member of the street may sign up
    audience_street_id: Mapped[int | None] = mapped_column(sa.ForeignKey("streets.id"))
    status: Mapped[str] = mapped_column(sa.String(20), default=ActivityStatus.DRAFT.value)
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(500))
    # the rotating on-site code is an HMAC under this secret; never leaves the server
    code_secret: Mapped[str] = mapped_column(sa.String(64), default=_new_secret)
    created_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Filled in by the service that loads the activity for a caller (not stored): the sign-up
    # counts and the caller's own sign-up status that ActivitySchema shows.
    confirmed_count = None
    waitlisted_count = None
    my_signup_status = None

    def status_now(self, now: datetime | None = None) -> str:
        """The state as of now, even if the job has not moved it along yet this minute."""
        now = now or utcnow()
        if self.status in OPEN_STATES:
            if self.ends_at <= now:
                return ActivityStatus.ENDED.value
            if self.starts_at <= now:
                return ActivityStatus.IN_PROGRESS.value
        return self.status

    __table_args__ = (
        sa.Index("ix_activities_community_starts", "community_id", "starts_at"),
        sa.Index("ix_activities_status_ends", "status", "ends_at"),
        sa.Index("ix_activities_street", "audience_street_id"),
    )


class SignUp(db.Model):
    """报名: confirmed within the capacity, else on the waitlist (候补) in order."""

    __tablename__ = "activity_signups"
    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id"))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # place in the queue: set again when a withdrawn member signs up anew
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # set once, when the activity ended and the member never clocked in (无故缺席)
    absent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    activity: Mapped[Activity] = relationship()

    # Filled in by the service for SignUpSchema (not stored): the place on the waitlist.
    waitlist_position = None

    __table_args__ = (
        sa.UniqueConstraint("activity_id", "member_id"),
        sa.Index("ix_activity_signups_queue", "activity_id", "status", "queued_at"),
    )


class Attendance(db.Model):
    """The clock record of one member at one activity: 签到 and 签退."""

    __tablename__ = "attendances"
    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id"))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=AttendanceStatus.CLOCKED_IN.value)
    clock_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    clock_in_method: Mapped[str] = mapped_column(sa.String(10))
    clock_in_latitude: Mapped[float | None] = mapped_column(sa.Float)
    clock_in_longitude: Mapped[float | None] = mapped_column(sa.Float)
    clock_in_accuracy_m: Mapped[float | None] = mapped_column(sa.Float)
    clock_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    clock_out_method: Mapped[str | None] = mapped_column(sa.String(10))
    clock_out_latitude: Mapped[float | None] = mapped_column(sa.Float)
    clock_out_longitude: Mapped[float | None] = mapped_column(sa.Float)
    clock_out_accuracy_m: Mapped[float | None] = mapped_column(sa.Float)
    closed_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    activity: Mapped[Activity] = relationship()
    member: Mapped[Member] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("activity_id", "member_id"),
        sa.Index("ix_attendances_status", "status"),
    )


class HoursRecord(db.Model):
    """Volunteer-service hours (志愿服务时长) with the fields the MCA record rules ask for.

    Append-only in spirit: a correction is a new row pointing at the one it supersedes; a
    reversal is a correction to 0 hours. At most one approved row per member and activity.
    """

    __tablename__ = "hours_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id"))
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    attendance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attendances.id"))
    category: Mapped[str] = mapped_column(sa.String(20))
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    service_date: Mapped[date] = mapped_column(sa.Date)  # Asia/Shanghai date of the activity
    source: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20))
    # the Ministry of Civil Affairs' record fields, as they were when the record was made
    activity_name: Mapped[str] = mapped_column(sa.String(100))
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    content: Mapped[str] = mapped_column(sa.Text, default="")
    organiser: Mapped[str] = mapped_column(sa.String(100), default="")
    leader: Mapped[str] = mapped_column(sa.String(50), default="")
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    note: Mapped[str | None] = mapped_column(sa.String(200))  # e.g. below the minimum share
    supersedes_id: Mapped[int | None] = mapped_column(sa.ForeignKey("hours_records.id"))
    created_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejected_reason: Mapped[str | None] = mapped_column(sa.String(500))

    activity: Mapped[Activity] = relationship()

    __table_args__ = (
        sa.Index("ix_hours_records_member_date", "member_id", "service_date"),
        sa.Index("ix_hours_records_activity", "activity_id", "member_id"),
        sa.Index("ix_hours_records_community_status", "community_id", "status"),
        # one counting record per member and activity, one pending change at a time
        sa.Index(
            "uq_hours_records_one_approved",
            "activity_id",
            "member_id",
            unique=True,
            sqlite_where=sa.text("status = 'approved'"),
            postgresql_where=sa.text("status = 'approved'"),
        ),
        sa.Index(
            "uq_hours_records_one_pending",
            "activity_id",
            "member_id",
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        ),
    )


class Appeal(db.Model):
    """申诉: a member disputes their record of an activity; staff resolve it with a reason."""

    __tablename__ = "hours_appeals"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id"))
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    hours_record_id: Mapped[int | None] = mapped_column(sa.ForeignKey("hours_records.id"))
    reason: Mapped[str] = mapped_column(sa.String(500))
    status: Mapped[str] = mapped_column(sa.String(20), default=AppealStatus.OPEN.value)
    resolution: Mapped[str | None] = mapped_column(sa.String(500))
    resolved_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    activity: Mapped[Activity] = relationship()
    member: Mapped[Member] = relationship()

    __table_args__ = (
        sa.Index("ix_hours_appeals_community_status", "community_id", "status"),
        sa.Index(
            "uq_hours_appeals_one_open",
            "activity_id",
            "member_id",
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        ),
    )


class CommunityHoursRule(db.Model):
    """How a community counts hours; communities without a row use the configured defaults."""

    __tablename__ = "community_hours_rules"
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), unique=True)
    missing_clockout: Mapped[str] = mapped_column(sa.String(30))
    rounding: Mapped[str] = mapped_column(sa.String(30))
    # e.g. 0.60: less than 60 % of the activity attended gives no hours; 0: no minimum
    min_share: Mapped[Decimal] = mapped_column(sa.Numeric(3, 2), default=Decimal("0"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
