"""Journey: a secretary works through the approvals inbox (待办): six kinds waiting, one batch
approval, and the maker-checker rule refusing the entries they made themselves."""

from __future__ import annotations

from playwright.sync_api import expect

from server.auth.models import Role
from tests.console_ui.ui import row
from tests.desk.factories import waiting_items


def test_a_secretary_approves_a_batch_and_the_inbox_refuses_their_own_entries(
    page, org, make_staff, make_member, console_as, shot
):
    community = org.communities[0]
    secretary = make_staff("secA", Role.COMMUNITY_SECRETARY, community_id=community.id)
    members = [make_member("m1", org.buildings[0], unit=org.units[0], name="李志愿"),
               make_member("m2", org.buildings[1], unit=org.units[0], name="张报到")]
    # secA entered the 补录 and proposed the point award: those two wait for someone else
    waiting_items(community, org.buildings[0], members, secretary.id)
    console_as(page, "secA", "/console/inbox")
    expect(page.get_by_test_id("inbox-count")).to_contain_text("6")
    tabs = page.get_by_test_id("inbox-tabs")
    for label in ("报到审核 1", "补录与更正 1", "人工加减分 1", "申诉 1", "未签退 1", "践诺核实 1"):
        expect(tabs).to_contain_text(label)
    table = page.get_by_test_id("inbox-table")
    expect(table.locator("tbody tr")).to_have_count(6)
    expect(row(table, "人工加减分")).to_contain_text("我提交的")
    shot(page, "inbox")

    page.get_by_test_id("select-all").click()
    page.get_by_test_id("approve-selected").click()
    expect(page.locator(".t-message", has_text="已批准 4 项")).to_be_visible()
    refusals = page.get_by_test_id("inbox-refusals")
    expect(refusals).to_contain_text("补录与更正")
    expect(refusals).to_contain_text("不能审批自己提交或录入的事项")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("inbox-count")).to_contain_text("2")
    shot(page, "inbox-after-batch")
