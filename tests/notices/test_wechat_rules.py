"""What the faithful stand-in exposed in the notices service: the content check's length,
scene, author and transaction; refused tokens in the outbox; the value rules; and credits
that agree with WeChat's. Pages cited are under
https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from server.activities.models import Activity, SignUp
from server.auth.models import Role, User
from server.extensions import db
from server.members.models import Member
from server.notices import outbox, service
from server.notices.models import Notice, SubscribeOutbox
from server.notices.templates import check_value
from server.timeutil import utcnow
from server.wechat.standin import demo_openid, miniprogram_pages
from tests.wechat.test_standin_contract import VALUES

SEND = "cgi-bin/message/subscribe/send"


def _notice(**kw):
    return {"title": "周六楼道清扫", "body": "请各位党员周六上午九点到楼下集合。",
            "audience": {"type": "community"}, **kw}


@pytest.fixture
def staff(org, login, make_staff, make_member):
    make_staff("staff", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    make_member("reader", org.buildings[0])
    return login("staff")


def test_a_notice_over_2500_characters_is_checked_in_pieces_as_a_forum_post(
    org, staff, standin
):
    """sec-center/sec-check/msgSecCheck.html: at most 2,500 characters per call (pieces
    overlap by 50, so a word cut at a piece's end is whole in the next); scene 3 (论坛) fits a
    notice. Before: title, newline and body went as one text of up to ~5,100
    characters, which WeChat refuses (a 503 for the staff member)."""
    body = "请各位党员周六上午九点到楼下集合。" * 290  # 4,930 characters
    response = staff.post(f"/api/v1/communities/{org.communities[0].id}/notices",
                          json=_notice(body=body))
    assert response.status_code == 201, response.json
    checks = standin.state.sec_checks()
    assert [c["chars"] for c in checks] == [2500, 4937 - 2450]  # the second from 2,450 on
    assert {c["scene"] for c in checks} == {3}
    assert {c["openid"] for c in checks} == {demo_openid("staff")}


def test_a_risky_word_in_the_second_piece_is_refused(org, staff, standin):
    """sec-center/sec-check/msgSecCheck.html: every piece must pass."""
    body = "请各位党员周六上午九点到楼下集合。" * 160 + "欢迎参加赌博"
    response = staff.post(f"/api/v1/communities/{org.communities[0].id}/notices",
                          json=_notice(body=body))
    assert response.status_code == 422 and response.json["code"] == "content_risky"
    assert db.session.scalar(sa.select(sa.func.count(Notice.id))) == 0


def test_an_author_wechat_has_not_seen_for_two_hours_is_told_to_open_the_miniprogram(
    org, staff, standin, monkeypatch
):
    """sec-center/sec-check/msgSecCheck.html: openid "用户需在近两小时访问过小程序" (61010).
    Staff writing at the office PC meet this; before, it read "try again later" (503)."""
    later = standin.state.clock() + 2 * 3600 + 60
    monkeypatch.setattr(standin.state, "clock", lambda: later)
    response = staff.post(f"/api/v1/communities/{org.communities[0].id}/notices",
                          json=_notice())
    assert response.status_code == 409
    assert response.json["code"] == "content_check_needs_recent_visit"
    assert "打开本小程序" in response.json["message"]
    assert db.session.scalar(sa.select(sa.func.count(Notice.id))) == 0


def test_the_content_check_runs_with_no_database_transaction_open(org, staff, standin,
                                                                  monkeypatch):
    """No network call inside a database transaction (on SQLite an open transaction holds
    the write lock for as long as WeChat takes)."""
    session = db.session()  # the test client's requests share the test's app context
    seen = []
    check = standin.state.msg_sec_check

    def watching(body):
        seen.append(session.in_transaction())
        return check(body)

    monkeypatch.setattr(standin.state, "msg_sec_check", watching)
    response = staff.post(f"/api/v1/communities/{org.communities[0].id}/notices",
                          json=_notice(), key="notice-no-tx-1")
    assert response.status_code == 201, response.json
    assert seen == [False]


def _openid(member_id: int) -> str:
    return db.session.scalar(sa.select(User.openid).join(Member, Member.user_id == User.id)
                             .where(Member.id == member_id))


@pytest.mark.parametrize("errcode", [42001, 40014, 41001, 40001])
def test_a_token_refused_again_after_the_refresh_is_retried_later_not_failed(
    app, org, bulk_members, standin, errcode
):
    """Global return codes: 42001 expired, 40014 malformed, 41001 missing, 40001 invalid
    token: each means "refresh and try again". Before, only 40001 and -1 were retried and a
    42001 after the one refresh failed the message for good."""
    bulk_members(org.buildings[0], 1, prefix="k")
    service.event_notice("test:token", community_id=org.communities[0].id,
                         kind=service.NoticeKind.NOTICE, title="通知", body="正文",
                         audience={"type": "community"})
    db.session.commit()
    standin.state.add_fault(SEND, errcode, times=2)  # before and after the refresh
    now = utcnow()
    report = outbox.deliver_due(now)
    assert (report.sent, report.failed, report.retry) == (0, 0, 1)
    row = db.session.scalar(sa.select(SubscribeOutbox))
    assert (row.status, row.errcode, row.attempts) == ("pending", errcode, 1)
    assert outbox.deliver_due(now + timedelta(minutes=2)).sent == 1
    assert len(standin.state.sent()) == 1


@pytest.mark.parametrize(("key", "value", "accepted"),
                         [v for v in VALUES if not v[0].startswith("unknown")],
                         ids=[f"{k}-{v[:8]}" for k, v, _ in VALUES if not k.startswith("unknown")])
def test_the_services_value_check_agrees_with_wechat(key, value, accepted):
    """mp-message-management/subscribe-message/sendMessage.html, "订阅消息参数值内容限制说明":
    the service refuses what WeChat would (a negative number was let through before)."""
    _text, problem = check_value(key, value, truncate=False)
    assert (problem is None) == accepted, problem


def _tell_wechat(standin, templates):
    """What WeChat knows of this mini-program: its templates and pages."""
    for template in templates.values():
        standin.state.register_template(template.template_id,
                                        [field["key"] for field in template.fields])
    standin.state.set_pages(miniprogram_pages())


def _subscribe(caller, standin, results):
    """A tap on wx.requestSubscribeMessage: WeChat learns it, the mini-program reports it."""
    for template_id, result in results.items():
        if result == "accept":
            standin.state.accept(demo_openid(caller.login_name), template_id)
    response = caller.post("/api/v1/subscriptions", json={"results": results})
    assert response.status_code == 200, response.json


def _agree(login, standin, names, template_ids):
    for name in names:
        mine = {c["template_id"]: c["credits"]
                for c in login(name).get("/api/v1/subscriptions").json}
        wechat = {t: standin.state.credits(demo_openid(name), t) for t in template_ids}
        assert {t: mine.get(t, 0) for t in template_ids} == wechat, name


def test_credits_agree_with_wechat_after_a_broadcast_a_reminder_and_a_resubscribe(
    app, org, login, make_staff, make_member, templates, standin
):
    """mp-message-management/subscribe-message/sendMessage.html (43101: no subscription
    left): the service's count of one-time subscriptions is WeChat's."""
    _tell_wechat(standin, templates)
    notice_tpl = templates["notice"].template_id
    reminder_tpl = templates["activity_reminder"].template_id
    make_staff("staff", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    members = {name: make_member(name, org.buildings[0]) for name in ("m1", "m2", "m3")}
    callers = {name: login(name) for name in members}
    _subscribe(callers["m1"], standin, {notice_tpl: "accept", reminder_tpl: "accept"})
    _subscribe(callers["m1"], standin, {notice_tpl: "accept"})
    _subscribe(callers["m2"], standin, {notice_tpl: "accept", reminder_tpl: "reject"})
    _subscribe(callers["m3"], standin, {reminder_tpl: "accept"})
    names, template_ids = list(members), [notice_tpl, reminder_tpl]
    _agree(login, standin, names, template_ids)

    staff = login("staff")
    assert staff.post(f"/api/v1/communities/{org.communities[0].id}/notices",
                      json=_notice()).status_code == 201
    assert outbox.deliver_due().sent == 2  # m1 and m2
    _agree(login, standin, names, template_ids)

    now = utcnow()
    activity = Activity(community_id=org.communities[0].id, title="楼道清扫", category="other",
                        address="3号楼下", starts_at=now + timedelta(minutes=30),
                        ends_at=now + timedelta(hours=2), status="published")
    db.session.add(activity)
    db.session.flush()
    db.session.add_all([SignUp(activity_id=activity.id, member_id=m.id, status="confirmed")
                        for m in members.values()])
    db.session.commit()
    service.start_reminders(now)
    db.session.commit()
    assert outbox.deliver_due().sent == 2  # m1 and m3; m2 refused the reminder
    _agree(login, standin, names, template_ids)

    _subscribe(callers["m2"], standin, {reminder_tpl: "accept"})
    _subscribe(callers["m1"], standin, {notice_tpl: "accept"})
    _agree(login, standin, names, template_ids)
    sent = [(m["touser"], m["template_id"]) for m in standin.state.sent()]
    assert sorted(sent) == sorted([
        (demo_openid("m1"), notice_tpl), (demo_openid("m2"), notice_tpl),
        (demo_openid("m1"), reminder_tpl), (demo_openid("m3"), reminder_tpl)])


@pytest.mark.parametrize("errcode", [40164, 40243, 45009])
def test_no_access_token_pauses_sending_and_leaves_every_row_as_it_was(
    app, org, bulk_members, standin, errcode
):
    """mp-access-token/getAccessToken.html: 40164 (IP allow-list), 40243 (secret frozen),
    45009 (daily quota). Before, the token fetch raised out of the batch: the scheduler job
    failed and nothing said why."""
    bulk_members(org.buildings[0], 3, prefix="nt")
    service.event_notice("test:no-token", community_id=org.communities[0].id,
                         kind=service.NoticeKind.NOTICE, title="通知", body="正文",
                         audience={"type": "community"})
    db.session.commit()
    standin.state.add_fault("cgi-bin/token", errcode, times=5)
    report = outbox.deliver_due()
    assert report.paused and (report.sent, report.failed) == (0, 0)
    rows = db.session.scalars(sa.select(SubscribeOutbox)).all()
    assert {(r.status, r.attempts, r.claimed_by) for r in rows} == {("pending", 0, None)}
    assert standin.state.sent() == []
    standin.state.reset()
    assert outbox.deliver_due().sent == 3
