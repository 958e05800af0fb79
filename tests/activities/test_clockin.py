"""On-site clock-in and clock-out by rotating code and by location; hours."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from server.activities.models import Attendance, HoursRecord
from server.extensions import db
from tests.activities.conftest import CENTRE, T0, sent_names

START = T0 + timedelta(hours=2)
END = T0 + timedelta(hours=4)


def north(metres: float) -> tuple[float, float]:
    return CENTRE[0] + metres / 111_195, CENTRE[1]


def fix(metres=0.0, accuracy=20.0):
    lat, lng = north(metres)
    return {"method": "location", "latitude": lat, "longitude": lng, "accuracy": accuracy}


@pytest.fixture
def on_site(publish, member, staff, clock):
    """An activity 10:00-12:00, a member signed up, the clock at 10:00."""
    activity = publish()
    resident = member("m1", location_consent=True)
    resident.post(f"/api/v1/activities/{activity['id']}/signup")
    clock.move_to(START)
    return activity, resident


def code_of(staff, activity):
    response = staff.get(f"/api/v1/activities/{activity['id']}/onsite-code")
    assert response.status_code == 200
    return response.json


def test_member_clocks_in_by_code_and_out_and_gets_hours(on_site, staff, clock, signals):
    activity, resident = on_site
    shown = code_of(staff, activity)
    assert len(shown["code"]) <= 32 and 0 < shown["expires_in"] <= 30
    clocked = resident.post(f"/api/v1/activities/{activity['id']}/clock-in",
                            json={"method": "qr", "code": shown["code"]})
    assert clocked.status_code == 200
    assert clocked.json["status"] == "clocked_in" and clocked.json["clock_in_method"] == "qr"
    assert len(sent_names(signals, "clocked_in")) == 1
    clock.move_to(END - timedelta(minutes=20))
    out = resident.post(f"/api/v1/activities/{activity['id']}/clock-out",
                        json={"method": "qr", "code": code_of(staff, activity)["code"]})
    assert out.status_code == 200 and out.json["status"] == "clocked_out"
    record = db.session.scalar(sa.select(HoursRecord))
    # 1h40m, rounded down to the half hour (the default rule)
    assert record.hours == Decimal("1.50") and record.status == "approved"
    assert record.source == "clockin"
    assert (record.activity_name, record.place, record.organiser, record.leader) == (
        "楼道环境清理", "幸福里 3 号楼", "幸福里社区党委", "王建国")
    assert record.service_date.isoformat() == "2026-11-23"
    finalised = sent_names(signals, "hours_record_finalised")
    assert len(finalised) == 1 and finalised[0][2]["previous_hours"] is None
    log = resident.get("/api/v1/me/activity-log").json
    assert log[0]["hours"] == "1.50" and log[0]["state"] == "clocked_out"


def test_the_same_clock_in_sent_three_times_makes_one_record(on_site, staff, signals):
    activity, resident = on_site
    body = {"method": "qr", "code": code_of(staff, activity)["code"]}
    answers = [resident.post(f"/api/v1/activities/{activity['id']}/clock-in", json=body)
               for _ in range(3)]
    assert {a.status_code for a in answers} == {200}
    assert len({a.json["id"] for a in answers}) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 1
    assert len(sent_names(signals, "clocked_in")) == 1


def test_previous_window_is_accepted_older_and_foreign_codes_are_refused(
    on_site, publish, staff, member, clock
):
    activity, resident = on_site
    old = code_of(staff, activity)["code"]
    other = publish(title="另一个活动")
    foreign = code_of(staff, other)["code"]
    url = f"/api/v1/activities/{activity['id']}/clock-in"
    refused = resident.post(url, json={"method": "qr", "code": foreign})
    assert refused.status_code == 422 and refused.json["code"] == "qr_code_other_activity"
    forged = old[:-1] + ("a" if old[-1] != "a" else "b")
    assert resident.post(url, json={"method": "qr", "code": forged}).json["code"] == (
        "qr_code_invalid")
    clock.shift(timedelta(seconds=65))  # two windows later
    expired = resident.post(url, json={"method": "qr", "code": old})
    assert expired.status_code == 422 and expired.json["code"] == "qr_code_expired"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0
    previous = code_of(staff, activity)["code"]
    clock.shift(timedelta(seconds=30))  # the code shown a window ago still works
    assert resident.post(url, json={"method": "qr", "code": previous}).status_code == 200


def test_location_inside_the_geofence_clocks_in(on_site):
    activity, resident = on_site
    response = resident.post(f"/api/v1/activities/{activity['id']}/clock-in", json=fix(120))
    assert response.status_code == 200 and response.json["clock_in_method"] == "location"


def test_location_outside_and_too_poor_are_refused_with_their_own_codes(on_site):
    activity, resident = on_site
    url = f"/api/v1/activities/{activity['id']}/clock-in"
    outside = resident.post(url, json=fix(800, accuracy=30))
    assert outside.status_code == 422 and outside.json["code"] == "outside_geofence"
    assert outside.json["details"]["distance_m"] == 800
    poor = resident.post(url, json=fix(50, accuracy=500))
    assert poor.json["code"] == "location_accuracy_too_poor" and "精度" in poor.json["message"]
    straddling = resident.post(url, json=fix(250, accuracy=80))
    assert straddling.json["code"] == "location_accuracy_too_poor"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0


@pytest.mark.parametrize("missing", ["latitude", "longitude", "accuracy"])
def test_a_fix_without_a_coordinate_is_refused_with_its_code_and_writes_nothing(on_site, missing):
    activity, resident = on_site
    body = {k: v for k, v in fix(50).items() if k != missing}
    response = resident.post(f"/api/v1/activities/{activity['id']}/clock-in", json=body)
    assert response.status_code == 422 and response.json["code"] == "location_missing"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0


def test_location_needs_the_members_consent_but_the_code_always_works(publish, member, staff,
                                                                      clock):
    activity = publish()
    resident = member("m2", location_consent=False)
    resident.post(f"/api/v1/activities/{activity['id']}/signup")
    clock.move_to(START)
    url = f"/api/v1/activities/{activity['id']}/clock-in"
    refused = resident.post(url, json=fix(0))
    assert refused.status_code == 403 and refused.json["code"] == "location_consent_required"
    code = code_of(staff, activity)["code"]
    assert resident.post(url, json={"method": "qr", "code": code}).status_code == 200


@pytest.mark.settings(CLOCKIN_EARLY_MINUTES=15, CLOCKIN_LATE_CLOCKOUT_MINUTES=10)
def test_clock_in_and_out_windows_come_from_the_settings(publish, member, staff, clock):
    activity = publish()
    resident = member("m1", location_consent=True)
    resident.post(f"/api/v1/activities/{activity['id']}/signup")
    url = f"/api/v1/activities/{activity['id']}"
    clock.move_to(START - timedelta(minutes=16))
    assert resident.post(f"{url}/clock-in", json=fix()).json["code"] == "clockin_not_open"
    clock.move_to(START - timedelta(minutes=15))
    assert resident.post(f"{url}/clock-in", json=fix()).status_code == 200
    clock.move_to(END + timedelta(minutes=11))
    assert resident.post(f"{url}/clock-out", json=fix()).json["code"] == "clockout_closed"
    clock.move_to(END + timedelta(minutes=10))
    out = resident.post(f"{url}/clock-out", json=fix())
    assert out.status_code == 200
    # early arrival and late leaving are clipped to the activity's two hours
    assert db.session.scalar(sa.select(HoursRecord.hours)) == Decimal("2.00")


def test_clock_in_closes_at_the_end_of_the_activity(on_site, clock):
    activity, resident = on_site
    clock.move_to(END)
    refused = resident.post(f"/api/v1/activities/{activity['id']}/clock-in", json=fix())
    assert refused.status_code == 409 and refused.json["code"] == "clockin_closed"


def test_waitlisted_members_cannot_clock_in_and_unlimited_activities_take_walk_ins(
    publish, member, clock
):
    limited = publish(capacity=1)
    open_to_all = publish(title="不限人数")
    first, second = member("m1", location_consent=True), member("m2", location_consent=True)
    first.post(f"/api/v1/activities/{limited['id']}/signup")
    second.post(f"/api/v1/activities/{limited['id']}/signup")
    clock.move_to(START)
    refused = second.post(f"/api/v1/activities/{limited['id']}/clock-in", json=fix())
    assert refused.json["code"] == "signup_waitlisted"
    walk_in = second.post(f"/api/v1/activities/{open_to_all['id']}/clock-in", json=fix())
    assert walk_in.status_code == 200


@pytest.mark.settings(CLOCKIN_MIN_SHARE=0.6, CLOCKIN_ROUNDING="none")
def test_below_the_minimum_share_no_hours_count(on_site, clock, signals):
    activity, resident = on_site
    url = f"/api/v1/activities/{activity['id']}"
    resident.post(f"{url}/clock-in", json=fix())
    clock.shift(timedelta(minutes=60))  # half of the activity
    resident.post(f"{url}/clock-out", json=fix())
    record = db.session.scalar(sa.select(HoursRecord))
    assert record.hours == Decimal("0.00") and "60%" in record.note
    assert sent_names(signals, "hours_record_finalised") == []


def test_a_community_sets_its_own_rounding_rule(on_site, staff, org, clock):
    activity, resident = on_site
    rule = staff.put(f"/api/v1/communities/{org.communities[0].id}/hours-rule",
                     json={"missing_clockout": "credit_until_end",
                           "rounding": "quarter_hour_down", "min_share": "0.00"})
    assert rule.status_code == 200 and rule.json["rounding"] == "quarter_hour_down"
    url = f"/api/v1/activities/{activity['id']}"
    resident.post(f"{url}/clock-in", json=fix())
    clock.shift(timedelta(minutes=50))
    resident.post(f"{url}/clock-out", json=fix())
    assert db.session.scalar(sa.select(HoursRecord.hours)) == Decimal("0.75")


@pytest.mark.parametrize("same_key", [True, False], ids=["one-key", "a-key-each"])
def test_the_same_clock_in_sent_at_once_makes_one_record(app, on_site, staff, signals, same_key):
    """Retries racing each other (a weak network, a double tap): every answer is the one
    record, with or without a shared Idempotency-Key, and the clock-in is announced once."""
    activity, resident = on_site
    body = {"method": "qr", "code": code_of(staff, activity)["code"]}
    db.session.rollback()  # on SQLite an open read here would hold the write lock
    barrier = threading.Barrier(6)
    answers = []

    def send(n):
        key = "clock-race-0001" if same_key else f"clock-race-{n:04d}"
        with app.test_client() as client:
            barrier.wait()
            response = client.post(
                f"/api/v1/activities/{activity['id']}/clock-in",
                json=body,
                headers={"Authorization": f"Bearer {resident.token}", "Idempotency-Key": key},
            )
            answers.append((response.status_code, response.json.get("id")))

    threads = [threading.Thread(target=send, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in answers] == [200] * 6
    assert len({record_id for _, record_id in answers}) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 1
    assert len(sent_names(signals, "clocked_in")) == 1
