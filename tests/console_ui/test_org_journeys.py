"""Journeys: a street administrator sets up a community with grids and buildings; staff of
another community see none of it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from server.extensions import db
from server.members.models import District
from tests.conftest import Role
from tests.console_ui.ui import choose, dialog, field, popconfirm, row, save


def test_a_street_admin_sets_up_a_community_with_grids_buildings_and_a_unit(
    page, org, make_staff, make_member, console_as, shot
):
    make_staff("admin", Role.STREET_ADMIN, street_id=org.street.id)
    make_member("gw", org.buildings[0], name="王网格")  # phone 13912345678
    console_as(page, "admin")
    expect(page).to_have_url(re.compile(r"/console/org$"))

    communities = page.get_by_test_id("panel-communities")
    expect(row(communities, "社区1")).to_be_visible()
    communities.get_by_role("button", name="新建社区").click()
    save(page)
    expect(dialog(page)).to_contain_text("请填写社区名称")  # nothing sent without a name
    field(dialog(page), "社区名称").fill("新风社区")
    field(dialog(page), "地址").fill("新风路 1 号")
    shot(page, "new-community")
    save(page)
    expect(row(communities, "新风社区")).to_contain_text("测试街道")

    page.get_by_text("网格与楼栋", exact=True).click()
    choose(page, page.get_by_test_id("community-picker"), "新风社区")
    grids = page.get_by_test_id("panel-grids")
    expect(grids).to_contain_text("还没有网格")
    grids.get_by_role("button", name="新建网格").click()
    field(dialog(page), "网格名称").fill("第一网格")
    field(dialog(page), "户数").fill("320")
    field(dialog(page), "网格员手机号").fill("13912345678")
    save(page)
    expect(row(grids, "第一网格")).to_contain_text("王网格")
    grids.get_by_role("button", name="新建网格").click()
    field(dialog(page), "网格名称").fill("第二网格")
    save(page)
    expect(row(grids, "第二网格")).to_contain_text("未指定")

    buildings = page.get_by_test_id("panel-buildings")
    for name, grid in (("1号楼", "第一网格"), ("2号楼", "第二网格"), ("3号楼", "第二网格")):
        buildings.get_by_role("button", name="新建楼栋").click()
        field(dialog(page), "楼栋名称").fill(name)
        choose(page, dialog(page).locator(".t-select"), grid)
        if name == "1号楼":
            field(dialog(page), "纬度").fill("39.915")
            field(dialog(page), "经度").fill("116.404")
        save(page)
        expect(row(buildings, name)).to_contain_text(grid)
    expect(row(buildings, "1号楼")).to_contain_text("39.915, 116.404")

    row(buildings, "3号楼").get_by_text("归档").click()
    expect(row(buildings, "3号楼")).to_have_count(0)
    buildings.get_by_text("显示已归档").click()
    expect(row(buildings, "3号楼")).to_contain_text("已归档")
    shot(page, "grids-and-buildings")

    row(buildings, "2号楼").get_by_text("编辑").click()
    field(dialog(page), "楼栋名称").fill("2号楼（东）")
    save(page)
    expect(row(buildings, "2号楼（东）")).to_be_visible()

    # a place with members cannot be deleted: the server says why, in Chinese
    page.get_by_text("社区", exact=True).first.click()
    row(communities, "社区1").get_by_text("删除").click()
    popconfirm(page)
    expect(page.locator(".t-message.t-is-error")).to_contain_text("请改为归档")
    expect(row(communities, "社区1")).to_be_visible()
    shot(page, "community-in-use")

    page.get_by_text("单位", exact=True).click()
    units = page.get_by_test_id("panel-units")
    units.get_by_role("button", name="新建单位").click()
    field(dialog(page), "单位名称").fill("新风小学")
    field(dialog(page), "党组织名称").fill("新风小学党支部")
    save(page)
    expect(row(units, "新风小学")).to_contain_text("新风小学党支部")


def test_staff_of_another_community_see_none_of_this_communitys_places(
    page, org, make_staff, console_as, shot
):
    c1, c2 = org.communities
    make_staff("staffB", Role.COMMUNITY_STAFF, community_id=c2.id)
    other = {"id": c1.id, "name": c1.name}  # read now: the browser's turn comes next
    console_as(page, "staffB")
    grids = page.get_by_test_id("panel-grids")
    expect(grids.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("panel-buildings").locator("tbody tr")).to_have_count(4)
    assert other["name"] not in page.locator(".t-layout__content").inner_text()
    shot(page, "other-community-org")

    # asking for community 1's grids directly is answered as if they did not exist
    answer = page.request.get(f"/api/v1/org/grids?community_id={other['id']}")
    assert answer.status in (403, 404) or answer.json() == []


def test_a_district_admin_creates_a_street_and_its_first_community(
    page, org, make_staff, console_as, shot
):
    district = District(name="和平区")
    db.session.add(district)
    db.session.commit()
    make_staff("district", Role.DISTRICT_ADMIN, district_id=district.id)
    console_as(page, "district")

    streets = page.get_by_test_id("panel-streets")
    expect(streets).to_contain_text("还没有街道")  # 测试街道 belongs to no district of theirs
    streets.get_by_role("button", name="新建街道").click()
    expect(field(dialog(page), "所属区")).to_have_value("和平区")
    field(dialog(page), "街道名称").fill("新华街道")
    save(page)
    expect(row(streets, "新华街道")).to_contain_text("和平区")
    shot(page, "streets")

    page.get_by_text("社区", exact=True).first.click()
    communities = page.get_by_test_id("panel-communities")
    communities.get_by_role("button", name="新建社区").click()
    expect(field(dialog(page), "所属街道")).to_have_value("新华街道")
    field(dialog(page), "社区名称").fill("新华社区")
    save(page)
    expect(row(communities, "新华社区")).to_contain_text("新华街道")
    expect(communities.locator("tbody tr")).to_have_count(1)
