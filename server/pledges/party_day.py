"""The fixed party activity day (固定党员活动日): the monthly job that creates it, and
attendance per member and month (on the day, or at a make-up)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from server import events
from server.activities.service import create_activity
from server.auth.scope import Principal, require_community_reader, staff_grid_scope
from server.database import lock_row
from server.extensions import db
from server.members.models import Community, Member
from server.pledges.models import (
    BookingStatus,
    MakeupBooking,
    MakeupSession,
    PartyDay,
    PartyDayAttendance,
)
from server.pledges.months import ACTIVITY_CATEGORY, month_of, parse_month
from server.pledges.party_day_settings import settings_for, window_of
from server.pledges.registered import approved_members_clause, require_registered_member
from server.timeutil import local_today, to_local, utcnow

# --- the monthly party day and its job -----------------------------------------------------


def ensure_party_day(community: Community, month: str, now: datetime) -> tuple[PartyDay, bool]:
    """The community's party day of `month` with its activity; created once (unique key)."""
    lock_row(Community, community.id)
    existing = db.session.scalar(
        sa.select(PartyDay).filter_by(community_id=community.id, month=month)
    )
    if existing is not None:
        return existing, False
    settings = settings_for(community)
    day, starts, ends = window_of(settings, month)
    data = {
        "title": f"{day.month}月{settings.title}",
        "category": ACTIVITY_CATEGORY,
        "content": f"{day:%Y年%m月%d日}为本社区固定党员活动日"
        f"（前后{settings.window_days}天内均可参加）。"
        "请按时参加并签到；未能参加的党员请预约补课。",
        "address": settings.address,
        "latitude": settings.latitude,
        "longitude": settings.longitude,
        "radius_m": current_app.config["PARTY_DAY_RADIUS_M"],
        "starts_at": starts,
        "ends_at": ends,
        "organiser": community.name,
        "capacity": None,
    }
    activity = create_activity(None, community.id, data, publish=ends > now)
    party_day = PartyDay(
        community_id=community.id,
        month=month,
        day=day,
        window_days=settings.window_days,
        activity_id=activity.id,
    )
    db.session.add(party_day)
    db.session.flush()
    return party_day, True


def months_due(now: datetime) -> list[str]:
    """This month, and next month once it is within the create-ahead days."""
    today = local_today(now)
    months = [month_of(today)]
    first_next = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    if (first_next - today).days <= current_app.config["PARTY_DAY_CREATE_AHEAD_DAYS"]:
        months.append(month_of(first_next))
    return months


def create_party_days(now: datetime) -> dict[str, int]:
    """The scheduler's job: every community's party day for the months due. Looking at state
    (which months exist), never at the last run, so running it twice makes one of each."""
    created = skipped = 0
    communities = list(db.session.scalars(sa.select(Community).order_by(Community.id)))
    for community in communities:
        for month in months_due(now):
            exists = db.session.scalar(
                sa.select(PartyDay.id).filter_by(community_id=community.id, month=month)
            )
            if exists is not None:
                continue
            _day, _starts, ends = window_of(settings_for(community), month)
            if ends <= now:  # too late for this month: nothing to attend any more
                skipped += 1
                continue
            ensure_party_day(community, month, now)
            created += 1
    return {"created": created, "skipped": skipped}


def list_party_days(principal: Principal, community_id: int, year: int | None) -> list[PartyDay]:
    require_community_reader(principal, community_id)
    statement = sa.select(PartyDay).filter_by(community_id=community_id)
    if year is not None:
        statement = statement.where(PartyDay.month.like(f"{year:04d}-%"))
    return list(db.session.scalars(statement.order_by(PartyDay.month)))


# --- attendance -----------------------------------------------------------------------------


def record_attendance(
    member_id: int, community_id: int, month: str, source: str, activity_id: int | None
) -> tuple[PartyDayAttendance, bool]:
    """Once per member and month; the first time tells the points area."""
    lock_row(Member, member_id)
    existing = db.session.scalar(
        sa.select(PartyDayAttendance).filter_by(member_id=member_id, month=month)
    )
    if existing is not None:
        return existing, False
    attendance = PartyDayAttendance(
        member_id=member_id,
        community_id=community_id,
        month=month,
        source=source,
        activity_id=activity_id,
        attended_at=utcnow(),
    )
    db.session.add(attendance)
    db.session.flush()
    events.party_day_attended.send(attendance)
    return attendance, True


