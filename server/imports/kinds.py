"""The three kinds of import file: their columns, templates, scope and row checks.

Each row is checked against its natural key (building name in the community, unit name, phone
in the unit's roster) and planned as a create, an update or unchanged; nothing is written here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from server.auth.scope import (
    Principal,
    require_admin_street,
    require_place_community,
    roster_unit_ids,
)
from server.errors import invalid, not_found
from server.extensions import db
from server.imports import xlsx
from server.imports.models import RosterEntry
from server.members.models import (
    MEMBER_TYPE_LABELS,
    Building,
    Community,
    EmployerUnit,
    Grid,
    Street,
)

MAX_STORED_ERRORS = 1000
PHONE = re.compile(r"^1\d{10}$")


class RowErrors:
    """Errors of the rows being checked: (row, column, message in Chinese)."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, row: int, column: str, message: str) -> None:
        self.items.append({"row": row, "column": column, "message": message})


@dataclass
class Plan:
    """What applying the rows would do: rows to create, rows to change, rows already so."""

    creates: list[dict[str, Any]]
    updates: list[tuple[Any, dict[str, Any]]]
    unchanged: int

    def counts(self) -> dict[str, int]:
        return {"create": len(self.creates), "update": len(self.updates),
                "unchanged": self.unchanged}


def _plan(keyed: list[tuple[Any, dict[str, Any], dict[str, Any]]]) -> Plan:
    """keyed: (existing row or None, values to create with, values that must match)."""
    plan = Plan([], [], 0)
    for existing, create_values, compare in keyed:
        if existing is None:
            plan.creates.append(create_values)
        elif any(getattr(existing, k) != v for k, v in compare.items()):
            plan.updates.append((existing, compare))
        else:
            plan.unchanged += 1
    return plan


def _name(errors: RowErrors, row: int, column: str, value: str, limit: int,
          seen: dict[str, int]) -> str | None:
    if not value:
        errors.add(row, column, "必填")
    elif len(value) > limit:
        errors.add(row, column, f"不能超过 {limit} 个字")
    elif value in seen:
        errors.add(row, column, f"与第 {seen[value]} 行重复")
    else:
        seen[value] = row
        return value
    return None


# ---- buildings of a community ----------------------------------------------------------------

BUILDING_HEADERS = ["楼栋名称", "所属网格", "纬度", "经度"]


def _coordinate(errors: RowErrors, row: int, column: str, value: Any, low: float,
                high: float) -> float | None:
    text = xlsx.cell_text(value)
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        errors.add(row, column, "应为数字（GCJ-02 坐标，如 39.9087）")
        return None
    if not low <= number <= high:
        errors.add(row, column, f"应在 {low} 到 {high} 之间（中国境内的 GCJ-02 坐标）")
        return None
    return number


def _check_buildings(rows, place: dict[str, Any], errors: RowErrors) -> Plan:
    community_id = place["community_id"]
    grids = {g.name: g.id for g in db.session.scalars(sa.select(Grid).where(
        Grid.community_id == community_id, Grid.archived_at.is_(None)))}
    existing = {b.name: b for b in db.session.scalars(
        sa.select(Building).where(Building.community_id == community_id))}
    seen: dict[str, int] = {}
    keyed = []
    for number, cells in rows:
        before = len(errors.items)
        name = _name(errors, number, "楼栋名称", xlsx.cell_text(cells[0]), 100, seen)
        grid_name = xlsx.cell_text(cells[1])
        if not grid_name:
            errors.add(number, "所属网格", "必填")
        elif grid_name not in grids:
            errors.add(number, "所属网格",
                       f"本社区没有「{grid_name}」，请先添加网格或从下拉列表选择")
        lat = _coordinate(errors, number, "纬度", cells[2], 3.0, 54.0)
        lng = _coordinate(errors, number, "经度", cells[3], 73.0, 136.0)
        if (xlsx.cell_text(cells[2]) == "") != (xlsx.cell_text(cells[3]) == ""):
            errors.add(number, "经度" if lat is not None else "纬度", "纬度和经度需同时填写")
        if len(errors.items) > before:
            continue
        compare: dict[str, Any] = {"grid_id": grids[grid_name]}
        if lat is not None:  # a blank point keeps the one set in the console
            compare |= {"latitude": lat, "longitude": lng}
        keyed.append((existing.get(name), {"community_id": community_id, "name": name, **compare},
                      compare))
    return _plan(keyed)


