"""Journey: staff open the month's party day (主题党日): who missed it without booking a make-up,
open a make-up session, a missed member books it (through the API), and the screens show it."""

from __future__ import annotations

from playwright.sync_api import expect

from server.auth.models import Role
from server.pledges.jobs import JOBS
from server.scheduler import run_job
from server.timeutil import local_today, utcnow
from tests.console_ui.conftest import release_database
from tests.console_ui.ui import dialog, field, row, settled


def tab(page, label: str):
    return page.locator(".t-tabs__nav-item", has_text=label)


def test_staff_see_who_missed_the_party_day_and_a_member_books_the_make_up(
    page, org, make_staff, make_member, login, console_as, shot
):
    community = org.communities[0]
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=community.id)
    make_member("m1", org.buildings[0], name="李缺席")
    make_member("m2", org.buildings[1], name="王补课")
    run_job(JOBS[0], utcnow())  # this month's party day
    today = local_today()
    month = f"{today:%Y-%m}"
    member = login("m2")
    release_database()

    console_as(page, "staffA", "/console/partyday")
    missing = page.get_by_test_id("party-missing")
    expect(row(missing, "李缺席")).to_contain_text("1-1号楼")
    expect(row(missing, "王补课")).to_be_visible()

    tab(page, "补课场次").click()
    page.get_by_test_id("new-makeup").click()
    form = dialog(page)
    field(form, "开始").fill(f"{today.year + 1}-{today.month:02d}-05 09:00")
    field(form, "结束").fill(f"{today.year + 1}-{today.month:02d}-05 11:00")
    field(form, "地点").fill("社区党群服务中心")
    form.get_by_role("button", name="开设").click()
    expect(page.locator(".t-message", has_text="已开设补课场次")).to_be_visible()
    sessions = page.get_by_test_id("makeups-table")
    expect(row(sessions, "主题党日补课")).to_contain_text("0 / 20")

    release_database()
    listed = member.get(f"/api/v1/communities/{community.id}/makeup-sessions?month={month}")
    booked = member.post(f"/api/v1/makeup-sessions/{listed.json[0]['id']}/booking")
    assert booked.status_code == 201, booked.json
    release_database()

    tab(page, "出勤").click()
    page.get_by_test_id("party-month").locator("input").fill(month)
    page.get_by_test_id("party-month").locator("input").press("Enter")
    expect(row(page.get_by_test_id("party-booked"), "王补课")).to_be_visible()
    expect(missing).not_to_contain_text("王补课")
    expect(row(missing, "李缺席")).to_be_visible()
    shot(page, "attendance")

    tab(page, "补课场次").click()
    expect(row(sessions, "主题党日补课")).to_contain_text("1 / 20")
    row(sessions, "主题党日补课").get_by_text("预约名单").click()
    expect(row(page.get_by_test_id("bookings-table"), "王补课")).to_contain_text("已预约")
    settled(page)
    shot(page, "makeup-bookings")
    page.keyboard.press("Escape")
    tab(page, "设置").click()
    expect(page.get_by_test_id("party-settings")).to_be_visible()
    expect(field(page.get_by_test_id("party-settings"), "开始时间")).not_to_have_value("")
    shot(page, "settings")


def test_the_street_admin_declares_a_dedication_day_hosted_by_a_community(
    page, org, make_staff, console_as, shot
):
    make_staff("street", Role.STREET_ADMIN, street_id=org.street.id)
    release_database()
    console_as(page, "street", "/console/partyday")
    tab(page, "党员奉献日").click()
    page.get_by_placeholder("开始 YYYY-MM-DD HH:mm").fill("2030-07-01 08:00")
    page.get_by_placeholder("结束 YYYY-MM-DD HH:mm").fill("2030-07-01 12:00")
    page.get_by_test_id("declare-dedication").click()
    expect(page.locator(".t-message", has_text="已设立党员奉献日")).to_be_visible()
    expect(row(page.get_by_test_id("dedication-days"), "2030-07-01")).to_contain_text("党员奉献日")
    shot(page, "dedication-days")
