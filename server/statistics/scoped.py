"""The measures of a grid's or an employer unit's members (数据统计 by grid / by unit), and the
per-activity participation and points distribution every scope shows: one GROUP BY statement
each, over the members the place holds (`members_clause`), whatever their number."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from server.activities.models import Activity, Attendance
from server.database import dialect_name
from server.extensions import db
from server.imports.models import RosterEntry
from server.members.models import Building, EmployerUnit, Member
from server.pledges.models import PartyDay, PartyDayAttendance, Pledge
from server.points.models import PointBalance
from server.statistics.places import Place

# points of a period, in bands (lower bound, label); a member with no balance has 0
POINT_BANDS = [(None, "0分及以下"), (1, "1–9分"), (10, "10–29分"), (30, "30–59分"),
               (60, "60–99分"), (100, "100分以上")]
PARTICIPATION_LIMIT = 50


def plan_for_these_values() -> None:
    """On PostgreSQL, plan every statement of this transaction for its own values. psycopg
    prepares a statement once it has run five times on a connection, and the generic plan
    PostgreSQL then prefers guesses that a period holds two activities: it loops over every
    clock record of them (a grid's year: 130 ms instead of 9). A SELECT, so that it runs on the
    connection the reads use (the replica's, when they go there)."""
    if dialect_name() == "postgresql":
        db.session.execute(sa.select(
            sa.func.set_config("plan_cache_mode", "force_custom_plan", True)))


def members_clause(place: Place) -> sa.ColumnElement[bool]:
    """The members a grid or unit holds: a grid's live in its buildings; a unit's work there."""
    if place.kind == "grid":
        return Member.building_id.in_(sa.select(Building.id).where(Building.grid_id == place.id))
    clause = Member.employer_unit_id == place.id
    if place.communities is not None:
        clause = sa.and_(clause, Member.community_id.in_(place.communities))
    return clause


def balances_clause(place: Place) -> sa.ColumnElement[bool]:
    return PointBalance.member_id.in_(_member_ids(place))


def _member_ids(place: Place) -> sa.Select:
    return sa.select(Member.id).where(members_clause(place))


def _band() -> sa.ColumnElement:
    points = sa.func.coalesce(PointBalance.points, 0)
    whens = [(points >= low, index) for index, (low, _label) in reversed(list(enumerate(
        POINT_BANDS))) if low is not None]
    return sa.case(*whens, else_=0)


def points_distribution(balance_clause: sa.ColumnElement[bool], members: int,
                        period: str) -> list[dict]:
    """How many members scored how much in the period: the bands above 0 counted from the
    period's balances (their index alone); the rest of the place's members scored 0 or less."""
    band = _band().label("band")
    counts = dict(db.session.execute(
        sa.select(band, sa.func.count())
        .where(PointBalance.period == period, PointBalance.points > 0, balance_clause)
        .group_by(band)).all())
    counts[0] = max(members - sum(counts.values()), 0)
    return [{"band": label, "members": counts.get(index, 0)}
            for index, (_low, label) in enumerate(POINT_BANDS)]


def participation(activity_clause: sa.ColumnElement[bool],
                  member_clause: sa.ColumnElement[bool] | None, start, end,
                  counted: list[str]) -> list[dict]:
    """Per activity of the period, how many of the place's members clocked in (the most first);
    no `member_clause`: everyone who clocked in."""
    joined = sa.func.count(sa.distinct(Attendance.member_id)).label("members")
    statement = (
        sa.select(Activity.id, Activity.title, Activity.category, Activity.starts_at, joined)
        .join(Attendance, Attendance.activity_id == Activity.id))
    if member_clause is not None:
        statement = statement.join(Member, Member.id == Attendance.member_id).where(member_clause)
    rows = db.session.execute(
        statement
        .where(activity_clause, Activity.starts_at >= start,
               Activity.starts_at < end, Activity.status.in_(counted))
        .group_by(Activity.id, Activity.title, Activity.category, Activity.starts_at)
        .order_by(joined.desc(), Activity.starts_at, Activity.id)
        .limit(PARTICIPATION_LIMIT))
    return [{"activity_id": aid, "title": title, "category": category, "starts_at": starts_at,
             "members": members} for aid, title, category, starts_at, members in rows]


def place_measures(place: Place, period: str, months: list[str], start, end,
                   counted: list[str]) -> dict[str, Any]:
    """The totals of a grid or a unit; measures that do not apply are None (a roster names no
    building, so a grid has no 报到率; a unit spans communities, so no building coverage)."""
    ids = _member_ids(place)
    clause = members_clause(place)
    year = int(period[:4])
    members = db.session.scalar(sa.select(sa.func.count()).select_from(Member).where(clause))
    active, hours_centi, points = db.session.execute(
        sa.select(sa.func.count().filter(PointBalance.hours_centi > 0),
                  sa.func.coalesce(sa.func.sum(PointBalance.hours_centi), 0),
                  sa.func.coalesce(sa.func.sum(PointBalance.points), 0))
        .where(PointBalance.period == period, PointBalance.member_id.in_(ids))).one()
    activities = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Attendance.activity_id)))
        .join(Activity, Activity.id == Attendance.activity_id)
        .where(Attendance.member_id.in_(ids), Activity.starts_at >= start,
               Activity.starts_at < end, Activity.status.in_(counted)))
    pledged_members = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Pledge.member_id)))
        .where(Pledge.member_id.in_(ids), Pledge.year == year, Pledge.status == "active"))
    on_day, makeups = db.session.execute(
        sa.select(sa.func.count().filter(PartyDayAttendance.source == "party_day"),
                  sa.func.count().filter(PartyDayAttendance.source == "makeup"))
        .where(PartyDayAttendance.member_id.in_(ids),
               PartyDayAttendance.month.in_(months))).one()
    result: dict[str, Any] = {
        "members": members, "active_members": active, "hours_centi": int(hours_centi),
        "points": int(points), "activities": activities, "pledged_members": pledged_members,
        "party_day_attendances": on_day, "party_day_makeups": makeups,
        "roster": None, "roster_reported": None, "buildings": None, "pledged_buildings": None,
        "party_days": None,
    }
    if place.kind == "grid":
        buildings, pledged = db.session.execute(
            sa.select(sa.func.count(sa.distinct(Building.id)),
                      sa.func.count(sa.distinct(Pledge.building_id)))
            .select_from(Building)
            .outerjoin(Pledge, sa.and_(Pledge.building_id == Building.id, Pledge.year == year,
                                       Pledge.status == "active"))
            .where(Building.grid_id == place.id, Building.archived_at.is_(None))).one()
        result["buildings"], result["pledged_buildings"] = buildings, pledged
        result["party_days"] = db.session.scalar(
            sa.select(sa.func.count()).select_from(PartyDay)
            .where(PartyDay.community_id == place.community_id, PartyDay.month.in_(months)))
    else:
        result["roster"], result["roster_reported"] = db.session.execute(
            sa.select(sa.func.count(RosterEntry.id), sa.func.count(sa.distinct(Member.id)))
            .outerjoin(Member, sa.and_(Member.phone == RosterEntry.phone,
                                       Member.community_id == RosterEntry.community_id))
            .where(_roster_clause(place))).one()
    return result


