"""The desk's records, changes after publishing, a member's page and 一卡一薄 downloads."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook

from server.audit.models import AuditEntry
from server.extensions import db
from tests.activities.conftest import T0


def test_changes_after_publishing_show_field_old_new_and_who(staff, publish, org, member):
    activity = publish()
    signed = member("m1")
    signed.post(f"/api/v1/activities/{activity['id']}/signup")
    response = staff.patch(f"/api/v1/activities/{activity['id']}",
                           json={"address": "幸福里 5 号楼",
                                 "starts_at": (T0 + timedelta(hours=3)).isoformat()})
    assert response.status_code == 200, response.json
    changes = staff.get(f"/api/v1/desk/activities/{activity['id']}/changes").json
    shown = {c["field_label"]: (c["old"], c["new"], c["announced"]) for c in changes}
    assert shown == {"地点": ("幸福里 3 号楼", "幸福里 5 号楼", True),
                     "开始时间": ("2026-11-23 10:00", "2026-11-23 11:00", True)}
    assert all(c["by"] for c in changes)
    notices = signed.get("/api/v1/notices/mine")  # told through the notices' own path
    assert notices.status_code == 200, notices.json
    told = [n for n in notices.json if "幸福里 5 号楼" in str(n)]
    assert len(told) == 1 and "幸福里 3 号楼" in str(told[0])


def test_changes_of_a_draft_are_not_listed_and_other_communities_get_404(
    staff, org, make_staff, login
):
    from server.auth.models import Role
    from tests.activities.conftest import activity_body

    draft = staff.post(f"/api/v1/communities/{org.communities[0].id}/activities",
                       json=activity_body()).json
    staff.patch(f"/api/v1/activities/{draft['id']}", json={"title": "改个名字"})
    assert staff.get(f"/api/v1/desk/activities/{draft['id']}/changes").json == []
    make_staff("staffB", Role.COMMUNITY_STAFF, community_id=org.communities[1].id)
    other = login("staffB")
    assert other.get(f"/api/v1/desk/activities/{draft['id']}/changes").status_code == 404


def test_grid_filter_lists_activities_open_to_the_grid(staff, org, publish):
    publish(title="全社区", audience_grid_ids=[])
    publish(title="一网格", audience_grid_ids=[org.grids[0].id])
    publish(title="二网格", audience_grid_ids=[org.grids[1].id])
    url = f"/api/v1/desk/communities/{org.communities[0].id}/activities"
    titles = {a["title"] for a in staff.get(url, query_string={"grid_id": org.grids[0].id}).json}
    assert titles == {"全社区", "一网格"}


def _attended_and_added(publish, member, staff, clock):
    activity = publish()
    callers = [member(f"m{i}", location_consent=True) for i in range(2)]
    for caller in callers:
        caller.post(f"/api/v1/activities/{activity['id']}/signup")
    clock.move_to(T0 + timedelta(hours=6))
    added = staff.post(f"/api/v1/activities/{activity['id']}/hours-records",
                       json={"member_id": callers[0].member_id, "hours": "2",
                             "reason": "手机没电，现场负责人证明"})
    assert added.status_code == 201, added.json
    return activity, callers, added.json


def test_activity_records_carry_names_and_hours_per_member_count_approved(
    publish, member, staff, secretary, clock, org
):
    activity, callers, added = _attended_and_added(publish, member, staff, clock)
    [row] = staff.get(f"/api/v1/desk/activities/{activity['id']}/hours-records").json
    assert (row["member_name"], row["status"], row["mine"]) == ("党员m0", "pending", True)
    assert row["created_by"] is not None
    url = f"/api/v1/desk/communities/{org.communities[0].id}/hours-per-member"
    assert staff.get(url).json["rows"] == []
    approved = secretary.post(f"/api/v1/hours-records/{added['id']}/approve")
    assert approved.status_code == 200, approved.json
    body = staff.get(url, query_string={"date_from": "2026-11-01", "date_to": "2026-11-30"}).json
    assert body["total_hours"] == "2.00"
    assert [(r["name"], r["hours"], r["records"]) for r in body["rows"]] == [("党员m0", "2.00", 1)]
    assert staff.get(url, query_string={"date_from": "2026-12-01"}).json["rows"] == []


def test_member_summary_and_ledger_downloads(publish, member, staff, secretary, clock, org):
    activity, callers, added = _attended_and_added(publish, member, staff, clock)
    secretary.post(f"/api/v1/hours-records/{added['id']}/approve")
    summary = staff.get(f"/api/v1/desk/members/{callers[0].member_id}/summary",
                        query_string={"year": 2026})
    assert summary.status_code == 200, summary.json
    assert summary.json["hours_year"] == "2.00"
    assert {"pledges", "party_days", "points_year", "stars"} <= set(summary.json)
    member_book = staff.get(f"/api/v1/desk/members/{callers[0].member_id}/ledger.xlsx")
    assert member_book.status_code == 200
    book = load_workbook(io.BytesIO(member_book.data))
    assert book.sheetnames == ["登记卡", "活动登记薄"]
    log = book["活动登记薄"]
    assert log.print_title_rows == "$2:$2" or log.print_title_rows == "2:2"
    assert str(log.page_setup.paperSize) == log.PAPERSIZE_A4 and log.page_setup.fitToWidth == 1
    assert any(row[0] == activity["title"] for row in log.iter_rows(min_row=3, values_only=True))
    community_book = staff.get(f"/api/v1/desk/communities/{org.communities[0].id}/ledger.xlsx",
                               query_string={"date_from": "2026-11-01"})
    assert community_book.status_code == 200
    rows = list(load_workbook(io.BytesIO(community_book.data))["活动登记薄"]
                .iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[-1]) for r in rows] == [("党员m0", 2)]
    actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert "export.member_ledger" in actions and "export.community_ledger" in actions


def test_members_filter_by_unit_building_registration_and_stars(
    staff, org, make_member, clock
):
    from server.points.models import PointBalance

    first = make_member("m1", org.buildings[0], unit=org.units[0], name="李志愿")
    make_member("m2", org.buildings[1], unit=org.units[1], name="王建国")
    db.session.add(PointBalance(member_id=first.id, period="2026", points=30, stars=2,
                                community_id=org.communities[0].id))
    db.session.commit()
    url, c = "/api/v1/desk/members", org.communities[0].id

    def names(**query):
        response = staff.get(url, query_string={"community_id": c, **query})
        assert response.status_code == 200, response.json
        return [m["name"] for m in response.json]

    assert names() == ["李志愿", "王建国"]
    assert names(unit_id=org.units[1].id) == ["王建国"]
    assert names(building_id=org.buildings[0].id) == ["李志愿"]
    assert names(registration="approved") == ["李志愿", "王建国"]
    assert names(registration="submitted") == []
    assert names(stars=2) == ["李志愿"]
    assert names(stars=0) == ["王建国"]
    assert staff.get(url, query_string={"community_id": c}).json[0]["stars"] == 2


def test_a_member_of_another_community_is_not_found_on_the_desk(
    staff, org, make_member, clock
):
    other = make_member("m9", org.buildings[4], unit=org.units[0], name="外社区")
    for path in (f"/api/v1/desk/members/{other.id}/summary",
                 f"/api/v1/desk/members/{other.id}/ledger.xlsx",
                 f"/api/v1/desk/communities/{org.communities[1].id}/ledger.xlsx",
                 f"/api/v1/desk/communities/{org.communities[1].id}/hours-per-member"):
        assert staff.get(path).status_code == 404, path
    listed = staff.get("/api/v1/desk/members", query_string={"name": "外社区"}).json
    assert listed == []
