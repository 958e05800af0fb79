"""A notice's reach before sending: members in the audience, and how many hold a credit."""

from __future__ import annotations

from server.auth.models import Role


def test_the_reach_of_a_grid_counts_its_members_and_those_with_a_credit(
    org, make_staff, make_member, give_credit, login
):
    community = org.communities[0]
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=community.id)
    grid_one = [make_member(f"g1m{i}", org.buildings[i % 2]) for i in range(3)]
    make_member("g2m", org.buildings[2])  # the second grid
    give_credit(grid_one[0])
    give_credit(grid_one[1], credits=2)
    answer = login("staffA").post(
        f"/api/v1/desk/communities/{community.id}/notice-reach",
        json={"audience": {"type": "grids", "grid_ids": [org.grids[0].id]}})
    assert answer.status_code == 200, answer.json
    assert (answer.json["reached"], answer.json["with_credit"], answer.json["without_credit"]) \
        == (3, 2, 1)
    whole = login("staffA").post(f"/api/v1/desk/communities/{community.id}/notice-reach",
                                 json={"audience": {"type": "community"}}).json
    assert whole["reached"] == 4


def test_another_communitys_grid_or_staff_get_no_reach(org, make_staff, login, templates):
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    foreign = login("staffA").post(
        f"/api/v1/desk/communities/{org.communities[0].id}/notice-reach",
        json={"audience": {"type": "grids", "grid_ids": [org.grids[2].id]}})
    assert foreign.status_code == 422 and foreign.json["code"] == "audience_invalid"
    other = login("staffA").post(f"/api/v1/desk/communities/{org.communities[1].id}/notice-reach",
                                 json={"audience": {"type": "community"}})
    assert other.status_code == 404