def _roster_clause(place: Place) -> sa.ColumnElement[bool]:
    clause = RosterEntry.unit_id == place.id
    if place.communities is not None:
        clause = sa.and_(clause, RosterEntry.community_id.in_(place.communities))
    return clause


def hours_by_month(place: Place, months: list[str]) -> dict[str, int]:
    return dict(db.session.execute(
        sa.select(PointBalance.period, sa.func.coalesce(sa.func.sum(PointBalance.hours_centi), 0))
        .where(PointBalance.period.in_(months), PointBalance.member_id.in_(_member_ids(place)))
        .group_by(PointBalance.period)).all())


def activities_by_type(place: Place, start, end, counted: list[str]) -> dict[str, int]:
    """Activities the place's members took part in, by type (an activity once, however many)."""
    return dict(db.session.execute(
        sa.select(Activity.category, sa.func.count(sa.distinct(Activity.id)))
        .join(Attendance, Attendance.activity_id == Activity.id)
        .where(Attendance.member_id.in_(_member_ids(place)), Activity.starts_at >= start,
               Activity.starts_at < end, Activity.status.in_(counted))
        .group_by(Activity.category)).all())


def stars(place: Place, year: str) -> dict[int, int]:
    return dict(db.session.execute(
        sa.select(PointBalance.stars, sa.func.count())
        .where(PointBalance.period == year, PointBalance.member_id.in_(_member_ids(place)),
               PointBalance.stars > 0)
        .group_by(PointBalance.stars)).all())


def unit_not_reported(place: Place) -> list[tuple]:
    """The unit's roster entries nobody has reported for (id, name, phone, community, unit)."""
    reported = sa.select(Member.id).where(Member.phone == RosterEntry.phone,
                                          Member.community_id == RosterEntry.community_id)
    return db.session.execute(
        sa.select(RosterEntry.id, RosterEntry.name, RosterEntry.phone, RosterEntry.community_id,
                  EmployerUnit.name)
        .join(EmployerUnit, EmployerUnit.id == RosterEntry.unit_id)
        .where(_roster_clause(place), ~reported.exists())
        .order_by(RosterEntry.community_id, RosterEntry.id)).all()
