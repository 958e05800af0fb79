"""Journey: a secretary finds a member, shows the masked phone in full, and finds that access
(who saw whose phone, when) in the audit reader."""

from __future__ import annotations

from playwright.sync_api import expect

from server.auth.models import Role
from tests.console_ui.ui import row


def test_a_secretary_unmasks_a_phone_and_finds_the_access_in_the_audit_reader(
    page, org, make_staff, make_member, console_as, shot
):
    community = org.communities[0]
    make_staff("secA", Role.COMMUNITY_SECRETARY, community_id=community.id)
    member = make_member("m1", org.buildings[0], unit=org.units[0], name="李志愿")
    make_member("m2", org.buildings[1], unit=org.units[0], name="王建国")
    member_id = member.id
    console_as(page, "secA", "/console/members")
    table = page.get_by_test_id("members-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    search = page.get_by_test_id("member-search").locator("input")
    search.fill("李志愿")
    search.press("Enter")
    expect(table.locator("tbody tr")).to_have_count(1)
    phone = page.get_by_test_id(f"phone-{member_id}")
    expect(phone).to_have_text("139****5678")
    row(table, "李志愿").get_by_text("显示").click()
    expect(phone).to_have_text("13912345678")
    shot(page, "members")

    row(table, "李志愿").get_by_text("李志愿").click()
    expect(page.get_by_test_id("member-detail")).to_contain_text("甲单位")
    page.keyboard.press("Escape")
    # the closing drawer's mask would take the next clicks
    expect(page.get_by_test_id("member-detail")).to_be_hidden()

    page.get_by_test_id("menu").get_by_text("审计日志").click()
    audit = page.get_by_test_id("audit-table")
    entry = row(audit, "查看党员完整信息")
    expect(entry).to_contain_text("secA")
    entry.click()  # the details: whose what
    expect(audit).to_contain_text("李志愿")
    expect(audit).to_contain_text("手机号")
    shot(page, "audit-reveal")
