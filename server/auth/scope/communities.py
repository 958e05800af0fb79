"""Communities, their grids and buildings."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from server.auth.scope.caller import COMMUNITY_MANAGERS, ON_SITE_STAFF, Principal
from server.errors import not_found
from server.extensions import db
from server.members.models import Building, Community, Grid


def require_community(
    principal: Principal, community_id: int, roles: Iterable[str] = COMMUNITY_MANAGERS
) -> Community:
    """The community, when the caller holds one of `roles` there; else 404."""
    if community_id not in principal.community_ids(roles):
        raise not_found("社区")
    community = db.session.get(Community, community_id)
    if community is None:
        raise not_found("社区")
    return community


def require_community_row(
    principal: Principal,
    model,
    row_id: int,
    what: str,
    roles: Iterable[str] = COMMUNITY_MANAGERS,
):
    """A row (with a `community_id`, or an `activity` that has one) of a community where the
    caller holds one of `roles`; else 404."""
    row = db.session.get(model, row_id)
    if row is None:
        raise not_found(what)
    community_id = row.community_id if hasattr(row, "community_id") else row.activity.community_id
    if community_id not in principal.community_ids(roles):
        raise not_found(what)
    return row


def require_community_reader(principal: Principal, community_id: int) -> Community:
    """The community, for its own members (current registration) and its on-site staff; else 404.
    For what a community shows all of its people: pledge templates, party days, make-ups."""
    is_member = principal.member is not None and principal.member.community_id == community_id
    if not is_member and community_id not in principal.community_ids(ON_SITE_STAFF):
        raise not_found("社区")
    community = db.session.get(Community, community_id)
    if community is None:
        raise not_found("社区")
    return community


def staff_grid_scope(principal: Principal, community_id: int) -> set[int] | None:
    """What of a community a staff caller looks after: None = all of it (managers), or the grid
    ids of a grid worker there; 404 when neither."""
    if community_id in principal.community_ids(COMMUNITY_MANAGERS):
        if db.session.get(Community, community_id) is None:
            raise not_found("社区")
        return None
    grids = set(
        db.session.scalars(
            sa.select(Grid.id).where(
                Grid.community_id == community_id, Grid.id.in_(principal.grid_ids())
            )
        )
    )
    if not grids:
        raise not_found("社区")
    return grids


def can_manage_building(principal: Principal, building: Building) -> bool:
    return (
        building.community_id in principal.community_ids(COMMUNITY_MANAGERS)
        or building.grid_id in principal.grid_ids()
    )
