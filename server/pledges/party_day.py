"""The fixed party activity day (固定党员活动日), its make-up sessions (预约补课), attendance
per member and month, and the street's party member dedication day (党员奉献日)."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from server import events
from server.audit.service import record as audit
from server.auth.scope import (
    COMMUNITY_MANAGERS,
    Principal,
    require_community,
    require_community_reader,
    staff_grid_scope,
)
from server.database import lock_row
from server.errors import conflict, invalid, not_found
from server.extensions import db
from server.members.models import Community, Member
from server.pledges.models import (
    BookingStatus,
    DedicationDay,
    MakeupBooking,
    MakeupSession,
    PartyDay,
    PartyDayAttendance,
    PartyDaySetting,
)
from server.pledges.service import approved_members_clause, require_registered_member
from server.timeutil import LOCAL_TZ, local_today, to_local, utcnow

ACTIVITY_CATEGORY = "party_day"
DEDICATION_CATEGORY = "dedication_day"


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_month(month: str) -> tuple[int, int]:
    try:
        year, mon = (int(part) for part in month.split("-"))
        date(year, mon, 1)
    except ValueError:
        raise invalid(
            "month_invalid", "月份格式应为 YYYY-MM", {"fields": {"month": "格式有误"}}
        ) from None
    return year, mon


def next_month(month: str) -> str:
    year, mon = parse_month(month)
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


# --- settings ---------------------------------------------------------------------------


@dataclass
class Settings:
    community_id: int
    day_of_month: int
    window_days: int
    start_time: str
    end_time: str
    title: str
    address: str
    latitude: float | None
    longitude: float | None
    is_default: bool


def settings_for(community: Community) -> Settings:
    row = db.session.scalar(sa.select(PartyDaySetting).filter_by(community_id=community.id))
    if row is not None:
        return Settings(
            community.id,
            row.day_of_month,
            row.window_days,
            row.start_time,
            row.end_time,
            row.title,
            row.address,
            row.latitude,
            row.longitude,
            False,
        )
    config = current_app.config
    return Settings(
        community.id,
        config["PARTY_DAY_DEFAULT_DAY"],
        config["PARTY_DAY_DEFAULT_WINDOW_DAYS"],
        config["PARTY_DAY_START_TIME"],
        config["PARTY_DAY_END_TIME"],
        "固定党员活动日",
        community.address,
        None,
        None,
        True,
    )


def get_settings(principal: Principal, community_id: int) -> Settings:
    return settings_for(require_community_reader(principal, community_id))


def _parse_hhmm(value: str, field: str) -> time:
    try:
        hour, minute = (int(part) for part in value.split(":"))
        return time(hour, minute)
    except ValueError:
        raise invalid(
            "time_invalid", "时间格式应为 HH:MM", {"fields": {field: "格式有误"}}
        ) from None


def update_settings(principal: Principal, community_id: int, data: dict[str, Any]) -> Settings:
    """Staff set the day (1–28), window (±1..max days), hours and place. Months whose
    party-day activity is already created keep it; later months follow the new settings."""
    community = require_community(principal, community_id)
    current = settings_for(community)
    merged = {**current.__dict__, **data}
    max_window = current_app.config["PARTY_DAY_MAX_WINDOW_DAYS"]
    if not 1 <= merged["window_days"] <= max_window:
        raise invalid(
            "window_invalid",
            f"活动日前后浮动天数应为1到{max_window}天",
            {"fields": {"window_days": f"应为1到{max_window}"}},
        )
    if _parse_hhmm(merged["end_time"], "end_time") <= _parse_hhmm(
        merged["start_time"], "start_time"
    ):
        raise invalid(
            "time_invalid", "结束时间应晚于开始时间", {"fields": {"end_time": "应晚于开始时间"}}
        )
    if (merged["latitude"] is None) != (merged["longitude"] is None):
        raise invalid(
            "point_incomplete", "经纬度需同时填写", {"fields": {"latitude": "经纬度需同时填写"}}
        )
    row = db.session.scalar(sa.select(PartyDaySetting).filter_by(community_id=community_id))
    before = None if row is None else {k: getattr(row, k) for k in data}
    if row is None:
        row = PartyDaySetting(community_id=community_id)
        db.session.add(row)
    for name in (
        "day_of_month",
        "window_days",
        "start_time",
        "end_time",
        "title",
        "address",
        "latitude",
        "longitude",
    ):
        setattr(row, name, merged[name])
    row.updated_by_user_id = principal.user_id
    row.updated_at = utcnow()
    db.session.flush()
    audit(
        principal.user_id,
        "party_day_settings.update",
        "community",
        community_id,
        community_id=community_id,
        before=before,
        after=dict(data),
    )
    return settings_for(community)


def window_of(settings: Settings, month: str) -> tuple[date, datetime, datetime]:
    """The month's party day and the activity's opening and closing instants."""
    year, mon = parse_month(month)
    day = date(year, mon, min(settings.day_of_month, monthrange(year, mon)[1]))
    first, last = (
        day - timedelta(days=settings.window_days),
        day + timedelta(days=settings.window_days),
    )
    starts = datetime.combine(first, _parse_hhmm(settings.start_time, "start_time"), LOCAL_TZ)
    ends = datetime.combine(last, _parse_hhmm(settings.end_time, "end_time"), LOCAL_TZ)
    return day, starts, ends


# --- the monthly party day and its job -----------------------------------------------------


def ensure_party_day(community: Community, month: str, now: datetime) -> tuple[PartyDay, bool]:
    """The community's party day of `month` with its activity; created once (unique key)."""
    from server.activities.service import create_activity

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


