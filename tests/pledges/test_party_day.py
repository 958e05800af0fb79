"""The fixed party day (固定党员活动日): the monthly job, attendance, make-ups, dedication day."""

from __future__ import annotations

import threading
from datetime import date, datetime

import pytest
import sqlalchemy as sa
import time_machine

from server import events
from server.activities import clockin
from server.activities.models import Activity
from server.auth.models import Role
from server.extensions import db
from server.members.models import Member
from server.pledges import party_day
from server.pledges.jobs import JOBS
from server.pledges.models import MakeupBooking, MakeupSession, PartyDay, PartyDayAttendance
from server.scheduler import run_job
from server.timeutil import LOCAL_TZ, to_local
from tests.pledges.helpers import count

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
def staff(org, make_staff, login):
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    return login("staffA")


def run_party_day_job(now):
    return run_job(JOBS[0], now)


def clock_in_by_code(member: Member, activity_id: int):
    activity = db.session.get(Activity, activity_id)
    code = clockin.current_code(activity)["code"]
    record = clockin.clock_in(member, activity_id, {"method": "qr", "code": code})
    db.session.commit()
    return record


def test_the_job_creates_each_months_party_day_once(org):
    with time_machine.travel(NOW, tick=False):
        first = run_party_day_job(NOW)
        assert first.status == "done", first.error
        party_days = db.session.scalars(sa.select(PartyDay).order_by(PartyDay.id)).all()
        assert {(p.community_id, p.month) for p in party_days} == {
            (org.communities[0].id, "2026-06"), (org.communities[1].id, "2026-06")}
        day = party_days[0]
        activity = db.session.get(Activity, day.activity_id)
        assert day.day == date(2026, 6, 15) and activity.category == "party_day"
        assert to_local(activity.starts_at).date() == date(2026, 6, 14)
        assert to_local(activity.ends_at).date() == date(2026, 6, 16)
        # the same slot again, and the function run directly again: still one per month
        assert run_party_day_job(NOW) is None
        party_day.create_party_days(NOW)
        db.session.commit()
    assert count(PartyDay) == 2 and count(Activity, category="party_day") == 2


def test_staff_configure_the_day_and_window_for_the_months_ahead(org, staff, login):
    cid = org.communities[0].id
    with time_machine.travel(datetime(2026, 6, 20, 10, tzinfo=LOCAL_TZ), tick=False):
        staff = login("staffA")
        assert staff.get(f"/api/v1/communities/{cid}/party-day-settings").json["day_of_month"] == 15
        too_wide = staff.put(f"/api/v1/communities/{cid}/party-day-settings",
                             json={"window_days": 3})
        assert too_wide.status_code == 422
        changed = staff.put(f"/api/v1/communities/{cid}/party-day-settings",
                            json={"day_of_month": 10, "window_days": 2})
        assert changed.status_code == 200 and changed.json["is_default"] is False
        run_party_day_job(datetime(2026, 6, 20, 10, tzinfo=LOCAL_TZ))
        days = staff.get(f"/api/v1/communities/{cid}/party-days?year=2026").json
    # June's window (8th–12th) is over by the 20th; July's is made ahead of time
    made = [(d["month"], d["day"], d["window_days"]) for d in days]
    assert made == [("2026-07", "2026-07-10", 2)]


def test_another_communitys_staff_get_404(org, staff, make_staff, login):
    make_staff("staffB", Role.COMMUNITY_STAFF, community_id=org.communities[1].id)
    other = login("staffB")
    cid = org.communities[0].id
    assert other.put(f"/api/v1/communities/{cid}/party-day-settings",
                     json={"day_of_month": 3}).status_code == 404
    assert other.get(f"/api/v1/communities/{cid}/party-day-attendance?month=2026-06").status_code \
        == 404
    assert other.post(f"/api/v1/communities/{cid}/makeup-sessions", json={
        "month": "2026-06", "starts_at": "2030-06-20T09:00:00", "ends_at": "2030-06-20T11:00:00",
        "capacity": 5}).status_code == 404
    assert count(MakeupSession) == 0


def test_attending_the_party_day_or_a_make_up_counts_the_month_once(
    org, staff, make_member, login
):
    cid = org.communities[0].id
    attended = make_member("m1", org.buildings[0], name="出席者")
    made_up = make_member("m2", org.buildings[1], name="补课者")
    booked = make_member("m3", org.buildings[1], name="预约者")
    make_member("m4", org.buildings[2], name="缺席者")
    make_member("other", org.buildings[4], name="别的社区")
    received = []

    def receiver(sender, **_kw):
        received.append((sender.member_id, sender.community_id, sender.month))

    events.party_day_attended.connect(receiver)
    try:
        with time_machine.travel(datetime(2026, 6, 15, 10, tzinfo=LOCAL_TZ), tick=False):
            run_party_day_job(NOW)
            activity_id = db.session.scalar(sa.select(PartyDay.activity_id).filter_by(
                community_id=cid, month="2026-06"))
            clock_in_by_code(attended, activity_id)
            clock_in_by_code(attended, activity_id)  # a retry: still one
            staff = login("staffA")
            session = staff.post(f"/api/v1/communities/{cid}/makeup-sessions", json={
                "month": "2026-06", "starts_at": "2026-06-20T09:00:00",
                "ends_at": "2026-06-20T11:00:00", "capacity": 5})
            assert session.status_code == 201, session.json
            session = session.json
            for name in ("m2", "m3"):
                booking = login(name).post(f"/api/v1/makeup-sessions/{session['id']}/booking")
                assert booking.status_code == 201, booking.json
            again = login("m3").post(f"/api/v1/makeup-sessions/{session['id']}/booking")
            assert again.status_code == 200
            refused = login("m1").post(f"/api/v1/makeup-sessions/{session['id']}/booking")
            assert refused.status_code == 409 and refused.json["code"] == "party_day_attended"
        with time_machine.travel(datetime(2026, 6, 20, 9, 5, tzinfo=LOCAL_TZ), tick=False):
            clock_in_by_code(made_up, session["activity_id"])
            report = login("staffA").get(
                f"/api/v1/communities/{cid}/party-day-attendance?month=2026-06").json
            mine = login("m2").get("/api/v1/party-day/mine?month=2026-06").json
    finally:
        events.party_day_attended.disconnect(receiver)

    assert received == [(attended.id, cid, "2026-06"), (made_up.id, cid, "2026-06")]
    assert [(r["name"], r["source"]) for r in report["attended"]] == [
        ("出席者", "party_day"), ("补课者", "makeup")]
    assert [r["name"] for r in report["booked_makeup"]] == ["预约者"]
    assert [r["name"] for r in report["missing"]] == ["缺席者"]
    assert [m.name for m in party_day.members_missing_party_day(cid, "2026-06")] == ["缺席者"]
    assert mine["status"] == "attended" and mine["source"] == "makeup"
    assert count(PartyDayAttendance) == 2
    assert booked.id not in {r["member_id"] for r in report["missing"]}


