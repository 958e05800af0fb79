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
                                grants=acting_grants(session, list(user.grants)))
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


# ==== console (issue 14): acting for a place, setting up places, role grants, audit reader ====
# District admins (区委组织部) and street admins set up places; community staff and secretaries
# edit the grids and buildings of their own community. District admins are deliberately not
# COMMUNITY_MANAGERS: they set up the organisation, they do not run communities' daily work.

PLACE_EDITORS = (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY)
# what each role may grant, within its own place (a community secretary cannot make a street admin)
GRANTABLE_BY: dict[str, frozenset[str]] = {
    Role.DISTRICT_ADMIN: frozenset({Role.STREET_ADMIN, Role.COMMUNITY_SECRETARY,
                                    Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.UNIT_SECRETARY}),
    Role.STREET_ADMIN: frozenset({Role.STREET_ADMIN, Role.COMMUNITY_SECRETARY,
                                  Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.UNIT_SECRETARY}),
    Role.COMMUNITY_SECRETARY: frozenset({Role.COMMUNITY_STAFF, Role.GRID_WORKER}),
}


def acting_grants(session: AuthSession | None, grants: list[RoleGrant]) -> list[RoleGrant]:
    """A console session acts for one of the person's grants at a time (chosen in the console);
    the mini-program's sessions act with all of them."""
    if session is None or session.kind != "console" or session.acting_grant_id is None:
        return grants
    chosen = [grant for grant in grants if grant.id == session.acting_grant_id]
    # a revoked choice falls back to the first grant, as the console's session shows it
    return chosen or grants[:1]


def district_ids(principal: Principal) -> set[int]:
    return {g.district_id for g in principal.grants
            if g.role == Role.DISTRICT_ADMIN and g.district_id is not None}


def admin_street_ids(principal: Principal) -> set[int]:
    """Streets the caller administers: as street admin, or all streets of their district."""
    from server.members.models import Street

    ids = principal.street_ids()
    districts = district_ids(principal)
    if districts:
        ids |= set(db.session.scalars(
            sa.select(Street.id).where(Street.district_id.in_(districts))))
    return ids


def admin_community_ids(principal: Principal) -> set[int]:
    streets = admin_street_ids(principal)
    if not streets:
        return set()
    return set(db.session.scalars(sa.select(Community.id).where(Community.street_id.in_(streets))))


def place_editor_community_ids(principal: Principal) -> set[int]:
    """Communities whose grids and buildings the caller may edit."""
    direct = {g.community_id for g in principal.grants
              if g.role in PLACE_EDITORS and g.community_id is not None}
    return direct | admin_community_ids(principal)


def require_district(principal: Principal, district_id: int):
    from server.members.models import District

    if district_id not in district_ids(principal):
        raise not_found("区")
    district = db.session.get(District, district_id)
    if district is None:
        raise not_found("区")
    return district


def require_admin_street(principal: Principal, street_id: int, *, itself: bool = False):
    """A street the caller administers (street or district admin); `itself`: the street row
    itself (rename, archive, delete), which only its district's admin may change."""
    from server.members.models import Street

    street = db.session.get(Street, street_id)
    if street is None:
        raise not_found("街道")
    if itself:
        allowed = street.district_id is not None and street.district_id in district_ids(principal)
    else:
        allowed = street_id in admin_street_ids(principal)
    if not allowed:
        raise not_found("街道")
    return street


def require_place_community(principal: Principal, community_id: int, *, itself: bool = False):
    """A community whose grids and buildings the caller may edit; `itself`: the community row
    (name, address, archive, delete), which only street and district admins may change."""
    allowed = admin_community_ids(principal) if itself else place_editor_community_ids(principal)
    if community_id not in allowed:
        raise not_found("社区")
    community = db.session.get(Community, community_id)
    if community is None:
        raise not_found("社区")
    return community


def require_admin_unit(principal: Principal, unit_id: int):
    """An employer unit the caller's street (or district) registered; else 404."""
    from server.members.models import EmployerUnit

    unit = db.session.get(EmployerUnit, unit_id)
    if unit is None or unit.street_id is None or unit.street_id not in admin_street_ids(principal):
        raise not_found("单位")
    return unit


def roster_unit_ids(principal: Principal) -> set[int]:
    """Units whose roster (在职党员名单) the caller may import and read: their own unit as its
    secretary, and the units of the streets they administer."""
    from server.members.models import EmployerUnit

    ids = principal.unit_ids()
    streets = admin_street_ids(principal)
    if streets:
        ids |= set(db.session.scalars(
            sa.select(EmployerUnit.id).where(EmployerUnit.street_id.in_(streets))))
    return ids


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


def audit_scope(principal: Principal) -> tuple[set[int], set[int]]:
    """(communities, streets) whose audit log the caller reads: community secretaries their
    community, street and district admins their streets and everything in them; else 403."""
    streets = admin_street_ids(principal)
    communities = principal.community_ids((Role.COMMUNITY_SECRETARY,)) | admin_community_ids(
        principal)
    if not streets and not communities:
        raise forbidden("只有书记和管理员可以查看操作日志")
    return communities, streets
