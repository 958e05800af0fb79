"""Setting up a street: streets, communities, grids, buildings, units; each in its own scope."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from server.audit.models import AuditEntry
from server.auth.models import Role, RoleGrant
from server.extensions import db
from server.members.models import Building, Community, District, Grid, Street

ORG = "/api/v1/org"


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def district(org):
    district = District(name="测试区")
    db.session.add(district)
    db.session.flush()
    org.street.district_id = district.id
    db.session.commit()
    return district


@pytest.fixture
def admin(org, make_staff, login):
    make_staff("admin", Role.STREET_ADMIN, street_id=org.street.id)
    return login("admin")


def test_a_district_admin_creates_a_street_once_and_others_cannot_touch_it(
        district, org, make_staff, login):
    make_staff("dist", Role.DISTRICT_ADMIN, district_id=district.id)
    dist = login("dist")
    assert dist.get(f"{ORG}/districts").json == [{"id": district.id, "name": "测试区"}]
    created = dist.post(f"{ORG}/streets", json={"district_id": district.id, "name": "新街道"})
    assert created.status_code == 201
    again = dist.post(f"{ORG}/streets", json={"district_id": district.id, "name": "新街道"})
    assert again.status_code == 200 and again.json["id"] == created.json["id"]
    names = [s["name"] for s in dist.get(f"{ORG}/streets").json]
    assert names == ["测试街道", "新街道"]
    # a street admin of another street neither sees nor changes it
    make_staff("admin", Role.STREET_ADMIN, street_id=org.street.id)
    other = login("admin")
    assert [s["name"] for s in other.get(f"{ORG}/streets").json] == ["测试街道"]
    street_id = created.json["id"]
    assert other.patch(f"{ORG}/streets/{street_id}", json={"name": "x"}).status_code == 404
    assert other.post(f"{ORG}/streets", json={"district_id": district.id,
                                             "name": "又一个"}).status_code == 404


def test_a_street_admin_sets_up_a_community_with_grids_workers_and_buildings(
        org, admin, make_member, login):
    grid_worker = make_member("gw", org.buildings[0])
    grid_worker.phone = "13800000001"
    db.session.commit()
    community = admin.post(f"{ORG}/communities",
                           json={"street_id": org.street.id, "name": "新社区", "address": "一号路"})
    assert community.status_code == 201
    cid = community.json["id"]
    assert community.json["street_name"] == "测试街道"
    grid = admin.post(f"{ORG}/grids", json={"community_id": cid, "name": "第一网格",
                                            "households": 280,
                                            "grid_worker": {"phone": "13800000001"}})
    assert grid.status_code == 201, grid.json
    assert [w["user_id"] for w in grid.json["grid_workers"]] == [grid_worker.user_id]
    building = admin.post(f"{ORG}/buildings", json={
        "community_id": cid, "grid_id": grid.json["id"], "name": "1号楼",
        "latitude": 39.9087, "longitude": 116.3975})
    assert building.status_code == 201
    assert building.json["grid_name"] == "第一网格" and building.json["latitude"] == 39.9087
    listed = admin.get(f"{ORG}/buildings?community_id={cid}")
    assert [b["name"] for b in listed.json] == ["1号楼"]
    assert '"total": 1' in listed.headers["X-Pagination"]
    # the grid worker can now act for the grid
    assert login("gw").get("/api/v1/registrations").status_code == 200
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"place.create", "role.grant"} <= actions


def test_creating_the_same_place_twice_is_one_place_and_a_clash_is_named(org, admin):
    body = {"community_id": org.communities[0].id, "grid_id": org.grids[0].id, "name": "9号楼"}
    first = admin.post(f"{ORG}/buildings", json=body)
    second = admin.post(f"{ORG}/buildings", json=body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json["id"] == second.json["id"]
    clash = admin.post(f"{ORG}/buildings", json={**body, "grid_id": org.grids[1].id})
    assert clash.status_code == 409 and clash.json["code"] == "name_taken"
    assert count(Building) == 9


def test_community_staff_edit_their_own_grids_and_buildings_only(org, make_staff, login):
    c0, c1 = org.communities
    make_staff("s0", Role.COMMUNITY_STAFF, community_id=c0.id)
    staff = login("s0")
    mine = staff.patch(f"{ORG}/buildings/{org.buildings[0].id}", json={"name": "一号楼"})
    assert mine.status_code == 200 and mine.json["name"] == "一号楼"
    assert staff.patch(f"{ORG}/grids/{org.grids[0].id}", json={"households": 310}).json[
        "households"] == 310
    theirs = org.buildings[4]  # in the other community
    assert staff.patch(f"{ORG}/buildings/{theirs.id}", json={"name": "x"}).status_code == 404
    assert staff.delete(f"{ORG}/grids/{org.grids[2].id}").status_code == 404
    assert staff.get(f"{ORG}/buildings?community_id={c1.id}").json == []
    assert {b["community_id"] for b in staff.get(f"{ORG}/buildings?page_size=100").json} == {c0.id}
    # but staff cannot create or rename communities
    assert staff.post(f"{ORG}/communities", json={"street_id": org.street.id,
                                                 "name": "x"}).status_code == 404
    assert staff.patch(f"{ORG}/communities/{c0.id}", json={"name": "x"}).status_code == 404
    assert db.session.get(Community, c0.id).name == "社区1"


def test_a_place_in_use_is_not_deleted_but_can_be_archived(org, admin, make_member):
    make_member("m", org.buildings[0])
    community = org.communities[0]
    refused = admin.delete(f"{ORG}/communities/{community.id}")
    assert refused.status_code == 409 and refused.json["code"] == "place_in_use"
    assert "归档" in refused.json["message"]
    refused = admin.delete(f"{ORG}/buildings/{org.buildings[0].id}")
    assert refused.status_code == 409
    assert db.session.get(Building, org.buildings[0].id) is not None
    archived = admin.patch(f"{ORG}/communities/{community.id}", json={"archived": True})
    assert archived.json["archived"] is True
    assert community.id not in {c["id"] for c in admin.get(f"{ORG}/communities").json}
    assert community.id in {c["id"] for c in
                            admin.get(f"{ORG}/communities?include_archived=true").json}


def test_an_unused_place_is_deleted(org, admin):
    unused = admin.post(f"{ORG}/buildings", json={"community_id": org.communities[0].id,
                                                  "grid_id": org.grids[0].id, "name": "空楼"})
    assert admin.delete(f"{ORG}/buildings/{unused.json['id']}").status_code == 204
    assert db.session.get(Building, unused.json["id"]) is None
    street = db.session.get(Street, org.street.id)
    assert street is not None


def test_bad_places_are_refused_with_the_field_and_write_nothing(org, admin):
    before = (count(Building), count(Grid), count(AuditEntry))
    bad = admin.post(f"{ORG}/buildings", json={"community_id": org.communities[0].id,
                                               "grid_id": org.grids[0].id, "name": "",
                                               "latitude": 95})
    assert bad.status_code == 422 and set(bad.json["details"]["fields"]) == {"name", "latitude"}
    wrong_grid = admin.post(f"{ORG}/buildings", json={"community_id": org.communities[0].id,
                                                      "grid_id": org.grids[2].id, "name": "x"})
    assert wrong_grid.status_code == 422 and wrong_grid.json["code"] == "grid_not_in_community"
    unknown = admin.post(f"{ORG}/grids", json={"community_id": org.communities[0].id, "name": "x",
                                               "grid_worker": {"phone": "13999999999"}})
    assert unknown.status_code == 404 and unknown.json["code"] == "person_not_found"
    assert (count(Building), count(Grid), count(AuditEntry)) == before


def test_street_admins_register_units_of_their_street(org, admin, district, make_staff, login):
    unit = admin.post(f"{ORG}/units", json={"street_id": org.street.id, "name": "丙单位",
                                            "party_org_name": "丙单位党支部"})
    assert unit.status_code == 201 and unit.json["street_id"] == org.street.id
    # another street's admin does not see it
    other_street = Street(name="别的街道", district_id=district.id)
    db.session.add(other_street)
    db.session.commit()
    make_staff("other", Role.STREET_ADMIN, street_id=other_street.id)
    other = login("other")
    assert other.get(f"{ORG}/units").json == []
    assert other.patch(f"{ORG}/units/{unit.json['id']}", json={"name": "x"}).status_code == 404
    assert admin.delete(f"{ORG}/units/{unit.json['id']}").status_code == 204


def test_the_cli_makes_the_first_district_admin_and_audits_it(app, org):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["roles", "grant", "--role", "district_admin",
                                 "--district", "某某区", "--openid", "openid-first-admin"])
    assert result.exit_code == 0, result.output
    grant = db.session.scalar(sa.select(RoleGrant).filter_by(role="district_admin"))
    assert db.session.get(District, grant.district_id).name == "某某区"
    entry = db.session.scalar(sa.select(AuditEntry).filter_by(action="role.grant"))
    assert entry.actor_user_id is None and entry.reason == "命令行授权"
    again = runner.invoke(args=["roles", "grant", "--role", "district_admin",
                                "--district", "某某区", "--openid", "openid-first-admin"])
    assert "already granted" in again.output
    listed = runner.invoke(args=["roles", "list"])
    assert "district_admin" in listed.output
    refused = runner.invoke(args=["roles", "grant", "--role", "street_admin", "--street", "99999",
                                  "--phone", "13800000000"])
    assert refused.exit_code != 0


def test_archived_places_leave_the_mini_programs_pickers(org, admin, make_member, login):
    make_member("m", org.buildings[0])
    org.units[1].street_id = org.street.id
    db.session.commit()
    member = login("m")
    c0 = org.communities[0]
    admin.patch(f"{ORG}/buildings/{org.buildings[1].id}", json={"archived": True})
    admin.patch(f"{ORG}/communities/{org.communities[1].id}", json={"archived": True})
    admin.patch(f"{ORG}/units/{org.units[1].id}", json={"archived": True})
    assert [c["id"] for c in member.get("/api/v1/communities").json] == [c0.id]
    buildings = member.get(f"/api/v1/communities/{c0.id}/buildings").json
    assert org.buildings[1].id not in {b["id"] for b in buildings} and len(buildings) == 3
    assert [u["id"] for u in member.get("/api/v1/units").json] == [org.units[0].id]
