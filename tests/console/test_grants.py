"""Role grants: granted and revoked within the granter's scope, audited, shown with provenance."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from server.audit.models import AuditEntry
from server.auth.models import Role, RoleGrant
from server.extensions import db

GRANTS = "/api/v1/role-grants"


def grants_of(user_id: int) -> list[tuple[str, int | None]]:
    return [(g.role, g.community_id) for g in
            db.session.scalars(sa.select(RoleGrant).filter_by(user_id=user_id))]


@pytest.fixture
def people(org, make_member):
    """Two members who logged in to the mini-program, with known phones."""
    made = {}
    for name, phone in (("p1", "13700000001"), ("p2", "13700000002")):
        member = make_member(name, org.buildings[0])
        member.phone = phone
        made[name] = member
    db.session.commit()
    return made


def test_a_street_admin_grants_community_staff_by_phone_and_sees_who_granted(
        org, people, make_staff, login):
    admin_user = make_staff("admin", Role.STREET_ADMIN, street_id=org.street.id)
    admin = login("admin")
    c0 = org.communities[0]
    granted = admin.post(GRANTS, json={"role": "community_staff", "phone": "13700000001",
                                       "community_id": c0.id})
    assert granted.status_code == 201, granted.json
    assert granted.json["place_name"] == c0.name
    assert granted.json["user"]["phone_masked"] == "137****0001"
    assert granted.json["granted_by"]["id"] == admin_user.id
    assert granted.json["granted_at"]
    again = admin.post(GRANTS, json={"role": "community_staff", "phone": "13700000001",
                                     "community_id": c0.id})
    assert again.status_code == 200 and again.json["id"] == granted.json["id"]
    assert grants_of(people["p1"].user_id) == [("community_staff", c0.id)]
    listed = admin.get(f"{GRANTS}?community_id={c0.id}").json
    assert [g["user"]["id"] for g in listed] == [people["p1"].user_id]
    entry = db.session.scalar(sa.select(AuditEntry).filter_by(action="role.grant"))
    assert entry.community_id == c0.id and entry.actor_user_id == admin_user.id
    # the new staff member now manages the community
    assert login("p1").get(f"/api/v1/registrations?community_id={c0.id}").status_code == 200


def test_a_community_secretary_grants_grid_workers_but_not_a_street_admin(
        org, people, make_staff, login):
    c0 = org.communities[0]
    make_staff("sec", Role.COMMUNITY_SECRETARY, community_id=c0.id)
    sec = login("sec")
    ok = sec.post(GRANTS, json={"role": "grid_worker", "phone": "13700000001",
                                "grid_id": org.grids[0].id})
    assert ok.status_code == 201 and ok.json["community_id"] == c0.id
    refused = sec.post(GRANTS, json={"role": "street_admin", "phone": "13700000002",
                                     "street_id": org.street.id})
    assert refused.status_code == 403 and refused.json["code"] == "forbidden"
    other_community = sec.post(GRANTS, json={"role": "community_staff", "phone": "13700000002",
                                             "community_id": org.communities[1].id})
    assert other_community.status_code == 404
    assert grants_of(people["p2"].user_id) == []


def test_staff_cannot_grant_and_see_no_grants_of_another_community(
        org, people, make_staff, login):
    c0, c1 = org.communities
    make_staff("admin", Role.STREET_ADMIN, street_id=org.street.id)
    login("admin").post(GRANTS, json={"role": "community_staff", "phone": "13700000001",
                                      "community_id": c1.id})
    make_staff("sec0", Role.COMMUNITY_SECRETARY, community_id=c0.id)
    sec0 = login("sec0")
    assert sec0.get(GRANTS).json == [g for g in sec0.get(GRANTS).json if g["community_id"] == c0.id]
    assert all(g["community_id"] != c1.id for g in sec0.get(f"{GRANTS}?page_size=100").json)
    their_grant = db.session.scalar(sa.select(RoleGrant).filter_by(community_id=c1.id,
                                                                   role="community_staff"))
    assert sec0.delete(f"{GRANTS}/{their_grant.id}").status_code == 404
    make_staff("staff0", Role.COMMUNITY_STAFF, community_id=c0.id)
    staff0 = login("staff0")
    refused = staff0.post(GRANTS, json={"role": "grid_worker", "phone": "13700000002",
                                        "grid_id": org.grids[0].id})
    assert refused.status_code == 403


def test_revoking_a_grant_ends_the_role_and_is_audited(org, people, make_staff, login):
    c0 = org.communities[0]
    make_staff("admin", Role.STREET_ADMIN, street_id=org.street.id)
    admin = login("admin")
    grant = admin.post(GRANTS, json={"role": "community_secretary", "phone": "13700000002",
                                     "community_id": c0.id}).json
    assert admin.delete(f"{GRANTS}/{grant['id']}").status_code == 204
    assert grants_of(people["p2"].user_id) == []
    entry = db.session.scalar(sa.select(AuditEntry).filter_by(action="role.revoke"))
    assert entry.before["role"] == "community_secretary"


def test_a_grant_needs_the_place_of_its_role_and_a_known_person(org, people, make_staff, login):
    make_staff("admin", Role.STREET_ADMIN, street_id=org.street.id)
    admin = login("admin")
    wrong_place = admin.post(GRANTS, json={"role": "grid_worker", "phone": "13700000001",
                                           "community_id": org.communities[0].id})
    assert wrong_place.status_code == 422 and wrong_place.json["code"] == "place_required"
    nobody = admin.post(GRANTS, json={"role": "community_staff", "phone": "13600000000",
                                      "community_id": org.communities[0].id})
    assert nobody.status_code == 404 and nobody.json["code"] == "person_not_found"
    both = admin.post(GRANTS, json={"role": "community_staff", "phone": "13700000001",
                                    "user_id": 1, "community_id": org.communities[0].id})
    assert both.status_code == 422
    district = admin.post(GRANTS, json={"role": "district_admin", "phone": "13700000001",
                                        "street_id": org.street.id})
    assert district.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RoleGrant)) == 1


def test_nobody_revokes_their_own_role(org, make_staff, login):
    admin_user = make_staff("admin", Role.STREET_ADMIN, street_id=org.street.id)
    refused = login("admin").delete(f"{GRANTS}/{admin_user.grants[0].id}")
    assert refused.status_code == 403
