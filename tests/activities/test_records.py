"""Missing clock-outs, manual records and corrections with a second approval, appeals, the
activity log, the roster, exports; and the jobs, run by two scheduler instances at once."""

from __future__ import annotations

import io
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from server.activities.jobs import JOBS
from server.activities.models import Activity, Attendance, HoursRecord
from server.audit.models import AuditEntry
from server.extensions import db
from server.scheduler import JobRun, run_job
from tests.activities.conftest import CENTRE, T0, sent_names

START = T0 + timedelta(hours=2)
END = T0 + timedelta(hours=4)
FIX = {"method": "location", "latitude": CENTRE[0], "longitude": CENTRE[1], "accuracy": 10}
JOB = {job.name: job for job in JOBS}


@pytest.fixture
def attended(publish, member, clock):
    """Two members clocked in at 10:00 and never clocked out; a third signed up, never came."""
    activity = publish()
    callers = [member(f"m{i}", location_consent=True) for i in range(3)]
    for caller in callers:
        caller.post(f"/api/v1/activities/{activity['id']}/signup")
    clock.move_to(START)
    for caller in callers[:2]:
        assert caller.post(f"/api/v1/activities/{activity['id']}/clock-in",
                           json=FIX).status_code == 200
    return activity, callers


def test_missing_clock_out_is_marked_unconfirmed_and_staff_confirm_it(attended, staff, org,
                                                                      clock, signals):
    activity, callers = attended
    clock.move_to(END + timedelta(minutes=61))
    run = run_job(JOB["activities_close_open_records"], END + timedelta(minutes=61))
    assert run.status == "done"
    listed = staff.get(f"/api/v1/communities/{org.communities[0].id}/unconfirmed-attendances")
    assert len(listed.json) == 2
    assert {e["attendance"]["status"] for e in listed.json} == {"unconfirmed"}
    assert len(sent_names(signals, "signup_absent")) == 1
    roster = staff.get(f"/api/v1/activities/{activity['id']}/roster").json
    assert roster["summary"]["unconfirmed"] == 2 and roster["summary"]["absent"] == 1
    digest = run_job(JOB["activities_daily_unconfirmed_list"], END + timedelta(hours=20))
    assert digest.status == "done" and "2" in digest.result
    attendance_id = listed.json[0]["attendance"]["id"]
    confirmed = staff.post(f"/api/v1/attendances/{attendance_id}/confirm",
                           json={"clock_out_at": (START + timedelta(minutes=90)).isoformat(),
                                 "reason": "电话核实，11:30离开"})
    assert confirmed.status_code == 200 and confirmed.json["status"] == "confirmed"
    assert db.session.scalar(sa.select(HoursRecord.hours)) == Decimal("1.50")
    assert db.session.scalar(sa.select(AuditEntry).filter_by(action="attendance.confirm"))


@pytest.mark.settings(CLOCKIN_MISSING_CLOCKOUT_RULE="credit_until_end")
def test_missing_clock_out_is_credited_until_the_end_by_the_communitys_rule(attended, clock,
                                                                          signals):
    clock.move_to(END + timedelta(minutes=61))
    run_job(JOB["activities_close_open_records"], END + timedelta(minutes=61))
    rows = db.session.scalars(sa.select(HoursRecord)).all()
    assert [r.hours for r in rows] == [Decimal("2.00")] * 2
    assert len(sent_names(signals, "hours_record_finalised")) == 2


@pytest.mark.settings(CLOCKIN_MISSING_CLOCKOUT_RULE="credit_until_end")
def test_two_scheduler_instances_close_each_record_once(app, attended, clock, signals):
    """Two threads run every activities job for the same slots: each slot runs once, each
    record is closed once, each signal sent once."""
    now = END + timedelta(minutes=65)
    clock.move_to(now)
    claimed: list = []
    lock = threading.Lock()

    def instance():
        with app.app_context():
            for job in JOBS:
                run = run_job(job, now)
                with lock:
                    claimed.append((job.name, run is not None))
            db.session.remove()

    threads = [threading.Thread(target=instance) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for job in JOBS:
        assert sorted(ok for name, ok in claimed if name == job.name) == [False, True]
    runs = db.session.scalars(sa.select(JobRun)).all()
    assert len(runs) == len(JOBS) and all(r.status == "done" for r in runs)
    # and a run by hand in another slot changes nothing more
    run_job(JOB["activities_close_open_records"], now, slot="manual:1")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HoursRecord)) == 2
    assert len(sent_names(signals, "hours_record_finalised")) == 2
    assert len(sent_names(signals, "signup_absent")) == 1
    assert db.session.scalar(sa.select(Activity.status)) == "ended"


def test_lifecycle_moves_published_to_in_progress_to_ended_to_archived(publish, clock):
    activity = publish()
    job = JOB["activities_advance_states"]
    for at, expected in ((START, "in_progress"), (END, "ended"),
                         (END + timedelta(days=31), "archived")):
        clock.move_to(at)
        run_job(job, at)
        db.session.expire_all()
        assert db.session.get(Activity, activity["id"]).status == expected


def _closed_record(attended, clock):
    activity, callers = attended
    clock.move_to(END - timedelta(minutes=10))
    callers[0].post(f"/api/v1/activities/{activity['id']}/clock-out", json=FIX)
    return activity, callers, db.session.scalar(sa.select(HoursRecord))


