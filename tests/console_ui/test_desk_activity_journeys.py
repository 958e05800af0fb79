"""Journeys of the desk's activities: the month calendar shows an activity on its day; an edit
after publishing shows in the activity's change history; a 补录 entered by one secretary is
refused to them in 待办 and approved there by a second one."""

from __future__ import annotations

from datetime import datetime, timedelta

from playwright.sync_api import expect

from server.activities.models import Activity
from server.auth.models import Role
from server.extensions import db
from server.timeutil import LOCAL_TZ, utcnow
from tests.console_ui.conftest import release_database
from tests.console_ui.ui import dialog, field, row, save


def test_the_calendar_shows_an_activity_on_its_day_and_an_edit_after_publishing_is_listed(
    page, org, make_staff, console_as, console_api, shot
):
    community = org.communities[0]
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=community.id)
    starts = datetime.now(LOCAL_TZ).replace(second=0, microsecond=0) + timedelta(hours=1)
    console_as(page, "staffA", "/console/activities")
    api = console_api(page)
    api.post(f"/api/v1/communities/{community.id}/activities", data={
        "title": "楼道环境清理", "category": "environment", "content": "清理楼道杂物",
        "address": "小区南门", "latitude": 31.2304, "longitude": 121.4737, "radius_m": 200,
        "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "organiser": "幸福里社区党委", "leader_name": "王建国", "publish": True,
    })

    page.get_by_test_id("view-toggle").get_by_text("日历").click()
    calendar = page.get_by_test_id("activities-calendar")
    if starts.month != datetime.now(LOCAL_TZ).month:
        page.get_by_test_id("month-next").click()
    expect(calendar.get_by_test_id("calendar-month")).to_have_text(
        f"{starts.year}年{starts.month}月")
    day = calendar.get_by_test_id(f"day-{starts:%Y-%m-%d}")
    expect(day).to_contain_text("楼道环境清理")
    expect(day).to_contain_text(f"{starts:%H:%M}")
    shot(page, "calendar")

    day.get_by_text("楼道环境清理").click()
    drawer = page.get_by_test_id("activity-drawer")
    expect(drawer.get_by_test_id("change-history")).to_contain_text("发布后没有修改过")
    page.keyboard.press("Escape")
    expect(drawer.get_by_test_id("change-history")).to_be_hidden()

    page.get_by_test_id("view-toggle").get_by_text("列表").click()
    table = page.get_by_test_id("activities-table")
    row(table, "楼道环境清理").get_by_text("编辑").click()
    field(dialog(page), "活动地点").fill("小区北门")
    save(page)
    expect(row(table, "楼道环境清理")).to_contain_text("小区北门")

    row(table, "楼道环境清理").get_by_text("楼道环境清理").click()
    history = page.get_by_test_id("change-history")
    changed = row(history, "地点")
    expect(changed).to_contain_text("小区南门")
    expect(changed).to_contain_text("小区北门")
    expect(changed).to_contain_text("已通知报名党员")
    shot(page, "change-history")


def test_a_supplementary_record_is_refused_to_its_maker_and_approved_by_a_second_secretary(
    page, new_page, org, make_staff, make_member, console_as, shot
):
    community = org.communities[0]
    make_staff("secA", Role.COMMUNITY_SECRETARY, community_id=community.id)
    make_staff("secB", Role.COMMUNITY_SECRETARY, community_id=community.id)
    make_member("m1", org.buildings[0], unit=org.units[0], name="李志愿")
    now = utcnow()
    db.session.add(Activity(community_id=community.id, title="周六平安巡逻", category="patrol",
                            starts_at=now - timedelta(hours=5), ends_at=now - timedelta(hours=3),
                            status="ended", address="小区南门", organiser="幸福里社区党委"))
    db.session.commit()

    console_as(page, "secA", "/console/activities")
    table = page.get_by_test_id("activities-table")
    row(table, "周六平安巡逻").get_by_text("记录").click()
    drawer = page.get_by_test_id("activity-drawer")
    drawer.get_by_test_id("add-manual-record").click()
    form = dialog(page)
    member = form.get_by_test_id("manual-member")
    member.click()
    member.locator("input").fill("李志愿")
    page.locator(".t-popup:visible .t-select-option", has_text="李志愿").first.click()
    form.get_by_test_id("manual-hours").locator("input").fill("2")
    form.get_by_test_id("manual-reason").locator("textarea").fill("手机没电未能签到，现场负责人证明")
    save(page, "提交审核")
    records = drawer.get_by_test_id("records-table")
    expect(row(records, "李志愿")).to_contain_text("待审核")
    expect(row(records, "李志愿")).to_contain_text("（我）")
    shot(page, "manual-record")
    page.keyboard.press("Escape")

    page.get_by_test_id("menu").get_by_text("待办").click()
    inbox = page.get_by_test_id("inbox-table")
    mine = row(inbox, "补录与更正")
    expect(mine).to_contain_text("我提交的")
    mine.locator(".t-checkbox").click()
    page.get_by_test_id("approve-selected").click()
    expect(page.get_by_test_id("inbox-refusals")).to_contain_text("不能审批自己提交或录入的事项")
    expect(row(inbox, "补录与更正")).to_have_count(1)

    second = console_as(new_page(), "secB", "/console/inbox")
    other = second.get_by_test_id("inbox-table")
    waiting = row(other, "补录与更正")
    expect(waiting).not_to_contain_text("我提交的")
    waiting.locator(".t-checkbox").click()
    second.get_by_test_id("approve-selected").click()
    expect(second.locator(".t-message", has_text="已批准 1 项")).to_be_visible()
    expect(row(other, "补录与更正")).to_have_count(0)
    shot(second, "approved-by-second")

    release_database()
    page.get_by_test_id("menu").get_by_text("活动管理").click()
    page.get_by_test_id("view-toggle").get_by_text("服务时长").click()
    hours = page.get_by_test_id("hours-table")
    expect(row(hours, "李志愿")).to_contain_text("2.00")
    shot(page, "hours-per-member")
