"""Journeys: staff create, publish and copy an activity, show its on-site code full screen; a
member clocks in with the code shown there and the live roster shows them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from playwright.sync_api import expect

from server.auth.models import Role
from server.extensions import db
from server.timeutil import LOCAL_TZ
from tests.console_ui.conftest import release_database
from tests.console_ui.ui import choose, dialog, field, popconfirm, row, save


def _minute(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def test_staff_publish_and_copy_an_activity_and_a_member_clocks_in_with_the_onsite_code(
    page, org, make_staff, make_member, login, console_as, shot
):
    community = org.communities[0]
    building = org.buildings[1]
    building.latitude, building.longitude = 31.2304, 121.4737
    db.session.commit()
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=community.id)
    make_member("m1", org.buildings[0], unit=org.units[0], name="李志愿")
    member = login("m1")
    starts = datetime.now(LOCAL_TZ).replace(second=0, microsecond=0) + timedelta(minutes=10)
    console_as(page, "staffA", "/console/activities")
    expect(page.get_by_test_id("activities-table")).to_contain_text("没有符合条件的活动")

    page.get_by_test_id("new-activity").click()
    form = dialog(page)
    field(form, "活动名称").fill("周六平安巡逻")
    choose(page, form.locator(".t-form__item", has_text="活动类型").locator(".t-select"),
           "平安巡逻")
    field(form, "开始时间").fill(_minute(starts))
    field(form, "结束时间").fill(_minute(starts + timedelta(hours=2)))
    field(form, "活动地点").fill("小区南门")
    choose(page, form.get_by_test_id("point-source"), "1-2号楼")  # its point for the geofence
    point = form.locator(".t-form__item", has_text="签到位置").locator("input")
    expect(point.nth(1)).to_have_value(re.compile(r"^31\.2304"))
    field(form, "人数上限").fill("30")
    field(form, "现场负责人").fill("王建国")
    shot(page, "new-activity")
    save(page)
    table = page.get_by_test_id("activities-table")
    expect(row(table, "周六平安巡逻")).to_contain_text("草稿")

    row(table, "周六平安巡逻").get_by_text("发布").click()
    popconfirm(page)
    expect(row(table, "周六平安巡逻")).to_contain_text("报名中")

    row(table, "周六平安巡逻").get_by_text("复制").click()
    field(dialog(page), "每周重复至").fill((starts + timedelta(days=14)).strftime("%Y-%m-%d"))
    save(page, "复制")
    expect(page.locator(".t-message", has_text="已复制 2 场活动")).to_be_visible()
    expect(row(table, "周六平安巡逻")).to_have_count(3)
    expect(row(table, "草稿")).to_have_count(2)
    shot(page, "activities")

    row(table, "草稿").first.get_by_text("取消").click()
    dialog(page).locator("textarea").fill("天气原因，改期另行通知")
    save(page, "取消活动")
    expect(row(table, "已取消")).to_contain_text("天气原因，改期另行通知")

    published = row(table, "报名中")
    release_database()
    activity_id = member.get("/api/v1/activities").json[0]["id"]
    assert member.post(f"/api/v1/activities/{activity_id}/signup").status_code in (200, 201)

    with page.context.expect_page() as opened:
        published.get_by_text("签到码").click()
    onsite = opened.value
    expect(onsite).to_have_url(re.compile(rf"/console/activities/{activity_id}/onsite$"))
    expect(onsite.get_by_test_id("onsite-title")).to_have_text("周六平安巡逻")
    expect(onsite.get_by_test_id("onsite-countdown")).to_contain_text("秒后自动更换")
    expect(onsite.get_by_role("img", name="现场签到码")).to_be_visible()
    code = onsite.get_by_test_id("onsite-code").inner_text()
    shot(onsite, "onsite-code")

    release_database()
    clocked = member.post(f"/api/v1/activities/{activity_id}/clock-in",
                          json={"method": "qr", "code": code})
    assert clocked.status_code in (200, 201), clocked.json

    onsite.context.set_offline(True)
    expect(onsite.get_by_test_id("onsite-offline")).to_contain_text("连接已断开")
    shot(onsite, "onsite-offline")
    onsite.context.set_offline(False)
    expect(onsite.get_by_test_id("onsite-countdown")).to_be_visible()
    onsite.close()

    published.get_by_text("名单").click()
    roster = page.get_by_test_id("roster-table")
    expect(row(roster, "李志愿")).to_contain_text("已签到")
    shot(page, "roster")
