"""After an activity: clock-ins never clocked out (未签退) closed by the community's rule,
absences (无故缺席) marked, and the daily list staff confirm. The scheduler's part is
state-based, so a second run changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_smorest.pagination import PaginationParameters
from sqlalchemy.orm import selectinload

from server import events
from server.activities import records
from server.activities.hours_rules import rule_for
from server.activities.models import (
    Activity,
    ActivityStatus,
    Attendance,
    AttendanceStatus,
    ClockMethod,
    MissingClockoutRule,
    SignUp,
    SignUpStatus,
)
from server.audit import service as audit
from server.audit.models import AuditEntry
from server.auth.scope import (
    ON_SITE_STAFF,
    Principal,
    require_community,
    require_community_row,
)
from server.database import lock_row
from server.errors import AppError, conflict
from server.extensions import db
from server.pagination import paginate
from server.timeutil import local_day_bounds, local_today


def close_open_records(now: datetime) -> dict[str, int]:
    """Open clock records of activities past their clock-out window are closed by the
    community's rule: credited until the scheduled end, or marked 未签退 for staff."""
    late = timedelta(minutes=current_app.config["CLOCKIN_LATE_CLOCKOUT_MINUTES"])
    result = {"credited": 0, "unconfirmed": 0, "absent": 0}
    open_rows = db.session.scalars(
        sa.select(Attendance)
        .join(Activity, Activity.id == Attendance.activity_id)
        .where(
            Attendance.status == AttendanceStatus.CLOCKED_IN.value,
            Activity.ends_at <= now - late,
        )
        .order_by(Attendance.id)
        .with_for_update(of=Attendance, skip_locked=True)
    ).all()
    for attendance in open_rows:
        activity = attendance.activity
        rule = rule_for(activity.community_id)
        if rule.missing_clockout == MissingClockoutRule.CREDIT_UNTIL_END:
            attendance.status = AttendanceStatus.AUTO_CLOSED.value
            attendance.clock_out_at = activity.ends_at
            attendance.clock_out_method = ClockMethod.JOB.value
            db.session.flush()
            records.record_clocked_hours(attendance, activity)
            result["credited"] += 1
        else:
            attendance.status = AttendanceStatus.UNCONFIRMED.value
            result["unconfirmed"] += 1
    result["absent"] = mark_absences(now)
    db.session.flush()
    return result


def mark_absences(now: datetime) -> int:
    """Confirmed sign-ups of ended activities with no clock-in: 缺席, announced once."""
    absent = db.session.scalars(
        sa.select(SignUp)
        .join(Activity, Activity.id == SignUp.activity_id)
        .where(
            SignUp.status == SignUpStatus.CONFIRMED.value,
            SignUp.absent_at.is_(None),
            Activity.ends_at <= now,
            Activity.status != ActivityStatus.CANCELLED.value,
            Activity.status != ActivityStatus.DRAFT.value,
            ~sa.exists().where(
                Attendance.activity_id == SignUp.activity_id,
                Attendance.member_id == SignUp.member_id,
            ),
        )
        .order_by(SignUp.id)
        .with_for_update(of=SignUp, skip_locked=True)
    ).all()
    for signup in absent:
        signup.absent_at = now
        db.session.flush()
        events.signup_absent.send(signup)
    return len(absent)


def confirm_unconfirmed(
    principal: Principal, attendance_id: int, clock_out_at: datetime | None, reason: str
) -> Attendance:
    """Staff confirm a 未签退 record: when the member left (default: the scheduled end)."""
    attendance = require_community_row(principal, Attendance, attendance_id, "签到记录")
    actor_user_id = principal.user_id
    attendance = lock_row(Attendance, attendance.id)
    if attendance.status == AttendanceStatus.CONFIRMED:
        return attendance
    if attendance.status != AttendanceStatus.UNCONFIRMED:
        raise conflict("attendance_not_unconfirmed", "该记录不是未签退记录，无需确认")
    activity = attendance.activity
    out = clock_out_at or activity.ends_at
    if out < attendance.clock_in_at:
        raise AppError(
            422, "clock_out_before_clock_in", "签退时间不能早于签到时间",
            {"fields": {"clock_out_at": "不能早于签到时间"}},
        )
    before = {"status": attendance.status, "clock_out_at": None}
    attendance.status = AttendanceStatus.CONFIRMED.value
    attendance.clock_out_at = out
    attendance.clock_out_method = ClockMethod.STAFF.value
    attendance.closed_by_user_id = actor_user_id
    db.session.flush()
    audit.record(
        actor_user_id,
        "attendance.confirm",
        "attendance",
        attendance.id,
        community_id=activity.community_id,
        before=before,
        after={"status": attendance.status, "clock_out_at": out.isoformat()},
        reason=reason,
    )
    records.record_clocked_hours(attendance, activity)
    return attendance


def unconfirmed_attendances(
    principal: Principal, community_id: int, pages: PaginationParameters
) -> list[Attendance]:
    """The daily list: 未签退 records of the community that staff still have to confirm."""
    require_community(principal, community_id, ON_SITE_STAFF)
    statement = unconfirmed_query({community_id}).options(
        selectinload(Attendance.activity), selectinload(Attendance.member)
    )
    return paginate(statement, pages)


def unconfirmed_query(community_ids: set[int]) -> sa.Select:
    """未签退 records of these communities that staff still have to confirm, latest first."""
    return (
        sa.select(Attendance)
        .join(Activity, Activity.id == Attendance.activity_id)
        .where(
            Attendance.status == AttendanceStatus.UNCONFIRMED.value,
            Activity.community_id.in_(community_ids),
        )
        .order_by(Activity.ends_at.desc(), Attendance.id)
    )


def daily_unconfirmed_digest(now: datetime) -> dict[int, int]:
    """Counts per community of records waiting for staff, kept in the audit log so that the
    morning list is on record; staff read the live list through the API."""
    rows = db.session.execute(
        sa.select(Activity.community_id, sa.func.count())
        .join(Attendance, Attendance.activity_id == Activity.id)
        .where(Attendance.status == AttendanceStatus.UNCONFIRMED.value)
        .group_by(Activity.community_id)
    ).all()
    digest = {community_id: count for community_id, count in rows}
    start, end = local_day_bounds(local_today(now))
    already = set(
        db.session.scalars(
            sa.select(AuditEntry.community_id).where(
                AuditEntry.action == "attendance.unconfirmed_digest",
                AuditEntry.at >= start,
                AuditEntry.at < end,
            )
        )
    )
    for community_id, count in digest.items():
        if community_id in already:
            continue  # one digest per community and day, however often the job runs
        audit.record(
            None,
            "attendance.unconfirmed_digest",
            "community",
            community_id,
            community_id=community_id,
            after={"unconfirmed": count, "at": now.isoformat()},
        )
    return digest
