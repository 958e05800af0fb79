"""活动管理 in the console: filtering a community's activities by start date, copying one."""

from __future__ import annotations

from server.auth.models import Role
from tests.activities.conftest import activity_body


def _list(caller, community_id, **query):
    response = caller.get(f"/api/v1/desk/communities/{community_id}/activities",
                          query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def test_staff_filter_activities_by_the_shanghai_days_they_start(staff, org, publish):
    c = org.communities[0].id
    publish(title="周一活动")  # Mon 23 Nov, 10:00 Shanghai
    publish(title="周三活动", starts_at="2026-11-25T07:30:00+08:00",
            ends_at="2026-11-25T09:00:00+08:00")
    assert [a["title"] for a in _list(staff, c)] == ["周三活动", "周一活动"]
    assert [a["title"] for a in _list(staff, c, date_from="2026-11-24")] == ["周三活动"]
    assert [a["title"] for a in _list(staff, c, date_to="2026-11-24")] == ["周一活动"]
    assert _list(staff, c, date_from="2026-11-26") == []
    assert _list(staff, c, status="draft") == []


def test_staff_of_another_community_cannot_list_or_copy_its_activities(
    org, publish, make_staff, login
):
    activity = publish()
    make_staff("staffB", Role.COMMUNITY_STAFF, community_id=org.communities[1].id)
    other = login("staffB")
    listing = other.get(f"/api/v1/desk/communities/{org.communities[0].id}/activities")
    assert listing.status_code == 404
    copied = other.post(f"/api/v1/desk/activities/{activity['id']}/copies", json={})
    assert copied.status_code == 404
    assert len(_list(login("staffA"), org.communities[0].id)) == 1


def test_a_copy_is_a_draft_a_week_later_with_the_same_length_place_and_audience(
    staff, org, publish
):
    source = publish(capacity=20, audience_grid_ids=[org.grids[0].id],
                     signup_deadline="2026-11-23T09:00:00+08:00")
    response = staff.post(f"/api/v1/desk/activities/{source['id']}/copies", json={})
    assert response.status_code == 201, response.json
    [copy] = response.json
    assert copy["status"] == "draft"
    assert copy["starts_at"] == "2026-11-30T10:00:00+08:00"
    assert copy["ends_at"] == "2026-11-30T12:00:00+08:00"
    assert copy["signup_deadline"] == "2026-11-30T09:00:00+08:00"
    for name in ("title", "address", "latitude", "longitude", "radius_m", "capacity",
                 "audience_grid_ids", "leader_name"):
        assert copy[name] == source[name]


def test_repeat_weekly_until_a_date_makes_one_activity_per_week(staff, org, publish):
    source = publish(**activity_body(title="周六平安巡逻", category="patrol",
                                     starts_at="2026-11-28T19:00:00+08:00",
                                     ends_at="2026-11-28T21:00:00+08:00"))
    response = staff.post(f"/api/v1/desk/activities/{source['id']}/copies",
                          json={"repeat_weekly_until": "2026-12-19"})
    assert response.status_code == 201, response.json
    assert [a["starts_at"][:10] for a in response.json] == [
        "2026-12-05", "2026-12-12", "2026-12-19"]
    assert len(_list(staff, org.communities[0].id, category="patrol")) == 4


def test_repeat_until_before_the_first_copy_is_refused_and_makes_nothing(staff, org, publish):
    source = publish()
    response = staff.post(f"/api/v1/desk/activities/{source['id']}/copies",
                          json={"starts_at": "2026-12-10T10:00:00+08:00",
                                "repeat_weekly_until": "2026-12-01"})
    assert response.status_code == 422
    assert response.json["code"] == "repeat_until_before_start"
    assert len(_list(staff, org.communities[0].id)) == 1
