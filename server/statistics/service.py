"""数据统计: a community's or a street's measures over a period, each one GROUP BY community in
the database (a constant number of statements, whatever the number of members), so a street's
figures are the sum of its communities' and its comparison is the same rows side by side."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from server.activities.models import CATEGORY_LABELS, Activity, ActivityStatus
from server.auth.scope import Principal, statistics_communities
from server.errors import invalid
from server.extensions import db
from server.imports.models import RosterEntry
from server.members.models import Building, Community, EmployerUnit, Member
from server.pledges.models import PartyDay, PartyDayAttendance, Pledge
from server.points.models import PointBalance
from server.replica import replica_read
from server.statistics import scoped
from server.statistics.places import district_streets, grid_place, unit_place
from server.timeutil import local_midnight_utc

STAT_PERIOD_RE = re.compile(r"^\d{4}(-H[12]|-Q[1-4]|-(0[1-9]|1[0-2]))?$")
COUNTED_ACTIVITIES = (ActivityStatus.PUBLISHED, ActivityStatus.IN_PROGRESS, ActivityStatus.ENDED,
                      ActivityStatus.ARCHIVED)
# the measures a street compares its communities by (key, Chinese name, unit)
MEASURES = [
    ("reporting_rate", "报到率", "%"),
    ("active_rate", "活跃率", "%"),
    ("active_members", "活跃党员", "人"),
    ("hours", "服务时长", "小时"),
    ("activities", "活动场次", "场"),
    ("pledge_coverage", "承诺楼栋覆盖率", "%"),
    ("party_day_attendances", "主题党日参加人次", "人次"),
]


def check_stat_period(period: str) -> str:
    if not STAT_PERIOD_RE.match(period or ""):
        raise invalid("period_invalid",
                      "统计周期格式有误，应为 2026、2026-H1、2026-Q3 或 2026-11",
                      {"period": period})
    return period


def period_months(period: str) -> list[str]:
    year = int(period[:4])
    if len(period) == 4:
        months = range(1, 13)
    elif period[5] == "H":
        months = range(1, 7) if period[6] == "1" else range(7, 13)
    elif period[5] == "Q":
        q = int(period[6])
        months = range(3 * q - 2, 3 * q + 1)
    else:
        months = [int(period[5:7])]
    return [f"{year:04d}-{m:02d}" for m in months]


def period_label(period: str) -> str:
    if len(period) == 4:
        return f"{period}年"
    if period[5] == "H":
        return f"{period[:4]}年{'上' if period[6] == '1' else '下'}半年"
    if period[5] == "Q":
        return f"{period[:4]}年第{'一二三四'[int(period[6]) - 1]}季度"
    return f"{period[:4]}年{int(period[5:7])}月"


def _bounds(months: list[str]) -> tuple[Any, Any]:
    first = date.fromisoformat(months[0] + "-01")
    last = date.fromisoformat(months[-1] + "-01")
    after = (last.replace(day=28) + timedelta(days=4)).replace(day=1)
    return local_midnight_utc(first), local_midnight_utc(after)


def _rate(part: int, whole: int) -> float:
    return round(part * 100 / whole, 1) if whole else 0.0


def _hours(centi: int) -> Decimal:
    return (Decimal(centi or 0) / 100).quantize(Decimal("0.01"))


def _per_community(ids: set[int], period: str) -> dict[str, Any]:
    """Every measure, grouped by community, in one statement each."""
    months = period_months(period)
    year = period[:4]

    def grouped(statement) -> dict:
        return {row[0]: row[1:] for row in db.session.execute(statement)}

    roster = grouped(
        sa.select(RosterEntry.community_id, sa.func.count(RosterEntry.id),
                  sa.func.count(sa.distinct(Member.id)))
        .outerjoin(Member, sa.and_(Member.phone == RosterEntry.phone,
                                   Member.community_id == RosterEntry.community_id))
        .where(RosterEntry.community_id.in_(ids))
        .group_by(RosterEntry.community_id))
    members = grouped(sa.select(Member.community_id, sa.func.count())
                      .where(Member.community_id.in_(ids)).group_by(Member.community_id))
    balances = grouped(
        sa.select(PointBalance.community_id,
                  sa.func.count().filter(PointBalance.hours_centi > 0),
                  sa.func.coalesce(sa.func.sum(PointBalance.hours_centi), 0),
                  sa.func.coalesce(sa.func.sum(PointBalance.points), 0))
        .where(PointBalance.period == period, PointBalance.community_id.in_(ids))
        .group_by(PointBalance.community_id))
    start, end = _bounds(months)
    activities = grouped(
        sa.select(Activity.community_id, sa.func.count())
        .where(Activity.community_id.in_(ids), Activity.starts_at >= start,
               Activity.starts_at < end, Activity.status.in_([s.value for s in COUNTED_ACTIVITIES]))
        .group_by(Activity.community_id))
    buildings = grouped(sa.select(Building.community_id, sa.func.count())
                        .where(Building.community_id.in_(ids), Building.archived_at.is_(None))
                        .group_by(Building.community_id))
    pledged = grouped(sa.select(Pledge.community_id, sa.func.count(sa.distinct(Pledge.building_id)))
                      .where(Pledge.community_id.in_(ids), Pledge.year == int(year),
                             Pledge.status == "active")
                      .group_by(Pledge.community_id))
    attendances = grouped(
        sa.select(PartyDayAttendance.community_id,
                  sa.func.count().filter(PartyDayAttendance.source == "party_day"),
                  sa.func.count().filter(PartyDayAttendance.source == "makeup"))
        .where(PartyDayAttendance.community_id.in_(ids), PartyDayAttendance.month.in_(months))
        .group_by(PartyDayAttendance.community_id))
    party_days = grouped(sa.select(PartyDay.community_id, sa.func.count())
                         .where(PartyDay.community_id.in_(ids), PartyDay.month.in_(months))
                         .group_by(PartyDay.community_id))
    result = {}
    for cid in ids:
        roster_total, roster_reported = roster.get(cid, (0, 0))
        active, hours_centi, points = balances.get(cid, (0, 0, 0))
        member_count = members.get(cid, (0,))[0]
        building_count = buildings.get(cid, (0,))[0]
        pledged_count = pledged.get(cid, (0,))[0]
        on_day, makeups = attendances.get(cid, (0, 0))
        result[cid] = {
            "roster": roster_total,
            "roster_reported": roster_reported,
            "reporting_rate": _rate(roster_reported, roster_total),
            "members": member_count,
            "active_members": active,
            "active_rate": _rate(active, member_count),
            "hours_centi": int(hours_centi),
            "points": int(points),
            "activities": activities.get(cid, (0,))[0],
            "buildings": building_count,
            "pledged_buildings": pledged_count,
            "pledge_coverage": _rate(pledged_count, building_count),
            "party_days": party_days.get(cid, (0,))[0],
            "party_day_attendances": on_day,
            "party_day_makeups": makeups,
        }
    return result


def _summed(rows: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("roster", "roster_reported", "members", "active_members", "hours_centi", "points",
            "activities", "buildings", "pledged_buildings", "party_days",
            "party_day_attendances", "party_day_makeups")
    return _with_rates({key: sum(row[key] for row in rows) for key in keys})


def _with_rates(total: dict[str, Any]) -> dict[str, Any]:
    """The rates of counted numbers; a rate whose whole does not apply to the place is None."""
    def rate(part: str, whole: str) -> float | None:
        return None if total.get(whole) is None else _rate(total[part], total[whole])

    total["reporting_rate"] = rate("roster_reported", "roster")
    total["active_rate"] = rate("active_members", "members")
    total["pledge_coverage"] = rate("pledged_buildings", "buildings")
    return total


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    shown = {key: value for key, value in row.items() if key != "hours_centi"}
    shown["hours"] = _hours(row["hours_centi"])
    return shown


def _answer(scope: str, scope_id: int, name: str, period: str, totals: dict[str, Any],
            hours: dict[str, int], by_type: dict[str, int], stars: dict[int, int],
            **lists: Any) -> dict[str, Any]:
    months = period_months(period)
    return {
        "scope": scope, "scope_id": scope_id, "name": name, "period": period,
        "period_label": period_label(period), "totals": _shown(totals),
        "hours_by_month": [{"month": m, "hours": _hours(hours.get(m, 0))} for m in months],
        "activities_by_type": [{"category": str(c), "label": label, "activities": by_type.get(
            str(c), 0)} for c, label in CATEGORY_LABELS.items()],
        "stars": [{"stars": s, "members": stars.get(s, 0)} for s in range(1, 6)],
        "communities": [], "streets": [],
        "measures": [{"key": k, "label": label, "unit": unit} for k, label, unit in MEASURES],
        **lists,
    }


@replica_read
def statistics(principal: Principal, scope: str, scope_id: int, period: str) -> dict[str, Any]:
    """The measures of a community, a street, a grid, a unit or a district for a period; a
    street's communities and a district's streets side by side too."""
    check_stat_period(period)
    scoped.plan_for_these_values()
    if scope in ("grid", "unit"):
        return _place_statistics(principal, scope, scope_id, period)
    if scope == "district":
        return _district_statistics(principal, scope_id, period)
    name, communities = statistics_communities(principal, scope, scope_id)
    ids = set(communities)
    months = period_months(period)
    per = _per_community(ids, period)
    start, end = _bounds(months)
    totals = _summed(list(per.values()))
    answer = _answer(scope, scope_id, name, period, totals,
                     _grouped_hours(PointBalance.community_id.in_(ids), months),
                     _grouped_types(Activity.community_id.in_(ids), start, end),
                     _grouped_stars(PointBalance.community_id.in_(ids), period[:4]),
                     participation=scoped.participation(
                         Activity.community_id.in_(ids), None, start, end, _counted()),
                     points_distribution=scoped.points_distribution(
                         PointBalance.community_id.in_(ids), totals["members"], period))
    if scope == "street":
        answer["communities"] = [{"community": {"id": cid, "name": communities[cid]},
                                  **_shown(per[cid])}
                                 for cid in sorted(ids, key=lambda c: communities[c])]
    return answer


def _counted() -> list[str]:
    return [s.value for s in COUNTED_ACTIVITIES]


def _grouped_hours(where: sa.ColumnElement[bool], months: list[str]) -> dict[str, int]:
    return dict(db.session.execute(
        sa.select(PointBalance.period, sa.func.coalesce(sa.func.sum(PointBalance.hours_centi), 0))
        .where(PointBalance.period.in_(months), where).group_by(PointBalance.period)).all())


def _grouped_types(where: sa.ColumnElement[bool], start, end) -> dict[str, int]:
    return dict(db.session.execute(
        sa.select(Activity.category, sa.func.count())
        .where(where, Activity.starts_at >= start, Activity.starts_at < end,
               Activity.status.in_(_counted()))
        .group_by(Activity.category)).all())


def _grouped_stars(where: sa.ColumnElement[bool], year: str) -> dict[int, int]:
    return dict(db.session.execute(
        sa.select(PointBalance.stars, sa.func.count())
        .where(PointBalance.period == year, where, PointBalance.stars > 0)
        .group_by(PointBalance.stars)).all())


def _place_statistics(principal: Principal, scope: str, scope_id: int,
                      period: str) -> dict[str, Any]:
    """A grid's or a unit's members, wherever they serve."""
    place = grid_place(principal, scope_id) if scope == "grid" else unit_place(principal, scope_id)
    months = period_months(period)
    start, end = _bounds(months)
    totals = _with_rates(scoped.place_measures(place, period, months, start, end, _counted()))
    clause = scoped.members_clause(place)
    return _answer(scope, scope_id, place.name, period, totals,
                   scoped.hours_by_month(place, months),
                   scoped.activities_by_type(place, start, end, _counted()),
                   scoped.stars(place, period[:4]),
                   participation=scoped.participation(sa.true(), clause, start, end, _counted()),
                   points_distribution=scoped.points_distribution(
                       scoped.balances_clause(place), totals["members"], period))


def _district_statistics(principal: Principal, district_id: int, period: str) -> dict[str, Any]:
    """A district: its streets side by side, each the sum of its communities' grouped rows."""
    name, streets, communities = district_streets(principal, district_id)
    ids = set(communities)
    months = period_months(period)
    start, end = _bounds(months)
    per = _per_community(ids, period)
    rows = []
    for sid in sorted(streets, key=lambda s: streets[s]):
        mine = [per[cid] for cid, (street, _n) in communities.items() if street == sid]
        rows.append({"street": {"id": sid, "name": streets[sid]}, **_shown(_summed(mine))})
    totals = _summed(list(per.values()))
    return _answer("district", district_id, name, period, totals,
                   _grouped_hours(PointBalance.community_id.in_(ids), months),
                   _grouped_types(Activity.community_id.in_(ids), start, end),
                   _grouped_stars(PointBalance.community_id.in_(ids), period[:4]),
                   participation=scoped.participation(
                       Activity.community_id.in_(ids), None, start, end, _counted()),
                   points_distribution=scoped.points_distribution(
                       PointBalance.community_id.in_(ids), totals["members"], period),
                   streets=rows)


