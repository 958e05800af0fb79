"""先锋榜: top-N and my rank, read from kept-up balance rows through one index range
(period, place, points) — never by summing the ledger.

A board is one statement, one round trip: the place's name with my balance row and the
count of rows ahead of it, then the top rows. The statement is built once per shape (scope,
member type filter or not, public or not) and only its parameters change per call, so
SQLAlchemy neither rebuilds nor recompiles it.
"""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa

from server.errors import invalid, not_found
from server.extensions import db
from server.masking import mask_name
from server.members.models import Building, Community, EmployerUnit, Grid, Member, Street
from server.points.models import PointBalance
from server.points.point_rules import check_period, hours_of

# scope → (the place's table, the balance column that holds the place)
SCOPES: dict[str, tuple[sa.Table, str]] = {
    "community": (Community.__table__, "community_id"),
    "grid": (Grid.__table__, "grid_id"),
    "building": (Building.__table__, "building_id"),
    "unit": (EmployerUnit.__table__, "employer_unit_id"),
    "street": (Street.__table__, "street_id"),
}
SCOPE_LABELS = {"community": "社区", "grid": "网格", "building": "楼栋", "unit": "单位",
                "street": "街道"}

_BALANCES: sa.Table = PointBalance.__table__
_MEMBERS: sa.Table = Member.__table__
_HEAD, _TOP = 0, 1  # the two parts of a board's rows


def _on_board(balances: sa.FromClause, column: str, by_type: bool,
              public: bool) -> list[sa.ColumnElement[bool]]:
    clauses = [balances.c.period == sa.bindparam("period", type_=sa.String),
               balances.c[column] == sa.bindparam("scope_id", type_=sa.Integer)]
    if by_type:
        clauses.append(balances.c.member_type == sa.bindparam("member_type", type_=sa.String))
    if public:
        clauses.append(balances.c.hidden.is_(False))
    return clauses


@functools.cache
def _board_statement(scope: str, by_type: bool, public: bool) -> sa.CompoundSelect:
    """Rows of part _HEAD (exactly one, if the place exists): the place's name, my balance row
    (NULLs if I have none here) and the indexed count of board rows with more points than
    mine. Then rows of part _TOP: the top `limit` of the board, highest first."""
    place, column = SCOPES[scope]
    balances = _BALANCES
    mine = balances.alias("mine")
    ahead = (
        sa.select(sa.func.count())
        .select_from(balances)
        .where(*_on_board(balances, column, by_type, public), balances.c.points > mine.c.points)
        .scalar_subquery()
    )
    head = (
        sa.select(
            sa.literal_column(str(_HEAD), sa.Integer).label("part"),
            mine.c.member_id,
            mine.c.points,
            mine.c.hours_centi,
            sa.cast(sa.null(), sa.Integer).label("stars"),
            place.c.name,
            mine.c.hidden,
            ahead.label("ahead"),
        )
        .select_from(place.outerjoin(mine, sa.and_(
            mine.c.member_id == sa.bindparam("me_id", type_=sa.Integer),
            mine.c.period == sa.bindparam("period", type_=sa.String),
            mine.c[column] == place.c.id,
        )))
        .where(place.c.id == sa.bindparam("scope_id", type_=sa.Integer))
    )
    top = (
        sa.select(balances.c.member_id, balances.c.points, balances.c.hours_centi,
                  balances.c.stars, _MEMBERS.c.name)
        .join_from(balances, _MEMBERS, _MEMBERS.c.id == balances.c.member_id)
        .where(*_on_board(balances, column, by_type, public))
        .order_by(balances.c.points.desc(), balances.c.member_id)
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .subquery("leaders")
    )
    top_rows = sa.select(
        sa.literal_column(str(_TOP), sa.Integer).label("part"),
        top.c.member_id,
        top.c.points,
        top.c.hours_centi,
        top.c.stars,
        top.c.name,
        sa.cast(sa.null(), sa.Boolean).label("hidden"),
        sa.cast(sa.null(), sa.Integer).label("ahead"),
    )
    board = sa.union_all(head, top_rows)
    columns = board.selected_columns
    return board.order_by(columns.part, columns.points.desc(), columns.member_id)


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
    """The top `limit` of a board (ties share a rank), names masked unless `full_names`
    (staff and secretaries in scope), members who opted out left off public boards; and
    `me`'s own rank and points even far outside the top, or when they opted out."""
    if scope not in SCOPES:
        raise invalid("scope_invalid", "榜单范围应为 community、grid、building、unit 或 street")
    check_period(period)
    # a member of another type is not on a board filtered by type
    on_board = me is not None and not (member_type and me.member_type != member_type)
    my_id = me.id if me is not None else None
    rows = db.session.execute(
        _board_statement(scope, bool(member_type), not full_names),
        {"period": period, "scope_id": scope_id, "member_type": member_type, "limit": limit,
         "me_id": my_id if on_board else None},
    ).all()
    if not rows or rows[0].part != _HEAD:
        raise not_found(SCOPE_LABELS[scope])
    head, top = rows[0], rows[1:]
    ranks = rank_rows([row.points for row in top])
    with_stars = len(period) == 4
    entries = []
    for rank, row in zip(ranks, top, strict=True):
        is_me = row.member_id == my_id
        entry = {
            "rank": rank,
            "name": row.name if full_names or is_me else mask_name(row.name),
            "points": row.points,
            "hours": hours_of(row.hours_centi),
            "stars": row.stars if with_stars else None,
            "is_me": is_me,
        }
        if full_names:
            entry["member_id"] = row.member_id
        entries.append(entry)
    return {
        "scope": scope,
        "scope_id": scope_id,
        "scope_name": head.name,
        "period": period,
        "member_type": member_type,
        "full_names": full_names,
        "entries": entries,
        "me": _my_rank(head) if me is not None else None,
    }


def _my_rank(head: sa.Row) -> dict[str, Any] | None:
    if head.member_id is None:  # no balance row on this board (or another member type)
        return None
    return {"rank": head.ahead + 1, "points": head.points, "hours": hours_of(head.hours_centi),
            "hidden_from_public": bool(head.hidden)}
