"""On-site clock-in and clock-out (签到/签退) by rotating code or location; the missing
clock-out rule; absences. Every write is naturally idempotent: one record per member and
activity, a repeat returns it."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from server import events
from server.activities import geo, qrcode, records
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
from server.activities.rules import rule_for
from server.audit.models import AuditEntry
from server.audit.service import record as audit
from server.auth.scope import member_may_join_activity
from server.database import dialect_name, insert_or_ignore, lock_row
from server.errors import AppError, conflict, not_found
from server.extensions import db
from server.members.models import Member
from server.timeutil import local_day_bounds, local_today, utcnow


def current_code(activity: Activity, now: datetime | None = None) -> dict[str, Any]:
    """What the leader's phone shows in on-site mode (现场签到码)."""
    now = now or utcnow()
    seconds = current_app.config["CLOCKIN_QR_WINDOW_SECONDS"]
    window = qrcode.window_of(now, seconds)
    return {
        "activity_id": activity.id,
        "code": qrcode.make_code(activity.code_secret, activity.id, window),
        "window_seconds": seconds,
        "expires_in": qrcode.seconds_left(now, seconds),
    }


def _check_proof(member: Member, activity: Activity, proof: dict[str, Any], now: datetime) -> dict:
    """Presence by the rotating code, or by a location fix inside the geofence."""
    config = current_app.config
    if proof["method"] == ClockMethod.QR:
        if not proof.get("code"):
            raise AppError(422, "qr_code_invalid", "请扫描现场负责人手机上的签到码")
        qrcode.verify(
            proof["code"],
            activity.id,
            activity.code_secret,
            now,
            config["CLOCKIN_QR_WINDOW_SECONDS"],
        )
        return {"method": ClockMethod.QR.value}
    if not member.location_consent:
        raise AppError(
            403,
            "location_consent_required",
            "您尚未同意使用位置信息，请扫描现场二维码签到，或在“我的”中开启位置授权",
        )
    if activity.latitude is None or activity.longitude is None:
        raise AppError(
            422, "location_not_available", "本活动未设置定位范围，请扫描现场二维码签到"
        )
    if proof.get("latitude") is None or proof.get("longitude") is None or proof.get(
        "accuracy"
    ) is None:
        raise AppError(422, "location_missing", "未获取到您的位置，请开启定位后重试或扫码签到")
    distance = geo.distance_m(
        proof["latitude"], proof["longitude"], activity.latitude, activity.longitude
    )
    verdict = geo.judge(
        distance, proof["accuracy"], activity.radius_m, config["CLOCKIN_MAX_ACCURACY_METERS"]
    )
    details = {"distance_m": round(distance), "accuracy_m": round(proof["accuracy"]),
               "radius_m": activity.radius_m}
    if verdict == geo.Fix.UNDECIDABLE:
        raise AppError(
            422,
            "location_accuracy_too_poor",
            f"当前定位精度约{round(proof['accuracy'])}米，无法判断您是否在活动现场。"
            "请到开阔处稍等片刻再试，或扫描现场二维码签到",
            details,
        )
    if verdict == geo.Fix.OUTSIDE:
        raise AppError(
            422,
            "outside_geofence",
            f"您距活动地点约{round(distance)}米，不在签到范围（{activity.radius_m}米）内",
            details,
        )
    return {
        "method": ClockMethod.LOCATION.value,
        "latitude": proof["latitude"],
        "longitude": proof["longitude"],
        "accuracy": proof["accuracy"],
    }


def _attendance(activity_id: int, member_id: int) -> Attendance | None:
    return db.session.scalar(
        sa.select(Attendance).filter_by(activity_id=activity_id, member_id=member_id)
    )


@functools.cache
def _clock_in_query() -> sa.Select:
    # built once: composing a statement costs more than running this one on PostgreSQL
    member_id = sa.bindparam("member_id")
    return (
        sa.select(Activity, SignUp, Attendance)
        .outerjoin(
            SignUp, sa.and_(SignUp.activity_id == Activity.id, SignUp.member_id == member_id)
        )
        .outerjoin(
            Attendance,
            sa.and_(Attendance.activity_id == Activity.id, Attendance.member_id == member_id),
        )
        .where(Activity.id == sa.bindparam("activity_id"))
    )


def _activity_for_clock_in(
    activity_id: int, member_id: int
) -> tuple[Activity | None, SignUp | None, Attendance | None]:
    """The activity with the member's sign-up and clock record, in one query."""
    row = db.session.execute(
        _clock_in_query(), {"activity_id": activity_id, "member_id": member_id}
    ).one_or_none()
    return (None, None, None) if row is None else (row[0], row[1], row[2])


def _ensure_signup(
    member: Member, activity: Activity, signup: SignUp | None, now: datetime
) -> None:
    """A confirmed sign-up is needed; with no capacity limit a walk-in is signed up on the spot."""
    if signup is not None and signup.status == SignUpStatus.CONFIRMED:
        return
    if activity.capacity is not None:
        if signup is not None and signup.status == SignUpStatus.WAITLISTED:
            raise conflict(
                "signup_waitlisted", "您仍在候补名单中，暂不能签到；如有空位请联系现场负责人"
            )
        raise conflict("not_signed_up", "您未报名本活动，请联系现场负责人")
    if signup is None:
        signup = SignUp(activity_id=activity.id, member_id=member.id, queued_at=now)
        db.session.add(signup)
    signup.status = SignUpStatus.CONFIRMED.value
    signup.withdrawn_at = None
    signup.activity = activity
    db.session.flush()
    events.signup_confirmed.send(signup)