@replica_read
def not_reported(principal: Principal, scope: str, scope_id: int) -> list[dict[str, Any]]:
    """The roster's members (名单) not yet reported to the community they live in (a grid has
    none: a roster names no building)."""
    if scope == "grid":
        grid_place(principal, scope_id)
        return []
    if scope == "unit":
        place = unit_place(principal, scope_id)
        rows = scoped.unit_not_reported(place)
        names = dict(db.session.execute(sa.select(Community.id, Community.name).where(
            Community.id.in_({r[3] for r in rows}))).all()) if rows else {}
        return [{"id": rid, "name": name, "phone": phone, "unit": unit,
                 "community": {"id": cid, "name": names.get(cid, "")}}
                for rid, name, phone, cid, unit in rows]
    if scope == "district":
        _name, _streets, places = district_streets(principal, scope_id)
        communities = {cid: name for cid, (_s, name) in places.items()}
    else:
        _name, communities = statistics_communities(principal, scope, scope_id)
    reported = sa.select(Member.id).where(Member.phone == RosterEntry.phone,
                                          Member.community_id == RosterEntry.community_id)
    rows = db.session.execute(
        sa.select(RosterEntry.id, RosterEntry.name, RosterEntry.phone, RosterEntry.community_id,
                  EmployerUnit.name)
        .join(EmployerUnit, EmployerUnit.id == RosterEntry.unit_id)
        .where(RosterEntry.community_id.in_(set(communities)), ~reported.exists())
        .order_by(RosterEntry.community_id, EmployerUnit.name, RosterEntry.id))
    return [{"id": rid, "name": name, "phone": phone, "unit": unit,
             "community": {"id": cid, "name": communities[cid]}}
            for rid, name, phone, cid, unit in rows]
