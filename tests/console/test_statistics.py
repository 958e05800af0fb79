"""数据统计: every number of a community's and a street's statistics equals a hand count of the
fixture, the street's totals equal the sum of its communities, and each reader sees only their
own places."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from server.activities.models import Activity
from server.auth.models import Role
from server.extensions import db
from server.imports.models import RosterEntry
from server.pledges.models import PartyDay, PartyDayAttendance, Pledge, PledgeImage, PledgeTemplate
from server.points.models import PointBalance

STATS = "/api/v1/statistics"
UTC = UTC


def _member(make_member, login_name, building, unit, phone):
    member = make_member(login_name, building, unit=unit, name=login_name)
    member.phone = phone
    db.session.commit()
    return member


def _balance(member, period, hours_centi, points, stars=None):
    db.session.add(PointBalance(member_id=member.id, period=period, hours_centi=hours_centi,
                                points=points, stars=stars, community_id=member.community_id))


def _activity(community, category, starts_at, status="ended"):
    db.session.add(Activity(community_id=community.id, title="活动", category=category,
                            starts_at=starts_at, ends_at=starts_at, status=status))


def fixture(org, make_staff, make_member):
    """Hand-counted, 2026 Q4:
    community 1: roster 3 (2 reported), members 3, active 1 (2.50 h), activities 2
      (environment, patrol), 1 of 4 buildings pledged, party day Nov: 2 on the day + 1 make-up;
    community 2: roster 2 (1 reported: 孙七 lives in community 1, not 2), members 1, active 1
      (1.00 h), activities 1 (environment), no pledge, no party day."""
    c1, c2 = org.communities
    unit = org.units[0]
    make_staff("secA", Role.COMMUNITY_SECRETARY, community_id=c1.id)
    make_staff("admin", Role.STREET_ADMIN, street_id=org.street.id)
    a = _member(make_member, "张三", org.buildings[0], unit, "13900000001")
    b = _member(make_member, "李四", org.buildings[1], unit, "13900000002")
    e = _member(make_member, "孙七", org.buildings[2], unit, "13900000005")
    d = _member(make_member, "赵六", org.buildings[4], unit, "13900000004")
    for phone, name, community in (("13900000001", "张三", c1), ("13900000002", "李四", c1),
                                   ("13900000003", "王五", c1), ("13900000004", "赵六", c2),
                                   ("13900000005", "孙七", c2)):
        db.session.add(RosterEntry(unit_id=unit.id, name=name, phone=phone,
                                   member_type="in_service", community_id=community.id))
    _balance(a, "2026-Q4", 250, 10)
    _balance(b, "2026-Q4", 0, 5)
    _balance(d, "2026-Q4", 100, 3)
    _balance(a, "2026-10", 150, 6)
    _balance(a, "2026-11", 100, 4)
    _balance(b, "2026-11", 0, 5)
    _balance(d, "2026-11", 100, 3)
    _balance(a, "2026", 250, 10, stars=2)
    _balance(d, "2026", 100, 3, stars=1)
    _balance(e, "2026", 0, 0, stars=0)
    nov = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
    _activity(c1, "environment", nov)
    _activity(c1, "patrol", nov)
    _activity(c1, "environment", nov, status="draft")  # not counted
    _activity(c1, "environment", datetime(2026, 9, 30, 15, 59, tzinfo=UTC))  # Sept (local)
    _activity(c2, "environment", datetime(2026, 9, 30, 16, 0, tzinfo=UTC))  # 1 Oct local
    db.session.add(PledgeImage(sha256="0" * 64, content_type="image/png", size=1, width=1,
                               height=1, data=b"x"))
    db.session.flush()
    template = PledgeTemplate(community_id=c1.id, year=2026, title="承诺书", items=[])
    db.session.add(template)
    db.session.flush()
    for member in (a, b):  # two pledges, one building
        db.session.add(Pledge(member_id=member.id, community_id=c1.id,
                              building_id=org.buildings[0].id, template_id=template.id,
                              year=2026, items=[], signature_sha256="0" * 64))
    db.session.flush()
    day_activity = db.session.query(Activity).filter_by(community_id=c1.id).first()
    db.session.add(PartyDay(community_id=c1.id, month="2026-11", day=datetime(2026, 11, 15),
                            window_days=1, activity_id=day_activity.id))
    for member, source in ((a, "party_day"), (b, "party_day"), (e, "makeup")):
        db.session.add(PartyDayAttendance(member_id=member.id, community_id=c1.id,
                                          month="2026-11", source=source))
    db.session.commit()


def test_a_communitys_numbers_equal_the_hand_count(org, make_staff, make_member, console_login):
    fixture(org, make_staff, make_member)
    c1 = org.communities[0]
    stats = console_login("secA").get(
        f"{STATS}?scope=community&scope_id={c1.id}&period=2026-Q4").json
    totals = stats["totals"]
    assert (totals["roster"], totals["roster_reported"], totals["reporting_rate"]) == (3, 2, 66.7)
    assert (totals["members"], totals["active_members"], totals["active_rate"]) == (3, 1, 33.3)
    assert (totals["hours"], totals["points"], totals["activities"]) == ("2.50", 15, 2)
    assert (totals["buildings"], totals["pledged_buildings"], totals["pledge_coverage"]) == (
        4, 1, 25.0)
    assert (totals["party_days"], totals["party_day_attendances"],
            totals["party_day_makeups"]) == (1, 2, 1)
    assert stats["hours_by_month"] == [{"month": "2026-10", "hours": "1.50"},
                                       {"month": "2026-11", "hours": "1.00"},
                                       {"month": "2026-12", "hours": "0.00"}]
    by_type = {r["label"]: r["activities"] for r in stats["activities_by_type"]}
    assert by_type["环境整治"] == 1 and by_type["平安巡逻"] == 1 and sum(by_type.values()) == 2
    assert [r["members"] for r in stats["stars"]] == [0, 1, 0, 0, 0]
    assert stats["communities"] == []
    missing = console_login("secA").get(f"{STATS}/not-reported?scope=community&scope_id={c1.id}")
    assert [(r["name"], r["unit"]) for r in missing.json] == [("王五", "甲单位")]


def test_the_street_compares_its_communities_and_its_totals_are_their_sum(
        org, make_staff, make_member, console_login):
    fixture(org, make_staff, make_member)
    stats = console_login("admin").get(
        f"{STATS}?scope=street&scope_id={org.street.id}&period=2026-Q4").json
    rows = {r["community"]["name"]: r for r in stats["communities"]}
    assert [(name, r["roster"], r["roster_reported"], r["reporting_rate"], r["active_members"],
             r["hours"], r["activities"], r["pledge_coverage"])
            for name, r in rows.items()] == [
        ("社区1", 3, 2, 66.7, 1, "2.50", 2, 25.0),
        ("社区2", 2, 1, 50.0, 1, "1.00", 1, 0.0)]
    totals = stats["totals"]
    assert (totals["roster"], totals["roster_reported"], totals["reporting_rate"]) == (5, 3, 60.0)
    assert (totals["members"], totals["active_members"], totals["hours"]) == (4, 2, "3.50")
    assert totals["activities"] == 3 and totals["pledge_coverage"] == 12.5
    assert [r["members"] for r in stats["stars"]] == [1, 1, 0, 0, 0]
    missing = console_login("admin").get(
        f"{STATS}/not-reported?scope=street&scope_id={org.street.id}").json
    assert sorted(r["name"] for r in missing) == ["孙七", "王五"]


def test_the_excel_download_holds_the_same_numbers(org, make_staff, make_member, console_login):
    fixture(org, make_staff, make_member)
    answer = console_login("admin").get(
        f"{STATS}.xlsx?scope=street&scope_id={org.street.id}&period=2026-Q4")
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.data))
    overview = {r[0]: r[1] for r in book["总览"].iter_rows(min_row=3, values_only=True)}
    assert overview["报到率(%)"] == 60.0 and overview["服务时长(小时)"] == 3.5
    compared = list(book["社区对比"].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[1]) for r in compared] == [("社区1", 66.7), ("社区2", 50.0)]
    assert sorted(r[2] for r in book["未报到名单"].iter_rows(min_row=3, values_only=True)) == [
        "孙七", "王五"]


def test_a_community_secretary_sees_nothing_of_the_next_community_or_the_street(
        org, make_staff, make_member, console_login):
    fixture(org, make_staff, make_member)
    sec = console_login("secA")
    c2 = org.communities[1]
    for path in (f"{STATS}?scope=community&scope_id={c2.id}&period=2026",
                 f"{STATS}?scope=street&scope_id={org.street.id}&period=2026",
                 f"{STATS}/not-reported?scope=community&scope_id={c2.id}",
                 f"{STATS}.xlsx?scope=community&scope_id={c2.id}&period=2026"):
        answer = sec.get(path)
        assert answer.status_code == 404 and answer.json["code"] == "not_found", path


def test_a_bad_period_is_refused(org, make_staff, make_member, console_login):
    fixture(org, make_staff, make_member)
    answer = console_login("secA").get(
        f"{STATS}?scope=community&scope_id={org.communities[0].id}&period=2026-Q5")
    assert answer.status_code == 422
