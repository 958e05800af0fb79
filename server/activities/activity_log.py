"""The member's activity log (活动登记薄) and an activity's on-site roster (现场名单): each
loaded in a constant number of statements, whatever the number of rows."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from flask_smorest.pagination import PaginationParameters

from server.activities.models import (
    Activity,
    ActivityStatus,
    Attendance,
    AttendanceStatus,
    HoursRecord,
    HoursStatus,
    SignUp,
    SignUpStatus,
)
from server.auth.scope import Principal, get_visible_member, require_member
from server.extensions import db
from server.members.models import Member
from server.pagination import paginate
from server.timeutil import utcnow


def log_activities_query(member_id: int) -> sa.Select:
    """Every activity the member signed up to, clocked in at, or has hours for; newest first."""
    ids = sa.union(
        sa.select(SignUp.activity_id).where(SignUp.member_id == member_id),
        sa.select(Attendance.activity_id).where(Attendance.member_id == member_id),
        sa.select(HoursRecord.activity_id).where(HoursRecord.member_id == member_id),
    ).subquery()
    return (
        sa.select(Activity)
        .where(Activity.id.in_(sa.select(ids.c[0])))
        .order_by(Activity.starts_at.desc(), Activity.id.desc())
    )


def attendance_state(
    signup: SignUp | None, attendance: Attendance | None, activity: Activity, now=None
) -> str:
    """signed_up / waitlisted / withdrawn / clocked_in / clocked_out / unconfirmed / absent."""
    if attendance is not None:
        if attendance.status == AttendanceStatus.CLOCKED_IN:
            return "clocked_in"
        if attendance.status == AttendanceStatus.UNCONFIRMED:
            return "unconfirmed"
        return "clocked_out"
    if signup is None:
        return "none"
    if signup.status == SignUpStatus.CONFIRMED:
        if activity.ends_at <= (now or utcnow()) and activity.status != ActivityStatus.CANCELLED:
            return "absent"
        return "signed_up"
    return signup.status


def log_entries(member_id: int, activities: list[Activity]) -> list[dict[str, Any]]:
    ids = [a.id for a in activities]
    # the member's sign-up status and clock record of each activity, in one statement (at most
    # one of each per member and activity)
    mine = {
        row.id: row
        for row in db.session.execute(
            sa.select(Activity.id, SignUp.status, Attendance)
            .select_from(Activity)
            .outerjoin(SignUp, sa.and_(SignUp.activity_id == Activity.id,
                                       SignUp.member_id == member_id))
            .outerjoin(Attendance, sa.and_(Attendance.activity_id == Activity.id,
                                           Attendance.member_id == member_id))
            .where(Activity.id.in_(ids))
        )
    }
    signups = {i: row for i, row in mine.items() if row.status is not None}
    clocks = {i: row.Attendance for i, row in mine.items() if row.Attendance is not None}
    hours_rows = db.session.scalars(
        sa.select(HoursRecord)
        .where(HoursRecord.member_id == member_id, HoursRecord.activity_id.in_(ids))
        .order_by(HoursRecord.id)
    ).all()
    now, entries = utcnow(), []
    for activity in activities:
        records = [h for h in hours_rows if h.activity_id == activity.id]
        counting = next((h for h in records if h.status == HoursStatus.APPROVED), None)
        pending = next((h for h in records if h.status == HoursStatus.PENDING), None)
        entries.append(
            {
                "activity": activity,
                "signup_status": signups[activity.id].status if activity.id in signups else None,
                "attendance": clocks.get(activity.id),
                "state": attendance_state(signups.get(activity.id), clocks.get(activity.id),
                                          activity, now),
                "hours": counting.hours if counting else None,
                "hours_record": counting,
                "pending_record": pending,
            }
        )
    return entries


# what the roster shows of each member and clock record: read as plain rows, not ORM entities
# (a roster of 500 built 1,000 entities and their identity map for three columns each)
_ROSTER_MEMBER = (Member.id, Member.name, Member.member_type)
_ROSTER_CLOCK = (Attendance.id, Attendance.activity_id, Attendance.member_id, Attendance.status,
                 Attendance.clock_in_at, Attendance.clock_in_method, Attendance.clock_out_at,
                 Attendance.clock_out_method)


def _plain(rows) -> list[SimpleNamespace]:
    """Rows as objects with attributes (what the schemas and the Excel export read)."""
    return [SimpleNamespace(**row._mapping) for row in rows]


def roster(activity: Activity) -> dict[str, Any]:
    """现场名单: everyone signed up (and walk-ins), with where they are now."""
    shown = SignUp.status != SignUpStatus.WITHDRAWN.value
    signups = db.session.execute(
        sa.select(SignUp.member_id, SignUp.status)
        .where(SignUp.activity_id == activity.id, shown)
        .order_by(SignUp.queued_at, SignUp.id)
    ).all()
    clocks = {a.member_id: a for a in _plain(db.session.execute(
        sa.select(*_ROSTER_CLOCK).where(Attendance.activity_id == activity.id)))}
    people = sa.union(
        sa.select(SignUp.member_id).where(SignUp.activity_id == activity.id, shown),
        sa.select(Attendance.member_id).where(Attendance.activity_id == activity.id),
    ).subquery()
    members = {m.id: m for m in _plain(db.session.execute(
        sa.select(*_ROSTER_MEMBER).where(Member.id.in_(sa.select(people.c[0])))))}
    hours = dict(db.session.execute(
        sa.select(HoursRecord.member_id, HoursRecord.hours).where(
            HoursRecord.activity_id == activity.id,
            HoursRecord.status == HoursStatus.APPROVED.value)
    ).all())
    by_member = {s.member_id: s for s in signups}
    now, entries = utcnow(), []
    for member_id in [s.member_id for s in signups] + sorted(set(clocks) - set(by_member)):
        entries.append(
            {
                "member": members[member_id],
                "signup_status": by_member[member_id].status if member_id in by_member else None,
                "state": attendance_state(by_member.get(member_id), clocks.get(member_id),
                                          activity, now),
                "attendance": clocks.get(member_id),
                "hours": hours.get(member_id),
            }
        )
    summary = {key: 0 for key in ("signed_up", "waitlisted", "clocked_in", "clocked_out",
                                  "unconfirmed", "absent")}
    for entry in entries:
        if entry["signup_status"] == SignUpStatus.CONFIRMED or entry["attendance"] is not None:
            summary["signed_up"] += 1
        if entry["state"] in summary and entry["state"] != "signed_up":
            summary[entry["state"]] += 1
    return {"activity_id": activity.id, "summary": summary, "entries": entries}


def log_page(member_id: int, pages: PaginationParameters) -> list[dict[str, Any]]:
    """One page of the member's activity log, newest first."""
    return log_entries(member_id, paginate(log_activities_query(member_id), pages))


def my_activity_log(principal: Principal, pages: PaginationParameters) -> list[dict[str, Any]]:
    member = require_member(principal)
    return log_page(member.id, pages)


def member_activity_log(
    principal: Principal, member_id: int, pages: PaginationParameters
) -> list[dict[str, Any]]:
    member = get_visible_member(principal, member_id)
    return log_page(member.id, pages)
