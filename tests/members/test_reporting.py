"""Reporting to the community (报到): submit, approve or reject, move house, export."""

from __future__ import annotations

import io

import sqlalchemy as sa
from openpyxl import load_workbook

from server.audit.models import AuditEntry
from server.auth.models import Role
from server.extensions import db
from server.members.models import Member, Registration


def report_body(org, **changes):
    body = {
        "name": "张小明",
        "phone": "13812345678",
        "member_type": "in_service",
        "employer_unit_id": org.units[0].id,
        "community_id": org.communities[0].id,
        "building_id": org.buildings[0].id,
        "room": "2-301",
        "privacy_version": "2026-11",
        "privacy_agreed": True,
    }
    body.update(changes)
    return body


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_member_reports_and_staff_of_that_community_approves(org, login, make_staff):
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    member = login("newcomer")
    submitted = member.post("/api/v1/registrations", json=report_body(org), key="report-0001")
    assert submitted.status_code == 201
    assert submitted.json["status"] == "submitted"
    assert submitted.json["member"]["phone_masked"] == "138****5678"

    staff = login("staffA")
    pending = staff.get("/api/v1/registrations?status=submitted")
    assert [r["id"] for r in pending.json] == [submitted.json["id"]]
    approved = staff.post(
        f"/api/v1/registrations/{submitted.json['id']}/approve", key="approve-001"
    )
    assert approved.status_code == 200
    assert approved.json["status"] == "approved"

    me = member.get("/api/v1/me").json
    assert me["registration"]["status"] == "approved"
    assert me["member"]["community"]["id"] == org.communities[0].id
    entry = db.session.scalar(sa.select(AuditEntry).filter_by(action="registration.approve"))
    assert entry.before["status"] == "submitted" and entry.after["status"] == "approved"


def test_staff_of_another_community_cannot_see_or_approve(org, login, make_staff):
    make_staff("staffB", Role.COMMUNITY_STAFF, community_id=org.communities[1].id)
    member = login("newcomer")
    registration = member.post("/api/v1/registrations", json=report_body(org)).json
    other = login("staffB")
    assert other.get("/api/v1/registrations").json == []
    response = other.post(f"/api/v1/registrations/{registration['id']}/approve")
    assert response.status_code == 404
    assert db.session.get(Registration, registration["id"]).status == "submitted"


def test_rejection_needs_a_reason_and_the_member_sees_it(org, login, make_staff):
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    member = login("newcomer")
    registration = member.post("/api/v1/registrations", json=report_body(org)).json
    staff = login("staffA")
    no_reason = staff.post(f"/api/v1/registrations/{registration['id']}/reject", json={})
    assert no_reason.status_code == 422
    assert "reason" in no_reason.json["details"]["fields"]
    rejected = staff.post(
        f"/api/v1/registrations/{registration['id']}/reject", json={"reason": "楼栋填写有误"}
    )
    assert rejected.json["status"] == "rejected"
    history = member.get("/api/v1/registrations/mine").json
    assert history[0]["reject_reason"] == "楼栋填写有误"


def test_a_grid_worker_approves_only_in_their_grid(org, login, make_staff):
    make_staff("grid", Role.GRID_WORKER, community_id=org.communities[0].id,
               grid_id=org.grids[1].id)
    member = login("newcomer")
    in_grid0 = member.post("/api/v1/registrations", json=report_body(org)).json
    worker = login("grid")
    assert worker.post(f"/api/v1/registrations/{in_grid0['id']}/approve").status_code == 404


def test_reporting_twice_while_pending_is_one_registration(org, login):
    member = login("newcomer")
    first = member.post("/api/v1/registrations", json=report_body(org))
    again = member.post("/api/v1/registrations", json=report_body(org))
    assert again.status_code == 201 and again.json["id"] == first.json["id"]
    elsewhere = member.post(
        "/api/v1/registrations", json=report_body(org, building_id=org.buildings[1].id)
    )
    assert elsewhere.status_code == 409
    assert elsewhere.json["code"] == "registration_pending"
    assert count(Registration) == 1


def test_moving_house_ends_the_old_card_and_keeps_history(org, login, make_staff):
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    member = login("newcomer")
    first = member.post("/api/v1/registrations", json=report_body(org)).json
    login("staffA").post(f"/api/v1/registrations/{first['id']}/approve")
    moved = member.post(
        "/api/v1/registrations",
        json=report_body(org, community_id=org.communities[1].id,
                         building_id=org.buildings[4].id),
    )
    assert moved.status_code == 201
    history = member.get("/api/v1/registrations/mine").json
    assert [r["status"] for r in history] == ["submitted", "ended"]


def test_a_member_without_privacy_consent_cannot_report(org, login):
    member = login("newcomer")
    response = member.post("/api/v1/registrations", json=report_body(org, privacy_agreed=False))
    assert response.status_code == 422
    assert response.json["code"] == "privacy_consent_required"
    assert count(Member) == 0 and count(Registration) == 0


def test_a_building_of_another_community_is_refused_and_nothing_is_written(org, login):
    member = login("newcomer")
    response = member.post(
        "/api/v1/registrations", json=report_body(org, building_id=org.buildings[5].id)
    )
    assert response.status_code == 422
    assert response.json["code"] == "building_not_in_community"
    assert count(Member) == 0 and count(Registration) == 0


def test_a_member_cannot_set_their_own_status_or_role_through_any_field(org, login):
    member = login("newcomer")
    for field, value in [("status", "approved"), ("role", "street_admin"),
                         ("community", 1), ("id", 99)]:
        response = member.post("/api/v1/registrations", json=report_body(org, **{field: value}))
        assert response.status_code == 422, field
        assert field in response.json["details"]["fields"]
    patch = member.patch("/api/v1/me", json={"community_id": org.communities[1].id})
    assert patch.status_code == 422
    assert count(Registration) == 0


def test_location_consent_is_given_and_withdrawn(org, login, make_member):
    make_member("m1", org.buildings[0])
    member = login("m1")
    assert member.post("/api/v1/me/consents/location", json={"granted": True}).json[
        "location_consent"] is True
    assert member.post("/api/v1/me/consents/location", json={"granted": False}).json[
        "location_consent"] is False


def test_registration_cards_export_to_excel_and_each_export_is_logged(org, login, make_staff,
                                                                      make_member):
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    make_member("m1", org.buildings[0], org.units[0], name="李四")
    make_member("m2", org.buildings[4], org.units[1], name="王五")  # other community
    staff = login("staffA")
    response = staff.get(f"/api/v1/communities/{org.communities[0].id}/registration-cards.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    names = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert names == ["李四"]
    assert sheet.cell(row=3, column=2).value == "13912345678"
    other = staff.get(f"/api/v1/communities/{org.communities[1].id}/registration-cards.xlsx")
    assert other.status_code == 404
    logged = db.session.scalars(
        sa.select(AuditEntry).filter_by(action="export.registration_cards")
    ).all()
    assert len(logged) == 1 and logged[0].after == {"rows": 1}
