"""Demo data: a district, a street, 2 communities, grids, 40 buildings, 3 units, 200 members.

Idempotent: every row is found by its natural key before it is created. Areas add their
own demo data in `server/<area>/demo.py` with `seed(log)`, run after this one.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa

from server.areas import area_modules
from server.auth.models import Role, User
from server.auth.service import grant_role
from server.extensions import db
from server.members.models import (
    Building,
    Community,
    District,
    EmployerUnit,
    Grid,
    Member,
    MemberType,
    Registration,
    RegistrationStatus,
    Street,
)
from server.timeutil import utcnow
from server.wechat.standin import demo_openid

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅志强海燕"
UNITS = [
    ("市财政局", "市财政局机关党委"),
    ("市第一人民医院", "市第一人民医院党委"),
    ("区教育局", "区教育局机关党支部"),
]
COMMUNITIES = [("幸福里社区", "和平路 88 号"), ("光明社区", "光明大道 16 号")]
GRIDS_PER_COMMUNITY = 3
BUILDINGS_PER_COMMUNITY = 20
MEMBER_TYPES = (
    [MemberType.IN_SERVICE] * 120
    + [MemberType.DIRECT] * 40
    + [MemberType.RETIRED] * 30
    + [MemberType.FLOATING] * 10
)
Log = Callable[[str], None]


def _get_or_create(model, defaults: dict | None = None, **key):
    row = db.session.scalar(sa.select(model).filter_by(**key))
    if row is None:
        row = model(**key, **(defaults or {}))
        db.session.add(row)
        db.session.flush()
    return row


def demo_user(login_name: str, display_name: str) -> User:
    return _get_or_create(User, {"display_name": display_name}, openid=demo_openid(login_name))


def _type_ranges() -> str:
    """"001–120 在职党员，…": which demo logins are which kind of member."""
    labels = {MemberType.IN_SERVICE: "在职党员", MemberType.DIRECT: "直管党员",
              MemberType.RETIRED: "离退休党员", MemberType.FLOATING: "流动党员"}
    parts, start = [], 1
    for index, member_type in enumerate(MEMBER_TYPES, start=1):
        last = index == len(MEMBER_TYPES) or MEMBER_TYPES[index] != member_type
        if last:
            parts.append(f"{start:03d}–{index:03d} {labels[member_type]}")
            start = index + 1
    return "，".join(parts)


def seed(log: Log = print) -> dict[str, str]:
    """Build the demo; return {login name: what it is} for the printed list of codes."""
    rng = random.Random(20261123)
    logins: dict[str, str] = {}
    district = _get_or_create(District, name="和平区")
    street = _get_or_create(Street, {"district_id": district.id}, name="和平街道")
    units = [
        _get_or_create(EmployerUnit, {"party_org_name": org, "street_id": street.id}, name=name)
        for name, org in UNITS
    ]
    # a demo database made before districts existed gets them too
    street.district_id = street.district_id or district.id
    for unit in units:
        unit.street_id = unit.street_id or street.id
    communities, buildings_by_community = [], {}
    for c_index, (name, address) in enumerate(COMMUNITIES, start=1):
        community = _get_or_create(Community, {"address": address}, street_id=street.id, name=name)
        communities.append(community)
        grids = [
            _get_or_create(Grid, {"households": 300}, community_id=community.id, name=f"第{g}网格")
            for g in range(1, GRIDS_PER_COMMUNITY + 1)
        ]
        buildings = [
            _get_or_create(
                Building,
                {"grid_id": grids[(b - 1) * GRIDS_PER_COMMUNITY // BUILDINGS_PER_COMMUNITY].id},
                community_id=community.id,
                name=f"{b}号楼",
            )
            for b in range(1, BUILDINGS_PER_COMMUNITY + 1)
        ]
        buildings_by_community[community.id] = buildings
        log(f"社区 {name}: {len(grids)} 个网格, {len(buildings)} 栋楼")

        staff = demo_user(f"staff{c_index}", f"{name}社工")
        grant_role(staff, Role.COMMUNITY_STAFF, community_id=community.id)
        logins[f"staff{c_index}"] = (
            f"{name}（社区 id {community.id}）社区工作者：先试 现场签到码 "
            "GET /api/v1/activities/<id>/onsite-code、广播通知 POST /api/v1/communities/"
            f"{community.id}/notices、待审报到 GET /api/v1/registrations?status=submitted")
        secretary = demo_user(f"secretary{c_index}", f"{name}书记")
        grant_role(secretary, Role.COMMUNITY_SECRETARY, community_id=community.id)
        logins[f"secretary{c_index}"] = (
            f"{name} 社区党组织书记：先试 先锋榜 GET /api/v1/points/leaderboards?scope="
            f"community&scope_id={community.id}、审批时长更正")
        grid_worker = demo_user(f"grid{c_index}", f"{name}网格员")
        grant_role(grid_worker, Role.GRID_WORKER, community_id=community.id, grid_id=grids[0].id)
        logins[f"grid{c_index}"] = (
            f"{name} 第1网格 网格员：先试 本网格的报到 GET /api/v1/registrations")

    for u_index, unit in enumerate(units, start=1):
        unit_secretary = demo_user(f"unitsec{u_index}", f"{unit.name}书记")
        grant_role(unit_secretary, Role.UNIT_SECRETARY, unit_id=unit.id)
        logins[f"unitsec{u_index}"] = (
            f"{unit.name} 单位党组织书记：先试 本单位党员反馈单 GET /api/v1/points/units/"
            f"{unit.id}/feedback?period=<今年>")
    admin = demo_user("streetadmin", "和平街道党工委")
    grant_role(admin, Role.STREET_ADMIN, street_id=street.id)
    logins["streetadmin"] = (
        f"和平街道 街道管理员：先试 街道先锋榜 GET /api/v1/points/leaderboards?scope=street"
        f"&scope_id={street.id}、党员奉献日")
    district_admin = demo_user("districtadmin", "和平区委组织部")
    grant_role(district_admin, Role.DISTRICT_ADMIN, district_id=district.id)
    logins["districtadmin"] = "和平区 区委组织部管理员：先试 新建街道"

    now = utcnow()
    for index, member_type in enumerate(MEMBER_TYPES, start=1):
        login = f"member{index:03d}"
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        community = communities[index % len(communities)]
        building = rng.choice(buildings_by_community[community.id])
        room = f"{rng.randint(1, 6)}0{rng.randint(1, 4)}"
        user = demo_user(login, name)
        member = db.session.scalar(sa.select(Member).filter_by(user_id=user.id))
        if member is None:
            member = Member(
                user_id=user.id,
                name=name,
                phone=f"139{index:08d}",
                member_type=member_type.value,
                employer_unit_id=units[index % len(units)].id
                if member_type == MemberType.IN_SERVICE
                else None,
                community_id=community.id,
                building_id=building.id,
                room=room,
                privacy_version="2026-11",
                privacy_agreed_at=now,
                location_consent=index % 3 != 0,
            )
            db.session.add(member)
            db.session.flush()
            db.session.add(
                Registration(
                    member_id=member.id,
                    community_id=community.id,
                    building_id=building.id,
                    room=room,
                    status=RegistrationStatus.APPROVED,
                    submitted_at=now - timedelta(days=rng.randint(30, 400)),
                    decided_at=now - timedelta(days=rng.randint(1, 29)),
                )
            )
        if index % 50 == 0:
            log(f"党员 {index}/{len(MEMBER_TYPES)}")
            db.session.commit()
    logins["member001"] = (
        f"{communities[1 % len(communities)].name} 在职党员（已报到）：先试 GET /api/v1/activities "
        "找到“楼道环境清理”，报名后签到；GET /api/v1/points/me 看积分")
    logins["member002 … member200"] = (
        "其余 199 名已报到党员，同样可登录（编号单数在"
        f"{communities[1 % len(communities)].name}，双数在{communities[0].name}；"
        f"{_type_ranges()}）")
    logins["newcomer"] = "新用户（未报到）：先试 报到 POST /api/v1/registrations"
    db.session.commit()

    for module in area_modules("demo"):
        module.seed(log)
        db.session.commit()
    return logins
