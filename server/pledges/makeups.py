"""Make-up sessions (预约补课) for members who missed the party day: booking is exact under
concurrency, one booking per member and month."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from server.activities import signup
from server.activities.service import create_activity
from server.audit import service as audit
from server.auth.scope import (
    COMMUNITY_MANAGERS,
    Principal,
    require_community,
    require_community_reader,
)
from server.database import lock_row
from server.errors import conflict, not_found
from server.extensions import db
from server.members.models import Member
from server.pledges.models import BookingStatus, MakeupBooking, MakeupSession, PartyDayAttendance
from server.pledges.months import ACTIVITY_CATEGORY, parse_month
from server.pledges.registered import require_registered_member
from server.timeutil import utcnow


def create_makeup_session(
    principal: Principal, community_id: int, data: dict[str, Any]
) -> MakeupSession:
    community = require_community(principal, community_id)
    parse_month(data["month"])
    activity = create_activity(
        principal,
        community_id,
        {
            "title": data.get("title") or f"{data['month']} 党员活动日补课",
            "category": ACTIVITY_CATEGORY,
            "content": data.get("content")
            or "预约补课：未能参加当月固定党员活动日的党员请预约参加。",
            "address": data.get("address") or community.address,
            "latitude": data.get("latitude"),
            "longitude": data.get("longitude"),
            "radius_m": data.get("radius_m") or current_app.config["PARTY_DAY_RADIUS_M"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "organiser": community.name,
            "capacity": data["capacity"],
        },
        publish=True,
    )
    session = MakeupSession(
        community_id=community_id,
        month=data["month"],
        title=activity.title,
        address=activity.address,
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        capacity=data["capacity"],
        booked_count=0,
        activity_id=activity.id,
        created_by_user_id=principal.user_id,
    )
    db.session.add(session)
    db.session.flush()
    audit.record(
        principal.user_id,
        "makeup_session.create",
        "makeup_session",
        session.id,
        community_id=community_id,
        after={"month": session.month, "capacity": session.capacity, "activity_id": activity.id},
    )
    return session


def list_makeup_sessions(principal: Principal, community_id: int, month: str | None) -> list:
    require_community_reader(principal, community_id)
    statement = sa.select(MakeupSession).filter_by(community_id=community_id)
    if month is not None:
        statement = statement.filter_by(month=month)
    return list(db.session.scalars(statement.order_by(MakeupSession.starts_at, MakeupSession.id)))


def _session_for_member(member: Member, session_id: int) -> MakeupSession:
    session = lock_row(MakeupSession, session_id)
    if session is None or session.community_id != member.community_id:
        raise not_found("补课场次")
    return session


def book_makeup(principal: Principal, session_id: int) -> tuple[MakeupBooking, bool]:
    """Book a place; exact under concurrency (the session row is locked, and the count only
    moves by a guarded UPDATE). One booking per member and month; a repeat returns it."""
    member = require_registered_member(principal)
    session = _session_for_member(member, session_id)
    booking = db.session.scalar(
        sa.select(MakeupBooking).filter_by(member_id=member.id, month=session.month)
    )
    if booking is not None and booking.status == BookingStatus.BOOKED:
        if booking.session_id == session.id:
            return booking, False
        raise conflict(
            "makeup_already_booked",
            "您本月已预约其他补课场次，如需更换请先取消",
            {"session_id": booking.session_id},
        )
    if (
        db.session.scalar(
            sa.select(PartyDayAttendance.id).filter_by(member_id=member.id, month=session.month)
        )
        is not None
    ):
        raise conflict("party_day_attended", "您本月已参加党员活动日，无需补课")
    if session.ends_at <= utcnow():
        raise conflict("makeup_closed", "该补课场次已结束，请预约其他场次")
    taken = db.session.execute(
        sa.update(MakeupSession)
        .where(MakeupSession.id == session.id, MakeupSession.booked_count < MakeupSession.capacity)
        .values(booked_count=MakeupSession.booked_count + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        raise conflict("makeup_full", "该补课场次已约满，请选择其他场次")
    if booking is None:
        booking = MakeupBooking(member_id=member.id, month=session.month)
        db.session.add(booking)
    booking.session_id = session.id
    booking.community_id = session.community_id
    booking.status = BookingStatus.BOOKED
    booking.booked_at = utcnow()
    booking.cancelled_at = None
    db.session.flush()
    signup.sign_up(member, session.activity_id)  # on the activity's roster, for clock-in
    return booking, True


def cancel_makeup(principal: Principal, session_id: int) -> MakeupBooking:
    member = require_registered_member(principal)
    session = _session_for_member(member, session_id)
    booking = db.session.scalar(
        sa.select(MakeupBooking).filter_by(
            member_id=member.id, month=session.month, session_id=session.id
        )
    )
    if booking is None:
        raise not_found("预约")
    if booking.status == BookingStatus.CANCELLED:
        return booking
    if session.starts_at <= utcnow():
        raise conflict("makeup_started", "补课已开始，不能取消预约")
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = utcnow()
    db.session.execute(
        sa.update(MakeupSession)
        .where(MakeupSession.id == session.id)
        .values(booked_count=MakeupSession.booked_count - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    signup.withdraw(member, session.activity_id)
    return booking


def session_bookings(principal: Principal, session_id: int) -> list[MakeupBooking]:
    session = db.session.get(MakeupSession, session_id)
    if session is None or session.community_id not in principal.community_ids(COMMUNITY_MANAGERS):
        raise not_found("补课场次")
    return list(
        db.session.scalars(
            sa.select(MakeupBooking)
            .filter_by(session_id=session_id, status=BookingStatus.BOOKED)
            .order_by(MakeupBooking.id)
            .options(selectinload(MakeupBooking.member))
        )
    )