@functools.cache
def _insert_attendance_statement(dialect: str):
    """Built once per kind of database (`dialect`, the cache key, is the engine's)."""
    table = Attendance.__table__
    return insert_or_ignore(
        table, index_elements=["activity_id", "member_id"]
    ).returning(*table.c)


def _insert_attendance(values: dict[str, Any]) -> Attendance | None:
    """The new clock record; None when a concurrent duplicate of the same clock-in has already
    made it (the unique member-and-activity pair turns the second INSERT into nothing)."""
    statement = _insert_attendance_statement(dialect_name())
    row = db.session.execute(statement, values).one_or_none()
    if row is None:
        return None
    # the row as PostgreSQL/SQLite returned it, taken into the session as already stored
    attendance = Attendance(**row._mapping)
    make_transient_to_detached(attendance)
    db.session.add(attendance)
    return attendance


def clock_in(member: Member, activity_id: int, proof: dict[str, Any]) -> Attendance:
    """签到. `proof`: {"method": "qr", "code"} or {"method": "location", latitude, longitude,
    accuracy} (GCJ-02, metres). Sent three times over a weak network, it makes one record."""
    activity, signup, existing = _activity_for_clock_in(activity_id, member.id)
    if activity is None or activity.status == ActivityStatus.DRAFT:
        raise not_found("活动")
    if existing is not None:
        return existing
    if signup is None and not member_may_join_activity(member, activity):
        raise not_found("活动")
    if activity.status == ActivityStatus.CANCELLED:
        raise conflict("activity_cancelled", "活动已取消，无需签到")
    now = utcnow()
    early = timedelta(minutes=current_app.config["CLOCKIN_EARLY_MINUTES"])
    if now < activity.starts_at - early:
        raise conflict(
            "clockin_not_open",
            f"签到将于活动开始前{int(early.total_seconds() // 60)}分钟开放，请稍后再试",
        )
    if now >= activity.ends_at:
        raise conflict("clockin_closed", "活动已结束，不能再签到；如确有参加请联系社区补录")
    fix = _check_proof(member, activity, proof, now)
    _ensure_signup(member, activity, signup, now)
    attendance = _insert_attendance(
        {
            "activity_id": activity.id,
            "member_id": member.id,
            "status": AttendanceStatus.CLOCKED_IN.value,
            "clock_in_at": now,
            "clock_in_method": fix["method"],
            "clock_in_latitude": fix.get("latitude"),
            "clock_in_longitude": fix.get("longitude"),
            "clock_in_accuracy_m": fix.get("accuracy"),
        }
    )
    if attendance is None:
        # a concurrent duplicate of the same clock-in won: answer with its record
        existing = _attendance(activity.id, member.id)
        if existing is None:
            raise conflict("conflict", "操作冲突，请刷新后重试")
        return existing
    set_committed_value(attendance, "activity", activity)
    events.clocked_in.send(attendance)
    return attendance


def clock_out(member: Member, activity_id: int, proof: dict[str, Any]) -> Attendance:
    """签退: the same proofs as 签到; the hours are recorded at once. A repeat is harmless."""
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        raise not_found("活动")
    attendance = db.session.scalar(
        sa.select(Attendance)
        .filter_by(activity_id=activity.id, member_id=member.id)
        .with_for_update()
    )
    if attendance is None:
        if db.session.scalar(
            sa.select(SignUp.id).filter_by(activity_id=activity.id, member_id=member.id)
        ) is None and not member_may_join_activity(member, activity):
            raise not_found("活动")
        raise conflict("not_clocked_in", "您还没有签到，请先签到")
    if attendance.status != AttendanceStatus.CLOCKED_IN:
        return attendance
    now = utcnow()
    late = timedelta(minutes=current_app.config["CLOCKIN_LATE_CLOCKOUT_MINUTES"])
    if now > activity.ends_at + late:
        raise conflict(
            "clockout_closed", "签退时间已过，系统将按社区规则处理，如有疑问请联系现场负责人"
        )
    fix = _check_proof(member, activity, proof, now)
    attendance.status = AttendanceStatus.CLOCKED_OUT.value
    attendance.clock_out_at = now
    attendance.clock_out_method = fix["method"]
    attendance.clock_out_latitude = fix.get("latitude")
    attendance.clock_out_longitude = fix.get("longitude")
    attendance.clock_out_accuracy_m = fix.get("accuracy")
    db.session.flush()
    records.record_clocked_hours(attendance, activity)
    return attendance


# --- after the activity: missing clock-outs and absences (scheduler; state-based) -----------


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
    actor_user_id: int, attendance: Attendance, clock_out_at: datetime | None, reason: str
) -> Attendance:
    """Staff confirm a 未签退 record: when the member left (default: the scheduled end)."""
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
    audit(
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


def unconfirmed_query(community_ids: set[int]) -> sa.Select:
    """The list of 未签退 records staff still have to confirm (the daily list)."""
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
        audit(
            None,
            "attendance.unconfirmed_digest",
            "community",
            community_id,
            community_id=community_id,
            after={"unconfirmed": count, "at": now.isoformat()},
        )
    return digest
