"""Responsibility areas (责任区): buildings staff assign to members besides their own."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from server.audit import service as audit
from server.auth.scope import COMMUNITY_MANAGERS, Principal, require_community
from server.database import lock_row
from server.errors import invalid, not_found
from server.extensions import db
from server.members.models import Building, Member
from server.pledges.models import ResponsibilityArea
from server.pledges.registered import approved_members_clause, require_registered_member


def assign_area(
    principal: Principal, community_id: int, member_id: int, building_id: int
) -> tuple[ResponsibilityArea, bool]:
    require_community(principal, community_id)
    building = db.session.get(Building, building_id)
    if building is None or building.community_id != community_id:
        raise invalid(
            "building_not_in_community",
            "所选楼栋不属于该社区",
            {"fields": {"building_id": "不属于该社区"}},
        )
    member = db.session.scalar(
        sa.select(Member).where(Member.id == member_id, approved_members_clause(community_id))
    )
    if member is None:
        raise invalid(
            "member_not_in_community",
            "该党员未在本社区报到",
            {"fields": {"member_id": "未在本社区报到"}},
        )
    lock_row(Member, member_id)
    existing = db.session.scalar(
        sa.select(ResponsibilityArea).filter_by(member_id=member_id, building_id=building_id)
    )
    if existing is not None:
        return existing, False
    area = ResponsibilityArea(
        community_id=community_id,
        building_id=building_id,
        member_id=member_id,
        assigned_by_user_id=principal.user_id,
    )
    db.session.add(area)
    db.session.flush()
    audit.record(
        principal.user_id,
        "responsibility_area.assign",
        "responsibility_area",
        area.id,
        community_id=community_id,
        after={"member_id": member_id, "building_id": building_id},
    )
    return area, True


def remove_area(principal: Principal, area_id: int) -> None:
    area = db.session.get(ResponsibilityArea, area_id)
    if area is None or area.community_id not in principal.community_ids(COMMUNITY_MANAGERS):
        raise not_found("责任区")
    audit.record(
        principal.user_id,
        "responsibility_area.remove",
        "responsibility_area",
        area.id,
        community_id=area.community_id,
        before={"member_id": area.member_id, "building_id": area.building_id},
    )
    db.session.delete(area)
    db.session.flush()


def list_areas(principal: Principal, community_id: int) -> list[ResponsibilityArea]:
    require_community(principal, community_id)
    return list(
        db.session.scalars(
            sa.select(ResponsibilityArea)
            .filter_by(community_id=community_id)
            .order_by(ResponsibilityArea.id)
            .options(selectinload(ResponsibilityArea.member),
                     selectinload(ResponsibilityArea.building))
        )
    )


def pledge_buildings(principal: Principal) -> list[Building]:
    """The buildings the calling member may pledge for (a registered member only)."""
    return my_buildings(require_registered_member(principal))


def my_buildings(member: Member) -> list[Building]:
    """The buildings a member may pledge for: their own and their responsibility areas."""
    ids = [member.building_id] if member.building_id else []
    ids += list(
        db.session.scalars(
            sa.select(ResponsibilityArea.building_id).where(
                ResponsibilityArea.member_id == member.id,
                ResponsibilityArea.community_id == member.community_id,
            )
        )
    )
    buildings = db.session.scalars(sa.select(Building).where(Building.id.in_(ids)))
    return sorted(buildings, key=lambda b: ids.index(b.id))
