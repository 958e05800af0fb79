"""Staff broadcast notices; members read them in-app; scopes; content security; scheduling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import time_machine

from server.auth.models import Role
from server.extensions import db
from server.notices import outbox, service
from server.notices.models import Notice, NoticeRecipient, SubscribeCredit
from server.scheduler import run_job

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _notice(**kw):
    return {"title": "周六楼道清扫", "body": "请各位党员周六上午九点到楼下集合。",
            "audience": {"type": "community"}, **kw}


def test_staff_broadcast_to_a_grid_reaches_its_members_in_app_and_once_by_wechat(
    app, org, login, make_staff, make_member, give_credit, standin
):
    make_staff("staff", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    in_grid = [make_member(f"g{i}", org.buildings[0]) for i in range(3)]
    other_grid = make_member("other", org.buildings[2])
    give_credit(in_grid[0])
    give_credit(in_grid[1])
    staff = login("staff")
    response = staff.post(f"/api/v1/communities/{org.communities[0].id}/notices",
                          json=_notice(audience={"type": "grids", "grid_ids": [org.grids[0].id]}))
    assert response.status_code == 201, response.json
    notice = response.json
    assert notice["status"] == "sent"
    assert notice["stats"]["audience_size"] == 3 and notice["stats"]["subscribe_pending"] == 3

    report = outbox.deliver_due()
    assert (report.sent, report.no_credit) == (2, 1)
    assert len(standin.state.sent()) == 2
    assert outbox.deliver_due().sent == 0  # nothing twice
    assert len(standin.state.sent()) == 2

    first = login("g0")
    assert first.get("/api/v1/notices/mine/unread-count").json == {"unread": 1}
    assert [n["title"] for n in first.get("/api/v1/notices/mine").json] == ["周六楼道清扫"]
    opened = first.get(f"/api/v1/notices/mine/{notice['id']}")
    assert opened.status_code == 200 and opened.json["read"] is True
    assert first.get("/api/v1/notices/mine/unread-count").json == {"unread": 0}
    assert login("other").get("/api/v1/notices/mine").json == []
    assert login("other").get(f"/api/v1/notices/mine/{notice['id']}").status_code == 404
    assert other_grid.id not in db.session.scalars(sa.select(NoticeRecipient.member_id)).all()

    stats = staff.get(f"/api/v1/notices/{notice['id']}").json["stats"]
    assert stats == {"audience_size": 3, "read": 1, "unread": 2, "subscribe_sent": 2,
                     "subscribe_pending": 0, "subscribe_failed": 0, "failures": [],
                     "without_credit": 1}
    remaining = db.session.scalars(sa.select(SubscribeCredit.credits)).all()
    assert remaining == [0, 0]


def test_broadcast_to_an_employer_units_members_stays_within_the_community(
    app, org, login, make_staff, make_member, templates
):
    make_staff("staff", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    mine = make_member("a", org.buildings[1], unit=org.units[0])
    make_member("b", org.buildings[1], unit=org.units[1])
    make_member("elsewhere", org.buildings[4], unit=org.units[0])  # other community
    response = login("staff").post(
        f"/api/v1/communities/{org.communities[0].id}/notices",
        json=_notice(audience={"type": "units", "unit_ids": [org.units[0].id]}))
    assert response.status_code == 201, response.json
    recipients = db.session.scalars(sa.select(NoticeRecipient.member_id)).all()
    assert recipients == [mine.id]


def test_member_types_and_buildings_narrow_the_audience(app, org, make_member, make_staff,
                                                        login, templates):
    make_staff("staff", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    retired = make_member("r", org.buildings[0], member_type="retired")
    make_member("i", org.buildings[0])
    make_member("r2", org.buildings[1], member_type="retired")
    staff = login("staff")
    url = f"/api/v1/communities/{org.communities[0].id}/notices"
    response = staff.post(url, json=_notice(audience={
        "type": "buildings", "building_ids": [org.buildings[0].id], "member_types": ["retired"]}))
    assert response.json["stats"]["audience_size"] == 1
    assert db.session.scalars(sa.select(NoticeRecipient.member_id)).all() == [retired.id]
    by_type = staff.post(url, json=_notice(audience={"type": "member_types",
                                                     "member_types": ["retired"]}))
    assert by_type.json["stats"]["audience_size"] == 2


def test_another_communitys_grid_is_refused_and_nothing_is_written(
    app, org, login, make_staff, make_member
):
    make_staff("staff", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    make_member("m", org.buildings[0])
    response = login("staff").post(
        f"/api/v1/communities/{org.communities[0].id}/notices",
        json=_notice(audience={"type": "grids", "grid_ids": [org.grids[2].id]}))
    assert response.status_code == 422 and response.json["code"] == "audience_invalid"
    assert db.session.scalar(sa.select(sa.func.count(Notice.id))) == 0


def test_staff_of_another_community_get_404_on_a_notice(app, org, login, make_staff,
                                                        make_member):
    make_staff("staff", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    make_staff("stranger", Role.COMMUNITY_STAFF, community_id=org.communities[1].id)
    make_member("m", org.buildings[0])
    notice = login("staff").post(f"/api/v1/communities/{org.communities[0].id}/notices",
                                 json=_notice()).json
    stranger = login("stranger")
    assert stranger.get(f"/api/v1/notices/{notice['id']}").status_code == 404
    assert stranger.post(f"/api/v1/notices/{notice['id']}/cancel").status_code == 404
    assert stranger.get(
        f"/api/v1/communities/{org.communities[0].id}/notices").status_code == 404
    assert stranger.post(f"/api/v1/communities/{org.communities[0].id}/notices",
                         json=_notice()).status_code == 404
    # a member is not staff
    assert login("m").get(f"/api/v1/notices/{notice['id']}").status_code == 404


def test_risky_text_is_a_clear_error_and_nothing_is_sent(app, org, login, make_staff,
                                                         make_member, give_credit, standin):
    make_staff("staff", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    give_credit(make_member("m", org.buildings[0]))
    standin.state.set_risky_words(["违禁词"])
    response = login("staff").post(f"/api/v1/communities/{org.communities[0].id}/notices",
                                   json=_notice(body="这里有违禁词"))
    assert response.status_code == 422
    assert response.json["code"] == "content_risky" and "内容安全" in response.json["message"]
    assert db.session.scalar(sa.select(sa.func.count(Notice.id))) == 0
    outbox.deliver_due()
    assert standin.state.sent() == []


def test_a_title_too_long_for_a_non_truncating_field_is_refused(app, org, login, make_staff,
                                                                make_member, templates):
    service.configure_template("notice", "tpl-strict", [{"key": "thing1", "source": "title"}])
    db.session.commit()
    make_staff("staff", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    make_member("m", org.buildings[0])
    response = login("staff").post(f"/api/v1/communities/{org.communities[0].id}/notices",
                                   json=_notice(title="这是一个非常非常非常非常非常长的通知标题啊"))
    assert response.status_code == 422
    assert response.json["code"] == "subscribe_fields_invalid"
    assert "thing1" in response.json["details"]["fields"]


def test_a_scheduled_notice_goes_at_its_time_and_can_be_cancelled_before(
    app, org, login, make_staff, make_member, templates
):
    make_staff("staff", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    member = make_member("m", org.buildings[0])
    url = f"/api/v1/communities/{org.communities[0].id}/notices"
    with time_machine.travel(NOW, tick=False):
        staff = login("staff")
        later = staff.post(url, json=_notice(send_at="2026-11-23T18:00:00+08:00"))
        assert later.status_code == 201, later.json
        later = later.json
        cancelled = staff.post(url, json=_notice(title="取消的通知",
                                                 send_at="2026-11-23T18:00:00+08:00")).json
        assert later["status"] == "scheduled" and later["send_at"] == "2026-11-23T18:00:00+08:00"
        assert login("m").get("/api/v1/notices/mine").json == []
        response = staff.post(f"/api/v1/notices/{cancelled['id']}/cancel")
        assert response.status_code == 200 and response.json["status"] == "cancelled"
    from server.notices.jobs import JOBS

    job = next(j for j in JOBS if j.name == "notices_publish_due")
    run_job(job, NOW + timedelta(hours=7, minutes=59))
    assert db.session.get(Notice, later["id"]).status == "scheduled"
    run_job(job, NOW + timedelta(hours=8, minutes=1))
    db.session.expire_all()
    assert db.session.get(Notice, later["id"]).status == "sent"
    assert db.session.get(Notice, cancelled["id"]).status == "cancelled"
    titles = [n["title"] for n in login("m").get("/api/v1/notices/mine").json]
    assert titles == ["周六楼道清扫"]
    assert member.id in db.session.scalars(sa.select(NoticeRecipient.member_id)).all()
    again = login("staff").post(f"/api/v1/notices/{later['id']}/cancel")
    assert again.status_code == 409 and again.json["code"] == "notice_already_sent"


def test_an_empty_audience_is_refused(app, org, login, make_staff):
    make_staff("staff", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    response = login("staff").post(f"/api/v1/communities/{org.communities[0].id}/notices",
                                   json=_notice())
    assert response.status_code == 422 and response.json["code"] == "audience_empty"


def test_a_retried_create_makes_one_notice(app, org, login, make_staff, make_member, templates):
    make_staff("staff", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    make_member("m", org.buildings[0])
    staff = login("staff")
    url = f"/api/v1/communities/{org.communities[0].id}/notices"
    first = staff.post(url, json=_notice(), key="notice-key-0001")
    second = staff.post(url, json=_notice(), key="notice-key-0001")
    assert first.status_code == second.status_code == 201
    assert first.json["id"] == second.json["id"]
    assert db.session.scalar(sa.select(sa.func.count(Notice.id))) == 1


def test_staff_list_their_communitys_notices(app, org, login, make_staff, make_member,
                                             templates):
    make_staff("staff", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    make_member("m", org.buildings[0])
    staff = login("staff")
    url = f"/api/v1/communities/{org.communities[0].id}/notices"
    staff.post(url, json=_notice(title="一"))
    staff.post(url, json=_notice(title="二"))
    listed = staff.get(url)
    assert listed.status_code == 200 and {n["title"] for n in listed.json} == {"一", "二"}
