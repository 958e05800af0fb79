"""Who a notice is for: an audience description checked against the community, and its members.

An audience is {"type": ..., ids, "member_types": [...]?}:
  community | grids (grid_ids) | buildings (building_ids) | units (unit_ids, members of the
  employer unit living in this community) | member_types | activity (activity_id: its
  confirmed sign-ups) | members (member_ids; reminders only). An optional `member_types` list
  narrows any of them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from server.errors import invalid
from server.extensions import db
from server.members.models import Building, EmployerUnit, Grid, Member, MemberType

TYPES = ("community", "grids", "buildings", "units", "member_types", "activity", "members")
STAFF_TYPES = TYPES[:-1]
ID_LISTS = {"grids": "grid_ids", "buildings": "building_ids", "units": "unit_ids",
            "members": "member_ids"}

AUDIENCE_LABELS = {
    "community": "全体党员",
    "grids": "网格",
    "buildings": "楼栋",
    "units": "单位党员",
    "member_types": "党员类别",
    "activity": "活动报名党员",
    "members": "指定党员",
}


def _bad(field: str, message: str):
    return invalid("audience_invalid", "通知对象有误，请重新选择", {"audience": {field: message}})


def normalise(community_id: int, audience: dict[str, Any]) -> dict[str, Any]:
    """The audience, with every id checked to belong to the community (422 otherwise)."""
    kind = audience.get("type")
    if kind not in TYPES:
        raise _bad("type", "取值不在允许范围内")
    result: dict[str, Any] = {"type": kind}
    if kind in ID_LISTS:
        name = ID_LISTS[kind]
        ids = sorted({int(i) for i in audience.get(name) or []})
        if not ids:
            raise _bad(name, "请至少选择一项")
        model, column = {
            "grids": (Grid, Grid.community_id),
            "buildings": (Building, Building.community_id),
            "units": (EmployerUnit, None),
            "members": (Member, Member.community_id),
        }[kind]
        statement = sa.select(model.id).where(model.id.in_(ids))
        if column is not None:
            statement = statement.where(column == community_id)
        found = set(db.session.scalars(statement))
        if found != set(ids):
            raise _bad(name, f"不属于本社区: {sorted(set(ids) - found)}")
        result[name] = ids
    if kind == "activity":
        activity_id = audience.get("activity_id")
        if not activity_id:
            raise _bad("activity_id", "请选择活动")
        from server.activities.models import Activity

        activity = db.session.get(Activity, int(activity_id))
        if activity is None or activity.community_id != community_id:
            raise _bad("activity_id", "不是本社区的活动")
        result["activity_id"] = activity.id
    types = sorted(set(audience.get("member_types") or []))
    if kind == "member_types" and not types:
        raise _bad("member_types", "请至少选择一类党员")
    allowed = {t.value for t in MemberType}
    if set(types) - allowed:
        raise _bad("member_types", "取值不在允许范围内")
    if types:
        result["member_types"] = types
    return result


def members_clause(community_id: int, audience: dict[str, Any]) -> sa.ColumnElement[bool]:
    """SQL condition over Member for a normalised audience."""
    kind = audience["type"]
    clauses = [Member.community_id == community_id]
    if kind == "grids":
        clauses.append(
            Member.building_id.in_(
                sa.select(Building.id).where(Building.grid_id.in_(audience["grid_ids"]))
            )
        )
    elif kind == "buildings":
        clauses.append(Member.building_id.in_(audience["building_ids"]))
    elif kind == "units":
        clauses.append(Member.employer_unit_id.in_(audience["unit_ids"]))
    elif kind == "members":
        clauses.append(Member.id.in_(audience["member_ids"]))
    elif kind == "activity":
        from server.activities.models import SignUp

        clauses.append(
            Member.id.in_(
                sa.select(SignUp.member_id).where(
                    SignUp.activity_id == audience["activity_id"], SignUp.status == "confirmed"
                )
            )
        )
    if audience.get("member_types"):
        clauses.append(Member.member_type.in_(audience["member_types"]))
    return sa.and_(*clauses)


def member_ids(community_id: int, audience: dict[str, Any]) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Member.id).where(members_clause(community_id, audience)).order_by(Member.id)
        )
    )


def count(community_id: int, audience: dict[str, Any]) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Member.id)).where(members_clause(community_id, audience))
    )
