"""Journey: a community secretary grants a grid worker, sees who granted it and when, and
revokes it; a role above theirs or an unknown person is refused with the server's words."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.conftest import Role
from tests.console_ui.ui import choose, dialog, field, popconfirm, row, save


def test_a_secretary_grants_a_grid_worker_and_revokes_the_grant(
    page, org, make_staff, make_member, console_as, shot
):
    make_staff("secA", Role.COMMUNITY_SECRETARY, community_id=org.communities[0].id)
    make_member("zhang", org.buildings[0], name="张三")  # phone 13912345678
    console_as(page, "secA", "/console/grants")
    expect(row(page, "社区党组织书记")).to_contain_text("secA")

    page.get_by_role("button", name="授予角色").click()
    roles = dialog(page).locator(".t-form__item", has_text="角色").locator(".t-select")
    roles.click()
    offered = page.locator(".t-popup:visible .t-select-option")
    expect(offered).to_have_text(["社区工作者", "网格员"])  # nothing above a secretary
    page.locator(".t-popup:visible .t-select-option", has_text="网格员").click()
    field(dialog(page), "手机号").fill("13800000000")
    choose(page, dialog(page).locator(".t-form__item", has_text="网格").locator(".t-select").last,
           "第1网格")
    save(page, "授予")
    expect(dialog(page).get_by_test_id("dialog-error")).to_be_visible()  # nobody with that phone
    shot(page, "unknown-person")

    field(dialog(page), "手机号").fill("13912345678")
    save(page, "授予")
    expect(dialog(page)).to_have_count(0)
    granted = row(page, "张三")
    expect(granted).to_contain_text("网格员")
    expect(granted).to_contain_text("第1网格")
    expect(granted).to_contain_text("secA")  # who granted it
    expect(granted).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"))  # when
    expect(granted).to_contain_text("139****5678")
    shot(page, "granted")

    granted.get_by_text("撤销").click()
    popconfirm(page)
    expect(row(page, "张三")).to_have_count(0)
