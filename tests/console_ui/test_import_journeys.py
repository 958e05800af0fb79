"""Journey: a street administrator imports units, buildings and a unit's roster of in-service
members from the downloaded templates: each first with errors (nothing written), then right."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.conftest import Role
from tests.console_ui.ui import choose


def fill_template(page, tmp_path: Path, name: str, rows: list[list]) -> Path:
    """Download the template of the chosen kind and place, and fill its first sheet."""
    with page.expect_download() as download:
        page.get_by_role("button", name="下载模板").click()
    template = tmp_path / f"template-{name}.xlsx"
    download.value.save_as(template)
    workbook = load_workbook(template)
    sheet = workbook.worksheets[0]
    for cells in rows:
        sheet.append(cells)
    path = tmp_path / f"{name}.xlsx"
    workbook.save(path)
    return path


def upload(page, path: Path):
    page.get_by_test_id("import-file").set_input_files(str(path))
    return page.get_by_test_id("import-preview")


def import_twice(page, tmp_path, kind: str, bad: list[list], good: list[list], error: str,
                 shot=None):
    """Upload with errors (and check nothing can be confirmed), then right, and confirm."""
    preview = upload(page, fill_template(page, tmp_path, f"{kind}-bad", bad))
    expect(preview.get_by_test_id("import-has-errors")).to_contain_text("没有写入任何数据")
    expect(preview.locator("tbody")).to_contain_text(error)
    expect(preview.get_by_test_id("import-confirm")).to_have_count(0)
    if shot:
        shot(page, f"{kind}-errors")
    good_file = fill_template(page, tmp_path, f"{kind}-good", good)
    preview = upload(page, good_file)
    expect(preview).to_contain_text(f"新增 {len(good)}")
    preview.get_by_test_id("import-confirm").click()
    expect(preview.get_by_test_id("import-done")).to_contain_text(f"新增 {len(good)}")
    if shot:
        shot(page, f"{kind}-done")
    return good_file


def test_a_street_admin_imports_units_buildings_and_a_roster_each_with_errors_then_without(
    page, org, make_staff, console_as, tmp_path, shot
):
    make_staff("admin", Role.STREET_ADMIN, street_id=org.street.id)
    console_as(page, "admin", "/console/imports")

    kinds = page.get_by_test_id("import-kind")
    kinds.get_by_text("单位", exact=True).click()
    import_twice(
        page, tmp_path, "units",
        bad=[["市卫健委", "市卫健委机关党委"], ["", "无名党支部"]],
        good=[["市卫健委", "市卫健委机关党委"], ["区税务局", "区税务局党委"]],
        error="单位名称",
    )

    page.get_by_role("button", name="再导入一个文件").click()
    kinds.get_by_text("楼栋", exact=True).click()
    choose(page, page.get_by_test_id("import-community"), "社区1")
    good_buildings = import_twice(
        page, tmp_path, "buildings",
        bad=[["5号楼", "第9网格", None, None], ["6号楼", "第1网格", 99.0, 116.4]],
        good=[["5号楼", "第1网格", 39.91, 116.40], ["6号楼", "第2网格", None, None]],
        error="第9网格",
    )
    # the same file again changes nothing
    page.get_by_role("button", name="再导入一个文件").click()
    preview = upload(page, good_buildings)
    expect(preview).to_contain_text("不变 2")
    expect(preview).to_contain_text("新增 0")

    page.get_by_role("button", name="取消").click()
    kinds.get_by_text("在职党员名册", exact=True).click()
    choose(page, page.get_by_test_id("import-unit"), "市卫健委")
    import_twice(
        page, tmp_path, "roster",
        bad=[["李四", "1380000", "市卫健委", "在职党员", "社区1"],
             ["王五", "13800000002", "市卫健委", "编外党员", "不存在社区"]],
        good=[["李四", "13800000001", "市卫健委", "在职党员", "社区1"],
              ["王五", "13800000002", "市卫健委", "在职党员", "社区2"]],
        error="请填写 11 位手机号",
        shot=shot,
    )

    history = page.locator(".t-card", has_text="导入记录")
    expect(history.locator("tbody tr", has_text="已导入")).to_have_count(3)
    expect(history.locator("tbody tr", has_text="有错误，未导入")).to_have_count(3)
    shot(page, "history")


def test_files_that_are_not_excel_workbooks_are_refused_with_a_clear_message(
    page, org, make_staff, console_as, tmp_path
):
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    console_as(page, "staffA", "/console/imports")
    # a community's staff import buildings of their own community only
    expect(page.get_by_test_id("import-kind")).to_have_text(re.compile(r"^\s*楼栋\s*$"))

    csv = tmp_path / "楼栋.csv"
    csv.write_text("楼栋名称,所属网格\n1号楼,第1网格\n", encoding="utf-8")
    page.get_by_test_id("import-file").set_input_files(str(csv))
    expect(page.get_by_test_id("upload-error")).to_contain_text(".xlsx")

    broken = tmp_path / "楼栋.xlsx"
    broken.write_bytes(b"this is not a workbook")
    page.get_by_test_id("import-file").set_input_files(str(broken))
    expect(page.get_by_test_id("upload-error")).to_contain_text("文件已损坏")
