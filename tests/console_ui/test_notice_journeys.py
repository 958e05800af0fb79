"""Journey: staff write a notice for one grid, see how many members it reaches and how many
hold a subscribe credit, and send it; the stand-in WeChat API receives exactly those messages."""

from __future__ import annotations

from playwright.sync_api import expect

from server.auth.models import Role
from server.extensions import db
from server.notices import outbox
from server.wechat.standin import demo_openid
from tests.console_ui.conftest import release_database
from tests.console_ui.ui import choose, dialog, field, popconfirm, row, settled
from tests.notices.conftest import give_credit, templates  # noqa: F401 - fixtures


def test_staff_send_a_notice_to_a_grid_with_its_reach_and_wechat_gets_exactly_those(
    page, org, make_staff, make_member, give_credit, templates, standin, console_as, shot  # noqa: F811
):
    community = org.communities[0]
    community_name = community.name  # read now: the test holds no transaction once pages run
    # a template that does not shorten the title: a long one is over WeChat's limit
    templates["notice"].fields = [{"key": "thing1", "source": "title"},
                                  {"key": "thing2", "source": "community", "truncate": True},
                                  {"key": "time3", "source": "sent_at"}]
    db.session.commit()
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=community.id)
    first = make_member("m1", org.buildings[0], name="李志愿")  # grid 1, subscribed
    make_member("m2", org.buildings[1], name="王不订阅")  # grid 1, no credit
    other = make_member("m3", org.buildings[2], name="张二网格")  # grid 2, subscribed
    give_credit(first)
    give_credit(other)
    standin.state.reset()
    console_as(page, "staffA", "/console/notices")
    expect(page.get_by_test_id("notices-table")).to_contain_text("还没有发过通知")

    page.get_by_test_id("new-notice").click()
    compose = dialog(page)
    reach = compose.get_by_test_id("notice-reach")
    expect(reach).to_contain_text("将通知 3 名党员，其中 2 人订阅了通知")  # the whole community
    field(compose, "标题").fill("周六上午九点请第一网格全体在职党员到三号楼楼下集合清扫楼道")
    preview = compose.get_by_test_id("message-preview")
    expect(preview).to_contain_text("有字段超出微信的限制")
    expect(preview.get_by_test_id("preview-thing1")).to_contain_text("超过20个字符")
    shot(page, "compose-over-limit")
    field(compose, "标题").fill("周六楼道清扫")
    expect(preview).to_contain_text("符合微信的字段限制")
    expect(preview.get_by_test_id("preview-thing1")).to_contain_text("6/20")
    expect(preview.get_by_test_id("preview-thing2")).to_contain_text(community_name)
    compose.locator("textarea").fill("请第一网格的党员周六上午九点到楼下集合。")
    choose(page, compose.get_by_test_id("audience-type"), "按网格")
    choose(page, compose.get_by_test_id("audience-grids"), "第1网格")
    compose.locator(".t-dialog__header").click()  # close the drop-down
    expect(reach).to_contain_text("将通知 2 名党员，其中 1 人订阅了通知")
    expect(reach).to_contain_text("其余 1 人只在小程序里看到")
    shot(page, "compose")
    compose.get_by_role("button", name="立即发送").click()
    expect(page.locator(".t-message", has_text="已发送给 2 名党员")).to_be_visible()
    table = page.get_by_test_id("notices-table")
    expect(row(table, "周六楼道清扫")).to_contain_text("已发送")

    release_database()
    report = outbox.deliver_due()  # the scheduler's outbox job, run here
    assert (report.sent, report.no_credit) == (1, 1)
    assert [m["touser"] for m in standin.state.sent()] == [demo_openid("m1")]

    row(table, "周六楼道清扫").get_by_text("统计").click()
    stats = page.get_by_test_id("notice-stats")
    expect(row(stats, "通知对象")).to_contain_text("2")
    outcomes = stats.get_by_test_id("notice-outcomes")
    expect(row(outcomes, "已发送")).to_contain_text("1")
    expect(row(outcomes, "没有订阅")).to_contain_text("1")
    expect(stats.locator("canvas")).to_be_visible()  # the progress chart
    unread = stats.get_by_test_id("notice-unread")
    expect(row(unread, "李志愿")).to_contain_text("139****5678")
    expect(row(unread, "王不订阅")).to_contain_text("139****5678")
    expect(unread).not_to_contain_text("张二网格")
    row(unread, "王不订阅").get_by_text("显示").click()
    expect(row(unread, "王不订阅")).to_contain_text("13912345678")
    settled(page)
    shot(page, "notice-stats")


def test_the_content_check_refuses_at_the_text_and_a_scheduled_notice_is_cancelled_before_it_goes(
    page, org, make_staff, make_member, templates, console_as, shot  # noqa: F811
):
    community = org.communities[0]
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=community.id)
    make_member("m1", org.buildings[0], name="李志愿")
    console_as(page, "staffA", "/console/notices")
    page.get_by_test_id("new-notice").click()
    compose = dialog(page)
    field(compose, "标题").fill("下周六义诊")
    compose.locator("textarea").fill("周六义诊后有人组织赌博，请勿参加")
    compose.get_by_text("定时发送", exact=True).click()
    compose.get_by_test_id("send-at").locator("input").fill("2030-06-01 09:00")
    preview = compose.get_by_test_id("message-preview")
    expect(preview.get_by_test_id("preview-thing1")).to_contain_text("下周六义诊")
    expect(preview.get_by_test_id("preview-time3")).to_contain_text("2030年6月1日 09:00")
    compose.get_by_role("button", name="定时发送").click()
    refused = compose.locator(".t-form__item", has=page.locator(".t-form__label", has_text="标题"))
    expect(refused).to_contain_text("未通过微信内容安全检测")
    shot(page, "content-refused")

    compose.locator("textarea").fill("下周六上午社区卫生服务中心义诊，欢迎参加。")
    compose.get_by_role("button", name="定时发送").click()
    expect(page.locator(".t-message", has_text="已安排定时发送")).to_be_visible()
    table = page.get_by_test_id("notices-table")
    expect(row(table, "下周六义诊")).to_contain_text("定时待发")
    expect(row(table, "下周六义诊")).to_contain_text("2030-06-01 09:00")
    row(table, "下周六义诊").get_by_text("取消发送").click()
    popconfirm(page)
    expect(row(table, "下周六义诊")).to_contain_text("已取消")
    shot(page, "cancelled")
    choose(page, page.get_by_test_id("notice-kind"), "活动开始提醒")  # the automatic ones
    expect(table).to_contain_text("还没有发过通知")
