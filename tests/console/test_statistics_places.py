"""数据统计 of a grid, a unit and a district: every number equals a hand count of the fixture
(the one of test_statistics, plus who clocked in where), each reader sees only their place, and
the statements a request runs do not grow with the data."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import sqlalchemy as sa
from openpyxl import load_workbook
from sqlalchemy import event

from server.activities.models import Activity, Attendance
from server.auth.models import Role
from server.extensions import db
from server.members.models import Community, District, Member, Street
from tests.console.test_statistics import fixture

STATS = "/api/v1/statistics"
Q4 = "period=2026-Q4"


def _attend(member_name: str, activity: Activity) -> None:
    member = db.session.scalar(sa.select(Member).filter_by(name=member_name))
    db.session.add(Attendance(activity_id=activity.id, member_id=member.id, status="clocked_out",
                              clock_in_at=activity.starts_at, clock_in_method="qr"))


def places(org, make_staff, make_member):
    """test_statistics' fixture, and: 张三 clocked in at 社区1's environment and patrol
    activities of November, 赵六 (社区2) at the environment one; a grid worker of 社区1's first
    grid (张三, 李四 live there), the secretaries of 甲单位 and 乙单位, a district of the street
    and an empty second street."""
    fixture(org, make_staff, make_member)
    c1 = org.communities[0]
    environment, patrol = db.session.scalars(
        sa.select(Activity).where(Activity.community_id == c1.id, Activity.status == "ended",
                                  Activity.starts_at >= datetime(2026, 11, 1, tzinfo=UTC))
        .order_by(Activity.id)).all()
    _attend("张三", environment)
    _attend("张三", patrol)
    _attend("赵六", environment)
    district = District(name="测试区")
    db.session.add(district)
    db.session.flush()
    org.street.district_id = district.id
    other = Street(name="东街道", district_id=district.id)
    db.session.add(other)
    db.session.flush()
    db.session.add(Community(street_id=other.id, name="社区3"))
    db.session.commit()
    make_staff("grid1", Role.GRID_WORKER, community_id=c1.id, grid_id=org.grids[0].id)
    make_staff("unitA", Role.UNIT_SECRETARY, unit_id=org.units[0].id)
    make_staff("unitB", Role.UNIT_SECRETARY, unit_id=org.units[1].id)
    make_staff("dist", Role.DISTRICT_ADMIN, district_id=district.id)
    return district, other, environment, patrol


def test_a_grid_workers_grid_counts_its_own_members_only(org, make_staff, make_member,
                                                        console_login):
    _district, _other, environment, patrol = places(org, make_staff, make_member)
    stats = console_login("grid1").get(
        f"{STATS}?scope=grid&scope_id={org.grids[0].id}&{Q4}").json
    assert stats["name"] == "社区1 第1网格"
    t = stats["totals"]
    assert (t["roster"], t["reporting_rate"]) == (None, None)  # a roster names no building
    assert (t["members"], t["active_members"], t["active_rate"]) == (2, 1, 50.0)
    assert (t["hours"], t["points"], t["activities"]) == ("2.50", 15, 2)
    assert (t["buildings"], t["pledged_buildings"], t["pledge_coverage"],
            t["pledged_members"]) == (2, 1, 50.0, 2)
    assert (t["party_days"], t["party_day_attendances"], t["party_day_makeups"]) == (1, 2, 0)
    assert [r["hours"] for r in stats["hours_by_month"]] == ["1.50", "1.00", "0.00"]
    by_type = {r["label"]: r["activities"] for r in stats["activities_by_type"]}
    assert (by_type["环境整治"], by_type["平安巡逻"], sum(by_type.values())) == (1, 1, 2)
    assert sorted((r["activity_id"], r["members"]) for r in stats["participation"]) == [
        (environment.id, 1), (patrol.id, 1)]
    assert [r["members"] for r in stats["stars"]] == [0, 1, 0, 0, 0]
    assert [r["members"] for r in stats["points_distribution"]] == [0, 1, 1, 0, 0, 0]
    assert console_login("grid1").get(
        f"{STATS}/not-reported?scope=grid&scope_id={org.grids[0].id}").json == []


def test_a_unit_secretary_sees_the_units_members_of_every_community(
        org, make_staff, make_member, console_login):
    _district, _other, environment, patrol = places(org, make_staff, make_member)
    unit = console_login("unitA")
    stats = unit.get(f"{STATS}?scope=unit&scope_id={org.units[0].id}&{Q4}").json
    t = stats["totals"]
    assert (t["roster"], t["roster_reported"], t["reporting_rate"]) == (5, 3, 60.0)
    assert (t["members"], t["active_members"], t["active_rate"]) == (4, 2, 50.0)
    assert (t["hours"], t["points"], t["activities"]) == ("3.50", 18, 2)
    assert (t["buildings"], t["pledge_coverage"], t["pledged_members"]) == (None, None, 2)
    assert (t["party_days"], t["party_day_attendances"], t["party_day_makeups"]) == (None, 2, 1)
    assert [r["hours"] for r in stats["hours_by_month"]] == ["1.50", "2.00", "0.00"]
    assert [(r["activity_id"], r["members"]) for r in stats["participation"]] == [
        (environment.id, 2), (patrol.id, 1)]
    assert [r["members"] for r in stats["stars"]] == [1, 1, 0, 0, 0]
    assert [r["members"] for r in stats["points_distribution"]] == [1, 2, 1, 0, 0, 0]
    missing = unit.get(f"{STATS}/not-reported?scope=unit&scope_id={org.units[0].id}").json
    assert [(r["name"], r["community"]["name"]) for r in missing] == [("王五", "社区1"),
                                                                      ("孙七", "社区2")]
    book = load_workbook(io.BytesIO(unit.get(
        f"{STATS}.xlsx?scope=unit&scope_id={org.units[0].id}&{Q4}").data))
    overview = {r[0]: r[1] for r in book["总览"].iter_rows(min_row=3, values_only=True)}
    assert (overview["报到率(%)"], overview["服务时长(小时)"], overview["楼栋数"]) == (
        60.0, 3.5, "不适用")
    assert [r[2] for r in book["各活动参与人数"].iter_rows(min_row=3, values_only=True)] == [2, 1]


def test_each_reader_sees_only_their_grid_or_unit(org, make_staff, make_member, console_login):
    places(org, make_staff, make_member)
    g0, g1, c2g0 = org.grids[0].id, org.grids[1].id, org.grids[2].id
    grid_worker, unit_b, secretary = (console_login(n) for n in ("grid1", "unitB", "secA"))
    assert grid_worker.get(f"{STATS}?scope=grid&scope_id={g1}&{Q4}").status_code == 404
    assert grid_worker.get(
        f"{STATS}?scope=unit&scope_id={org.units[0].id}&{Q4}").status_code == 404
    assert unit_b.get(f"{STATS}?scope=unit&scope_id={org.units[0].id}&{Q4}").status_code == 404
    assert unit_b.get(f"{STATS}.xlsx?scope=unit&scope_id={org.units[0].id}&{Q4}"
                      ).status_code == 404
    assert unit_b.get(f"{STATS}?scope=unit&scope_id={org.units[1].id}&{Q4}").json[
        "totals"]["members"] == 0
    # the community's secretary reads its grids, not the next community's
    assert secretary.get(f"{STATS}?scope=grid&scope_id={g1}&{Q4}").json["totals"][
        "members"] == 1
    assert secretary.get(f"{STATS}?scope=grid&scope_id={c2g0}&{Q4}").status_code == 404
    assert secretary.get(f"{STATS}?scope=grid&scope_id={g0 + 999}&{Q4}").status_code == 404


def test_the_district_admin_compares_streets(org, make_staff, make_member, console_login):
    district, other, _e, _p = places(org, make_staff, make_member)
    dist = console_login("dist")
    stats = dist.get(f"{STATS}?scope=district&scope_id={district.id}&{Q4}").json
    assert [(r["street"]["name"], r["roster"], r["roster_reported"], r["reporting_rate"],
             r["members"], r["active_members"], r["hours"], r["activities"],
             r["pledge_coverage"], r["party_day_attendances"]) for r in stats["streets"]] == [
        ("东街道", 0, 0, 0.0, 0, 0, "0.00", 0, 0.0, 0),
        ("测试街道", 5, 3, 60.0, 4, 2, "3.50", 3, 12.5, 2)]
    street = dist.get(f"{STATS}?scope=street&scope_id={org.street.id}&{Q4}").json
    same = {k: v for k, v in stats["streets"][1].items() if k != "street"}
    assert same == {k: v for k, v in street["totals"].items() if k in same}
    assert stats["totals"]["members"] == 4 and stats["communities"] == []
    assert [r["members"] for r in stats["points_distribution"]] == [1, 2, 1, 0, 0, 0]
    book = load_workbook(io.BytesIO(dist.get(
        f"{STATS}.xlsx?scope=district&scope_id={district.id}&{Q4}").data))
    assert [(r[0], r[1]) for r in book["街道对比"].iter_rows(min_row=3, values_only=True)] == [
        ("东街道", 0.0), ("测试街道", 60.0)]
    missing = dist.get(f"{STATS}/not-reported?scope=district&scope_id={district.id}").json
    assert sorted(r["name"] for r in missing) == ["孙七", "王五"]
    street_admin = console_login("admin")
    assert street_admin.get(
        f"{STATS}?scope=district&scope_id={district.id}&{Q4}").status_code == 404
    assert street_admin.get(f"{STATS}?scope=street&scope_id={other.id}&{Q4}").status_code == 404


def _statements(app, call) -> int:
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert call().status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_a_unit_and_a_districts_statistics_cost_the_same_statements_however_many_members(
        app, org, make_staff, make_member, console_login):
    district, _other, _e, _p = places(org, make_staff, make_member)
    unit, dist = console_login("unitA"), console_login("dist")
    paths = [(unit, f"{STATS}?scope=unit&scope_id={org.units[0].id}&{Q4}"),
             (dist, f"{STATS}?scope=district&scope_id={district.id}&{Q4}"),
             (unit, f"{STATS}/not-reported?scope=unit&scope_id={org.units[0].id}")]
    for b, p in paths:  # warm up: the first request also loads what the test session holds
        b.get(p)
    before = [_statements(app, lambda b=b, p=p: b.get(p)) for b, p in paths]
    for i in range(20):
        member = make_member(f"more{i}", org.buildings[i % 8], unit=org.units[0],
                             name=f"新党员{i}")
        member.community_id = org.buildings[i % 8].community_id
    db.session.commit()
    after = [_statements(app, lambda b=b, p=p: b.get(p)) for b, p in paths]
    assert after == before
