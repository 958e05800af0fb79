"""Journeys: logging in to the console (demo code, scan with the phone), choosing the place one
acts for, the devices list and logging out everywhere, and the security headers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import Role
from tests.console_ui.conftest import demo_code

TICKETS = "/api/v1/console/login-tickets"


# issue 15
STAFF_DESK = ["活动管理", "通知", "待办", "党员管理", "积分管理", "包楼栋承诺", "主题党日",
              "志愿服务证明"]
SECRETARIES = ["反馈单", "先锋榜", "数据统计"]  # issue 16


def menu_items(page) -> list[str]:
    items = page.get_by_test_id("menu").locator(".t-menu__item")
    return [text.strip() for text in items.all_inner_texts()]


def acting_for(page):
    """The place chooser's shown value (a select when the person has several grants)."""
    return page.get_by_test_id("acting-for").locator("input")


def test_a_secretary_logs_in_with_a_demo_code_and_the_menu_follows_the_place_chosen(
    page, org, make_staff, shot
):
    c1, c2 = org.communities
    make_staff("secA", Role.COMMUNITY_SECRETARY, community_id=c1.id)
    make_staff("secA", Role.COMMUNITY_STAFF, community_id=c2.id)

    page.goto("/console/org")
    expect(page).to_have_url(re.compile(r"/console/login\?redirect=/org"))
    expect(page.get_by_role("img", name="登录二维码")).to_be_visible()
    expect(page.get_by_test_id("qr-countdown")).to_contain_text("后失效")
    shot(page, "login-qr")

    page.get_by_text("演示登录码", exact=True).click()
    page.get_by_test_id("demo-code").locator("input").fill("demo:nobody-with-a-role:1")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_test_id("demo-error")).to_be_visible()
    shot(page, "login-demo-refused")

    page.get_by_test_id("demo-code").locator("input").fill(demo_code("secA"))
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(r"/console/org$"))
    expect(page.get_by_test_id("user-name")).to_have_text("secA")
    expect(acting_for(page)).to_have_value("社区党组织书记 · 社区1")
    assert menu_items(page) == ["组织架构", *STAFF_DESK, "角色授权", "数据导入", "审计日志",
                                *SECRETARIES, "登录设备"]
    expect(page.get_by_text("1-1号楼")).to_be_visible()
    shot(page, "org-as-secretary")

    page.get_by_test_id("acting-for").click()
    page.locator(".t-select-option", has_text="社区工作者 · 社区2").click()
    expect(acting_for(page)).to_have_value("社区工作者 · 社区2")
    expect(page.get_by_test_id("menu")).not_to_contain_text("角色授权")
    assert menu_items(page) == ["组织架构", *STAFF_DESK, "数据导入", "先锋榜", "数据统计",
                                "登录设备"]
    expect(page.get_by_text("社区2", exact=True)).to_be_visible()
    expect(page.get_by_text("1-1号楼")).to_be_visible()  # 社区2's buildings have the same names
    shot(page, "org-as-staff-of-another-community")

    page.goto("/console/grants")  # not on this role's menu: back to its first page
    expect(page).to_have_url(re.compile(r"/console/org$"))


def test_a_staff_member_logs_in_by_scanning_the_qr_code_with_the_phone(
    page, org, make_staff, login, shot
):
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    with page.expect_response(
        lambda r: r.url.endswith(TICKETS) and r.request.method == "POST"
    ) as created:
        page.goto("/console/")
    ticket = created.value.json()
    expect(page.get_by_role("img", name="登录二维码")).to_be_visible()

    phone = login("staffA")  # the mini-program, with its Bearer token
    asks = phone.get(f"{TICKETS}/{ticket['ticket']}/request")
    assert asks.status_code == 200 and "Chrome" in asks.json["browser"]
    assert phone.post(f"{TICKETS}/{ticket['ticket']}/confirm").status_code == 200

    expect(page.get_by_test_id("user-name")).to_have_text("staffA")
    expect(page).to_have_url(re.compile(r"/console/org$"))
    expect(page.get_by_test_id("acting-for")).to_contain_text("社区工作者 · 社区1")
    shot(page, "after-scan")


def is_new_ticket(response) -> bool:
    return response.url.endswith(TICKETS) and response.request.method == "POST"


@pytest.mark.settings(APP_ENV="development", CONSOLE_TICKET_SECONDS=2)
def test_an_expired_qr_code_is_replaced_by_a_new_one_without_a_click(page):
    with page.expect_response(is_new_ticket) as first:
        page.goto("/console/login")
    with page.expect_response(is_new_ticket, timeout=10_000) as second:
        expect(page.get_by_test_id("qr-countdown")).to_contain_text("00:0")
    assert second.value.json()["ticket"] != first.value.json()["ticket"]
    expect(page.get_by_role("img", name="登录二维码")).to_be_visible()
    expect(page.get_by_test_id("qr-countdown")).to_be_visible()


def test_the_devices_list_shows_each_login_and_logging_out_everywhere_ends_them_all(
    page, new_page, org, make_staff, console_as, shot
):
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    office = console_as(page, "staffA")
    home = console_as(new_page(), "staffA", "/console/sessions")

    table = home.get_by_test_id("sessions-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.get_by_text("当前设备")).to_have_count(1)
    expect(table).to_contain_text("127.0.0.1")
    shot(home, "sessions")

    home.get_by_test_id("logout-everywhere").click()
    home.locator(".t-popconfirm").get_by_role("button", name="确定").click()
    expect(home).to_have_url(re.compile(r"/console/login"))

    office.get_by_test_id("menu").get_by_text("登录设备").click()  # its next request is refused
    expect(office).to_have_url(re.compile(r"/console/login\?redirect=.*expired=1"))
    expect(office.get_by_text("登录已失效，请重新登录")).to_be_visible()


def test_the_console_and_the_api_send_their_security_headers_and_no_script_is_blocked(
    page, live
):
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text
            else None)
    response = page.goto("/console/org")  # a client route: the app's index.html
    headers = response.headers
    csp = headers["content-security-policy"]
    policy = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert policy["frame-ancestors"] == "'none'"
    assert policy["script-src"] == "'self'"  # no inline script
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"]
    assert headers["cache-control"] == "no-store"
    expect(page.get_by_role("img", name="登录二维码")).to_be_visible()
    assert blocked == []

    script = page.locator("script[type=module]").get_attribute("src")
    asset = page.request.get(f"{live}{script}")
    assert asset.ok and "immutable" in asset.headers["cache-control"]
    assert "max-age=31536000" in asset.headers["cache-control"]
    assert page.request.get(f"{live}/console/assets/missing-0000.js").status == 404

    api = page.request.get(f"{live}/api/v1/console/config")
    assert api.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in api.headers["content-security-policy"]
    assert api.headers["referrer-policy"]
