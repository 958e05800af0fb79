"""Building-contract pledges (包楼栋承诺), fulfilment notes, and the fixed party day."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.extensions import db
from server.members.models import Building, Member
from server.timeutil import UTCDateTime, utcnow

STANDARD_ITEMS = ["环境卫生", "安全隐患排查", "邻里帮扶", "政策宣传"]


class PledgeStatus:
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class NoteStatus:
    SUBMITTED = "submitted"  # 待审核
    VERIFIED = "verified"  # 已核实
    RETURNED = "returned"  # 已退回


class BookingStatus:
    BOOKED = "booked"
    CANCELLED = "cancelled"


class PledgeImage(db.Model):
    """A checked image (signature or photo), stored once by its content hash."""

    __tablename__ = "pledge_images"
    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(sa.String(20))
    size: Mapped[int] = mapped_column(sa.Integer)
    width: Mapped[int] = mapped_column(sa.Integer)
    height: Mapped[int] = mapped_column(sa.Integer)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PledgeTemplate(db.Model):
    """承诺书: what a community's members may promise in a year."""

    __tablename__ = "pledge_templates"
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    title: Mapped[str] = mapped_column(sa.String(100))
    items: Mapped[list] = mapped_column(sa.JSON)
    created_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("community_id", "year", "title"),)


class ResponsibilityArea(db.Model):
    """责任区: a building the community assigns to a member besides their own."""

    __tablename__ = "responsibility_areas"
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    building_id: Mapped[int] = mapped_column(sa.ForeignKey("buildings.id"))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    assigned_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    member: Mapped[Member] = relationship()
    building: Mapped[Building] = relationship()

    __table_args__ = (sa.UniqueConstraint("member_id", "building_id"),)


class Pledge(db.Model):
    """One member's pledge for one building in one year; withdrawn and re-signed in place."""

    __tablename__ = "pledges"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    building_id: Mapped[int] = mapped_column(sa.ForeignKey("buildings.id"), index=True)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("pledge_templates.id"))
    year: Mapped[int] = mapped_column(sa.Integer)
    items: Mapped[list] = mapped_column(sa.JSON)
    own_words: Mapped[str] = mapped_column(sa.Text, default="")
    signature_sha256: Mapped[str] = mapped_column(sa.ForeignKey("pledge_images.sha256"))
    status: Mapped[str] = mapped_column(sa.String(20), default=PledgeStatus.ACTIVE)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[Member] = relationship()
    building: Mapped[Building] = relationship()
    template: Mapped[PledgeTemplate] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("member_id", "building_id", "year"),
        sa.Index("ix_pledges_community_year_status", "community_id", "year", "status"),
    )


class BuildingHead(db.Model):
    """楼栋长: one per building, appointed by staff among the building's pledged members."""

    __tablename__ = "building_heads"
    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(sa.ForeignKey("buildings.id"), unique=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    appointed_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    appointed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    member: Mapped[Member] = relationship()


class PledgeNote(db.Model):
    """践诺记录: what a member did for their pledge; staff verify or return it."""

    __tablename__ = "pledge_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(sa.ForeignKey("pledges.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    building_id: Mapped[int] = mapped_column(sa.ForeignKey("buildings.id"))
    content: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(20), default=NoteStatus.SUBMITTED)
    return_reason: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    pledge: Mapped[Pledge] = relationship()
    member: Mapped[Member] = relationship()
    photos: Mapped[list[PledgeNotePhoto]] = relationship(
        order_by="PledgeNotePhoto.position", cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (sa.Index("ix_pledge_notes_community_status", "community_id", "status"),)


class PledgeNotePhoto(db.Model):
    __tablename__ = "pledge_note_photos"
    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(sa.ForeignKey("pledge_notes.id"))
    position: Mapped[int] = mapped_column(sa.Integer)
    image_sha256: Mapped[str] = mapped_column(sa.ForeignKey("pledge_images.sha256"))

    __table_args__ = (sa.UniqueConstraint("note_id", "position"),)


class PartyDaySetting(db.Model):
    """The community's fixed party activity day (固定党员活动日); absent = the defaults."""

    __tablename__ = "party_day_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), unique=True)
    day_of_month: Mapped[int] = mapped_column(sa.Integer)
    window_days: Mapped[int] = mapped_column(sa.Integer)
    start_time: Mapped[str] = mapped_column(sa.String(5))
    end_time: Mapped[str] = mapped_column(sa.String(5))
    title: Mapped[str] = mapped_column(sa.String(100))
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)
    updated_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PartyDay(db.Model):
    """One month's party day of a community and the activity created for it."""

    __tablename__ = "party_days"
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    month: Mapped[str] = mapped_column(sa.String(7))  # "YYYY-MM"
    day: Mapped[date] = mapped_column(sa.Date)
    window_days: Mapped[int] = mapped_column(sa.Integer)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("community_id", "month"),)


class MakeupSession(db.Model):
    """预约补课: a make-up session for a month's party day, with limited places."""

    __tablename__ = "makeup_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    month: Mapped[str] = mapped_column(sa.String(7))
    title: Mapped[str] = mapped_column(sa.String(100))
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(sa.Integer)
    booked_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id"), index=True)
    created_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.CheckConstraint("booked_count <= capacity", name="within_capacity"),)


class MakeupBooking(db.Model):
    """A member's make-up booking: one per member and month, cancelled and re-booked in place."""

    __tablename__ = "makeup_bookings"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("makeup_sessions.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    month: Mapped[str] = mapped_column(sa.String(7))
    status: Mapped[str] = mapped_column(sa.String(20), default=BookingStatus.BOOKED)
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[MakeupSession] = relationship()
    member: Mapped[Member] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("member_id", "month"),
        sa.Index("ix_makeup_bookings_community_month", "community_id", "month"),
    )


class PartyDayAttendance(db.Model):
    """A member attended the month's party day or its make-up: once per member and month."""

    __tablename__ = "party_day_attendances"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    month: Mapped[str] = mapped_column(sa.String(7))
    source: Mapped[str] = mapped_column(sa.String(20))  # party_day | makeup
    activity_id: Mapped[int | None] = mapped_column(sa.ForeignKey("activities.id"))
    attended_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    member: Mapped[Member] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("member_id", "month"),
        sa.Index("ix_party_day_attendances_community_month", "community_id", "month"),
        sa.Index("ix_party_day_attendances_stats", "month", "community_id", "source"),
    )


class DedicationDay(db.Model):
    """党员奉献日: declared by the street, one street-wide activity."""

    __tablename__ = "dedication_days"
    id: Mapped[int] = mapped_column(primary_key=True)
    street_id: Mapped[int] = mapped_column(sa.ForeignKey("streets.id"))
    day: Mapped[date] = mapped_column(sa.Date)
    title: Mapped[str] = mapped_column(sa.String(100))
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id"))
    declared_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("street_id", "day"),)
