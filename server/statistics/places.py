"""Whose statistics the caller reads, for the places `auth.scope.statistics_communities` does not
cover: a grid, an employer unit, a district. Composed from the scope helpers; out of scope: 404."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from server.auth.scope import (
    COMMUNITY_MANAGERS,
    Principal,
    admin_community_ids,
    feedback_unit_scope,
    require_district,
)
from server.errors import not_found
from server.extensions import db
from server.members.models import Community, EmployerUnit, Grid, Street


@dataclass
class Place:
    """A grid's or a unit's members: `communities` limits a unit's to those communities (None:
    every community, the unit's own secretary)."""

    kind: str
    id: int
    name: str
    community_id: int | None = None
    communities: set[int] | None = None
    community_names: dict[int, str] = field(default_factory=dict)


def grid_place(principal: Principal, grid_id: int) -> Place:
    """A grid: its grid worker, its community's staff and secretary, and the street's admins."""
    grid = db.session.get(Grid, grid_id)
    if grid is None:
        raise not_found("网格")
    readers = principal.community_ids(COMMUNITY_MANAGERS) | admin_community_ids(principal)
    if grid_id not in principal.grid_ids() and grid.community_id not in readers:
        raise not_found("网格")
    community = db.session.get(Community, grid.community_id)
    return Place("grid", grid.id, f"{community.name} {grid.name}", community_id=community.id,
                 communities={community.id}, community_names={community.id: community.name})


def unit_place(principal: Principal, unit_id: int) -> Place:
    """A unit: its own secretary sees its members in every community; a street admin those in
    the street's communities (as on the feedback sheets)."""
    communities = feedback_unit_scope(principal, unit_id)
    unit = db.session.get(EmployerUnit, unit_id)
    return Place("unit", unit.id, unit.name, communities=communities)


def district_streets(principal: Principal, district_id: int) -> tuple[str, dict[int, str],
                                                                     dict[int, tuple[int, str]]]:
    """(the district's name, {street id: name}, {community id: (street id, name)})."""
    district = require_district(principal, district_id)
    streets = dict(db.session.execute(
        sa.select(Street.id, Street.name).where(Street.district_id == district.id)).all())
    communities = {cid: (sid, name) for cid, sid, name in db.session.execute(
        sa.select(Community.id, Community.street_id, Community.name)
        .where(Community.street_id.in_(set(streets))))}
    return district.name, streets, communities
