"""Subscribe credits from wx.requestSubscribeMessage, field limits, and reminders."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from server import events
from server.activities.models import Activity, SignUp
from server.extensions import db
from server.notices import outbox, service
from server.notices.models import Notice, NoticeRecipient, SubscribeOutbox
from server.notices.templates import check_value
from server.timeutil import utcnow


def test_each_accept_adds_one_credit_and_other_answers_add_none(app, org, login, make_member,
                                                                templates):
    make_member("m", org.buildings[0])
    member = login("m")
    results = {"demo-tpl-notice": "accept", "demo-tpl-activity-reminder": "reject",
               "demo-tpl-signup-confirmed": "ban"}
    assert member.post("/api/v1/subscriptions", json={"results": results}).status_code == 200
    again = member.post("/api/v1/subscriptions", json={"results": {"demo-tpl-notice": "accept"}})
    credits = {c["template_id"]: c["credits"] for c in again.json}
    assert credits == {"demo-tpl-notice": 2, "demo-tpl-activity-reminder": 0,
                       "demo-tpl-signup-confirmed": 0}


def test_more_than_five_templates_or_an_unknown_one_is_refused(app, org, login, make_member,
                                                               templates):
    make_member("m", org.buildings[0])
    member = login("m")
    six = {t.template_id: "accept" for t in list(templates.values())[:6]}
    assert member.post("/api/v1/subscriptions", json={"results": six}).status_code == 422
    unknown = member.post("/api/v1/subscriptions", json={"results": {"nope": "accept"}})
    assert unknown.status_code == 422 and unknown.json["code"] == "subscribe_results_invalid"
    assert member.get("/api/v1/subscriptions").json == []


@pytest.mark.parametrize("key,value,truncate,expected,problem", [
    ("thing1", "一" * 25, True, "一" * 19 + "…", None),
    ("thing1", "一" * 25, False, None, "超过20个字符"),
    ("phrase2", "报名成功", False, "报名成功", None),
    ("phrase2", "ok", False, None, "格式"),
    ("phrase2", "一二三四五六", True, None, "超过5个字符"),
    ("character_string3", "A" * 40, True, "A" * 32, None),
    ("number4", "12a", False, None, "格式"),
    ("time5", "2026年11月23日 15:01", False, "2026年11月23日 15:01", None),
    ("time5", "2026-11-23", False, None, "格式"),
    ("date6", "2026年11月23日", False, "2026年11月23日", None),
])
def test_fields_are_checked_against_wechats_limits(key, value, truncate, expected, problem):
    text, found = check_value(key, value, truncate)
    if problem:
        assert found and problem in found
    else:
        assert found is None and text == expected


def _activity(org, starts_in=timedelta(minutes=50)):
    now = utcnow()
    activity = Activity(community_id=org.communities[0].id, title="楼道清扫", category="other",
                        address="3号楼下", starts_at=now + starts_in,
                        ends_at=now + starts_in + timedelta(hours=2), status="published")
    db.session.add(activity)
    db.session.commit()
    return activity


def _signup(activity, member, status="confirmed"):
    signup = SignUp(activity_id=activity.id, member_id=member.id, status=status)
    db.session.add(signup)
    db.session.commit()
    return signup


def test_the_start_reminder_goes_once_per_member_however_often_it_runs(
    app, org, make_member, give_credit, standin
):
    activity = _activity(org)
    first, second = make_member("a", org.buildings[0]), make_member("b", org.buildings[0])
    give_credit(first, "activity_reminder", 3)
    _signup(activity, first)
    for _ in range(3):
        service.start_reminders(utcnow())
        db.session.commit()
    _signup(activity, second)  # signed up after the first run: reminded too, once
    service.start_reminders(utcnow())
    db.session.commit()
    outbox.deliver_due()
    outbox.deliver_due()
    assert db.session.scalar(sa.select(sa.func.count(Notice.id))) == 1
    assert set(db.session.scalars(sa.select(NoticeRecipient.member_id))) == {first.id, second.id}
    assert len(standin.state.sent()) == 1  # only the member with a credit


def test_no_reminder_for_activities_starting_later(app, org, make_member, templates):
    activity = _activity(org, starts_in=timedelta(hours=5))
    _signup(activity, make_member("a", org.buildings[0]))
    assert service.start_reminders(utcnow()) == 0


def test_signup_confirmed_promoted_changed_and_cancelled_messages(app, org, make_member,
                                                                  templates):
    activity = _activity(org, starts_in=timedelta(days=2))
    member = make_member("a", org.buildings[0])
    waiting = make_member("w", org.buildings[0])
    signup = _signup(activity, member)
    queued = _signup(activity, waiting, status="waitlisted")
    events.signup_confirmed.send(signup)
    events.signup_confirmed.send(signup)  # a repeated signal: one message
    queued.status, queued.promoted_at = "confirmed", utcnow()
    events.signup_promoted.send(queued)
    events.activity_changed.send(activity, changes={"address": ("3号楼下", "社区广场")})
    events.activity_cancelled.send(activity, reason="暴雨")
    db.session.commit()
    kinds = db.session.execute(sa.select(Notice.kind, sa.func.count(NoticeRecipient.id))
                               .join(NoticeRecipient, NoticeRecipient.notice_id == Notice.id)
                               .group_by(Notice.kind)).all()
    assert dict(kinds) == {"signup_confirmed": 1, "signup_promoted": 1, "activity_changed": 2,
                           "activity_cancelled": 2}
    cancelled = db.session.scalar(sa.select(Notice).filter_by(kind="activity_cancelled"))
    assert "暴雨" in cancelled.body and cancelled.message_data["thing2"] == {"value": "暴雨"}


def test_party_day_and_make_up_reminders_go_once_per_member_and_month(
    app, org, make_member, templates
):
    from server.pledges.models import PartyDay

    today = date(2026, 11, 14)
    activity = _activity(org, starts_in=timedelta(days=1))
    db.session.add(PartyDay(community_id=org.communities[0].id, month="2026-11",
                            day=date(2026, 11, 15), window_days=1, activity_id=activity.id))
    db.session.commit()
    make_member("a", org.buildings[0])
    make_member("b", org.buildings[1])
    from datetime import datetime

    from server.timeutil import LOCAL_TZ

    def at(day):
        return datetime(day.year, day.month, day.day, 9, tzinfo=LOCAL_TZ)

    for _ in range(2):
        service.party_day_reminders(at(today))
        db.session.commit()
    assert service.party_day_reminders(at(date(2026, 11, 10))) == {
        "party_day_reminder": 0, "party_day_makeup": 0}
    service.party_day_reminders(at(date(2026, 11, 20)))
    service.party_day_reminders(at(date(2026, 11, 21)))
    db.session.commit()
    counts = dict(db.session.execute(
        sa.select(Notice.kind, sa.func.count(NoticeRecipient.id))
        .join(NoticeRecipient, NoticeRecipient.notice_id == Notice.id).group_by(Notice.kind)
    ).all())
    assert counts == {"party_day_reminder": 2, "party_day_makeup": 2}
    assert db.session.scalar(sa.select(sa.func.count(SubscribeOutbox.id))) == 4
