"""The one place that decides who may read and write what.

Views call `current_principal()` and then the helpers here; they never re-implement a rule.
A place outside the caller's scope is answered with 404, as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import sqlalchemy as sa
from flask import g

from server.auth.models import AuthSession, Role, RoleGrant, User
from server.auth.tokens import current_login
from server.errors import forbidden, not_found
from server.extensions import db
from server.members.models import Building, Community, Member

# Roles that manage a whole community (activities, notices, approvals, corrections).
COMMUNITY_MANAGERS = (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.STREET_ADMIN)
# Roles that work on site for a community: managers, and grid workers for their grid's community.
ON_SITE_STAFF = (*COMMUNITY_MANAGERS, Role.GRID_WORKER)
SECRETARIES = (Role.COMMUNITY_SECRETARY, Role.STREET_ADMIN)


@dataclass
class Principal:
    user: User
    session: AuthSession | None = None
    member: Member | None = None
    grants: list[RoleGrant] = field(default_factory=list)

    @property
    def user_id(self) -> int:
        return self.user.id

    @property
    def member_id(self) -> int | None:
        return self.member.id if self.member else None

    def roles(self) -> set[str]:
        return {grant.role for grant in self.grants}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles() & {str(r) for r in roles})

    @cached_property
    def _street_communities(self) -> dict[int, set[int]]:
        street_ids = {g.street_id for g in self.grants if g.role == Role.STREET_ADMIN}
        if not street_ids:
            return {}
        rows = db.session.execute(
            sa.select(Community.street_id, Community.id).where(Community.street_id.in_(street_ids))
        )
        result: dict[int, set[int]] = {sid: set() for sid in street_ids}
        for street_id, community_id in rows:
            result[street_id].add(community_id)
        return result

    def community_ids(self, roles: Iterable[str] = COMMUNITY_MANAGERS) -> set[int]:
        """Communities where the caller holds one of `roles` (a street admin: all of the street's;
        a grid worker: the community of their grid)."""
        wanted = {str(r) for r in roles}
        ids: set[int] = set()
        for grant in self.grants:
            if grant.role not in wanted:
                continue
            if grant.role == Role.STREET_ADMIN:
                ids |= self._street_communities.get(grant.street_id, set())
            elif grant.community_id is not None:
                ids.add(grant.community_id)
        return ids

    def grid_ids(self) -> set[int]:
        return {g.grid_id for g in self.grants if g.role == Role.GRID_WORKER and g.grid_id}

    def unit_ids(self) -> set[int]:
        return {g.unit_id for g in self.grants if g.role == Role.UNIT_SECRETARY and g.unit_id}

    def street_ids(self) -> set[int]:
        return {g.street_id for g in self.grants if g.role == Role.STREET_ADMIN and g.street_id}


def current_principal() -> Principal:
    """The logged-in caller; 401 with a code the client re-logs in on."""
    if "principal" not in g:
        session, user, member = current_login()  # loaded with the session, once per request
        g.principal = Principal(user=user, session=session, member=member,
                                grants=list(user.grants))
    return g.principal


def require_member(principal: Principal) -> Member:
    """The caller's member record; 403 (with what to do) for a caller who has none."""
    if principal.member is None:
        raise forbidden("请先完成党员信息登记（到社区报到）")
    return principal.member


def current_member() -> Member:
    return require_member(current_principal())


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


def can_manage_building(principal: Principal, building: Building) -> bool:
    return (
        building.community_id in principal.community_ids(COMMUNITY_MANAGERS)
        or building.grid_id in principal.grid_ids()
    )


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


# --- appended by the pledges area -------------------------------------------------------


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
    from server.members.models import Grid

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


# --- activities (志愿服务活动) -------------------------------------------------------------


def member_may_join_activity(member: Member, activity) -> bool:
    """The audience rule: the activity's community (narrowed by grids and member types, when
    set), or — for a street-wide activity such as 党员奉献日 — every member of the street."""
    if member is None or member.community_id is None:
        return False
    if _in_community_audience(member, activity):
        return True
    if activity.audience_street_id is None:
        return False
    # asked only now: for most callers the activity's own community has already answered
    community = db.session.get(Community, member.community_id)
    return community is not None and community.street_id == activity.audience_street_id


def _in_community_audience(member: Member, activity) -> bool:
    if member.community_id != activity.community_id:
        return False
    if activity.audience_grid_ids and member.grid_id not in activity.audience_grid_ids:
        return False
    if activity.audience_member_types and member.member_type not in activity.audience_member_types:
        return False
    return True


def activity_candidates_clause(member: Member) -> sa.ColumnElement[bool]:
    """SQL pre-filter over Activity for a member (community or street); the grid and member-type
    narrowing is then applied with `member_may_join_activity`."""
    from server.activities.models import Activity, ActivityStatus

    if member is None or member.community_id is None:
        return sa.false()
    street_id = sa.select(Community.street_id).where(Community.id == member.community_id)
    return sa.and_(
        Activity.status != ActivityStatus.DRAFT.value,
        sa.or_(
            Activity.community_id == member.community_id,
            Activity.audience_street_id == street_id.scalar_subquery(),
        ),
    )


def require_activity(
    principal: Principal, activity_id: int, roles: Iterable[str] = COMMUNITY_MANAGERS
):
    """The activity, when the caller holds one of `roles` in its community (the activity's
    leader on site also passes for ON_SITE_STAFF); else 404."""
    from server.activities.models import Activity

    activity = db.session.get(Activity, activity_id)
    if activity is None:
        raise not_found("活动")
    if activity.community_id in principal.community_ids(roles):
        return activity
    wanted = {str(r) for r in roles}
    if str(Role.GRID_WORKER) in wanted and activity.leader_user_id == principal.user_id:
        return activity
    raise not_found("活动")


def visible_activity(principal: Principal, activity_id: int):
    """An activity the caller may read: staff of its community, or a member it is open to
    (a member who signed up keeps seeing it, even after a move)."""
    from server.activities.models import Activity, ActivityStatus, SignUp

    activity = db.session.get(Activity, activity_id)
    if activity is None:
        raise not_found("活动")
    if activity.community_id in principal.community_ids(ON_SITE_STAFF):
        return activity
    if activity.leader_user_id == principal.user_id:
        return activity
    member = principal.member
    if member is not None and activity.status != ActivityStatus.DRAFT:
        if member_may_join_activity(member, activity):
            return activity
        signed = db.session.scalar(
            sa.select(SignUp.id).filter_by(activity_id=activity.id, member_id=member.id)
        )
        if signed is not None:
            return activity
    raise not_found("活动")


# ---- points area (issue 5): boards and feedback sheets


def sees_full_names_on_board(principal: Principal, scope: str, scope_id: int) -> bool:
    """A board shows full names (and hidden members) to staff whose scope covers all of it:
    community managers for their community and everything in it, a grid worker for their grid
    and its buildings, a unit secretary for their unit, a street admin for their street."""
    from server.members.models import Grid

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
    from server.members.models import EmployerUnit

    if db.session.get(EmployerUnit, unit_id) is None:
        raise not_found("单位")
    if unit_id in principal.unit_ids():
        return None
    if principal.street_ids():
        return principal.community_ids((Role.STREET_ADMIN,))
    raise not_found("单位")
