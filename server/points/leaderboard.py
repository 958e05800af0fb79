"""先锋榜: top-N and my rank, read from kept-up balance rows through one index range
(period, place, points) — never by summing the ledger."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from server.errors import invalid, not_found
from server.extensions import db
from server.masking import mask_name
from server.members.models import Building, Community, EmployerUnit, Grid, Member, Street
from server.points.models import PointBalance
from server.points.rules import check_period, hours_of

SCOPES: dict[str, tuple[Any, Any]] = {
    "community": (PointBalance.community_id, Community),
    "grid": (PointBalance.grid_id, Grid),
    "building": (PointBalance.building_id, Building),
    "unit": (PointBalance.employer_unit_id, EmployerUnit),
    "street": (PointBalance.street_id, Street),
}
SCOPE_LABELS = {"community": "社区", "grid": "网格", "building": "楼栋", "unit": "单位",
                "street": "街道"}


def board_filter(scope: str, scope_id: int, period: str, member_type: str | None,
                 public: bool) -> list[sa.ColumnElement[bool]]:
    column, _model = SCOPES[scope]
    clauses = [PointBalance.period == period, column == scope_id]
    if member_type:
        clauses.append(PointBalance.member_type == member_type)
    if public:
        clauses.append(PointBalance.hidden.is_(False))
    return clauses


def rank_rows(points: list[int]) -> list[int]:
    """Standard competition ranking of a list sorted high to low: 1, 2, 2, 4."""
    ranks: list[int] = []
    for index, value in enumerate(points):
        if index and value == points[index - 1]:
            ranks.append(ranks[-1])
        else:
            ranks.append(index + 1)
    return ranks


def leaderboard(
    *,
    scope: str,
    scope_id: int,
    period: str,
    member_type: str | None = None,
    limit: int = 50,
    full_names: bool = False,
    me: Member | None = None,
) -> dict[str, Any]:
    if scope not in SCOPES:
        raise invalid("scope_invalid", "榜单范围应为 community、grid、building、unit 或 street")
    check_period(period)
    _column, model = SCOPES[scope]
    place = db.session.get(model, scope_id)
    if place is None:
        raise not_found(SCOPE_LABELS[scope])
    clauses = board_filter(scope, scope_id, period, member_type, public=not full_names)
    rows = db.session.execute(
        sa.select(PointBalance.member_id, PointBalance.points, PointBalance.hours_centi,
                  PointBalance.stars, Member.name)
        .join(Member, Member.id == PointBalance.member_id)
        .where(*clauses)
        .order_by(PointBalance.points.desc(), PointBalance.member_id)
        .limit(limit)
    ).all()
    ranks = rank_rows([row.points for row in rows])
    my_id = me.id if me is not None else None
    entries = []
    for rank, row in zip(ranks, rows, strict=True):
        entry = {
            "rank": rank,
            "name": row.name if full_names or row.member_id == my_id else mask_name(row.name),
            "points": row.points,
            "hours": hours_of(row.hours_centi),
            "stars": row.stars if len(period) == 4 else None,
            "is_me": row.member_id == my_id,
        }
        if full_names:
            entry["member_id"] = row.member_id
        entries.append(entry)
    return {
        "scope": scope,
        "scope_id": scope_id,
        "scope_name": getattr(place, "name", ""),
        "period": period,
        "member_type": member_type,
        "full_names": full_names,
        "entries": entries,
        "me": my_rank(me, scope, scope_id, period, member_type, public=not full_names)
        if me is not None else None,
    }


def my_rank(member: Member, scope: str, scope_id: int, period: str, member_type: str | None,
            public: bool) -> dict[str, Any] | None:
    """The member's own rank and points on this board, even far outside the top: their balance
    row and an indexed count of the rows with more points, in one statement."""
    column, _model = SCOPES[scope]
    if member_type and member.member_type != member_type:
        return None
    mine = sa.orm.aliased(PointBalance)
    ahead = (
        sa.select(sa.func.count())
        .select_from(PointBalance)
        .where(*board_filter(scope, scope_id, period, member_type, public),
               PointBalance.points > mine.points)
        .scalar_subquery()
    )
    row = db.session.execute(
        sa.select(mine.points, mine.hours_centi, mine.hidden, ahead.label("ahead"))
        .where(mine.member_id == member.id, mine.period == period,
               getattr(mine, column.key) == scope_id)
    ).first()
    if row is None:
        return None
    return {"rank": row.ahead + 1, "points": row.points, "hours": hours_of(row.hours_centi),
            "hidden_from_public": bool(row.hidden)}
