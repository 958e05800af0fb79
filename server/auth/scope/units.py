"""Employer units and what reaches them: boards over any place, feedback sheets (反馈单)."""

from __future__ import annotations

import sqlalchemy as sa

from server.auth.models import Role
from server.auth.scope.caller import COMMUNITY_MANAGERS, Principal
from server.auth.scope.communities import can_manage_building, require_community
from server.auth.scope.streets import admin_community_ids
from server.errors import not_found
from server.extensions import db
from server.members.models import Building, Community, EmployerUnit, Grid


def sees_full_names_on_board(principal: Principal, scope: str, scope_id: int) -> bool:
    """A board shows full names (and hidden members) to staff whose scope covers all of it:
    community managers for their community and everything in it, a grid worker for their grid
    and its buildings, a unit secretary for their unit, a street admin for their street."""
    managed = principal.community_ids(COMMUNITY_MANAGERS)
    if scope == "street":
        return scope_id in principal.street_ids()
    if scope == "community":
        return scope_id in managed
    if scope == "grid":
        grid = db.session.get(Grid, scope_id)
        return grid is not None and (grid.community_id in managed or
                                     scope_id in principal.grid_ids())
    if scope == "building":
        building = db.session.get(Building, scope_id)
        return building is not None and can_manage_building(principal, building)
    if scope == "unit":
        return scope_id in principal.unit_ids()
    return False


def feedback_unit_scope(principal: Principal, unit_id: int) -> set[int] | None:
    """Whose rows of a unit's feedback sheet (反馈单) the caller may read: None = all of the
    unit's members (the unit's own secretary); a set = only those communities (a street
    admin). Anyone else: 404."""
    if db.session.get(EmployerUnit, unit_id) is None:
        raise not_found("单位")
    if unit_id in principal.unit_ids():
        return None
    if principal.street_ids():
        return principal.community_ids((Role.STREET_ADMIN,))
    raise not_found("单位")


SHEET_RECEIVED = ("sent", "acknowledged")


def require_feedback_community(principal: Principal, community_id: int) -> Community:
    """A community whose feedback sheets the caller writes: its secretary only; else 404."""
    return require_community(principal, community_id, (Role.COMMUNITY_SECRETARY,))


def feedback_sheet_standing(principal: Principal, community_id: int, unit_id: int,
                            status: str) -> str | None:
    """How the caller stands to a sheet: "secretary" (writes it: the community's secretary),
    "unit" (receives it once sent: the unit's secretary), "reader" (the street's admin), or
    None (it does not exist for them)."""
    if community_id in principal.community_ids((Role.COMMUNITY_SECRETARY,)):
        return "secretary"
    if unit_id in principal.unit_ids() and status in SHEET_RECEIVED:
        return "unit"
    if community_id in admin_community_ids(principal):
        return "reader"
    return None


def feedback_sheets_clause(principal: Principal) -> sa.ColumnElement[bool]:
    """SQL condition over FeedbackSheet: the sheets the caller sees (as above)."""
    from server.feedback_sheets.models import FeedbackSheet

    communities = principal.community_ids((Role.COMMUNITY_SECRETARY,)) | admin_community_ids(
        principal)
    clauses: list[sa.ColumnElement[bool]] = []
    if communities:
        clauses.append(FeedbackSheet.community_id.in_(communities))
    if principal.unit_ids():
        clauses.append(sa.and_(FeedbackSheet.employer_unit_id.in_(principal.unit_ids()),
                               FeedbackSheet.status.in_(SHEET_RECEIVED)))
    return sa.or_(*clauses) if clauses else sa.false()