def _buildings_template(place: dict[str, Any]):
    grids = list(db.session.scalars(sa.select(Grid.name).where(
        Grid.community_id == place["community_id"], Grid.archived_at.is_(None))
        .order_by(Grid.id)))
    return xlsx.template(
        "楼栋", BUILDING_HEADERS, ["1号楼", grids[0] if grids else "第1网格", 39.9087, 116.3975],
        {1: grids},
        "每行一栋楼。楼栋名称在本社区内唯一；已存在的楼栋按名称更新所属网格和坐标。\n"
        "所属网格：从下拉列表选择（先在「网格」中添加网格）。\n"
        "纬度、经度：GCJ-02 坐标（腾讯地图、高德地图的坐标），可不填；填写则两个都填。\n"
        f"以「{xlsx.EXAMPLE_MARK}」开头的示例行不会导入，可以保留或删除。")


def _buildings_scope(principal: Principal, params: dict[str, Any]) -> dict[str, Any]:
    if not params.get("community_id"):
        raise invalid("place_required", "请选择要导入楼栋的社区",
                      {"fields": {"community_id": "必填"}})
    community = require_place_community(principal, params["community_id"])
    return {"community_id": community.id, "street_id": None, "unit_id": None,
            "audit": {"community_id": community.id}}


# ---- employer units of a street --------------------------------------------------------------

UNIT_HEADERS = ["单位名称", "党组织名称"]


def _check_units(rows, place: dict[str, Any], errors: RowErrors) -> Plan:
    names = [xlsx.cell_text(cells[0]) for _n, cells in rows]
    existing = {u.name: u for u in db.session.scalars(
        sa.select(EmployerUnit).where(EmployerUnit.name.in_(set(names) - {""})))}
    seen: dict[str, int] = {}
    keyed = []
    for number, cells in rows:
        before = len(errors.items)
        name = _name(errors, number, "单位名称", xlsx.cell_text(cells[0]), 100, seen)
        org_name = xlsx.cell_text(cells[1])
        if len(org_name) > 100:
            errors.add(number, "党组织名称", "不能超过 100 个字")
        current = existing.get(name) if name else None
        if current is not None and current.street_id not in (None, place["street_id"]):
            errors.add(number, "单位名称", "该单位已由其他街道登记，请联系该街道")
        if len(errors.items) > before:
            continue
        compare: dict[str, Any] = {"street_id": place["street_id"]}
        if org_name:
            compare["party_org_name"] = org_name
        keyed.append((current, {"name": name, **compare}, compare))
    return _plan(keyed)


def _units_template(place: dict[str, Any]):
    return xlsx.template(
        "单位", UNIT_HEADERS, ["市财政局", "市财政局机关党委"], {},
        "每行一个单位。单位名称全市唯一；已存在的单位按名称更新党组织名称。\n"
        f"以「{xlsx.EXAMPLE_MARK}」开头的示例行不会导入，可以保留或删除。")


def _units_scope(principal: Principal, params: dict[str, Any]) -> dict[str, Any]:
    if not params.get("street_id"):
        raise invalid("place_required", "请选择街道", {"fields": {"street_id": "必填"}})
    street = require_admin_street(principal, params["street_id"])
    return {"community_id": None, "street_id": street.id, "unit_id": None,
            "audit": {"street_id": street.id}}


# ---- a unit's roster of in-service members ---------------------------------------------------

ROSTER_HEADERS = ["姓名", "手机号", "工作单位", "党员类型", "居住社区"]
TYPE_BY_LABEL = {label: str(code) for code, label in MEMBER_TYPE_LABELS.items()}


def _communities_by_name() -> dict[str, list[int]]:
    """Community names as a person writes them: 社区名, and 街道/社区名 where names repeat."""
    names: dict[str, list[int]] = {}
    for community_id, name, street in db.session.execute(
        sa.select(Community.id, Community.name, Street.name)
        .join(Street, Street.id == Community.street_id)
        .where(Community.archived_at.is_(None))
    ):
        names.setdefault(name, []).append(community_id)
        names.setdefault(f"{street}/{name}", []).append(community_id)
    return names