events.clocked_in.connect(on_clocked_in)


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


# --- make-up sessions (预约补课) -------------------------------------------------------------


def create_makeup_session(
    principal: Principal, community_id: int, data: dict[str, Any]
) -> MakeupSession:
    from server.activities.service import create_activity

    community = require_community(principal, community_id)
    parse_month(data["month"])
    activity = create_activity(
        principal.user_id,
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
    audit(
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
    from server.activities import service as activities

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
    activities.sign_up(member, session.activity_id)  # on the activity's roster, for clock-in
    return booking, True


def cancel_makeup(principal: Principal, session_id: int) -> MakeupBooking:
    from server.activities import service as activities

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
    activities.withdraw(member, session.activity_id)
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
        )
    )


# --- dedication day (党员奉献日) --------------------------------------------------------------


def declare_dedication_day(
    principal: Principal, street_id: int, data: dict[str, Any]
) -> tuple[DedicationDay, bool]:
    """The street declares a dedication day: one street-wide activity, hosted by one of its
    communities, that every member of the street may sign up for. Same day again returns it."""
    from server.activities.service import create_activity

    if street_id not in principal.street_ids():
        raise not_found("街道")
    host = db.session.get(Community, data["community_id"])
    if host is None or host.street_id != street_id:
        raise invalid(
            "community_not_in_street",
            "承办社区应属于本街道",
            {"fields": {"community_id": "不属于本街道"}},
        )
    day = to_local(data["starts_at"]).date()
    from server.members.models import Street

    lock_row(Street, street_id)
    existing = db.session.scalar(sa.select(DedicationDay).filter_by(street_id=street_id, day=day))
    if existing is not None:
        return existing, False
    per_year = current_app.config["PARTY_DAY_DEDICATION_DAYS_PER_YEAR"]
    this_year = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(DedicationDay)
        .where(
            DedicationDay.street_id == street_id,
            DedicationDay.day >= date(day.year, 1, 1),
            DedicationDay.day <= date(day.year, 12, 31),
        )
    )
    if this_year >= per_year:
        raise conflict(
            "dedication_days_used", f"党员奉献日每年最多设立{per_year}次，{day.year}年已设满"
        )
    values = {k: v for k, v in data.items() if k != "community_id"}
    values.update(category=DEDICATION_CATEGORY, audience_street_id=street_id)
    values.setdefault("organiser", host.street.name if host.street else "")
    activity = create_activity(principal.user_id, host.id, values, publish=True)
    dedication = DedicationDay(
        street_id=street_id,
        day=day,
        title=activity.title,
        activity_id=activity.id,
        declared_by_user_id=principal.user_id,
    )
    db.session.add(dedication)
    db.session.flush()
    audit(
        principal.user_id,
        "dedication_day.declare",
        "dedication_day",
        dedication.id,
        community_id=host.id,
        after={"street_id": street_id, "day": day.isoformat(), "activity_id": activity.id},
    )
    return dedication, True


def list_dedication_days(principal: Principal, street_id: int) -> list[DedicationDay]:
    member_street = None
    if principal.member is not None and principal.member.community_id is not None:
        member_street = db.session.scalar(
            sa.select(Community.street_id).where(Community.id == principal.member.community_id)
        )
    if street_id not in principal.street_ids() and member_street != street_id:
        raise not_found("街道")
    return list(
        db.session.scalars(
            sa.select(DedicationDay).filter_by(street_id=street_id).order_by(DedicationDay.day)
        )
    )
