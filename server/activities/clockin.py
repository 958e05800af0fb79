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
    SignUp,
    SignUpStatus,
)
from server.auth.scope import (
    member_may_join_activity,
)
from server.database import dialect_name, insert_or_ignore
from server.errors import AppError, conflict, not_found
from server.extensions import db
from server.members.models import Member
from server.timeutil import utcnow


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
        return _fix_of(proof)
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
    return _fix_of(proof)


def _fix_of(proof: dict[str, Any]) -> dict[str, Any]:
    """What a clock record keeps of a proof. Read before `_check_proof` too (the record may be
    written with the query that reads the activity): a fix may lack a coordinate then, and
    `_check_proof` refuses it before anything is kept."""
    if proof["method"] == ClockMethod.QR:
        return {"method": ClockMethod.QR.value}
    return {
        "method": ClockMethod.LOCATION.value,
        "latitude": proof.get("latitude"),
        "longitude": proof.get("longitude"),
        "accuracy": proof.get("accuracy"),
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


@functools.cache
def _clock_in_and_insert_query() -> sa.Select:
    """PostgreSQL: `_clock_in_query` that also writes the clock record when the rules checked
    in SQL allow it (published, open for clock-in at :now, a confirmed sign-up), in the same
    statement. The SELECT sees the table as it was before the INSERT; the record comes back
    in the extra columns. The rules checked in Python (the proof) come after: when they
    refuse, the request's transaction is rolled back and the record with it."""
    table = Attendance.__table__
    values = ["activity_id", "member_id", "status", "clock_in_at", "clock_in_method",
              "clock_in_latitude", "clock_in_longitude", "clock_in_accuracy_m"]
    rows = (
        sa.select(*(sa.cast(sa.bindparam(name, type_=table.c[name].type), table.c[name].type)
                    for name in values))
        .select_from(Activity)
        .join(SignUp, SignUp.activity_id == Activity.id)
        .where(
            Activity.id == sa.bindparam("activity_id"),
            # two comparisons rather than NOT IN: an expanding list is re-rendered per execution
            Activity.status != ActivityStatus.DRAFT.value,
            Activity.status != ActivityStatus.CANCELLED.value,
            Activity.starts_at <= sa.bindparam("opens_by", type_=Activity.starts_at.type),
            Activity.ends_at > sa.bindparam("clock_in_at"),
            SignUp.member_id == sa.bindparam("member_id"),
            SignUp.status == SignUpStatus.CONFIRMED.value,
        )
    )
    new = (
        insert_or_ignore(table, index_elements=["activity_id", "member_id"])
        .from_select(values, rows)
        .returning(table.c.id, table.c.created_at)  # the rest is what was sent
        .cte("new_attendance")
    )
    return _clock_in_query().add_columns(*new.c).outerjoin(new, sa.true())


def _activity_for_clock_in(
    activity_id: int, member_id: int, new_record: dict[str, Any] | None = None
) -> tuple[Activity | None, SignUp | None, Attendance | None, Attendance | None]:
    """The activity with the member's sign-up and clock record, in one query; on PostgreSQL
    with `new_record` the record written in the same statement when SQL's checks allow."""
    parameters = {"activity_id": activity_id, "member_id": member_id}
    query = _clock_in_query()
    if new_record is not None and dialect_name() == "postgresql":
        query = _clock_in_and_insert_query()
        parameters.update(new_record)
    row = db.session.execute(query, parameters).one_or_none()
    if row is None:
        return None, None, None, None
    new = None
    if len(row) > 3 and row[3] is not None:
        columns = Attendance.__table__.c.keys()
        new = _taken_as_stored({**dict.fromkeys(columns), **{
            name: value for name, value in new_record.items() if name in columns
        }, "id": row[3], "created_at": row[4]})
    return row[0], row[1], row[2], new


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
    return None if row is None else _taken_as_stored(row._mapping)


def _taken_as_stored(columns: Any) -> Attendance:
    """The row as PostgreSQL/SQLite returned it, taken into the session as already stored."""
    attendance = Attendance(**columns)
    make_transient_to_detached(attendance)
    db.session.add(attendance)
    return attendance


def _record_values(activity_id: int, member_id: int, now: datetime, fix: dict[str, Any]) -> dict:
    return {
        "activity_id": activity_id,
        "member_id": member_id,
        "status": AttendanceStatus.CLOCKED_IN.value,
        "clock_in_at": now,
        "clock_in_method": fix["method"],
        "clock_in_latitude": fix.get("latitude"),
        "clock_in_longitude": fix.get("longitude"),
        "clock_in_accuracy_m": fix.get("accuracy"),
    }


def clock_in(member: Member, activity_id: int, proof: dict[str, Any]) -> Attendance:
    """签到. `proof`: {"method": "qr", "code"} or {"method": "location", latitude, longitude,
    accuracy} (GCJ-02, metres). Sent three times over a weak network, it makes one record."""
    now = utcnow()
    early = timedelta(minutes=current_app.config["CLOCKIN_EARLY_MINUTES"])
    record = _record_values(activity_id, member.id, now, _fix_of(proof))
    activity, signup, existing, written = _activity_for_clock_in(
        activity_id, member.id, {**record, "opens_by": now + early}
    )
    if activity is None or activity.status == ActivityStatus.DRAFT:
        raise not_found("活动")
    if existing is not None:
        return existing
    if signup is None and not member_may_join_activity(member, activity):
        raise not_found("活动")
    if activity.status == ActivityStatus.CANCELLED:
        raise conflict("activity_cancelled", "活动已取消，无需签到")
    if now < activity.starts_at - early:
        raise conflict(
            "clockin_not_open",
            f"签到将于活动开始前{int(early.total_seconds() // 60)}分钟开放，请稍后再试",
        )
    if now >= activity.ends_at:
        raise conflict("clockin_closed", "活动已结束，不能再签到；如确有参加请联系社区补录")
    _check_proof(member, activity, proof, now)
    attendance = written  # written by the query above when SQL's checks allowed it
    if attendance is None:
        _ensure_signup(member, activity, signup, now)
        attendance = _insert_attendance(record)
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
