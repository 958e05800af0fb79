"""Role grants (角色授权): who may act for which place, granted and revoked within one's scope."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_smorest.pagination import PaginationParameters

from server.audit.service import record as audit
from server.auth.models import ROLE_LABELS, Role, RoleGrant, User
from server.auth.scope import (
    GRANTABLE_BY,
    Principal,
    grant_place_allowed,
    visible_grants_clause,
)
from server.auth.service import grant_role
from server.console.service import grant_views
from server.errors import AppError, conflict, forbidden, invalid, not_found
from server.extensions import db
from server.members.models import Community, EmployerUnit, Grid, Member, Street
from server.pagination import paginate

# which place each role is over (the column the grant must name)
PLACE_OF_ROLE = {
    Role.STREET_ADMIN: "street_id",
    Role.COMMUNITY_SECRETARY: "community_id",
    Role.COMMUNITY_STAFF: "community_id",
    Role.GRID_WORKER: "grid_id",
    Role.UNIT_SECRETARY: "unit_id",
    Role.DISTRICT_ADMIN: "district_id",
}
PLACE_COLUMNS = ("district_id", "street_id", "community_id", "grid_id", "unit_id")


def find_person(user_id: int | None = None, phone: str | None = None) -> User:
    """The person to grant to: by user id, or by the phone of their member record (they must
    have logged in to the mini-program once)."""
    if user_id is not None:
        user = db.session.get(User, user_id)
        if user is None:
            raise AppError(404, "person_not_found", "找不到此人，请确认其已登录过小程序")
        return user
    users = list(db.session.scalars(
        sa.select(User).join(Member, Member.user_id == User.id).where(Member.phone == phone)
        .limit(2)))
    if not users:
        raise AppError(404, "person_not_found",
                       "没有使用此手机号登记的人员，请先请其在小程序中完成登记")
    if len(users) > 1:
        raise conflict("person_ambiguous", "此手机号对应多人，请从人员列表中选择")
    return users[0]


def place_of_grant(role: str, data: dict[str, Any]) -> dict[str, int | None]:
    """The grant's place columns, checked to fit the role (a grid worker's community is the
    grid's)."""
    column = PLACE_OF_ROLE[Role(role)]
    given = {c for c in PLACE_COLUMNS if data.get(c) is not None}
    if column not in given or given - {column, "community_id"} or (
            "community_id" in given and column != "community_id" and role != Role.GRID_WORKER):
        raise invalid("place_required", f"授予{ROLE_LABELS[Role(role)]}请选择且只选择对应的地点",
                      {"fields": {column: "必填"}})
    place: dict[str, int | None] = {c: None for c in PLACE_COLUMNS}
    place[column] = data[column]
    model = {"street_id": Street, "community_id": Community, "grid_id": Grid,
             "unit_id": EmployerUnit}.get(column)
    row = db.session.get(model, data[column]) if model else None
    if row is None:
        raise not_found("地点")
    if column == "grid_id":
        place["community_id"] = row.community_id
    return place


def _audit_place(place: dict[str, int | None]) -> dict[str, int | None]:
    if place.get("community_id"):
        return {"community_id": place["community_id"]}
    if place.get("street_id"):
        return {"street_id": place["street_id"]}
    if place.get("unit_id"):
        unit = db.session.get(EmployerUnit, place["unit_id"])
        return {"street_id": unit.street_id if unit else None}
    return {}


def _check_may_grant(principal: Principal, role: str, place: dict[str, int | None]) -> None:
    mine = {str(g.role) for g in principal.grants}
    if not any(role in GRANTABLE_BY.get(r, ()) for r in mine):
        raise forbidden(f"您不能授予{ROLE_LABELS[Role(role)]}角色")
    if not grant_place_allowed(principal, role, **{k: v for k, v in place.items()
                                                     if k != "grid_id"}):
        raise not_found("地点")


def grant(principal: Principal, data: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Grant a role over a place to a person; granting what they already hold changes nothing."""
    role = data["role"]
    place = place_of_grant(role, data)
    _check_may_grant(principal, role, place)
    person = find_person(data.get("user_id"), data.get("phone"))
    existing = db.session.scalar(sa.select(RoleGrant).filter_by(
        user_id=person.id, role=role, **place))
    if existing is not None:
        return _views([existing])[0], False
    row = grant_role(person, role, **place)
    row.granted_by_user_id = principal.user_id
    db.session.flush()
    audit(principal.user_id, "role.grant", "role_grant", row.id, **_audit_place(place),
          after={"role": role, "user_id": person.id, **{k: v for k, v in place.items() if v}})
    return _views([row])[0], True


def revoke(principal: Principal, grant_id: int) -> None:
    row = db.session.get(RoleGrant, grant_id)
    if row is None:
        raise not_found("角色")
    place = {c: getattr(row, c) for c in PLACE_COLUMNS}
    visible = db.session.scalar(sa.select(RoleGrant.id).where(
        RoleGrant.id == grant_id, visible_grants_clause(principal)))
    if visible is None:
        raise not_found("角色")
    _check_may_grant(principal, row.role, place)
    if row.user_id == principal.user_id:
        raise forbidden("不能撤销自己的角色，请联系上级管理员")
    snapshot = {"role": row.role, "user_id": row.user_id, **{k: v for k, v in place.items() if v}}
    db.session.delete(row)
    audit(principal.user_id, "role.revoke", "role_grant", grant_id, **_audit_place(place),
          before=snapshot)


def grants_page(
    principal: Principal, pagination: PaginationParameters, **filters: Any
) -> list[dict[str, Any]]:
    """The grants in the caller's scope, with who holds them and who granted them."""
    statement = sa.select(RoleGrant).where(visible_grants_clause(principal))
    for name, value in filters.items():
        if value is not None:
            statement = statement.where(getattr(RoleGrant, name) == value)
    rows = paginate(statement.order_by(RoleGrant.id), pagination)
    return _views(rows)


def _views(rows: list[RoleGrant]) -> list[dict[str, Any]]:
    user_ids = {r.user_id for r in rows} | {r.granted_by_user_id for r in rows
                                            if r.granted_by_user_id}
    people: dict[int, dict[str, Any]] = {}
    if user_ids:
        for user, name, phone in db.session.execute(
            sa.select(User, Member.name, Member.phone)
            .outerjoin(Member, Member.user_id == User.id).where(User.id.in_(user_ids))
        ):
            people[user.id] = {"id": user.id, "display_name": user.display_name,
                               "name": name, "phone": phone or ""}
    views = grant_views(rows)
    for view, row in zip(views, rows, strict=True):
        view["user"] = people.get(row.user_id)
        view["granted_by"] = people.get(row.granted_by_user_id) if row.granted_by_user_id \
            else None
    return views
