"""Setting up a street (组织架构): districts' streets, communities, grids, buildings, units.

District admins create streets; street admins create and edit communities, grids, buildings and
employer units in their street; community staff and secretaries edit their own community's
grids and buildings. A place that anything refers to (members, activities, records, grants,
the audit log) cannot be deleted: it is archived instead, which keeps its history.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_smorest.pagination import PaginationParameters
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from server.audit.service import record as audit
from server.auth.models import Role, RoleGrant
from server.auth.scope import (
    Principal,
    admin_street_ids,
    district_ids,
    place_editor_community_ids,
    require_admin_street,
    require_admin_unit,
    require_district,
    require_place_community,
)
from server.errors import conflict, invalid, not_found
from server.extensions import db
from server.members.models import Building, Community, District, EmployerUnit, Grid, Street
from server.pagination import paginate
from server.timeutil import utcnow


def _filtered(statement: sa.Select, model, include_archived: bool, name: str | None = None,
              **equal: int | None) -> sa.Select:
    """A place list's filters: equal columns, a name fragment, archived or not; in id order."""
    for column, value in equal.items():
        if value is not None:
            statement = statement.where(getattr(model, column) == value)
    if name:
        statement = statement.where(model.name.contains(name, autoescape=True))
    if not include_archived:
        statement = statement.where(model.archived_at.is_(None))
    return statement.order_by(model.id)


