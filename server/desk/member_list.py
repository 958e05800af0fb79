"""党员管理 on the desk: the members the caller looks after, with the filters the console's
member list offers (name, type, unit, building, grid, registration state, star level)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_smorest.pagination import PaginationParameters
from sqlalchemy.orm import selectinload

from server.auth.scope import Principal, staff_members_clause
from server.extensions import db
from server.members.models import Building, Member, Registration
from server.pagination import paginate
from server.points.models import PointBalance
from server.timeutil import local_today


def desk_members(principal: Principal, query: dict[str, Any], pages: PaginationParameters
                 ) -> list[Member]:
    """Members the caller looks after, filtered; each with this year's stars (`stars`)."""
    statement = sa.select(Member).where(staff_members_clause(principal))
    if query.get("community_id"):
        statement = statement.where(Member.community_id == query["community_id"])
    if query.get("grid_id"):
        statement = statement.where(Member.building_id.in_(
            sa.select(Building.id).where(Building.grid_id == query["grid_id"])))
    if query.get("building_id"):
        statement = statement.where(Member.building_id == query["building_id"])
    if query.get("unit_id"):
        statement = statement.where(Member.employer_unit_id == query["unit_id"])
    if query.get("member_type"):
        statement = statement.where(Member.member_type == query["member_type"])
    if query.get("name"):
        statement = statement.where(Member.name.contains(query["name"], autoescape=True))
    if query.get("registration"):
        statement = statement.where(sa.exists(sa.select(Registration.id).where(
            Registration.member_id == Member.id, Registration.status == query["registration"])))
    year = str(query.get("year") or local_today().year)
    if query.get("stars") is not None:
        stars = query["stars"]
        held = sa.select(PointBalance.member_id).where(PointBalance.period == year,
                                                       PointBalance.stars >= 1)
        if stars == 0:  # not yet rated this year
            statement = statement.where(Member.id.not_in(held))
        else:
            statement = statement.where(Member.id.in_(
                sa.select(PointBalance.member_id).where(PointBalance.period == year,
                                                        PointBalance.stars == stars)))
    page = paginate(statement.order_by(Member.id).options(
        selectinload(Member.employer_unit), selectinload(Member.community),
        selectinload(Member.building)), pages)
    return _with_stars(page, year)


def _with_stars(page: list[Member], year: str) -> list[Member]:
    ids = [m.id for m in page]
    stars_of = dict(db.session.execute(
        sa.select(PointBalance.member_id, PointBalance.stars).where(
            PointBalance.member_id.in_(ids), PointBalance.period == year)).all()) if ids else {}
    for member in page:
        member.stars = stars_of.get(member.id)  # shown beside the member, never written
    return page
