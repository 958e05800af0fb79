"""Streets and districts: the admins who set up places (设置街道、社区、网格、楼栋、单位), read
the audit log, compare statistics and set appraisal thresholds.

District admins (区委组织部) and street admins set up places; community staff and secretaries
edit the grids and buildings of their own community. District admins are deliberately not
COMMUNITY_MANAGERS: they set up the organisation, they do not run communities' daily work.
"""

from __future__ import annotations

import sqlalchemy as sa

from server.auth.models import Role
from server.auth.scope.caller import COMMUNITY_MANAGERS, Principal
from server.errors import forbidden, not_found
from server.extensions import db
from server.members.models import Community

PLACE_EDITORS = (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY)


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


def audit_scope(principal: Principal) -> tuple[set[int], set[int]]:
    """(communities, streets) whose audit log the caller reads: community secretaries their
    community, street and district admins their streets and everything in them; else 403."""
    streets = admin_street_ids(principal)
    communities = principal.community_ids((Role.COMMUNITY_SECRETARY,)) | admin_community_ids(
        principal)
    if not streets and not communities:
        raise forbidden("只有书记和管理员可以查看操作日志")
    return communities, streets


def statistics_communities(principal: Principal, scope: str,
                           scope_id: int) -> tuple[str, dict[int, str]]:
    """(the place's name, {community id: name}) whose statistics the caller reads: a community
    its managers (and its street's admins), a street its admins (and its district's); else 404."""
    from server.members.models import Street

    if scope == "community":
        if scope_id not in principal.community_ids(COMMUNITY_MANAGERS) | admin_community_ids(
                principal):
            raise not_found("社区")
        community = db.session.get(Community, scope_id)
        if community is None:
            raise not_found("社区")
        return community.name, {community.id: community.name}
    if scope == "street":
        street = db.session.get(Street, scope_id)
        if street is None or scope_id not in admin_street_ids(principal):
            raise not_found("街道")
        rows = db.session.execute(sa.select(Community.id, Community.name)
                                  .where(Community.street_id == scope_id))
        return street.name, dict(rows.all())
    raise not_found("统计范围")


def appraisal_threshold_place(principal: Principal, scope: str, scope_id: int, *,
                              write: bool) -> None:
    """Appraisal thresholds (评议分数线): a community's are set by its secretary (and read by its
    managers), a street's by its admins; else 404."""
    if scope == "community":
        roles = (Role.COMMUNITY_SECRETARY,) if write else COMMUNITY_MANAGERS
        if scope_id in principal.community_ids(roles) and \
                db.session.get(Community, scope_id) is not None:
            return
        raise not_found("社区")
    if scope == "street" and scope_id in admin_street_ids(principal):
        return
    raise not_found("街道")
