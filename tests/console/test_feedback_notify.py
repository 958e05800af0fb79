"""Sending a feedback sheet, and reminding a unit that has not acknowledged it, tell the unit's
secretary: in the app, and by subscribe message through the stand-in WeChat server where they
hold a credit; exactly them, and once, however often the step is retried."""

from __future__ import annotations

import sqlalchemy as sa

from server.auth.models import Role
from server.extensions import db
from server.members.models import Member
from server.notices import outbox
from server.notices.demo import seed_templates
from server.notices.models import SubscribeCredit, SubscribeTemplate
from server.wechat.standin import demo_openid

SHEETS = "/api/v1/feedback-sheets"


def _credit(member, credits: int = 5) -> None:
    template = db.session.scalar(sa.select(SubscribeTemplate).filter_by(purpose="feedback_sheet"))
    db.session.add(SubscribeCredit(member_id=member.id, template_id=template.id, credits=credits))
    db.session.commit()


def _set_up(org, make_staff, make_member):
    """甲单位's secretary lives in 社区2 and holds credits; 乙单位's secretary holds credits too;
    a member of 甲单位 (张三) and the community's secretary hold credits and must hear nothing."""
    seed_templates()
    db.session.commit()
    c1 = org.communities[0]
    make_staff("secA", Role.COMMUNITY_SECRETARY, community_id=c1.id)
    make_staff("unitA", Role.UNIT_SECRETARY, unit_id=org.units[0].id)
    make_staff("unitB", Role.UNIT_SECRETARY, unit_id=org.units[1].id)
    secretary_a = make_member("unitA", org.buildings[5], name="甲书记")
    secretary_b = make_member("unitB", org.buildings[6], name="乙书记")
    zhang = make_member("m1", org.buildings[0], unit=org.units[0], name="张三")
    make_member("m2", org.buildings[1], unit=org.units[1], name="王五")
    secretary_c1 = make_member("secA", org.buildings[0], name="社区书记")
    for member in (secretary_a, secretary_b, zhang, secretary_c1):
        _credit(member)
    return c1


def _sent_to(standin) -> list[tuple[str, str]]:
    return [(m["touser"], m["template_id"]) for m in standin.state.sent()]


def test_sending_a_sheet_messages_exactly_the_units_secretary_once_even_on_retry(
        org, make_staff, make_member, console_login, login, standin):
    c1 = _set_up(org, make_staff, make_member)
    sec = console_login("secA")
    sheet = sec.post(f"{SHEETS}/generate", json={"community_id": c1.id, "period": "2026-Q4"}
                     ).json["sheets"][0]
    assert sheet["unit"]["name"] == "甲单位"
    sec.post(f"{SHEETS}/{sheet['id']}/sign")
    key = {"Idempotency-Key": "send-sheet-1"}
    assert sec.post(f"{SHEETS}/{sheet['id']}/send", headers=key).json["status"] == "sent"
    assert sec.post(f"{SHEETS}/{sheet['id']}/send", headers=key).status_code == 200  # retried
    assert sec.post(f"{SHEETS}/{sheet['id']}/send").json["status"] == "sent"  # sent again
    outbox.deliver_due()
    outbox.deliver_due()
    assert _sent_to(standin) == [(demo_openid("unitA"), "demo-tpl-feedback-sheet")]
    message = standin.state.sent()[0]["data"]
    assert message["thing1"]["value"].startswith("社区1送来") and "反馈单" in message[
        "thing1"]["value"]
    mine = login("unitA").get("/api/v1/notices/mine").json
    assert [n["title"] for n in mine] == ["社区1送来2026年第四季度反馈单"]
    for other in ("unitB", "m1", "secA"):
        assert login(other).get("/api/v1/notices/mine").json == []


def test_reminding_messages_the_secretary_once_a_day_however_often_it_is_pressed(
        org, make_staff, make_member, console_login, login, standin):
    c1 = _set_up(org, make_staff, make_member)
    sec = console_login("secA")
    sheet = sec.post(f"{SHEETS}/generate", json={"community_id": c1.id, "period": "2026"}
                     ).json["sheets"][1]
    assert sheet["unit"]["name"] == "乙单位"
    sec.post(f"{SHEETS}/{sheet['id']}/sign")
    sec.post(f"{SHEETS}/{sheet['id']}/send")
    outbox.deliver_due()
    for _ in range(3):
        assert sec.post(f"{SHEETS}/{sheet['id']}/remind").json["reminders"] == 1
    outbox.deliver_due()
    outbox.deliver_due()
    assert _sent_to(standin) == [(demo_openid("unitB"), "demo-tpl-feedback-sheet")] * 2
    titles = [n["title"] for n in login("unitB").get("/api/v1/notices/mine").json]
    assert sorted(titles) == ["社区1送来2026年度反馈单", "请回执社区12026年度反馈单"]
    assert login("unitA").get("/api/v1/notices/mine").json == []
    secretary = db.session.scalar(sa.select(Member.id).filter_by(name="乙书记"))
    credits = db.session.scalar(sa.select(SubscribeCredit.credits).join(
        SubscribeTemplate).where(SubscribeTemplate.purpose == "feedback_sheet",
                                 SubscribeCredit.member_id == secretary))
    assert credits == 3  # two messages, two credits used


def test_a_secretary_without_a_credit_gets_it_in_the_app_only(
        org, make_staff, make_member, console_login, login, standin):
    c1 = _set_up(org, make_staff, make_member)
    db.session.execute(sa.delete(SubscribeCredit))
    db.session.commit()
    sec = console_login("secA")
    sheet = sec.post(f"{SHEETS}/generate", json={"community_id": c1.id, "period": "2026"}
                     ).json["sheets"][0]
    sec.post(f"{SHEETS}/{sheet['id']}/sign")
    sec.post(f"{SHEETS}/{sheet['id']}/send")
    outbox.deliver_due()
    assert standin.state.sent() == []
    assert len(login("unitA").get("/api/v1/notices/mine").json) == 1
