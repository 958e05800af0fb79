"""A member's morning, through the HTTP API across every area: a published activity, sign-up
with a waitlist, a notice, clock-in by code and by location, clock-out, hours, points, board."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from server.auth.models import Role
from tests.points.helpers import street_rule

T0 = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # Monday 08:00 in Shanghai
CENTRE = (31.2304, 121.4737)  # GCJ-02


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def test_a_volunteer_morning_turns_into_hours_points_and_a_rank(
    clock, org, login, make_staff, make_member
):
    street_rule(org.street.id, points=10, effective_from=date(2026, 1, 1))
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    for login_name, name in (("zhang", "张小三"), ("li", "李小四"), ("wang", "王小五")):
        make_member(login_name, org.buildings[0], org.units[0], name=name,
                    location_consent=True)
    staff, zhang, li, wang = (login(n) for n in ("staffA", "zhang", "li", "wang"))

    activity = staff.post(
        f"/api/v1/communities/{org.communities[0].id}/activities",
        json={
            "title": "楼道环境清理", "category": "environment", "content": "清理楼道杂物",
            "address": "1-1号楼", "latitude": CENTRE[0], "longitude": CENTRE[1],
            "radius_m": 150, "starts_at": "2026-11-23T10:00:00+08:00",
            "ends_at": "2026-11-23T12:00:00+08:00", "organiser": "社区党委",
            "leader_name": "王建国", "capacity": 2, "publish": True,
        },
        key="publish-activity-1",
    ).json
    base = f"/api/v1/activities/{activity['id']}"

    assert zhang.post(f"{base}/signup", key="zhang-signup-01").json["status"] == "confirmed"
    assert li.post(f"{base}/signup", key="li-signup-0001").json["status"] == "confirmed"
    assert wang.post(f"{base}/signup", key="wang-signup-001").json["status"] == "waitlisted"
    # a retry over a weak network changes nothing
    assert zhang.post(f"{base}/signup", key="zhang-signup-01").json["status"] == "confirmed"

    clock.move_to(T0 + timedelta(hours=2))  # 10:00
    code = staff.get(f"{base}/onsite-code").json["code"]
    by_code = zhang.post(f"{base}/clock-in", json={"method": "qr", "code": code})
    assert by_code.status_code == 200
    by_location = li.post(f"{base}/clock-in", json={
        "method": "location", "latitude": CENTRE[0] + 0.0003, "longitude": CENTRE[1],
        "accuracy": 15})
    assert by_location.status_code == 200
    waitlisted = wang.post(f"{base}/clock-in", json={"method": "qr", "code": code})
    assert waitlisted.status_code >= 400 and waitlisted.json["message"]

    roster = staff.get(f"{base}/roster").json
    assert roster["summary"]["clocked_in"] == 2

    clock.move_to(T0 + timedelta(hours=4))  # 12:00
    code = staff.get(f"{base}/onsite-code").json["code"]
    for member in (zhang, li):
        out = member.post(f"{base}/clock-out", json={"method": "qr", "code": code})
        assert out.status_code == 200, out.json

    log = zhang.get("/api/v1/me/activity-log").json
    assert log[0]["hours"] == "2.00"
    points = zhang.get("/api/v1/points/me").json
    month = next(p for p in points["periods"] if p["period"] == "2026-11")
    assert month["points"] == 20 and month["hours"] == "2.00"

    board = zhang.get(
        f"/api/v1/points/leaderboards?scope=community&scope_id={org.communities[0].id}"
        "&period=2026-11"
    ).json
    assert [(e["rank"], e["points"]) for e in board["entries"]] == [(1, 20), (1, 20)]
    assert board["me"]["rank"] == 1
    # the public board masks other members' names; a member sees their own
    assert {e["name"] for e in board["entries"]} == {"张小三", "李*四"}
