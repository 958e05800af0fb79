"""The places a member picks from when reporting (社区、网格、楼栋、单位); archived places leave
the pickers but keep their history."""

from __future__ import annotations

import sqlalchemy as sa

from server.auth.scope import (
    Principal,
)
from server.errors import not_found
from server.extensions import db
from server.members.models import (
    Building,
    Community,
    EmployerUnit,
    Grid,
)


def communities(principal: Principal) -> list[Community]:
    """Every community, for the report picker (any logged-in caller). Archived places (组织架构
    in the console) keep their history but leave the pickers."""
    return list(db.session.scalars(
        sa.select(Community).where(Community.archived_at.is_(None)).order_by(Community.id)
    ))


def _community_or_404(community_id: int) -> Community:
    community = db.session.get(Community, community_id)
    if community is None:
        raise not_found("社区")
    return community


def grids(principal: Principal, community_id: int) -> list[Grid]:
    _community_or_404(community_id)
    return list(db.session.scalars(
        sa.select(Grid).filter_by(community_id=community_id, archived_at=None).order_by(Grid.id)
    ))


def buildings(principal: Principal, community_id: int) -> list[Building]:
    _community_or_404(community_id)
    return list(db.session.scalars(
        sa.select(Building).filter_by(community_id=community_id, archived_at=None)
        .order_by(Building.id)
    ))


def units(principal: Principal) -> list[EmployerUnit]:
    """Every employer unit (单位), for the report picker."""
    return list(db.session.scalars(
        sa.select(EmployerUnit).where(EmployerUnit.archived_at.is_(None)).order_by(EmployerUnit.id)
    ))
