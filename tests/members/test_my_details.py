"""A member changes their own details: employer unit (PATCH /me), phone (/me/phone)."""

from __future__ import annotations

import sqlalchemy as sa

from server.audit.models import AuditEntry
from server.extensions import db
from server.members.models import Member


def test_a_member_changes_their_employer_unit_and_it_is_audited(org, login, make_member):
    member = make_member("m1", org.buildings[0], unit=org.units[0])
    response = login("m1").patch("/api/v1/me", {"employer_unit_id": org.units[1].id})
    assert response.status_code == 200, response.json
    assert response.json["employer_unit"]["name"] == "乙单位"
    db.session.expire_all()
    assert db.session.get(Member, member.id).employer_unit_id == org.units[1].id
    entry = db.session.scalar(sa.select(AuditEntry).filter_by(action="member.update_self"))
    assert entry.after == {"employer_unit_id": org.units[1].id}


def test_an_unknown_unit_is_refused_and_nothing_changes(org, login, make_member):
    member = make_member("m1", org.buildings[0], unit=org.units[0])
    response = login("m1").patch("/api/v1/me", {"employer_unit_id": 999999})
    assert (response.status_code, response.json["code"]) == (422, "unit_not_found")
    db.session.expire_all()
    assert db.session.get(Member, member.id).employer_unit_id == org.units[0].id


def test_an_in_service_member_cannot_drop_their_unit(org, login, make_member):
    make_member("m1", org.buildings[0], unit=org.units[0])
    response = login("m1").patch("/api/v1/me", {"employer_unit_id": None})
    assert (response.status_code, response.json["code"]) == (422, "unit_required")


def test_the_phone_wechat_confirms_becomes_the_members_phone(org, login, make_member, standin):
    member = make_member("m1", org.buildings[0])
    code = standin.state.issue_phone_code("13800138000")
    response = login("m1").post("/api/v1/me/phone", {"code": code})
    assert response.status_code == 200, response.json
    assert response.json == {"phone": "13800138000"}
    db.session.expire_all()
    assert db.session.get(Member, member.id).phone == "13800138000"


def test_a_used_phone_code_changes_nothing(org, login, make_member, standin):
    member = make_member("m1", org.buildings[0])
    code = standin.state.issue_phone_code("13800138000")
    caller = login("m1")
    caller.post("/api/v1/me/phone", {"code": code})
    db.session.get(Member, member.id).phone = "13912345678"
    db.session.commit()
    response = caller.post("/api/v1/me/phone", {"code": code})
    assert (response.status_code, response.json["code"]) == (422, "wechat_phone_code_invalid")
    db.session.expire_all()
    assert db.session.get(Member, member.id).phone == "13912345678"
