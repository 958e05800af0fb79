"""志愿服务记录 on the desk: an activity's records with the members' and makers' names (for
补录 and 更正), and the approved hours per member of a community over a period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from server.activities.models import HoursRecord, HoursStatus
from server.auth.models import User
from server.auth.scope import ON_SITE_STAFF, Principal, require_activity, staff_grid_scope
from server.extensions import db
from server.members.models import Building, Member


def activity_records(principal: Principal, activity_id: int) -> list[HoursRecord]:
    """Every record of an activity (pending, approved, rejected, superseded), newest first,
    with the member's name and who entered and approved it; one statement."""
    require_activity(principal, activity_id, ON_SITE_STAFF)
    maker, checker = aliased(User), aliased(User)
    rows = db.session.execute(
        sa.select(HoursRecord, Member.name, maker.display_name, checker.display_name)
        .join(Member, Member.id == HoursRecord.member_id)
        .outerjoin(maker, maker.id == HoursRecord.created_by_user_id)
        .outerjoin(checker, checker.id == HoursRecord.approved_by_user_id)
        .where(HoursRecord.activity_id == activity_id)
        .order_by(HoursRecord.created_at.desc(), HoursRecord.id.desc())
    ).all()
    for record, name, made, approved in rows:
        # shown beside the record (plain attributes, never written)
        record.member_name, record.created_by, record.approved_by = name, made or "", approved or ""
        record.mine = record.created_by_user_id == principal.user_id
    return [row[0] for row in rows]


def hours_per_member(principal: Principal, community_id: int, query: dict[str, Any]
                     ) -> dict[str, Any]:
    """Approved hours per member of a community between two Shanghai days (and of one
    activity when given), most hours first; a grid worker sees the members of their grids."""
    grids = staff_grid_scope(principal, community_id)
    total = sa.func.sum(HoursRecord.hours)
    statement = (
        sa.select(Member.id, Member.name, Member.member_type, total.label("hours"),
                  sa.func.count(HoursRecord.id).label("records"))
        .join(Member, Member.id == HoursRecord.member_id)
        .where(HoursRecord.community_id == community_id,
               HoursRecord.status == HoursStatus.APPROVED)
        .group_by(Member.id, Member.name, Member.member_type)
        .order_by(total.desc(), Member.id)
    )
    if grids is not None:
        statement = statement.where(Member.building_id.in_(
            sa.select(Building.id).where(Building.grid_id.in_(grids))))
    if query.get("activity_id"):
        statement = statement.where(HoursRecord.activity_id == query["activity_id"])
    date_from: date | None = query.get("date_from")
    date_to: date | None = query.get("date_to")
    if date_from:
        statement = statement.where(HoursRecord.service_date >= date_from)
    if date_to:
        statement = statement.where(HoursRecord.service_date <= date_to)
    rows = [{"member_id": r.id, "name": r.name, "member_type": r.member_type,
             "hours": Decimal(r.hours or 0).quantize(Decimal("0.01")), "records": r.records}
            for r in db.session.execute(statement)]
    return {"rows": rows, "members": len(rows),
            "total_hours": sum((r["hours"] for r in rows), Decimal("0.00"))}
