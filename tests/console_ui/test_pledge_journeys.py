"""Journey: staff see which buildings have a pledged member, per grid, and who has not pledged."""

from __future__ import annotations

from playwright.sync_api import expect

from server.auth.models import Role
from tests.console_ui.ui import choose, row
from tests.desk.factories import waiting_items


def test_staff_see_pledge_coverage_per_grid_and_the_members_not_pledged(
    page, org, make_staff, make_member, console_as, shot
):
    community = org.communities[0]
    staff = make_staff("staffA", Role.COMMUNITY_STAFF, community_id=community.id)
    members = [make_member("m1", org.buildings[0], name="李志愿"),
               make_member("m3", org.buildings[0], name="张待审核")]  # report back to waiting
    make_member("m2", org.buildings[1], name="王未承诺")
    waiting_items(community, org.buildings[0], members, staff.id)  # m1 pledged for 1-1号楼
    console_as(page, "staffA", "/console/pledges")
    expect(page.get_by_test_id("coverage-summary")).to_contain_text("4 栋楼，已覆盖 1 栋")
    grids = page.get_by_test_id("coverage-grids")
    expect(row(grids, "第1网格")).to_contain_text("1-2号楼")
    expect(row(grids, "第2网格")).to_contain_text("2-1号楼、2-2号楼")
    expect(page.get_by_test_id("not-pledged")).to_contain_text("王未承诺")
    shot(page, "coverage")


def test_staff_appoint_a_building_head_among_the_pledged_and_see_areas_and_templates(
    page, org, make_staff, make_member, console_as, shot
):
    community = org.communities[0]
    staff = make_staff("staffA", Role.COMMUNITY_STAFF, community_id=community.id)
    members = [make_member("m1", org.buildings[0], name="李志愿"),
               make_member("m3", org.buildings[0], name="张待审核")]
    waiting_items(community, org.buildings[0], members, staff.id)  # m1 pledged for 1-1号楼
    console_as(page, "staffA", "/console/pledges")
    tabs = page.get_by_test_id("pledge-tabs")
    tabs.locator(".t-tabs__nav-item", has_text="承诺与楼栋长").click()
    pledges = page.get_by_test_id("pledges-table")
    row(pledges, "李志愿").get_by_text("任命为楼栋长").click()
    expect(page.locator(".t-message", has_text="已任命 李志愿 为 1-1号楼 楼栋长")).to_be_visible()
    expect(row(pledges, "李志愿")).to_contain_text("楼栋长")
    shot(page, "building-heads")

    tabs.locator(".t-tabs__nav-item", has_text="承诺书模板").click()
    expect(row(page.get_by_test_id("templates-table"), "包楼栋承诺书")).to_contain_text("环境卫生")
    shot(page, "pledge-templates")
    tabs.locator(".t-tabs__nav-item", has_text="责任区").click()
    choose(page, page.get_by_test_id("area-member"), "李志愿")
    choose(page, page.get_by_test_id("area-building"), "1-2号楼")
    page.get_by_test_id("assign-area").click()
    expect(row(page.get_by_test_id("areas-table"), "李志愿")).to_contain_text("1-2号楼")
    shot(page, "responsibility-areas")
    tabs.locator(".t-tabs__nav-item", has_text="践诺记录").click()
    expect(row(page.get_by_test_id("notes-table"), "李志愿")).to_contain_text("清理了楼道堆物")
    expect(row(page.get_by_test_id("notes-table"), "李志愿")).to_contain_text("待核实")
