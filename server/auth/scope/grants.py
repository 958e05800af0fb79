"""Role grants: who may grant which role over which place."""

from __future__ import annotations

import sqlalchemy as sa

from server.auth.models import Role, RoleGrant
from server.auth.scope.caller import Principal
from server.auth.scope.streets import admin_community_ids, admin_street_ids
from server.extensions import db

# what each role may grant, within its own place (a community secretary cannot make a street admin)
GRANTABLE_BY: dict[str, frozenset[str]] = {
    Role.DISTRICT_ADMIN: frozenset({Role.STREET_ADMIN, Role.COMMUNITY_SECRETARY,
                                    Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.UNIT_SECRETARY}),
    Role.STREET_ADMIN: frozenset({Role.STREET_ADMIN, Role.COMMUNITY_SECRETARY,
                                  Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.UNIT_SECRETARY}),
    Role.COMMUNITY_SECRETARY: frozenset({Role.COMMUNITY_STAFF, Role.GRID_WORKER}),
}


def grant_place_allowed(
    principal: Principal, role: str, *, street_id: int | None = None,
    community_id: int | None = None, unit_id: int | None = None,
    district_id: int | None = None,
) -> bool:
    """May the caller grant (or revoke) `role` over this place? The place is already checked
    to fit the role; this checks the caller's own roles and scope."""
    from server.members.models import EmployerUnit

    role = str(role)
    mine = {str(g.role) for g in principal.grants}
    if not any(role in GRANTABLE_BY.get(r, ()) for r in mine):
        return False
    if role == Role.STREET_ADMIN:
        return street_id in admin_street_ids(principal)
    if role == Role.UNIT_SECRETARY:
        unit = db.session.get(EmployerUnit, unit_id) if unit_id else None
        return unit is not None and unit.street_id in admin_street_ids(principal)
    if role in (Role.COMMUNITY_SECRETARY, Role.COMMUNITY_STAFF, Role.GRID_WORKER):
        if community_id in admin_community_ids(principal):
            return True
        secretary_of = principal.community_ids((Role.COMMUNITY_SECRETARY,))
        return role in GRANTABLE_BY[Role.COMMUNITY_SECRETARY] and community_id in secretary_of
    return False  # district admins are made with the command line only


def visible_grants_clause(principal: Principal) -> sa.ColumnElement[bool]:
    """SQL condition over RoleGrant: the grants in the caller's scope (what they may grant)."""
    from server.members.models import EmployerUnit

    clauses: list[sa.ColumnElement[bool]] = []
    streets = admin_street_ids(principal)
    communities = admin_community_ids(principal) | principal.community_ids(
        (Role.COMMUNITY_SECRETARY,))
    if streets:
        clauses.append(RoleGrant.street_id.in_(streets))
        clauses.append(RoleGrant.unit_id.in_(
            sa.select(EmployerUnit.id).where(EmployerUnit.street_id.in_(streets))))
    if communities:
        clauses.append(RoleGrant.community_id.in_(communities))
    return sa.or_(*clauses) if clauses else sa.false()
