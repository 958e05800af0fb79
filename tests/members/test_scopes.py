"""Nobody sees what is not theirs: members, staff, grid workers, unit secretaries, street admins."""

from __future__ import annotations

from server.auth.models import Role


def ids(response) -> set[int]:
    assert response.status_code == 200, response.json
    return {row["id"] for row in response.json}


def test_community_staff_asking_for_another_communitys_member_gets_404(org, login, make_staff,
                                                                      make_member):
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    mine = make_member("m1", org.buildings[0])
    theirs = make_member("m2", org.buildings[4])
    staff = login("staffA")
    assert staff.get(f"/api/v1/members/{mine.id}").status_code == 200
    response = staff.get(f"/api/v1/members/{theirs.id}")
    assert response.status_code == 404
    assert response.json["code"] == "not_found"
    assert ids(staff.get("/api/v1/members")) == {mine.id}


def test_a_member_reading_another_members_record_gets_404(org, login, make_member):
    me = make_member("m1", org.buildings[0])
    neighbour = make_member("m2", org.buildings[0])
    caller = login("m1")
    assert caller.get(f"/api/v1/members/{me.id}").status_code == 200
    assert caller.get(f"/api/v1/members/{neighbour.id}").status_code == 404
    assert ids(caller.get("/api/v1/members")) == set()


def test_a_unit_secretary_sees_only_their_units_members_across_communities(
    org, login, make_staff, make_member
):
    make_staff("unitsec", Role.UNIT_SECRETARY, unit_id=org.units[0].id)
    a = make_member("m1", org.buildings[0], org.units[0])
    b = make_member("m2", org.buildings[5], org.units[0])
    other_unit = make_member("m3", org.buildings[0], org.units[1])
    secretary = login("unitsec")
    assert ids(secretary.get("/api/v1/members")) == {a.id, b.id}
    assert secretary.get(f"/api/v1/members/{other_unit.id}").status_code == 404


def test_a_grid_worker_sees_only_their_grid(org, login, make_staff, make_member):
    make_staff("grid", Role.GRID_WORKER, community_id=org.communities[0].id,
               grid_id=org.grids[0].id)
    in_grid = make_member("m1", org.buildings[0])
    same_community_other_grid = make_member("m2", org.buildings[2])
    worker = login("grid")
    assert ids(worker.get("/api/v1/members")) == {in_grid.id}
    assert worker.get(f"/api/v1/members/{same_community_other_grid.id}").status_code == 404


def test_a_street_admin_sees_every_community_of_the_street(org, login, make_staff, make_member):
    make_staff("admin", Role.STREET_ADMIN, street_id=org.street.id)
    a = make_member("m1", org.buildings[0])
    b = make_member("m2", org.buildings[7])
    admin = login("admin")
    assert ids(admin.get("/api/v1/members")) == {a.id, b.id}
    filtered = admin.get(f"/api/v1/members?community_id={org.communities[1].id}")
    assert ids(filtered) == {b.id}


def test_phone_numbers_are_shown_masked(org, login, make_staff, make_member):
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    member = make_member("m1", org.buildings[0])
    body = login("staffA").get(f"/api/v1/members/{member.id}").json
    assert body["phone_masked"] == "139****5678"
    assert "13912345678" not in str(body)


def test_member_lists_are_paginated_with_the_header(org, login, make_staff, make_member):
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    for i in range(5):
        make_member(f"m{i}", org.buildings[0])
    response = login("staffA").get("/api/v1/members?page=2&page_size=2")
    assert len(response.json) == 2
    assert '"total": 5' in response.headers["X-Pagination"]
