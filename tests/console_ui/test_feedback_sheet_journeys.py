"""Journey: a quarter's feedback sheets (反馈单) — the community secretary generates them for every
unit, writes a 评语, signs and sends; the unit's secretary (another login) sees only their unit's
sheets, from two communities, downloads one and acknowledges it; the secretary sees the 回执."""

from __future__ import annotations

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.conftest import Role
from tests.console_ui.ui import choose, popconfirm, row

SHEETS = "/api/v1/feedback-sheets"


def _current_quarter(page) -> str:
    return page.get_by_test_id("sheet-period").locator("input").input_value()


def test_a_quarters_sheets_go_from_the_community_to_the_unit_and_back(
    page, new_page, org, make_staff, make_member, console_as, console_api, tmp_path, shot
):
    c1, c2 = org.communities
    unit_a, unit_b = org.units
    make_staff("secA", Role.COMMUNITY_SECRETARY, community_id=c1.id)
    make_staff("secB", Role.COMMUNITY_SECRETARY, community_id=c2.id)
    make_staff("unitA", Role.UNIT_SECRETARY, unit_id=unit_a.id)
    zhang = make_member("m1", org.buildings[0], unit=unit_a, name="张三").id
    make_member("m2", org.buildings[1], unit=unit_a, name="李四")
    make_member("m3", org.buildings[2], unit=unit_b, name="王五")
    make_member("m4", org.buildings[4], unit=unit_a, name="赵六")

    # the community secretary generates this quarter's sheets: one per unit
    console_as(page, "secA", "/console/feedback-sheets")
    quarter_label = _current_quarter(page)
    page.get_by_test_id("generate-sheets").click()
    table = page.get_by_test_id("sheets-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(row(table, "甲单位")).to_contain_text("草稿")
    expect(row(table, "乙单位")).to_contain_text("草稿")
    shot(page, "generated")

    # 评语 for 张三, then sign and send 甲单位's sheet; sign and send 乙单位's too
    row(table, "甲单位").get_by_text("查看").click()
    detail = page.get_by_test_id("sheet-detail")
    expect(detail.locator("tbody tr")).to_have_count(2)
    detail.get_by_test_id(f"comment-{zhang}").locator("textarea").fill("积极参加环境整治，表现突出")
    detail.get_by_test_id(f"save-comment-{zhang}").click()
    expect(page.get_by_text("已保存张三的评语")).to_be_visible()
    # 评议: no points this quarter suggests 不合格; the secretary grades 合格 and says why
    grade = detail.get_by_test_id(f"grade-{zhang}")
    expect(grade).to_contain_text("建议：不合格")
    page.once("dialog", lambda dialog: dialog.accept("参加防汛值守，表现良好"))
    choose(page, grade.locator(".t-select"), "合格")
    expect(grade).to_contain_text("理由：参加防汛值守，表现良好")
    shot(page, "commenting")
    detail.get_by_test_id("sign-sheet").click()
    popconfirm(page)
    expect(detail.get_by_test_id("sheet-status")).to_have_text("已签发")
    expect(detail).to_contain_text("积极参加环境整治，表现突出")
    detail.get_by_test_id("send-sheet").click()
    expect(detail.get_by_test_id("sheet-status")).to_have_text("已送达")
    page.keyboard.press("Escape")
    row(table, "乙单位").get_by_text("查看").click()
    detail.get_by_test_id("sign-sheet").click()
    popconfirm(page)
    detail.get_by_test_id("send-sheet").click()
    expect(detail.get_by_test_id("sheet-status")).to_have_text("已送达")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("sheet-summary")).to_contain_text("未回执 2")
    shot(page, "sent")

    # community 2's secretary sends their sheet for 甲单位 (through the API)
    b = console_api(console_as(new_page(), "secB"))
    assert b.get(SHEETS) == []  # nothing of community 1's sheets
    generated = b.post(f"{SHEETS}/generate", {"community_id": c2.id,
                                              "period": _period_of(quarter_label)})
    assert generated["created"] == 1
    sheet_b = generated["sheets"][0]["id"]
    b.post(f"{SHEETS}/{sheet_b}/sign")
    b.post(f"{SHEETS}/{sheet_b}/send")

    # the unit's secretary sees their unit's two sheets, from two communities, nothing else
    unit_page = console_as(new_page(), "unitA")
    # the console tells them beside the menu entry: two sheets wait for a 回执
    expect(unit_page.get_by_test_id("feedback-awaiting")).to_have_text("2")
    unit_page.get_by_test_id("menu").get_by_text("反馈单").click()
    unit_table = unit_page.get_by_test_id("sheets-table")
    expect(unit_table.locator("tbody tr")).to_have_count(2)
    expect(row(unit_table, "社区1")).to_contain_text("甲单位")
    expect(row(unit_table, "社区2")).to_contain_text("甲单位")
    expect(unit_table).not_to_contain_text("乙单位")
    expect(unit_page.get_by_test_id("sheet-summary")).to_contain_text("待回执 2 份")
    shot(unit_page, "unit-inbox")

    row(unit_table, "社区1").get_by_text("查看").click()
    unit_detail = unit_page.get_by_test_id("sheet-detail")
    expect(unit_detail).to_contain_text("积极参加环境整治，表现突出")
    expect(unit_detail.get_by_test_id(f"grade-{zhang}")).to_contain_text("合格")
    with unit_page.expect_download() as download:
        unit_detail.get_by_test_id("download-sheet").click()
    path = tmp_path / "sheet.xlsx"
    download.value.save_as(path)
    sheet = load_workbook(path).worksheets[0]
    assert sheet["A3"].value == "报到社区：社区1"
    names = [r[1] for r in sheet.iter_rows(min_row=5, values_only=True) if r[1]]
    assert names == ["张三", "李四"]
    unit_detail.get_by_test_id("acknowledge-sheet").click()
    expect(unit_detail.get_by_test_id("sheet-status")).to_have_text("已回执")
    expect(unit_page.get_by_test_id("feedback-awaiting")).to_have_text("1")
    shot(unit_page, "acknowledged")

    # the community secretary sees the 回执, and reminds the unit that has not acknowledged
    page.reload()
    expect(row(table, "甲单位")).to_contain_text("已回执")
    expect(page.get_by_test_id("sheet-summary")).to_contain_text("已回执 1")
    row(table, "乙单位").get_by_text("催办").click()
    expect(row(table, "乙单位")).to_contain_text("已催办 1 次")
    expect(row(table, "乙单位")).to_contain_text("今日已催办")
    shot(page, "acknowledged-and-reminded")


def _period_of(label: str) -> str:
    """"2026年第四季度" → "2026-Q4"."""
    return f"{label[:4]}-Q{'一二三四'.index(label[6]) + 1}"
