"""Staff and secretaries are told: a daily digest of what waits in their inbox (console bell,
and a subscribe message where they hold a credit), once per day; an appeal at once."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from server.auth.models import Role
from server.extensions import db
from server.jobs import job_by_name
from server.notices import outbox
from server.scheduler import run_job
from server.wechat.standin import demo_openid
from tests.desk.factories import waiting_items

MORNING = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai


def test_the_digest_reaches_exactly_the_staff_with_pending_items_and_a_credit_once_a_day(
    org, make_staff, make_member, give_credit, standin, login
):
    community, quiet = org.communities[0], org.communities[1]
    staff = make_staff("staffA", Role.COMMUNITY_STAFF, community_id=community.id)
    make_staff("secA", Role.COMMUNITY_SECRETARY, community_id=community.id)
    make_staff("staffQ", Role.COMMUNITY_STAFF, community_id=quiet.id)  # nothing waits there
    # staffA and staffQ are members too, and subscribed in the mini-program; secA is not
    give_credit(make_member("staffA", org.buildings[0]), purpose="desk_todo")
    give_credit(make_member("staffQ", org.buildings[3]), purpose="desk_todo")
    members = [make_member("m1", org.buildings[0], unit=org.units[0]),
               make_member("m2", org.buildings[1], unit=org.units[0])]
    waiting_items(community, org.buildings[0], members, staff.id)
    standin.state.reset()

    job = job_by_name("desk_daily_digest")
    with time_machine.travel(MORNING, tick=False):
        assert run_job(job) is not None
        assert run_job(job, slot="again-by-hand") is not None  # a second run the same day
        db.session.commit()
        report = outbox.deliver_due()
    assert report.sent == 1
    assert [m["touser"] for m in standin.state.sent()] == [demo_openid("staffA")]
    assert standin.state.sent()[0]["template_id"] == "demo-tpl-desk-todo"

    bell = login("secA").get("/api/v1/desk/notifications").json
    assert bell["unread"] == 1 and len(bell["items"]) == 1
    assert bell["items"][0]["title"] == "您有 6 项待办"
    # staffA does not see the 补录 and the award (a secretary's), nor any of their own
    staff_bell = login("staffA").get("/api/v1/desk/notifications").json
    assert staff_bell["items"][0]["title"] == "您有 4 项待办"
    assert login("staffQ").get("/api/v1/desk/notifications").json == {"unread": 0, "items": []}

    read = login("secA").post("/api/v1/desk/notifications/read", json={"ids": []}).json
    assert read["unread"] == 0
    assert login("staffA").get("/api/v1/desk/notifications").json["unread"] == 1


def test_an_appeal_tells_the_communitys_staff_at_once_and_no_one_else(
    org, make_staff, give_credit, member, publish, login, clock, standin
):
    make_staff("secA", Role.COMMUNITY_SECRETARY, community_id=org.communities[0].id)
    make_staff("staffB", Role.COMMUNITY_STAFF, community_id=org.communities[1].id)
    activity = publish()
    first = member("m1")
    assert first.post(f"/api/v1/activities/{activity['id']}/signup").status_code == 200
    filed = first.post(f"/api/v1/activities/{activity['id']}/appeals",
                       json={"reason": "我12点才离开"})
    assert filed.status_code == 201, filed.json
    for name in ("staffA", "secA"):
        bell = login(name).get("/api/v1/desk/notifications").json
        assert bell["unread"] == 1
        assert "提出申诉" in bell["items"][0]["title"]
        assert "我12点才离开" in bell["items"][0]["body"]
    assert login("staffB").get("/api/v1/desk/notifications").json["items"] == []
    # filing it again (the same open appeal) tells no one twice
    first.post(f"/api/v1/activities/{activity['id']}/appeals", json={"reason": "我12点才离开"})
    assert login("secA").get("/api/v1/desk/notifications").json["unread"] == 1
