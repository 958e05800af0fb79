"""Members: whose records a caller reads, and who sees full names."""

from __future__ import annotations

import sqlalchemy as sa

from server.auth.scope.caller import COMMUNITY_MANAGERS, Principal
from server.errors import not_found
from server.extensions import db
from server.members.models import Building, Member


def visible_members_clause(principal: Principal) -> sa.ColumnElement[bool]:
    """SQL condition over Member: the rows this caller may read."""
    clauses: list[sa.ColumnElement[bool]] = []
    if principal.member is not None:
        clauses.append(Member.id == principal.member.id)
    community_ids = principal.community_ids(COMMUNITY_MANAGERS)
    if community_ids:
        clauses.append(Member.community_id.in_(community_ids))
    grid_ids = principal.grid_ids()
    if grid_ids:
        clauses.append(
            Member.building_id.in_(sa.select(Building.id).where(Building.grid_id.in_(grid_ids)))
        )
    unit_ids = principal.unit_ids()
    if unit_ids:
        clauses.append(Member.employer_unit_id.in_(unit_ids))
    if not clauses:
        return sa.false()
    return sa.or_(*clauses)


def staff_members_clause(principal: Principal) -> sa.ColumnElement[bool]:
    """Like `visible_members_clause`, without the caller's own record: lists for staff."""
    return visible_members_clause(Principal(user=principal.user, grants=principal.grants))


def get_visible_member(principal: Principal, member_id: int) -> Member:
    member = db.session.scalar(
        sa.select(Member).where(Member.id == member_id, visible_members_clause(principal))
    )
    if member is None:
        raise not_found("党员")
    return member


def sees_full_names(principal: Principal, member: Member) -> bool:
    """Staff and secretaries within their scope see full names; the public sees masked ones."""
    if principal.member is not None and principal.member.id == member.id:
        return True
    return (
        db.session.scalar(
            sa.select(sa.literal(True)).where(
                Member.id == member.id, staff_members_clause(principal)
            )
        )
        is not None
    )
