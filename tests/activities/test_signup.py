"""Sign-up and withdrawal with a capacity and a waitlist, exact under concurrency."""

from __future__ import annotations

import threading
import time

import sqlalchemy as sa

from server.activities.models import SignUp
from server.extensions import db
from tests.activities.conftest import sent_names
from tests.conftest import Caller


def test_places_then_waitlist_and_a_withdrawal_promotes_the_next(publish, member, signals):
    activity = publish(capacity=2)
    a, b, c, d = (member(f"m{i}") for i in range(4))
    url = f"/api/v1/activities/{activity['id']}/signup"
    assert [x.post(url).json["status"] for x in (a, b, c, d)] == [
        "confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert d.post(url).json["waitlist_position"] == 2
    withdrawn = a.post(f"{url}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    assert c.post(url).json["status"] == "confirmed"  # promoted; the repeat changes nothing
    assert d.post(url).json["waitlist_position"] == 1
    promoted = sent_names(signals, "signup_promoted")
    assert [s[1].member_id for s in promoted] == [c.member_id]
    assert len(sent_names(signals, "signup_confirmed")) == 2
    shown = a.get(f"/api/v1/activities/{activity['id']}").json
    assert shown["confirmed_count"] == 2 and shown["waitlisted_count"] == 1


def test_signing_up_twice_keeps_one_record(publish, member):
    activity = publish()
    resident = member("m1")
    for _ in range(3):
        assert resident.post(f"/api/v1/activities/{activity['id']}/signup").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignUp)) == 1


def test_raising_the_capacity_promotes_from_the_waitlist(publish, staff, member):
    activity = publish(capacity=1)
    first, second = member("m1"), member("m2")
    url = f"/api/v1/activities/{activity['id']}/signup"
    first.post(url)
    assert second.post(url).json["status"] == "waitlisted"
    staff.patch(f"/api/v1/activities/{activity['id']}", json={"capacity": 2})
    assert second.post(url).json["status"] == "confirmed"


def test_sign_up_closes_at_the_deadline(publish, member, clock):
    from datetime import timedelta

    from tests.activities.conftest import T0

    activity = publish(signup_deadline=(T0 + timedelta(hours=1)).isoformat())
    clock.shift(timedelta(hours=1, minutes=1))
    refused = member("m1").post(f"/api/v1/activities/{activity['id']}/signup")
    assert refused.status_code == 409 and refused.json["code"] == "signup_closed"


def test_fifty_members_at_once_for_ten_places(app, publish, org, make_member, login):
    """50 real threads, one client each, against the real database."""
    activity = publish(capacity=10)
    callers = []
    for i in range(50):
        make_member(f"crowd{i}", org.buildings[i % 4])
        caller = login(f"crowd{i}")
        callers.append(Caller(app.test_client(), caller.token, caller.user_id, caller.login_name))
    barrier = threading.Barrier(50)
    results: list[int] = []
    lock = threading.Lock()

    def go(caller):
        barrier.wait()
        response = caller.post(f"/api/v1/activities/{activity['id']}/signup")
        with lock:
            results.append(response.status_code)

    threads = [threading.Thread(target=go, args=(c,)) for c in callers]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    print(f"\n50 concurrent sign-ups on {db.engine.dialect.name}: {elapsed:.2f}s")
    assert results == [200] * 50
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(SignUp.status, sa.func.count())
        .filter_by(activity_id=activity["id"])
        .group_by(SignUp.status)
    ).all()
    assert dict(rows) == {"confirmed": 10, "waitlisted": 40}
