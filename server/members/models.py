"""The organisation (street → community → grid → building, employer units) and its members."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.extensions import db
from server.timeutil import UTCDateTime, utcnow


class MemberType(enum.StrEnum):
    IN_SERVICE = "in_service"  # 在职党员
    DIRECT = "direct"  # 直管党员
    RETIRED = "retired"  # 离退休党员
    FLOATING = "floating"  # 流动党员


MEMBER_TYPE_LABELS = {
    MemberType.IN_SERVICE: "在职党员",
    MemberType.DIRECT: "直管党员",
    MemberType.RETIRED: "离退休党员",
    MemberType.FLOATING: "流动党员",
}


class RegistrationStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    ENDED = "ended"  # moved house: history kept, a new registration starts


ACTIVE_REGISTRATION = (RegistrationStatus.SUBMITTED.value, RegistrationStatus.APPROVED.value)


class District(db.Model):
    """区 (its 区委组织部 sets up the streets)"""

    __tablename__ = "districts"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)


class Street(db.Model):
    """街道"""

    __tablename__ = "streets"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("districts.id"), index=True)
    # archived places keep their history but leave the pickers (deleting one in use is refused)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Community(db.Model):
    """社区"""

    __tablename__ = "communities"
    id: Mapped[int] = mapped_column(primary_key=True)
    street_id: Mapped[int] = mapped_column(sa.ForeignKey("streets.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    street: Mapped[Street] = relationship()

    __table_args__ = (sa.UniqueConstraint("street_id", "name"),)


class Grid(db.Model):
    """网格"""

    __tablename__ = "grids"
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    households: Mapped[int] = mapped_column(sa.Integer, default=0)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (sa.UniqueConstraint("community_id", "name"),)


class Building(db.Model):
    """楼栋"""

    __tablename__ = "buildings"
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    grid_id: Mapped[int] = mapped_column(sa.ForeignKey("grids.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    # GCJ-02, as the mini-program's maps use
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    grid: Mapped[Grid] = relationship()

    __table_args__ = (sa.UniqueConstraint("community_id", "name"),)


class EmployerUnit(db.Model):
    """单位 (机关/企事业单位) and its party organisation."""

    __tablename__ = "employer_units"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    party_org_name: Mapped[str] = mapped_column(sa.String(100), default="")
    # the street that registered the unit and keeps it up to date (None: set up by code)
    street_id: Mapped[int | None] = mapped_column(sa.ForeignKey("streets.id"), index=True)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Member(db.Model):
    """A party member (党员); `user_id` links the WeChat login once they have logged in."""

    __tablename__ = "members"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    member_type: Mapped[str] = mapped_column(sa.String(20), default=MemberType.IN_SERVICE.value)
    employer_unit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employer_units.id"), index=True
    )
    # Denormalised from the active approved registration, so scopes are one indexed filter.
    community_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    building_id: Mapped[int | None] = mapped_column(sa.ForeignKey("buildings.id"), index=True)
    room: Mapped[str] = mapped_column(sa.String(20), default="")
    privacy_version: Mapped[str | None] = mapped_column(sa.String(20))
    privacy_agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    location_consent: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    location_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hide_from_public_boards: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    employer_unit: Mapped[EmployerUnit | None] = relationship()
    community: Mapped[Community | None] = relationship()
    building: Mapped[Building | None] = relationship()

    @property
    def grid_id(self) -> int | None:
        return self.building.grid_id if self.building else None


class Registration(db.Model):
    """到社区报到: the approved one is the member's registration card (在职党员登记卡)."""

    __tablename__ = "registrations"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    building_id: Mapped[int] = mapped_column(sa.ForeignKey("buildings.id"))
    room: Mapped[str] = mapped_column(sa.String(20), default="")
    status: Mapped[str] = mapped_column(sa.String(20), default=RegistrationStatus.SUBMITTED.value)
    reject_reason: Mapped[str | None] = mapped_column(sa.String(200))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    member: Mapped[Member] = relationship()
    community: Mapped[Community] = relationship()
    building: Mapped[Building] = relationship()

    __table_args__ = (
        # at most one active registration per member
        sa.Index(
            "uq_registrations_one_active",
            "member_id",
            unique=True,
            sqlite_where=sa.text("status IN ('submitted', 'approved')"),
            postgresql_where=sa.text("status IN ('submitted', 'approved')"),
        ),
        sa.Index("ix_registrations_community_status", "community_id", "status"),
    )
