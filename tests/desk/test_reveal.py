"""A member's phone is masked; showing it in full is audited, and only within scope."""

from __future__ import annotations

import sqlalchemy as sa

from server.audit.models import AuditEntry
from server.auth.models import Role
from server.extensions import db


def test_revealing_a_phone_answers_it_in_full_and_logs_who_saw_whose_phone(
    org, make_staff, make_member, login
):
    staff = make_staff("staffA", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    member = make_member("m1", org.buildings[0], name="李志愿")
    caller = login("staffA")
    assert caller.get(f"/api/v1/members/{member.id}").json["phone_masked"] == "139****5678"
    answer = caller.post(f"/api/v1/desk/members/{member.id}/reveal", json={"field": "phone"})
    assert answer.status_code == 200, answer.json
    assert answer.json["value"] == "13912345678"
    entry = db.session.scalar(sa.select(AuditEntry).filter_by(action="member.reveal"))
    assert (entry.actor_user_id, entry.target_id) == (staff.id, str(member.id))
    assert entry.after == {"member_name": "李志愿", "field": "手机号"}


def test_staff_of_another_community_cannot_reveal_and_nothing_is_logged(
    org, make_staff, make_member, login
):
    make_staff("staffB", Role.COMMUNITY_STAFF, community_id=org.communities[1].id)
    member = make_member("m1", org.buildings[0])
    answer = login("staffB").post(f"/api/v1/desk/members/{member.id}/reveal",
                                  json={"field": "phone"})
    assert answer.status_code == 404
    assert db.session.scalar(sa.select(AuditEntry).filter_by(action="member.reveal")) is None
    bad = login("staffB").post(f"/api/v1/desk/members/{member.id}/reveal",
                               json={"field": "id_card"})
    assert bad.status_code == 422
