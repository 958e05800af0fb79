"""Staff create, edit, publish and cancel activities; members see the ones they may join."""

from __future__ import annotations

import sqlalchemy as sa

from server.audit.models import AuditEntry
from server.auth.models import Role
from server.extensions import db
from tests.activities.conftest import activity_body, sent_names


def test_staff_creates_a_draft_and_publishes_it(staff, org, member):
    resident = member("m1")
    created = staff.post(
        f"/api/v1/communities/{org.communities[0].id}/activities", json=activity_body()
    )
    assert created.status_code == 201
    assert created.json["status"] == "draft"
    assert created.json["category_label"] == "环境整治"
    assert created.json["starts_at"].endswith("+08:00")
    # a draft is not shown to members
    assert resident.get("/api/v1/activities").json == []
    assert resident.get(f"/api/v1/activities/{created.json['id']}").status_code == 404

    published = staff.post(f"/api/v1/activities/{created.json['id']}/publish", key="publish-0001")
    assert published.status_code == 200 and published.json["status"] == "published"
    again = staff.post(f"/api/v1/activities/{created.json['id']}/publish")
    assert again.status_code == 200 and again.json["status"] == "published"
    listed = resident.get("/api/v1/activities").json
    assert [a["id"] for a in listed] == [created.json["id"]]
    assert listed[0]["my_signup_status"] is None


def test_bad_times_are_refused_and_write_nothing(staff, org):
    body = activity_body(ends_at=activity_body()["starts_at"])
    response = staff.post(f"/api/v1/communities/{org.communities[0].id}/activities", json=body)
    assert response.status_code == 422
    assert response.json["code"] == "activity_time_invalid"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


def test_staff_of_another_community_gets_404(publish, org, login, make_staff):
    activity = publish()
    make_staff("staffB", Role.COMMUNITY_STAFF, community_id=org.communities[1].id)
    other = login("staffB")
    edited = other.patch(f"/api/v1/activities/{activity['id']}", json={"title": "x"})
    assert edited.status_code == 404
    assert other.post(f"/api/v1/activities/{activity['id']}/cancel",
                      json={"reason": "x"}).status_code == 404
    assert other.get(f"/api/v1/activities/{activity['id']}/roster").status_code == 404
    assert other.get(f"/api/v1/activities/{activity['id']}/onsite-code").status_code == 404
    created = other.post(f"/api/v1/communities/{org.communities[0].id}/activities",
                         json=activity_body())
    assert created.status_code == 404


def test_members_see_only_activities_they_may_join(publish, org, member):
    everyone = publish(title="全社区")
    grid_only = publish(title="第二网格", audience_grid_ids=[org.grids[1].id])
    retired_only = publish(title="离退休", audience_member_types=["retired"])
    in_grid0 = member("m1", building=0)
    in_grid1 = member("m2", building=2)
    other_community = member("m3", building=4)
    assert {a["title"] for a in in_grid0.get("/api/v1/activities").json} == {"全社区"}
    assert {a["title"] for a in in_grid1.get("/api/v1/activities").json} == {"全社区", "第二网格"}
    assert other_community.get("/api/v1/activities").json == []
    assert in_grid0.post(f"/api/v1/activities/{grid_only['id']}/signup").status_code == 404
    assert in_grid0.post(f"/api/v1/activities/{retired_only['id']}/signup").status_code == 404
    assert other_community.post(f"/api/v1/activities/{everyone['id']}/signup").status_code == 404


def test_a_street_wide_dedication_day_is_open_to_every_community_of_the_street(publish, org,
                                                                               member):
    day = publish(title="党员奉献日", category="dedication_day",
                  audience_street_id=org.street.id)
    other_community = member("m3", building=4)
    assert [a["id"] for a in other_community.get("/api/v1/activities").json] == [day["id"]]
    signed = other_community.post(f"/api/v1/activities/{day['id']}/signup")
    assert signed.status_code == 200 and signed.json["status"] == "confirmed"


def test_changes_after_publishing_are_audited_and_announced(publish, staff, signals):
    activity = publish()
    response = staff.patch(f"/api/v1/activities/{activity['id']}",
                           json={"address": "幸福里 5 号楼", "capacity": 20})
    assert response.status_code == 200
    changed = sent_names(signals, "activity_changed")
    assert len(changed) == 1
    assert changed[0][2]["changes"]["address"] == ("幸福里 3 号楼", "幸福里 5 号楼")
    assert changed[0][2]["changes"]["capacity"] == (None, 20)
    entry = db.session.scalar(sa.select(AuditEntry).filter_by(action="activity.update"))
    assert entry.before["address"] == "幸福里 3 号楼" and entry.after["address"] == "幸福里 5 号楼"


def test_cancel_needs_a_reason_and_tells_those_signed_up(publish, staff, member, signals):
    activity = publish()
    resident = member("m1")
    resident.post(f"/api/v1/activities/{activity['id']}/signup")
    assert staff.post(f"/api/v1/activities/{activity['id']}/cancel", json={}).status_code == 422
    cancelled = staff.post(f"/api/v1/activities/{activity['id']}/cancel",
                           json={"reason": "暴雨预警"})
    assert cancelled.status_code == 200
    assert cancelled.json["status"] == "cancelled" and cancelled.json["cancel_reason"] == "暴雨预警"
    assert [s[2]["reason"] for s in sent_names(signals, "activity_cancelled")] == ["暴雨预警"]
    refused = resident.post(f"/api/v1/activities/{activity['id']}/clock-in",
                            json={"method": "qr", "code": "x.y.zzzzzzzzzzzz"})
    assert refused.json["code"] == "activity_cancelled"


def test_create_activity_from_a_job_without_an_actor(app, org, clock):
    from server.activities.service import create_activity
    from tests.activities.conftest import T0

    body = activity_body(category="party_day")
    body["starts_at"] = T0.replace(hour=1)
    body["ends_at"] = T0.replace(hour=3)
    activity = create_activity(None, org.communities[0].id, body, publish=True)
    db.session.commit()
    assert activity.status == "published" and activity.created_by_user_id is None
