"""Journey: scope in the console is the server's: the secretary of another community sees none
of this community's places, grants, imports or audit entries."""

from __future__ import annotations

import io

from openpyxl import Workbook
from playwright.sync_api import expect

from tests.conftest import Role


def buildings_workbook(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["楼栋名称", "所属网格", "纬度", "经度"])
    for cells in rows:
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_the_secretary_of_another_community_sees_none_of_this_communitys_work(
    page, new_page, org, make_staff, make_member, console_as, console_api, shot
):
    c1, c2 = org.communities
    make_staff("secA", Role.COMMUNITY_SECRETARY, community_id=c1.id)
    make_staff("secB", Role.COMMUNITY_SECRETARY, community_id=c2.id)
    make_member("zhang", org.buildings[0], name="张三")

    # community 1's secretary grants a grid worker and imports a building, through the API
    a = console_api(console_as(new_page(), "secA"))
    a.post("/api/v1/role-grants", {"role": "grid_worker", "phone": "13912345678",
                                   "grid_id": org.grids[0].id})
    preview = a.post("/api/v1/imports", multipart={
        "kind": "buildings", "community_id": str(c1.id),
        "file": {"name": "楼栋.xlsx", "mimeType": "application/octet-stream",
                 "buffer": buildings_workbook([["社区一专属楼", "第1网格", None, None]])}})
    a.post(f"/api/v1/imports/{preview['id']}/confirm")

    console_as(page, "secB")
    content = page.locator(".t-layout__content")
    expect(page.get_by_test_id("panel-buildings").locator("tbody tr")).to_have_count(4)
    expect(content).not_to_contain_text("社区一专属楼")
    expect(content).not_to_contain_text("社区1")

    page.get_by_test_id("menu").get_by_text("角色授权").click()
    expect(content.locator("tbody tr")).to_have_count(1)  # secB's own grant only
    expect(content).not_to_contain_text("张三")
    shot(page, "grants")

    page.get_by_test_id("menu").get_by_text("数据导入").click()
    expect(content).to_contain_text("还没有导入记录")

    page.get_by_test_id("menu").get_by_text("审计日志").click()
    table = page.get_by_test_id("audit-table")
    expect(table).to_contain_text("还没有审计记录")
    shot(page, "audit")