def test_a_correction_counts_only_after_the_secretary_approves(attended, staff, secretary,
                                                               clock, signals):
    activity, callers, record = _closed_record(attended, clock)
    assert record.hours == Decimal("1.50")
    correction = staff.post(f"/api/v1/hours-records/{record.id}/corrections",
                            json={"hours": "2.00", "reason": "现场负责人确认全程参加"})
    assert correction.status_code == 201
    assert correction.json["status"] == "pending" and correction.json["source"] == "corrected"
    # the one who made the change cannot approve it
    assert staff.post(f"/api/v1/hours-records/{correction.json['id']}/approve").status_code == 403
    log = callers[0].get("/api/v1/me/activity-log").json
    assert log[0]["hours"] == "1.50" and log[0]["pending_record"]["hours"] == "2.00"
    approved = secretary.post(f"/api/v1/hours-records/{correction.json['id']}/approve",
                              key="approve-correction-1")
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    finalised = sent_names(signals, "hours_record_finalised")
    assert finalised[-1][1].id == correction.json["id"]
    assert finalised[-1][2]["previous_hours"] == Decimal("1.50")
    db.session.expire_all()
    assert db.session.get(HoursRecord, record.id).status == "superseded"
    assert callers[0].get("/api/v1/me/activity-log").json[0]["hours"] == "2.00"
    entry = db.session.scalar(sa.select(AuditEntry).filter_by(action="hours.correct"))
    assert entry.before["hours"] == "1.50" and entry.after["hours"] == "2.00"
    assert entry.reason == "现场负责人确认全程参加"


def test_a_reversal_is_a_record_of_zero_hours_and_nothing_is_deleted(attended, staff,
                                                                     secretary, clock, signals):
    activity, callers, record = _closed_record(attended, clock)
    reversal = staff.post(f"/api/v1/hours-records/{record.id}/reversal",
                          json={"reason": "代签到，经核实本人未到场"})
    secretary.post(f"/api/v1/hours-records/{reversal.json['id']}/approve")
    rows = staff.get(f"/api/v1/activities/{activity['id']}/hours-records").json
    assert [(r["hours"], r["status"]) for r in rows] == [("1.50", "superseded"),
                                                         ("0.00", "approved")]
    last = sent_names(signals, "hours_record_finalised")[-1]
    assert last[1].hours == 0 and last[2]["previous_hours"] == Decimal("1.50")


def test_manual_record_needs_a_reason_and_a_second_person(attended, staff, secretary, clock):
    activity, callers = attended
    clock.move_to(END + timedelta(hours=2))
    absent = callers[2]
    url = f"/api/v1/activities/{activity['id']}/hours-records"
    assert staff.post(url, json={"member_id": absent.member_id, "hours": "2"}).status_code == 422
    added = staff.post(url, json={"member_id": absent.member_id, "hours": "2",
                                  "reason": "手机没电，现场负责人证明"})
    assert added.status_code == 201 and added.json["source"] == "manual"
    again = staff.post(url, json={"member_id": absent.member_id, "hours": "2",
                                  "reason": "重复提交"})
    assert again.json["code"] == "hours_change_pending"
    rejected = secretary.post(f"/api/v1/hours-records/{added.json['id']}/reject",
                              json={"reason": "无证明材料"})
    assert rejected.json["status"] == "rejected"
    assert absent.get("/api/v1/me/activity-log").json[0]["hours"] is None


def test_member_appeals_and_staff_resolve_with_a_reason(attended, staff, org, clock):
    activity, callers, _record = _closed_record(attended, clock)
    filed = callers[0].post(f"/api/v1/activities/{activity['id']}/appeals",
                            json={"reason": "我12点才离开"})
    assert filed.status_code == 201 and filed.json["status"] == "open"
    repeat = callers[0].post(f"/api/v1/activities/{activity['id']}/appeals",
                             json={"reason": "我12点才离开"})
    assert repeat.json["id"] == filed.json["id"]
    listed = staff.get(f"/api/v1/communities/{org.communities[0].id}/appeals?status=open").json
    assert [a["id"] for a in listed] == [filed.json["id"]]
    resolved = staff.post(f"/api/v1/appeals/{filed.json['id']}/resolve",
                          json={"outcome": "dismissed", "reason": "签退记录与现场照片一致"})
    assert resolved.json["status"] == "dismissed"
    assert callers[0].get("/api/v1/me/appeals").json[0]["resolution"] == "签退记录与现场照片一致"


def test_activity_log_is_newest_first_paginated_and_private(publish, member, clock):
    older = publish(title="早的活动")
    newer = publish(title="晚的活动", starts_at=(T0 + timedelta(days=1)).isoformat(),
                    ends_at=(T0 + timedelta(days=1, hours=2)).isoformat())
    me, other = member("m1"), member("m2")
    for activity in (older, newer):
        me.post(f"/api/v1/activities/{activity['id']}/signup")
    page = me.get("/api/v1/me/activity-log?page=1&page_size=1")
    assert [e["activity"]["title"] for e in page.json] == ["晚的活动"]
    assert '"total": 2' in page.headers["X-Pagination"]
    assert other.get(f"/api/v1/members/{me.member_id}/activity-log").status_code == 404


def test_exports_are_spreadsheets_and_are_audited(attended, staff, clock):
    activity, callers, _record = _closed_record(attended, clock)
    response = staff.get(f"/api/v1/activities/{activity['id']}/records.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book["时长记录"]["G2"].value == 1.5
    log = staff.get(f"/api/v1/members/{callers[0].member_id}/activity-log.xlsx")
    assert log.status_code == 200
    assert load_workbook(io.BytesIO(log.data)).active["A3"].value == "楼道环境清理"
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"export.activity_records", "export.member_activity_log"} <= actions
    assert callers[0].get(f"/api/v1/activities/{activity['id']}/records.xlsx").status_code == 404


def test_demo_seed_is_idempotent(app, clock):
    from server.activities.demo import seed as seed_activities
    from server.demo import seed

    seed(lambda line: None)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Activity))
    assert count >= 8
    seed_activities(lambda line: None)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == count
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0
