"""Journeys: a grid worker reads their grid's statistics; a unit secretary reads their unit's
members across two communities; a district admin compares the streets side by side, and every
number on the page is the API's."""

from __future__ import annotations

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.console.test_statistics_places import places
from tests.console_ui.test_statistics_journeys import FIXTURE_NOW, _shown
from tests.console_ui.ui import choose


def _open(new_page, console_as, login_name: str):
    # a browser context of its own: a fixed clock stays with the context
    page = new_page()
    page.clock.set_fixed_time(FIXTURE_NOW)  # the browser's periods are those of the fixture
    console_as(page, login_name, "/console/statistics")
    choose(page, page.get_by_test_id("stat-period"), "2026年第四季度")
    return page


def _panel_matches(page, key: str, labels: list[str], values: list) -> None:
    rows = page.get_by_test_id(f"panel-{key}").locator("tbody tr")
    expect(rows).to_have_count(len(labels))
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        expect(rows.nth(index)).to_have_text(f"{label}{_shown(value)}")


def _participation_matches(page, api) -> None:
    """Each activity labelled with its date, and how many of the place's members clocked in."""
    rows = api["participation"]
    _panel_matches(page, "participation", [f"{r['title']}（{r['starts_at'][5:10]}）" for r in rows],
                   [r["members"] for r in rows])


def test_a_grid_worker_reads_their_grids_statistics(
    new_page, org, make_staff, make_member, console_as, console_api, shot
):
    places(org, make_staff, make_member)
    page = _open(new_page, console_as, "grid1")
    expect(page.get_by_test_id("stat-scope").locator("input")).to_have_value("网格：第1网格")
    api = console_api(page).get("/api/v1/statistics", scope="grid", scope_id=org.grids[0].id,
                                period="2026-Q4")
    t = api["totals"]
    expect(page.get_by_test_id("kpi-reporting_rate")).to_contain_text("不适用")
    expect(page.get_by_test_id("kpi-active_members")).to_contain_text(
        f"{t['active_members']}报到党员 {t['members']} 人，活跃率 {_shown(t['active_rate'])}%")
    expect(page.get_by_test_id("kpi-hours")).to_contain_text(f"{t['hours']} 小时")
    expect(page.get_by_test_id("kpi-pledge_coverage")).to_contain_text(
        f"{_shown(t['pledge_coverage'])}%{t['pledged_buildings']} / {t['buildings']} 栋")
    _panel_matches(page, "points", [r["band"] for r in api["points_distribution"]],
                   [r["members"] for r in api["points_distribution"]])
    _participation_matches(page, api)
    expect(page.get_by_test_id("not-reported")).to_have_count(0)
    expect(page.get_by_test_id("comparison")).to_have_count(0)
    shot(page, "grid")


def test_a_unit_secretary_reads_the_units_members_of_two_communities(
    new_page, org, make_staff, make_member, console_as, console_api, shot
):
    places(org, make_staff, make_member)
    page = _open(new_page, console_as, "unitA")
    api = console_api(page).get("/api/v1/statistics", scope="unit", scope_id=org.units[0].id,
                                period="2026-Q4")
    t = api["totals"]
    expect(page.get_by_test_id("kpi-reporting_rate")).to_contain_text(
        f"{_shown(t['reporting_rate'])}%名册 {t['roster']} 人，已报到 {t['roster_reported']} 人")
    expect(page.get_by_test_id("kpi-hours")).to_contain_text(f"{t['hours']} 小时")
    expect(page.get_by_test_id("kpi-pledge_coverage")).to_contain_text(
        f"签订承诺党员{t['pledged_members']}")
    _panel_matches(page, "hours", [r["month"] for r in api["hours_by_month"]],
                   [float(r["hours"]) for r in api["hours_by_month"]])
    _participation_matches(page, api)
    missing = page.get_by_test_id("not-reported")
    expect(missing).to_contain_text("未报到名单（2 人）")
    expect(missing.locator("tbody tr", has_text="王五")).to_contain_text("社区1")
    expect(missing.locator("tbody tr", has_text="孙七")).to_contain_text("社区2")
    shot(page, "unit")


def test_a_district_admin_compares_the_streets_and_the_numbers_match_the_api(
    new_page, org, make_staff, make_member, console_as, console_api, shot, tmp_path
):
    district, _other, _e, _p = places(org, make_staff, make_member)
    page = _open(new_page, console_as, "dist")
    api = console_api(page).get("/api/v1/statistics", scope="district", scope_id=district.id,
                                period="2026-Q4")
    card = page.get_by_test_id("comparison")
    expect(card).to_contain_text("街道对比")
    table = page.get_by_test_id("comparison-table")
    ranked = sorted(api["streets"], key=lambda r: -r["reporting_rate"])
    expect(table.locator("tbody tr")).to_have_count(len(ranked))
    for index, street in enumerate(ranked):
        expect(table.locator("tbody tr").nth(index)).to_have_text(
            f"{index + 1}{street['street']['name']}{_shown(street['reporting_rate'])}")
    expect(card.locator("canvas")).to_have_count(1)
    shot(page, "district")

    choose(page, page.get_by_test_id("stat-measure"), "服务时长")
    by_hours = sorted(api["streets"], key=lambda r: -float(r["hours"]))
    for index, street in enumerate(by_hours):
        expect(table.locator("tbody tr").nth(index)).to_have_text(
            f"{index + 1}{street['street']['name']}{street['hours']}")
    expect(page.get_by_test_id("kpi-hours")).to_contain_text(f"{api['totals']['hours']} 小时")
    shot(page, "district-by-hours")
    with page.expect_download() as download:
        page.get_by_test_id("stat-download").click()
    path = tmp_path / "district.xlsx"
    download.value.save_as(path)
    compared = list(load_workbook(path)["街道对比"].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[1]) for r in compared] == [
        (r["street"]["name"], r["reporting_rate"]) for r in api["streets"]]

    choose(page, page.get_by_test_id("stat-scope"), "街道：测试街道")
    expect(card).to_contain_text("社区对比")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("not-reported")).to_contain_text("未报到名单（2 人）")