def test_make_up_booking_is_exact_under_concurrency(app, org, staff, make_member, login):
    cid = org.communities[0].id
    members = [make_member(f"c{i}", org.buildings[i % 4]) for i in range(8)]
    session = staff.post(f"/api/v1/communities/{cid}/makeup-sessions", json={
        "month": "2026-06", "starts_at": "2030-06-20T09:00:00",
        "ends_at": "2030-06-20T11:00:00", "capacity": 3}).json
    tokens = [login(f"c{i}").token for i in range(len(members))]
    db.session.commit()
    barrier = threading.Barrier(len(tokens))
    statuses = []

    def book(token):
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/api/v1/makeup-sessions/{session['id']}/booking",
                               headers={"Authorization": f"Bearer {token}"})
        statuses.append((response.status_code, (response.json or {}).get("code")))

    threads = [threading.Thread(target=book, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    assert sorted(s for s, _ in statuses) == [201] * 3 + [409] * 5, statuses
    assert {code for s, code in statuses if s == 409} == {"makeup_full"}
    assert count(MakeupBooking, status="booked") == 3
    assert db.session.get(MakeupSession, session["id"]).booked_count == 3


def test_a_cancelled_booking_frees_the_place(org, staff, make_member, login):
    cid = org.communities[0].id
    make_member("m1", org.buildings[0])
    make_member("m2", org.buildings[0])
    session = staff.post(f"/api/v1/communities/{cid}/makeup-sessions", json={
        "month": "2026-06", "starts_at": "2030-06-20T09:00:00",
        "ends_at": "2030-06-20T11:00:00", "capacity": 1}).json
    first = login("m1")
    assert first.post(f"/api/v1/makeup-sessions/{session['id']}/booking").status_code == 201
    full = login("m2").post(f"/api/v1/makeup-sessions/{session['id']}/booking")
    assert full.status_code == 409 and full.json["code"] == "makeup_full"
    assert first.delete(f"/api/v1/makeup-sessions/{session['id']}/booking").json["status"] == \
        "cancelled"
    assert first.delete(f"/api/v1/makeup-sessions/{session['id']}/booking").status_code == 200
    assert login("m2").post(f"/api/v1/makeup-sessions/{session['id']}/booking").status_code == 201
    listed = staff.get(f"/api/v1/makeup-sessions/{session['id']}/bookings").json
    assert [b["member_name"] for b in listed] == ["党员m2"]


def test_the_street_declares_a_dedication_day_for_every_community(
    org, make_staff, make_member, login
):
    from server.activities import signup as activities

    make_staff("street", Role.STREET_ADMIN, street_id=org.street.id)
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    far = make_member("far", org.buildings[5])  # community 1, not the host
    admin = login("street")
    body = {"community_id": org.communities[0].id, "title": "党员奉献日",
            "starts_at": "2030-07-01T08:00:00", "ends_at": "2030-07-01T12:00:00"}
    declared = admin.post(f"/api/v1/streets/{org.street.id}/dedication-days", json=body)
    assert declared.status_code == 201, declared.json
    assert admin.post(f"/api/v1/streets/{org.street.id}/dedication-days", json=body).status_code \
        == 200
    activity = db.session.get(Activity, declared.json["activity_id"])
    assert activity.category == "dedication_day" and activity.audience_street_id == org.street.id
    signup = activities.sign_up(far, activity.id)
    assert signup.status == "confirmed"
    assert [d["id"] for d in login("far").get(
        f"/api/v1/streets/{org.street.id}/dedication-days").json] == [declared.json["id"]]
    not_street = login("staffA").post(f"/api/v1/streets/{org.street.id}/dedication-days",
                                      json=body)
    assert not_street.status_code == 404
    admin.post(f"/api/v1/streets/{org.street.id}/dedication-days",
               json={**body, "starts_at": "2030-12-01T08:00:00", "ends_at": "2030-12-01T12:00:00"})
    third = admin.post(f"/api/v1/streets/{org.street.id}/dedication-days",
                       json={**body, "starts_at": "2030-12-02T08:00:00",
                             "ends_at": "2030-12-02T12:00:00"})
    assert third.status_code == 409 and third.json["code"] == "dedication_days_used"
