"""Journey: a community secretary opens the 先锋榜 with full names and shared ranks, downloads it
as Excel and prints the honour board (荣誉榜), whose names are masked as on the public board."""

from __future__ import annotations

from datetime import UTC, datetime

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.console.test_boards import _board, keep_as_picture
from tests.console_ui.ui import choose

FIXTURE_NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def test_a_secretary_reads_the_board_downloads_it_and_prints_the_honour_board(
    new_page, org, make_staff, make_member, console_as, tmp_path, shot
):
    _board(org, make_staff, make_member)
    # a browser context of its own: a fixed clock stays with the context, and would stop the
    # timers of every later journey that shares one
    page = new_page()
    page.clock.set_fixed_time(FIXTURE_NOW)  # the browser's periods are those of the fixture
    console_as(page, "secA", "/console/boards")
    choose(page, page.get_by_test_id("board-period"), "上一年")
    expect(page.get_by_test_id("board-table")).to_contain_text("本期还没有积分记录")
    choose(page, page.get_by_test_id("board-period"), "本年")
    table = page.get_by_test_id("board-table")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(4)
    for index, text in enumerate(["1欧阳小明20", "2张三10", "2李四10", "4王五5"]):
        expect(rows.nth(index)).to_contain_text(text)
    shot(page, "board")

    with page.expect_download() as download:
        page.get_by_test_id("board-download").click()
    path = tmp_path / "board.xlsx"
    download.value.save_as(path)
    names = [r[1] for r in load_workbook(path).worksheets[0].iter_rows(min_row=3,
                                                                         values_only=True)]
    assert names == ["欧阳小明", "张三", "李四", "王五"]

    with page.expect_download() as download:
        page.get_by_test_id("honour-board").click()
    assert download.value.suggested_filename.endswith(".pdf")
    pdf = tmp_path / "honour.pdf"
    download.value.save_as(pdf)
    keep_as_picture(pdf.read_bytes(), "honour-board-from-console")