def on_clocked_in(attendance, **_kw) -> None:
    """A clock-in at a party day or a make-up counts the month as attended."""
    if attendance.activity.category != ACTIVITY_CATEGORY:
        return  # party days and their make-ups are all party_day activities
    activity_id = attendance.activity_id
    party_day = db.session.scalar(sa.select(PartyDay).filter_by(activity_id=activity_id))
    if party_day is not None:
        record_attendance(
            attendance.member_id, party_day.community_id, party_day.month, "party_day", activity_id
        )
        return
    session = db.session.scalar(sa.select(MakeupSession).filter_by(activity_id=activity_id))
    if session is not None:
        record_attendance(
            attendance.member_id, session.community_id, session.month, "makeup", activity_id
        )
        return
    # a party-day activity staff published by hand: it counts for the month it is held in
    activity = attendance.activity
    record_attendance(
        attendance.member_id,
        activity.community_id,
        month_of(to_local(activity.starts_at).date()),
        "party_day",
        activity_id,
    )


def members_missing_party_day(community_id: int, month: str) -> list[Member]:
    """Members of the community (approved registration) who neither attended the month's party
    day (or a make-up) nor hold a make-up booking: for staff, and the notices area's reminders."""
    attended = sa.select(PartyDayAttendance.member_id).where(PartyDayAttendance.month == month)
    booked = sa.select(MakeupBooking.member_id).where(
        MakeupBooking.month == month, MakeupBooking.status == BookingStatus.BOOKED
    )
    return list(
        db.session.scalars(
            sa.select(Member)
            .where(
                approved_members_clause(community_id),
                Member.community_id == community_id,
                Member.id.not_in(attended),
                Member.id.not_in(booked),
            )
            .order_by(Member.id)
        )
    )


def attendance_report(principal: Principal, community_id: int, month: str) -> dict[str, Any]:
    grids = staff_grid_scope(principal, community_id)
    parse_month(month)

    def in_scope(member: Member) -> bool:
        return grids is None or (member.building is not None and member.building.grid_id in grids)

    def row(member: Member, **extra) -> dict[str, Any]:
        return {
            "member_id": member.id,
            "name": member.name,
            "member_type": member.member_type,
            "building_name": member.building.name if member.building else None,
            **extra,
        }

    attended = db.session.execute(
        sa.select(PartyDayAttendance, Member)
        .join(Member, Member.id == PartyDayAttendance.member_id)
        .where(PartyDayAttendance.community_id == community_id, PartyDayAttendance.month == month)
        .order_by(Member.id)
    ).all()
    attended_ids = {a.member_id for a, _m in attended}
    booked = db.session.execute(
        sa.select(MakeupBooking, Member)
        .join(Member, Member.id == MakeupBooking.member_id)
        .where(
            MakeupBooking.community_id == community_id,
            MakeupBooking.month == month,
            MakeupBooking.status == BookingStatus.BOOKED,
        )
        .order_by(Member.id)
    ).all()
    party_day = db.session.scalar(
        sa.select(PartyDay).filter_by(community_id=community_id, month=month)
    )
    return {
        "community_id": community_id,
        "month": month,
        "party_day": party_day.day.isoformat() if party_day else None,
        "activity_id": party_day.activity_id if party_day else None,
        "attended": [
            row(m, source=a.source, attended_at=a.attended_at.isoformat())
            for a, m in attended
            if in_scope(m)
        ],
        "booked_makeup": [
            row(m, session_id=b.session_id)
            for b, m in booked
            if in_scope(m) and m.id not in attended_ids
        ],
        "missing": [row(m) for m in members_missing_party_day(community_id, month) if in_scope(m)],
    }


def my_status(principal: Principal, month: str) -> dict[str, Any]:
    member = require_registered_member(principal)
    parse_month(month)
    attendance = db.session.scalar(
        sa.select(PartyDayAttendance).filter_by(member_id=member.id, month=month)
    )
    booking = db.session.scalar(
        sa.select(MakeupBooking).filter_by(
            member_id=member.id, month=month, status=BookingStatus.BOOKED
        )
    )
    party_day = db.session.scalar(
        sa.select(PartyDay).filter_by(community_id=member.community_id, month=month)
    )
    status = "attended" if attendance else "booked" if booking else "missing"
    return {
        "month": month,
        "status": status,
        "source": attendance.source if attendance else None,
        "party_day": party_day.day.isoformat() if party_day else None,
        "activity_id": party_day.activity_id if party_day else None,
        "makeup_session_id": booking.session_id if booking else None,
    }
