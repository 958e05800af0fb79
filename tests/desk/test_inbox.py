"""待办: one inbox of everything waiting for a decision, decided in batches, maker-checker for
every kind."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from server.audit.models import AuditEntry
from server.auth.models import Role
from server.extensions import db
from tests.conftest import make_user
from tests.desk.factories import waiting_items

KINDS = ("registration", "hours_record", "manual_award", "appeal", "unconfirmed", "pledge_note")


@pytest.fixture
def waiting(org, make_staff, make_member):
    """Community 0: staffA entered the 补录 and the award; secA decides; m1, m2 members."""
    community = org.communities[0]
    staff = make_staff("staffA", Role.COMMUNITY_STAFF, community_id=community.id)
    make_staff("secA", Role.COMMUNITY_SECRETARY, community_id=community.id)
    members = [make_member("m1", org.buildings[0], unit=org.units[0]),
               make_member("m2", org.buildings[1], unit=org.units[0])]
    return waiting_items(community, org.buildings[0], members, staff.id)


def _refs(waiting, kinds=KINDS):
    return [{"kind": kind, "id": getattr(waiting, kind)} for kind in kinds]


def test_the_secretary_sees_every_kind_waiting_with_a_count_each(waiting, login):
    answer = login("secA").get("/api/v1/desk/inbox")
    assert answer.status_code == 200, answer.json
    assert answer.json["counts"] == {kind: 1 for kind in KINDS}
    assert answer.json["total"] == 6
    assert {item["kind"] for item in answer.json["items"]} == set(KINDS)
    only = login("secA").get("/api/v1/desk/inbox", query_string={"kind": "appeal"}).json
    assert [item["kind"] for item in only["items"]] == ["appeal"] and only["total"] == 6


def test_staff_see_what_staff_decide_and_not_what_waits_for_a_secretary(waiting, login):
    counts = login("staffA").get("/api/v1/desk/inbox").json["counts"]
    assert counts["hours_record"] == 0 and counts["manual_award"] == 0
    assert counts["registration"] == counts["appeal"] == counts["pledge_note"] == 1


def test_one_batch_approval_decides_every_kind_and_each_is_audited(waiting, login):
    secretary = login("secA")
    answer = secretary.post("/api/v1/desk/inbox/decisions",
                            json={"decision": "approve", "items": _refs(waiting)})
    assert answer.status_code == 200, answer.json
    assert [r["ok"] for r in answer.json] == [True] * 6, answer.json
    assert secretary.get("/api/v1/desk/inbox").json["total"] == 0
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"registration.approve", "points.manual_award.approve", "appeal.resolve"} <= actions


def test_the_maker_cannot_approve_their_own_entry_and_it_stays_waiting(
    org, make_staff, make_member, login
):
    community = org.communities[0]
    secretary = make_staff("secA", Role.COMMUNITY_SECRETARY, community_id=community.id)
    members = [make_member("m1", org.buildings[0], unit=org.units[0]),
               make_member("m2", org.buildings[1], unit=org.units[0])]
    waiting = waiting_items(community, org.buildings[0], members, secretary.id)
    caller = login("secA")
    answer = caller.post("/api/v1/desk/inbox/decisions", json={
        "decision": "approve", "items": _refs(waiting, ("hours_record", "manual_award"))})
    assert [(r["ok"], r["code"]) for r in answer.json] == [(False, "maker_cannot_decide")] * 2
    assert "不能审批自己" in answer.json[0]["message"]
    counts = caller.get("/api/v1/desk/inbox").json["counts"]
    assert counts["hours_record"] == counts["manual_award"] == 1
    refused = db.session.scalars(sa.select(AuditEntry).filter_by(
        action="inbox.self_decision_refused")).all()
    assert len(refused) == 2


def test_a_member_who_is_also_staff_cannot_approve_their_own_report(waiting, org, login):
    # m2 filed the report (and the 未签退); now m2 is also granted staff of the community
    from server.auth.service import grant_role

    grant_role(make_user("m2"), Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    db.session.commit()
    answer = login("m2").post("/api/v1/desk/inbox/decisions", json={
        "decision": "approve", "items": _refs(waiting, ("registration", "unconfirmed"))})
    assert [r["code"] for r in answer.json] == ["maker_cannot_decide"] * 2


def test_rejecting_needs_a_reason_and_without_one_nothing_changes(waiting, login):
    secretary = login("secA")
    refused = secretary.post("/api/v1/desk/inbox/decisions",
                             json={"decision": "reject", "items": _refs(waiting)})
    assert refused.status_code == 422 and refused.json["code"] == "reason_required"
    assert secretary.get("/api/v1/desk/inbox").json["total"] == 6
    rejected = secretary.post("/api/v1/desk/inbox/decisions", json={
        "decision": "reject", "reason": "信息不全，请补充",
        "items": _refs(waiting, ("registration", "manual_award", "pledge_note"))})
    assert [r["ok"] for r in rejected.json] == [True] * 3, rejected.json
    assert secretary.get("/api/v1/desk/inbox").json["total"] == 3


def test_staff_of_another_community_see_nothing_and_decide_nothing(waiting, org, make_staff,
                                                                   login):
    make_staff("secB", Role.COMMUNITY_SECRETARY, community_id=org.communities[1].id)
    other = login("secB")
    assert other.get("/api/v1/desk/inbox").json["total"] == 0
    answer = other.post("/api/v1/desk/inbox/decisions",
                        json={"decision": "approve", "items": _refs(waiting)})
    assert {r["code"] for r in answer.json} == {"not_found"}
    assert login("secA").get("/api/v1/desk/inbox").json["total"] == 6
