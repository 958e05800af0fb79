"""Journeys of a member's page on the desk: hours, points, pledge and party-day attendance, and
the 一卡一薄 download read back as a real workbook; the points page's rules, awards, ledger."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from openpyxl import load_workbook
from playwright.sync_api import expect

from server.activities.models import Activity, HoursRecord
from server.auth.models import Role
from server.extensions import db
from server.pledges.models import PartyDay, PartyDayAttendance, Pledge, PledgeImage, PledgeTemplate
from server.points.models import PointBalance
from server.timeutil import local_today, utcnow
from tests.console_ui.ui import choose, row


def _a_year_of_service(org, member) -> None:
    """Approved hours at one activity, points and stars, a pledge and a party day attended."""
    community, today, now = org.communities[0], local_today(), utcnow()
    activity = Activity(community_id=community.id, title="楼道环境清理", category="environment",
                        starts_at=now - timedelta(hours=5), ends_at=now - timedelta(hours=3),
                        status="ended", address="幸福里 3 号楼", organiser="幸福里社区党委")
    party = Activity(community_id=community.id, title="党员活动日", category="party_day",
                     starts_at=now - timedelta(days=1), ends_at=now - timedelta(days=1, hours=-2),
                     status="ended")
    db.session.add_all([activity, party])
    db.session.flush()
    db.session.add(HoursRecord(member_id=member.id, activity_id=activity.id,
                               community_id=community.id, category="environment",
                               hours=Decimal("2.50"), service_date=today, source="clockin",
                               status="approved", activity_name=activity.title,
                               place=activity.address, organiser=activity.organiser))
    for period, stars in (("all", None), (str(today.year), 2)):
        db.session.add(PointBalance(member_id=member.id, period=period, points=36,
                                    hours_centi=250, stars=stars, community_id=community.id))
    db.session.add(PledgeImage(sha256="0" * 64, content_type="image/png", size=1, width=1,
                               height=1, data=b"x"))
    template = PledgeTemplate(community_id=community.id, year=today.year, title="承诺书",
                              items=["环境卫生"])
    db.session.add(template)
    db.session.flush()
    db.session.add(Pledge(member_id=member.id, community_id=community.id,
                          building_id=org.buildings[0].id, template_id=template.id,
                          year=today.year, items=["环境卫生", "邻里互助"],
                          signature_sha256="0" * 64, status="active"))
    month = today.strftime("%Y-%m")
    db.session.add(PartyDay(community_id=community.id, month=month, day=today - timedelta(days=1)
                            if (today - timedelta(days=1)).month == today.month else today,
                            window_days=3, activity_id=party.id))
    db.session.add(PartyDayAttendance(member_id=member.id, community_id=community.id,
                                      month=month, source="party_day", activity_id=party.id))
    db.session.commit()


def test_a_members_page_shows_their_year_and_the_ledger_downloads_as_a_workbook(
    page, org, make_staff, make_member, console_as, shot, tmp_path
):
    make_staff("secA", Role.COMMUNITY_SECRETARY, community_id=org.communities[0].id)
    member = make_member("m1", org.buildings[0], unit=org.units[0], name="李志愿")
    make_member("m2", org.buildings[1], unit=org.units[1], name="王建国")
    _a_year_of_service(org, member)
    console_as(page, "secA", "/console/members")
    table = page.get_by_test_id("members-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    choose(page, page.get_by_test_id("filter-stars"), "★★")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(row(table, "李志愿")).to_contain_text("★★")
    shot(page, "members-filtered")
    row(table, "李志愿").get_by_text("李志愿").click()
    summary = page.get_by_test_id("member-summary")
    expect(page.get_by_test_id("summary-hours")).to_contain_text("2.50")
    expect(page.get_by_test_id("summary-points")).to_contain_text("36")
    expect(page.get_by_test_id("summary-stars")).to_contain_text("★★")
    expect(page.get_by_test_id("summary-party-days")).to_contain_text("1 / 1")
    expect(page.get_by_test_id("summary-pledges")).to_contain_text("环境卫生、邻里互助")
    expect(page.get_by_test_id("summary-party-day-months")).to_contain_text("出勤")
    expect(summary).to_contain_text("已报到")
    expect(page.get_by_test_id("member-detail")).to_contain_text("楼道环境清理")
    shot(page, "member-page")

    with page.expect_download() as downloading:
        page.get_by_test_id("member-ledger").click()
    path = tmp_path / "ledger.xlsx"
    downloading.value.save_as(path)
    book = load_workbook(path)
    assert book.sheetnames == ["登记卡", "活动登记薄"]
    card = list(book["登记卡"].iter_rows(min_row=3, values_only=True))
    assert card[0][0] == "李志愿" and card[0][2] == org.units[0].name
    log = list(book["活动登记薄"].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[-1]) for r in log] == [("楼道环境清理", 2.5)]
    assert book["活动登记薄"].page_setup.fitToWidth == 1


def test_the_points_page_lists_rules_proposes_an_award_and_shows_a_members_ledger(
    page, org, make_staff, make_member, console_as, shot
):
    make_staff("secA", Role.COMMUNITY_SECRETARY, community_id=org.communities[0].id)
    make_member("m1", org.buildings[0], unit=org.units[0], name="李志愿")
    console_as(page, "secA", "/console/points")
    page.get_by_test_id("add-rule").click()
    page.locator(".t-dialog:visible").get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("rules-table")).to_contain_text("志愿服务时长")
    shot(page, "rules")

    tabs = page.get_by_test_id("points-tabs")
    tabs.get_by_text("星级门槛").click()
    expect(page.get_by_test_id("stars-table")).to_contain_text("★★★★★")
    shot(page, "stars")

    tabs.get_by_text("人工加减分").click()
    page.get_by_test_id("propose-award").click()
    dialog = page.locator(".t-dialog:visible")
    dialog.get_by_test_id("award-member").click()
    page.locator(".t-popup:visible .t-select-option", has_text="李志愿").first.click()
    dialog.get_by_test_id("award-reason").locator("textarea").fill("冒雨疏导交通，群众来信表扬")
    dialog.get_by_role("button", name="提交审批").click()
    awards = page.get_by_test_id("awards-table")
    expect(row(awards, "李志愿")).to_contain_text("待审批")
    expect(row(awards, "李志愿")).to_contain_text("（我）")
    shot(page, "awards")

    tabs.get_by_text("积分台账与冲正").click()
    choose(page, page.get_by_test_id("ledger-member"), "李志愿")
    expect(page.get_by_test_id("ledger-total")).to_contain_text("累计 0 分")
    expect(page.get_by_test_id("ledger-table")).to_contain_text("还没有积分记录")

    tabs.get_by_text("时长规则").click()
    rule = page.get_by_test_id("hours-rule")
    rule.get_by_text("按活动结束时间计").click()
    page.get_by_test_id("save-hours-rule").click()
    expect(page.locator(".t-message", has_text="已保存时长规则")).to_be_visible()
    shot(page, "hours-rule")
