"""Journey: a street admin opens the statistics, compares the communities side by side, and every
number on the page is the API's; a community secretary sees only their community."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.sync_api import expect

from tests.console.test_statistics import fixture
from tests.console_ui.ui import choose

FIXTURE_NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def _shown(value) -> str:
    """A number as the page shows it (JavaScript drops a trailing .0)."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def test_a_street_admin_compares_the_communities_and_the_numbers_match_the_api(
    new_page, org, make_staff, make_member, console_as, console_api, shot
):
    fixture(org, make_staff, make_member)
    # a browser context of its own: a fixed clock stays with the context, and would stop the
    # timers of every later journey that shares one
    page = new_page()
    page.clock.set_fixed_time(FIXTURE_NOW)  # the browser's periods are those of the fixture
    street_id = org.street.id
    console_as(page, "admin", "/console/statistics")
    choose(page, page.get_by_test_id("stat-period"), "2026年第四季度")
    api = console_api(page).get("/api/v1/statistics", scope="street", scope_id=street_id,
                                period="2026-Q4")
    totals = api["totals"]
    expect(page.get_by_test_id("kpi-reporting_rate")).to_contain_text(
        f"{_shown(totals['reporting_rate'])}%")
    expect(page.get_by_test_id("kpi-reporting_rate")).to_contain_text(
        f"名册 {totals['roster']} 人，已报到 {totals['roster_reported']} 人")
    expect(page.get_by_test_id("kpi-hours")).to_contain_text(f"{totals['hours']} 小时")
    expect(page.get_by_test_id("kpi-activities")).to_contain_text(str(totals["activities"]))

    table = page.get_by_test_id("comparison-table")
    ranked = sorted(api["communities"], key=lambda r: -r["reporting_rate"])
    expect(table.locator("tbody tr")).to_have_count(len(ranked))
    for index, community in enumerate(ranked):
        expect(table.locator("tbody tr").nth(index)).to_have_text(
            f"{index + 1}{community['community']['name']}{_shown(community['reporting_rate'])}")
    expect(page.get_by_test_id("comparison").locator("canvas")).to_have_count(1)
    shot(page, "street")

    choose(page, page.get_by_test_id("stat-measure"), "服务时长")
    by_hours = sorted(api["communities"], key=lambda r: -float(r["hours"]))
    for index, community in enumerate(by_hours):
        expect(table.locator("tbody tr").nth(index)).to_contain_text(
            f"{community['community']['name']}{community['hours']}")
    months = page.get_by_test_id("panel-hours").locator("tbody tr")
    for index, month in enumerate(api["hours_by_month"]):
        expect(months.nth(index)).to_have_text(f"{month['month']}{_shown(float(month['hours']))}")
    expect(page.get_by_test_id("not-reported")).to_contain_text("未报到名单（2 人）")
    shot(page, "street-by-hours")


def test_a_community_secretary_sees_only_their_community(
    new_page, org, make_staff, make_member, console_as, shot
):
    fixture(org, make_staff, make_member)
    # a browser context of its own: a fixed clock stays with the context, and would stop the
    # timers of every later journey that shares one
    page = new_page()
    page.clock.set_fixed_time(FIXTURE_NOW)  # the browser's periods are those of the fixture
    console_as(page, "secA", "/console/statistics")
    expect(page.get_by_test_id("kpi-reporting_rate")).to_contain_text("名册 3 人，已报到 2 人")
    expect(page.get_by_test_id("comparison")).to_have_count(0)
    expect(page.get_by_test_id("not-reported")).to_contain_text("王五")
    expect(page.get_by_test_id("not-reported")).not_to_contain_text("孙七")  # community 2's
    shot(page, "community")
