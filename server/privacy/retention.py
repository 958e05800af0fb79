"""Retention (保存期限): location fixes and access logs removed once no longer needed."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from server.activities import geo
from server.activities.models import Activity, Attendance
from server.audit.models import AuditEntry
from server.auth.models import AuthSession
from server.extensions import db
from server.privacy.guide import access_log_keep_days
from server.privacy.models import (
    LocationVerdict,
)
from server.timeutil import utcnow

# audit actions that record who looked at or exported whose data: the access log
ACCESS_LOG_PREFIXES = ("export.", "privacy.")


def _verdict(lat, lng, activity: Activity) -> tuple[int | None, bool | None]:
    if lat is None or lng is None or activity.latitude is None or activity.longitude is None:
        return None, None
    distance = geo.distance_m(lat, lng, activity.latitude, activity.longitude)
    return round(distance), distance <= activity.radius_m


def remove_coordinates(condition: sa.ColumnElement[bool]) -> int:
    """Null the coordinates of the matching attendances, keeping each one's verdict."""
    rows = db.session.execute(
        sa.select(Attendance, Activity).join(Activity, Activity.id == Attendance.activity_id)
        .where(condition, sa.or_(Attendance.clock_in_latitude.is_not(None),
                                 Attendance.clock_out_latitude.is_not(None)))).all()
    if not rows:
        return 0
    kept = set(db.session.scalars(sa.select(LocationVerdict.attendance_id).where(
        LocationVerdict.attendance_id.in_([a.id for a, _ in rows]))))
    now = utcnow()
    for attendance, activity in rows:
        in_distance, in_inside = _verdict(attendance.clock_in_latitude,
                                          attendance.clock_in_longitude, activity)
        out_distance, out_inside = _verdict(attendance.clock_out_latitude,
                                            attendance.clock_out_longitude, activity)
        if attendance.id not in kept:
            db.session.add(LocationVerdict(
                attendance_id=attendance.id, clock_in_distance_m=in_distance,
                clock_in_inside=in_inside, clock_out_distance_m=out_distance,
                clock_out_inside=out_inside, removed_at=now))
        attendance.clock_in_latitude = attendance.clock_in_longitude = None
        attendance.clock_in_accuracy_m = None
        attendance.clock_out_latitude = attendance.clock_out_longitude = None
        attendance.clock_out_accuracy_m = None
    db.session.flush()
    return len(rows)


def purge_old_locations(now: datetime) -> dict[str, int]:
    """Coordinates go N days after the activity ended (the verdict stays)."""
    days = current_app.config["PRIVACY_LOCATION_KEEP_DAYS"]
    ended = sa.select(Activity.id).where(Activity.ends_at < now - timedelta(days=days))
    return {"attendances": remove_coordinates(Attendance.activity_id.in_(ended))}


def purge_access_logs(now: datetime) -> dict[str, int]:
    """Login records and the access log, once older than the kept period (≥ 6 months)."""
    cutoff = now - timedelta(days=access_log_keep_days())
    sessions = db.session.execute(sa.delete(AuthSession).where(
        AuthSession.created_at < cutoff, AuthSession.expires_at < now)).rowcount
    # a Core delete: the ORM guard keeps the audit log append-only for everything else
    accesses = db.session.execute(sa.delete(AuditEntry).where(
        AuditEntry.at < cutoff,
        sa.or_(*(AuditEntry.action.startswith(prefix) for prefix in ACCESS_LOG_PREFIXES)),
    )).rowcount
    return {"sessions": sessions or 0, "access_entries": accesses or 0}
