"""Login identities, sessions and role grants."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.extensions import db
from server.timeutil import UTCDateTime, utcnow


class Role(enum.StrEnum):
    GRID_WORKER = "grid_worker"  # 网格员: one grid
    COMMUNITY_STAFF = "community_staff"  # 社区工作者
    COMMUNITY_SECRETARY = "community_secretary"  # 社区党组织书记
    UNIT_SECRETARY = "unit_secretary"  # 单位党组织书记: their unit's members, any community
    STREET_ADMIN = "street_admin"  # 街道党工委: every community in the street
    DISTRICT_ADMIN = "district_admin"  # 区委组织部: sets up the streets of the district


ROLE_LABELS = {
    Role.GRID_WORKER: "网格员",
    Role.COMMUNITY_STAFF: "社区工作者",
    Role.COMMUNITY_SECRETARY: "社区党组织书记",
    Role.UNIT_SECRETARY: "单位党组织书记",
    Role.STREET_ADMIN: "街道党工委管理员",
    Role.DISTRICT_ADMIN: "区委组织部管理员",
}


class User(db.Model):
    """Whoever logs in through WeChat: a member, staff, or both."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(sa.String(64), unique=True)
    unionid: Mapped[str | None] = mapped_column(sa.String(64))
    # never leaves the server
    session_key: Mapped[str | None] = mapped_column(sa.String(128))
    display_name: Mapped[str] = mapped_column(sa.String(50), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", lazy="selectin", order_by="RoleGrant.id",
        foreign_keys="RoleGrant.user_id",
    )


class RoleGrant(db.Model):
    """One role over one place: a grid, a community, a unit, a street or a district."""

    __tablename__ = "role_grants"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(30))
    street_id: Mapped[int | None] = mapped_column(sa.ForeignKey("streets.id"))
    community_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communities.id"))
    grid_id: Mapped[int | None] = mapped_column(sa.ForeignKey("grids.id"))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employer_units.id"))
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("districts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # None: made by the command line (the first administrator) or by the demo
    granted_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user: Mapped[User] = relationship(back_populates="grants", foreign_keys=[user_id])

    __table_args__ = (
        sa.UniqueConstraint("user_id", "role", "street_id", "community_id", "grid_id", "unit_id"),
    )


class SessionKind(enum.StrEnum):
    APP = "app"  # the mini-program: a Bearer token
    CONSOLE = "console"  # the web console: an httpOnly cookie, CSRF on writes


class AuthSession(db.Model):
    """A login: the token (or the console's cookie) names it, logout or expiry ends it."""

    __tablename__ = "auth_sessions"
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(
        sa.String(10), default=SessionKind.APP.value, server_default=SessionKind.APP.value
    )
    # console sessions: idle timeout, the list of my sessions, the grant they act for
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    address: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(300))
    # no foreign key: a revoked grant simply stops narrowing the session
    acting_grant_id: Mapped[int | None] = mapped_column(sa.Integer)
