"""Building heads (楼栋长) and the public pledge board (亮身份、亮职责、亮承诺)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from server.audit import service as audit
from server.auth.scope import COMMUNITY_MANAGERS, Principal, require_community
from server.database import lock_row
from server.errors import invalid, not_found
from server.extensions import db
from server.masking import mask_name
from server.members.models import Building, Member
from server.pledges.models import BuildingHead, Pledge, PledgeStatus
from server.pledges.registered import current_year
from server.timeutil import utcnow


def _managed_building(principal: Principal, building_id: int) -> Building:
    building = db.session.get(Building, building_id)
    if building is None or building.community_id not in principal.community_ids(COMMUNITY_MANAGERS):
        raise not_found("楼栋")
    return building


def _active_pledge(member_id: int, building_id: int, year: int) -> Pledge | None:
    return db.session.scalar(
        sa.select(Pledge).filter_by(
            member_id=member_id, building_id=building_id, year=year, status=PledgeStatus.ACTIVE
        )
    )


def list_heads(principal: Principal, community_id: int) -> list[BuildingHead]:
    """The community's building heads, by building (staff of the community; else 404)."""
    require_community(principal, community_id, COMMUNITY_MANAGERS)
    return list(db.session.scalars(
        sa.select(BuildingHead).filter_by(community_id=community_id)
        .order_by(BuildingHead.building_id)
        .options(selectinload(BuildingHead.member))
    ))


def appoint_head(principal: Principal, building_id: int, member_id: int) -> BuildingHead:
    building = _managed_building(principal, building_id)
    lock_row(Building, building_id)
    if _active_pledge(member_id, building_id, current_year()) is None:
        raise invalid(
            "head_must_pledge",
            "楼栋长须从本年度为该楼栋签署承诺的党员中选任",
            {"fields": {"member_id": "未为该楼栋签署本年度承诺"}},
        )
    head = db.session.scalar(sa.select(BuildingHead).filter_by(building_id=building_id))
    if head is not None and head.member_id == member_id:
        return head
    before = {"member_id": head.member_id} if head else None
    if head is None:
        head = BuildingHead(building_id=building_id, community_id=building.community_id)
        db.session.add(head)
    head.member_id = member_id
    head.appointed_by_user_id = principal.user_id
    head.appointed_at = utcnow()
    db.session.flush()
    audit.record(
        principal.user_id,
        "building_head.appoint",
        "building",
        building_id,
        community_id=building.community_id,
        before=before,
        after={"member_id": member_id},
    )
    return head


def remove_head(principal: Principal, building_id: int) -> None:
    building = _managed_building(principal, building_id)
    head = db.session.scalar(sa.select(BuildingHead).filter_by(building_id=building_id))
    if head is None:
        return
    audit.record(
        principal.user_id,
        "building_head.remove",
        "building",
        building_id,
        community_id=building.community_id,
        before={"member_id": head.member_id},
    )
    db.session.delete(head)
    db.session.flush()


def public_board(principal: Principal, building_id: int) -> dict[str, Any]:
    """亮身份、亮职责、亮承诺: masked names, items and own words, the head. No phone, no room.
    Public: any logged-in caller."""
    building = db.session.get(Building, building_id)
    if building is None:
        raise not_found("楼栋")
    year = current_year()
    head = db.session.scalar(sa.select(BuildingHead).filter_by(building_id=building_id))
    rows = db.session.execute(
        sa.select(Pledge, Member)
        .join(Member, Member.id == Pledge.member_id)
        .where(
            Pledge.building_id == building_id,
            Pledge.year == year,
            Pledge.status == PledgeStatus.ACTIVE,
            Member.hide_from_public_boards.is_(False),
        )
        .order_by(Pledge.signed_at, Pledge.id)
    ).all()
    head_member = head.member if head else None
    return {
        "building": {
            "id": building.id,
            "name": building.name,
            "community_id": building.community_id,
        },
        "year": year,
        "head": {"name": mask_name(head_member.name)}
        if head_member and not head_member.hide_from_public_boards
        else None,
        "members": [
            {
                "name": mask_name(member.name),
                "is_head": head is not None and head.member_id == member.id,
                "items": pledge.items,
                "own_words": pledge.own_words,
                "signed_at": pledge.signed_at,
            }
            for pledge, member in rows
        ],
    }
