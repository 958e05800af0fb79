"""Journey: the audit reader, filtered by action and person, and its Excel download (itself
audited)."""

from __future__ import annotations

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.conftest import Role
from tests.console_ui.ui import choose, row


def test_a_secretary_reads_the_audit_log_filters_it_and_downloads_it(
    page, org, make_staff, make_member, console_as, console_api, tmp_path, shot
):
    c1 = org.communities[0]
    make_staff("secA", Role.COMMUNITY_SECRETARY, community_id=c1.id)
    make_member("zhang", org.buildings[0], name="张三")
    console_as(page, "secA", "/console/audit")
    api = console_api(page)
    grant = api.post("/api/v1/role-grants", {"role": "grid_worker", "phone": "13912345678",
                                             "grid_id": org.grids[0].id})
    page.reload()

    table = page.get_by_test_id("audit-table")
    expect(row(table, "授予角色")).to_contain_text("社区1")
    shot(page, "log")

    choose(page, page.get_by_test_id("filter-action"), "授予角色")
    page.get_by_role("button", name="查询").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    row(table, "授予角色").click()  # the details: before and after
    expect(table.locator(".changes tr", has_text="角色")).to_contain_text("网格员")
    expect(table).to_contain_text(f"角色授权 #{grant['id']}")
    shot(page, "filtered")

    choose(page, page.get_by_test_id("filter-actor"), "secA")
    page.get_by_role("button", name="查询").click()
    expect(table.locator("tbody tr")).to_have_count(1)

    with page.expect_download() as download:
        page.get_by_test_id("audit-download").click()
    path = tmp_path / "audit.xlsx"
    download.value.save_as(path)
    assert download.value.suggested_filename.endswith(".xlsx")
    cells = [[c for c in r if c is not None] for r in load_workbook(path).worksheets[0].values]
    assert any("授予角色" in map(str, r) for r in cells)

    page.get_by_role("button", name="重置").click()
    expect(row(table, "导出操作日志")).to_be_visible()  # the download is itself in the log