def _check_roster(rows, place: dict[str, Any], errors: RowErrors) -> Plan:
    unit = db.session.get(EmployerUnit, place["unit_id"])
    communities = _communities_by_name()
    existing = {e.phone: e for e in db.session.scalars(
        sa.select(RosterEntry).where(RosterEntry.unit_id == unit.id))}
    seen: dict[str, int] = {}
    keyed = []
    for number, cells in rows:
        before = len(errors.items)
        name = xlsx.cell_text(cells[0])
        if not name:
            errors.add(number, "姓名", "必填")
        elif len(name) > 50:
            errors.add(number, "姓名", "不能超过 50 个字")
        phone = xlsx.cell_text(cells[1])
        if not PHONE.match(phone):
            errors.add(number, "手机号", "请填写 11 位手机号")
        elif phone in seen:
            errors.add(number, "手机号", f"与第 {seen[phone]} 行重复")
        else:
            seen[phone] = number
        unit_name = xlsx.cell_text(cells[2])
        if unit_name and unit_name != unit.name:
            errors.add(number, "工作单位", f"应为「{unit.name}」（本名单所属单位）")
        type_text = xlsx.cell_text(cells[3])
        member_type = TYPE_BY_LABEL.get(type_text) or (
            type_text if type_text in TYPE_BY_LABEL.values() else None)
        if member_type is None:
            errors.add(number, "党员类型", "请从下拉列表选择：" + "、".join(TYPE_BY_LABEL))
        community_text = xlsx.cell_text(cells[4])
        matches = communities.get(community_text, [])
        if not community_text:
            errors.add(number, "居住社区", "必填")
        elif not matches:
            errors.add(number, "居住社区", f"没有名为「{community_text}」的社区，请从下拉列表选择")
        elif len(matches) > 1:
            errors.add(number, "居住社区", "有多个同名社区，请写作「街道/社区」")
        if len(errors.items) > before:
            continue
        compare = {"name": name, "member_type": member_type, "community_id": matches[0]}
        keyed.append((existing.get(phone), {"unit_id": unit.id, "phone": phone, **compare},
                      compare))
    return _plan(keyed)


def _roster_template(place: dict[str, Any]):
    unit = db.session.get(EmployerUnit, place["unit_id"])
    names = sorted(n for n, ids in _communities_by_name().items() if len(ids) == 1)
    return xlsx.template(
        "在职党员名单", ROSTER_HEADERS,
        ["张三", "13800000000", unit.name, "在职党员", names[0] if names else "幸福里社区"],
        {2: [unit.name], 3: list(TYPE_BY_LABEL), 4: names},
        "每行一名党员：本单位的在职党员及其居住的社区（到社区报到的依据）。\n"
        "手机号在本单位名单内唯一；已在名单中的党员按手机号更新姓名、类型和居住社区。\n"
        "居住社区：从下拉列表选择；有同名社区时写作「街道/社区」。\n"
        f"以「{xlsx.EXAMPLE_MARK}」开头的示例行不会导入，可以保留或删除。")


def _roster_scope(principal: Principal, params: dict[str, Any]) -> dict[str, Any]:
    if not params.get("unit_id"):
        raise invalid("place_required", "请选择单位", {"fields": {"unit_id": "必填"}})
    if params["unit_id"] not in roster_unit_ids(principal):
        raise not_found("单位")
    unit = db.session.get(EmployerUnit, params["unit_id"])
    if unit is None:
        raise not_found("单位")
    return {"community_id": None, "street_id": None, "unit_id": unit.id,
            "audit": {"street_id": unit.street_id}}


# ---- the kinds, and the flow common to all ---------------------------------------------------


@dataclass(frozen=True)
class Kind:
    headers: list[str]
    model: type
    title: str
    scope: Callable[[Principal, dict[str, Any]], dict[str, Any]]
    check: Callable[..., Plan]
    template: Callable[[dict[str, Any]], Any]


KINDS = {
    "buildings": Kind(BUILDING_HEADERS, Building, "楼栋导入模板", _buildings_scope,
                      _check_buildings, _buildings_template),
    "units": Kind(UNIT_HEADERS, EmployerUnit, "单位导入模板", _units_scope, _check_units,
                  _units_template),
    "roster": Kind(ROSTER_HEADERS, RosterEntry, "在职党员名单导入模板", _roster_scope,
                   _check_roster, _roster_template),
}


def kind_named(name: str) -> Kind:
    if name not in KINDS:
        raise not_found("导入类型")
    return KINDS[name]
