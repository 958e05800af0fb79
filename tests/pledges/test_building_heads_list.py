"""The community's building heads as staff list them (the console's 楼栋长 screen)."""

from __future__ import annotations

from server.auth.models import Role
from tests.desk.factories import waiting_items


def test_staff_list_the_heads_they_appointed_and_other_communities_get_404(
    org, make_staff, make_member, login
):
    community = org.communities[0]
    staff = make_staff("staffA", Role.COMMUNITY_STAFF, community_id=community.id)
    make_staff("staffB", Role.COMMUNITY_STAFF, community_id=org.communities[1].id)
    members = [make_member("m1", org.buildings[0], name="李志愿"),
               make_member("m2", org.buildings[1])]
    waiting_items(community, org.buildings[0], members, staff.id)  # m1 pledged for building 0
    caller = login("staffA")
    url = f"/api/v1/communities/{community.id}/building-heads"
    assert caller.get(url).json == []
    appointed = caller.put(f"/api/v1/buildings/{org.buildings[0].id}/head",
                           json={"member_id": members[0].id})
    assert appointed.status_code == 200, appointed.json
    listed = caller.get(url).json
    assert [(h["building_id"], h["member_name"]) for h in listed] == \
        [(org.buildings[0].id, "李志愿")]
    assert login("staffB").get(url).status_code == 404
