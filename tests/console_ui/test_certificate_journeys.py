"""Journeys: staff issue a member's volunteer-service certificate (志愿服务记录证明) and revoke it;
the notices page lists the subscribe-message templates."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import expect

from server.auth.models import Role
from tests.certificates.helpers import activity, approve_hours
from tests.console_ui.conftest import release_database
from tests.console_ui.ui import choose, dialog, field, row, settled
from tests.notices.conftest import templates  # noqa: F401 - fixture


def test_staff_issue_a_certificate_for_a_member_and_revoke_it(
    page, org, make_staff, make_member, console_as, shot
):
    community = org.communities[0]
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=community.id)
    member = make_member("m1", org.buildings[0], name="张小明")
    for day, hours in ((date(2026, 3, 15), "2.5"), (date(2026, 4, 20), "3")):
        approve_hours(member.id, activity(community.id, day), hours)
    release_database()

    console_as(page, "staffA", "/console/certificates")
    table = page.get_by_test_id("certificates-table")
    expect(table).to_contain_text("还没有开具过证明")
    page.get_by_test_id("issue-certificate").click()
    form = dialog(page)
    choose(page, form.get_by_test_id("certificate-member"), "张小明")
    field(form, "起始日期").fill("2026-01-01")
    field(form, "截止日期").fill("2026-06-30")
    form.locator(".t-dialog__confirm").click()
    expect(page.locator(".t-message", has_text="已开具证明")).to_be_visible()
    issued = row(table, "张小明")
    expect(issued).to_contain_text("5.5")
    expect(issued).to_contain_text("有效")
    shot(page, "certificates")

    issued.get_by_text("作废").click()
    dialog(page).get_by_test_id("revoke-reason").locator("textarea").fill("期间填写有误，重新开具")
    dialog(page).get_by_role("button", name="作废").click()
    expect(row(table, "张小明")).to_contain_text("已作废")


def test_a_street_admin_sees_the_subscribe_templates_and_what_fills_each_field(
    page, org, make_staff, templates, console_as, shot  # noqa: F811
):
    make_staff("street", Role.STREET_ADMIN, street_id=org.street.id)
    release_database()
    console_as(page, "street", "/console/notices")
    page.get_by_test_id("subscribe-templates").click()
    listed = page.get_by_test_id("templates-list")
    expect(row(listed, "社区通知")).to_contain_text("thing1 ← 通知标题（超长截短）")
    expect(row(listed, "待办提醒（工作人员）")).to_contain_text("demo-tpl-desk-todo")
    row(listed, "社区通知").get_by_text("修改").click()
    expect(field(dialog(page), "模板ID")).to_have_value("demo-tpl-notice")
    settled(page)
    shot(page, "subscribe-templates")
