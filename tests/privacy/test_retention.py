"""保存期限: raw location fixes go N days after the activity (the verdict stays); login records
and the access log go after at least six months; everything else stays."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from server.activities.models import Attendance
from server.audit.models import AuditEntry
from server.audit.service import record as audit
from server.auth.models import AuthSession
from server.extensions import db
from server.privacy.models import LocationVerdict
from server.privacy.retention import purge_access_logs, purge_old_locations
from server.scheduler import JobRun
from server.timeutil import utcnow


def _fixes(attendance_id: int):
    attendance = db.session.get(Attendance, attendance_id)
    return (attendance.clock_in_latitude, attendance.clock_in_longitude,
            attendance.clock_out_latitude, attendance.clock_out_accuracy_m)


def test_coordinates_go_after_the_kept_period_and_the_verdict_stays(person):
    old, recent = person.activities  # activity ends: 2026-03-15 and 2026-04-20 (12:00 local)
    attendances = {a.activity_id: a.id for a in db.session.scalars(sa.select(Attendance))}
    now = recent.ends_at + timedelta(days=20)  # old ended 56 days before, recent 20

    assert purge_old_locations(now) == {"attendances": 1}
    db.session.commit()
    assert _fixes(attendances[old.id]) == (None, None, None, None)
    assert None not in _fixes(attendances[recent.id])
    verdict = db.session.scalar(sa.select(LocationVerdict))
    assert verdict.attendance_id == attendances[old.id]
    assert 50 <= verdict.clock_in_distance_m <= 60 and verdict.clock_in_inside is True
    assert 900 <= verdict.clock_out_distance_m <= 1000 and verdict.clock_out_inside is False
    attendance = db.session.get(Attendance, attendances[old.id])
    assert attendance.clock_in_method == "location" and attendance.clock_out_at is not None

    assert purge_old_locations(now) == {"attendances": 0}  # a second run changes nothing
    assert purge_old_locations(recent.ends_at + timedelta(days=31)) == {"attendances": 1}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LocationVerdict)) == 2


@pytest.mark.settings(PRIVACY_LOCATION_KEEP_DAYS=90)
def test_the_location_period_is_a_setting(person):
    old, recent = person.activities  # 36 days apart
    now = recent.ends_at + timedelta(days=60)
    assert purge_old_locations(now) == {"attendances": 1}  # old: 96 days, recent: 60
    kept = db.session.scalar(sa.select(Attendance).filter_by(activity_id=recent.id))
    assert kept.clock_in_latitude is not None


def _age_everything(days: int) -> None:
    then = utcnow() - timedelta(days=days)
    db.session.execute(sa.update(AuthSession).values(created_at=then,
                                                     expires_at=then + timedelta(hours=72)))
    db.session.execute(sa.update(AuditEntry.__table__).values(at=then))
    db.session.commit()


def test_login_records_and_the_access_log_are_kept_six_months_then_purged(person, client):
    person.caller.get("/api/v1/me/privacy/export")  # an access: privacy.export
    audit(None, "export.registration_cards", "community", 1)
    audit(None, "registration.approve", "registration", 1)  # a staff action, not an access
    db.session.commit()
    _age_everything(days=182)
    assert purge_access_logs(utcnow()) == {"sessions": 0, "access_entries": 0}

    _age_everything(days=184)
    assert purge_access_logs(utcnow()) == {"sessions": 1, "access_entries": 2}
    db.session.commit()
    left = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert left == {"registration.approve"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuthSession)) == 0


@pytest.mark.settings(PRIVACY_ACCESS_LOG_KEEP_DAYS=30)
def test_the_access_log_is_never_kept_less_than_six_months(person):
    _age_everything(days=100)
    assert purge_access_logs(utcnow()) == {"sessions": 0, "access_entries": 0}


def test_the_retention_jobs_run_from_the_scheduler(app, person):
    from server.jobs import JOBS

    names = {job.name for job in JOBS}
    assert {"privacy_erase_due_accounts", "privacy_purge_old_locations",
            "privacy_purge_access_logs"} <= names
    runner = app.test_cli_runner()
    result = runner.invoke(args=["jobs", "run", "privacy_purge_old_locations"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobRun)) >= 1