def _snapshot(row, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


def _create_or_same(model, key: dict[str, Any], values: dict[str, Any], what: str):
    """Idempotent create: the same natural key with the same values answers the existing row
    (created=False); with other values it is refused, naming the clash."""
    existing = db.session.scalar(sa.select(model).filter_by(**key))
    if existing is not None:
        differs = {k for k, v in values.items() if v is not None and getattr(existing, k) != v}
        if differs:
            raise conflict("name_taken", f"已有同名的{what}，请换一个名称或编辑原有的{what}",
                           {"id": existing.id, "fields": sorted(differs)})
        return existing, False
    row = model(**key, **{k: v for k, v in values.items() if v is not None})
    db.session.add(row)
    db.session.flush()
    return row, True


def _rename_check(model, row, key: dict[str, Any], what: str) -> None:
    clash = db.session.scalar(sa.select(model.id).filter_by(**key).where(model.id != row.id))
    if clash is not None:
        raise conflict("name_taken", f"已有同名的{what}，请换一个名称", {"id": clash})


def _apply(row, data: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        if name in data:
            setattr(row, name, data[name])
    if "archived" in data:
        if data["archived"] and row.archived_at is None:
            row.archived_at = utcnow()
        elif not data["archived"]:
            row.archived_at = None


def _delete(row, what: str) -> None:
    """Delete a place nothing refers to; anything that does (the database's foreign keys say
    so, whatever area added it) makes it an archive-instead refusal."""
    try:
        with db.session.begin_nested():
            db.session.delete(row)
            db.session.flush()
    except IntegrityError as exc:
        raise conflict(
            "place_in_use",
            f"该{what}下还有下级地点、党员、活动、角色或记录，不能删除；如已不再使用，请改为归档",
        ) from exc


# ---- districts and streets -----------------------------------------------------------------

STREET_FIELDS = ("name", "district_id")


def my_districts(principal: Principal) -> list[District]:
    ids = district_ids(principal)
    if not ids:
        return []
    return list(db.session.scalars(sa.select(District).where(District.id.in_(ids))
                                   .order_by(District.id)))


def streets_query(principal: Principal, district_id: int | None = None,
                  include_archived: bool = False, name: str | None = None) -> sa.Select:
    statement = sa.select(Street).where(Street.id.in_(admin_street_ids(principal) or {0}))
    return _filtered(statement, Street, include_archived, name, district_id=district_id)


def create_street(principal: Principal, data: dict[str, Any]) -> tuple[Street, bool]:
    """A district admin creates a street (街道) in their district."""
    require_district(principal, data["district_id"])
    street, created = _create_or_same(Street, {"name": data["name"]},
                                      {"district_id": data["district_id"]}, "街道")
    if created:
        audit(principal.user_id, "place.create", "street", street.id, street_id=street.id,
              after=_snapshot(street, STREET_FIELDS))
    return street, created


def update_street(principal: Principal, street_id: int, data: dict[str, Any]) -> Street:
    street = require_admin_street(principal, street_id, itself=True)
    before = _snapshot(street, STREET_FIELDS) | {"archived": street.archived_at is not None}
    if "name" in data:
        _rename_check(Street, street, {"name": data["name"]}, "街道")
    _apply(street, data, ("name",))
    audit(principal.user_id, "place.update", "street", street.id, street_id=street.id,
          before=before, after=_snapshot(street, STREET_FIELDS)
          | {"archived": street.archived_at is not None})
    return street


def delete_street(principal: Principal, street_id: int) -> None:
    street = require_admin_street(principal, street_id, itself=True)
    snapshot = _snapshot(street, STREET_FIELDS)
    _delete(street, "街道")
    audit(principal.user_id, "place.delete", "street", street_id, street_id=street_id,
          before=snapshot)


# ---- communities ---------------------------------------------------------------------------

COMMUNITY_FIELDS = ("name", "address", "street_id")


def communities_query(principal: Principal, street_id: int | None = None,
                      include_archived: bool = False, name: str | None = None) -> sa.Select:
    statement = (sa.select(Community).options(joinedload(Community.street))
                 .where(Community.id.in_(place_editor_community_ids(principal) or {0})))
    return _filtered(statement, Community, include_archived, name, street_id=street_id)


def create_community(principal: Principal, data: dict[str, Any]) -> tuple[Community, bool]:
    """A street admin creates a community (社区) in their street."""
    require_admin_street(principal, data["street_id"])
    community, created = _create_or_same(
        Community, {"street_id": data["street_id"], "name": data["name"]},
        {"address": data.get("address")}, "社区")
    if created:
        # the street, not the community, so that deleting an unused community stays possible
        audit(principal.user_id, "place.create", "community", community.id,
              street_id=community.street_id, after=_snapshot(community, COMMUNITY_FIELDS))
    return community, created


def update_community(principal: Principal, community_id: int, data: dict[str, Any]) -> Community:
    community = require_place_community(principal, community_id, itself=True)
    before = _snapshot(community, COMMUNITY_FIELDS)
    if "name" in data:
        _rename_check(Community, community,
                      {"street_id": community.street_id, "name": data["name"]}, "社区")
    _apply(community, data, ("name", "address"))
    audit(principal.user_id, "place.update", "community", community.id,
          street_id=community.street_id, before=before,
          after=_snapshot(community, COMMUNITY_FIELDS) | {"archived": "archived" in data
                                                            and data["archived"]})
    return community


def delete_community(principal: Principal, community_id: int) -> None:
    community = require_place_community(principal, community_id, itself=True)
    snapshot = _snapshot(community, COMMUNITY_FIELDS)
    _delete(community, "社区")
    audit(principal.user_id, "place.delete", "community", community_id,
          street_id=snapshot["street_id"], before=snapshot)


# ---- grids ---------------------------------------------------------------------------------

GRID_FIELDS = ("name", "households", "community_id")


def grids_page(
    principal: Principal, pagination: PaginationParameters, community_id: int | None = None,
    include_archived: bool = False,
) -> list[dict[str, Any]]:
    """A page of grids with their grid workers (网格员), in two statements."""
    statement = sa.select(Grid).where(
        Grid.community_id.in_(place_editor_community_ids(principal) or {0}))
    statement = _filtered(statement, Grid, include_archived, community_id=community_id)
    grids = paginate(statement, pagination)
    return _with_grid_workers(grids)


def _with_grid_workers(grids: list[Grid]) -> list[dict[str, Any]]:
    from server.auth.models import User
    from server.members.models import Member

    workers: dict[int, list[dict[str, Any]]] = {g.id: [] for g in grids}
    if grids:
        rows = db.session.execute(
            sa.select(RoleGrant.id, RoleGrant.grid_id, User.id, User.display_name, Member.name)
            .join(User, User.id == RoleGrant.user_id)
            .outerjoin(Member, Member.user_id == User.id)
            .where(RoleGrant.role == Role.GRID_WORKER.value, RoleGrant.grid_id.in_(workers))
            .order_by(RoleGrant.id)
        )
        for grant_id, grid_id, user_id, display_name, member_name in rows:
            workers[grid_id].append({"grant_id": grant_id, "user_id": user_id,
                                     "name": member_name or display_name})
    return [{"grid": g, "grid_workers": workers[g.id]} for g in grids]


def _set_grid_worker(principal: Principal, grid: Grid, person: dict[str, Any] | None) -> None:
    if not person:
        return
    from server.places.grants import grant

    grant(principal, {"role": Role.GRID_WORKER.value, "grid_id": grid.id, **person})


def create_grid(principal: Principal, data: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """A grid (网格) of a community, with its grid worker when one is named."""
    require_place_community(principal, data["community_id"])
    grid, created = _create_or_same(
        Grid, {"community_id": data["community_id"], "name": data["name"]},
        {"households": data.get("households")}, "网格")
    if created:
        audit(principal.user_id, "place.create", "grid", grid.id,
              community_id=grid.community_id, after=_snapshot(grid, GRID_FIELDS))
    _set_grid_worker(principal, grid, data.get("grid_worker"))
    return _with_grid_workers([grid])[0], created


def _grid(principal: Principal, grid_id: int) -> Grid:
    grid = db.session.get(Grid, grid_id)
    if grid is None or grid.community_id not in place_editor_community_ids(principal):
        raise not_found("网格")
    return grid


def update_grid(principal: Principal, grid_id: int, data: dict[str, Any]) -> dict[str, Any]:
    grid = _grid(principal, grid_id)
    before = _snapshot(grid, GRID_FIELDS)
    if "name" in data:
        _rename_check(Grid, grid, {"community_id": grid.community_id, "name": data["name"]},
                      "网格")
    _apply(grid, data, ("name", "households"))
    audit(principal.user_id, "place.update", "grid", grid.id, community_id=grid.community_id,
          before=before, after=_snapshot(grid, GRID_FIELDS))
    _set_grid_worker(principal, grid, data.get("grid_worker"))
    return _with_grid_workers([grid])[0]


def delete_grid(principal: Principal, grid_id: int) -> None:
    grid = _grid(principal, grid_id)
    snapshot = _snapshot(grid, GRID_FIELDS)
    _delete(grid, "网格")
    audit(principal.user_id, "place.delete", "grid", grid_id,
          community_id=snapshot["community_id"], before=snapshot)


# ---- buildings -----------------------------------------------------------------------------

BUILDING_FIELDS = ("name", "grid_id", "latitude", "longitude", "community_id")


def buildings_query(principal: Principal, community_id: int | None = None,
                    grid_id: int | None = None, include_archived: bool = False,
                    name: str | None = None) -> sa.Select:
    statement = (sa.select(Building).options(joinedload(Building.grid))
                 .where(Building.community_id.in_(place_editor_community_ids(principal) or {0})))
    return _filtered(statement, Building, include_archived, name, community_id=community_id,
                     grid_id=grid_id)


def _grid_of_community(grid_id: int, community_id: int) -> Grid:
    grid = db.session.get(Grid, grid_id)
    if grid is None or grid.community_id != community_id:
        raise invalid("grid_not_in_community", "所选网格不属于该社区，请重新选择",
                      {"fields": {"grid_id": "不属于该社区"}})
    return grid


def create_building(principal: Principal, data: dict[str, Any]) -> tuple[Building, bool]:
    """A building (楼栋) of a community, in one of its grids, with its GCJ-02 point."""
    require_place_community(principal, data["community_id"])
    _grid_of_community(data["grid_id"], data["community_id"])
    building, created = _create_or_same(
        Building, {"community_id": data["community_id"], "name": data["name"]},
        {"grid_id": data["grid_id"], "latitude": data.get("latitude"),
         "longitude": data.get("longitude")}, "楼栋")
    if created:
        audit(principal.user_id, "place.create", "building", building.id,
              community_id=building.community_id, after=_snapshot(building, BUILDING_FIELDS))
    return building, created


def _building(principal: Principal, building_id: int) -> Building:
    building = db.session.get(Building, building_id)
    if building is None or building.community_id not in place_editor_community_ids(principal):
        raise not_found("楼栋")
    return building


def update_building(principal: Principal, building_id: int, data: dict[str, Any]) -> Building:
    building = _building(principal, building_id)
    before = _snapshot(building, BUILDING_FIELDS)
    if "grid_id" in data:
        _grid_of_community(data["grid_id"], building.community_id)
    if "name" in data:
        _rename_check(Building, building,
                      {"community_id": building.community_id, "name": data["name"]}, "楼栋")
    _apply(building, data, ("name", "grid_id", "latitude", "longitude"))
    audit(principal.user_id, "place.update", "building", building.id,
          community_id=building.community_id, before=before,
          after=_snapshot(building, BUILDING_FIELDS))
    return building


def delete_building(principal: Principal, building_id: int) -> None:
    building = _building(principal, building_id)
    snapshot = _snapshot(building, BUILDING_FIELDS)
    _delete(building, "楼栋")
    audit(principal.user_id, "place.delete", "building", building_id,
          community_id=snapshot["community_id"], before=snapshot)


# ---- employer units ------------------------------------------------------------------------

UNIT_FIELDS = ("name", "party_org_name", "street_id")


def units_query(principal: Principal, street_id: int | None = None,
                include_archived: bool = False, name: str | None = None) -> sa.Select:
    statement = sa.select(EmployerUnit).where(
        EmployerUnit.street_id.in_(admin_street_ids(principal) or {0}))
    return _filtered(statement, EmployerUnit, include_archived, name, street_id=street_id)


def create_unit(principal: Principal, data: dict[str, Any]) -> tuple[EmployerUnit, bool]:
    """An employer unit (单位) registered by a street; unit names are unique city-wide."""
    require_admin_street(principal, data["street_id"])
    unit, created = _create_or_same(
        EmployerUnit, {"name": data["name"]},
        {"party_org_name": data.get("party_org_name"), "street_id": data["street_id"]}, "单位")
    if created:
        audit(principal.user_id, "place.create", "unit", unit.id, street_id=unit.street_id,
              after=_snapshot(unit, UNIT_FIELDS))
    return unit, created


def update_unit(principal: Principal, unit_id: int, data: dict[str, Any]) -> EmployerUnit:
    unit = require_admin_unit(principal, unit_id)
    before = _snapshot(unit, UNIT_FIELDS)
    if "name" in data:
        _rename_check(EmployerUnit, unit, {"name": data["name"]}, "单位")
    _apply(unit, data, ("name", "party_org_name"))
    audit(principal.user_id, "place.update", "unit", unit.id, street_id=unit.street_id,
          before=before, after=_snapshot(unit, UNIT_FIELDS))
    return unit


def delete_unit(principal: Principal, unit_id: int) -> None:
    unit = require_admin_unit(principal, unit_id)
    snapshot = _snapshot(unit, UNIT_FIELDS)
    _delete(unit, "单位")
    audit(principal.user_id, "place.delete", "unit", unit_id, street_id=snapshot["street_id"],
          before=snapshot)
