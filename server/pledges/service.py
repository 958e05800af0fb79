"""Building-contract pledges (包楼栋承诺): signing, withdrawing, reading, and coverage
(which buildings have a pledged member). Templates, areas, building heads and fulfilment
notes have modules of their own; the fixed party day lives in `party_day.py`."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_smorest.pagination import PaginationParameters
from sqlalchemy.orm import selectinload

from server.audit import service as audit
from server.auth.scope import Principal, can_manage_building, staff_grid_scope
from server.database import lock_row
from server.errors import conflict, invalid, not_found
from server.extensions import db
from server.members.models import Building, Grid, Member
from server.pagination import paginate
from server.pledges import images
from server.pledges.areas import my_buildings
from server.pledges.models import BuildingHead, Pledge, PledgeStatus, PledgeTemplate
from server.pledges.registered import (
    approved_members_clause,
    current_year,
    require_registered_member,
)
from server.pledges.templates import clean_items
from server.timeutil import utcnow


def sign_pledge(principal: Principal, data: dict[str, Any]) -> tuple[Pledge, bool]:
    """Sign (or re-sign after withdrawing) this year's pledge for a building.

    Returns (pledge, created). The same signature again returns the pledge unchanged."""
    member = require_registered_member(principal)
    template = db.session.get(PledgeTemplate, data["template_id"])
    if template is None or template.community_id != member.community_id:
        raise not_found("承诺书")
    year = current_year()
    if template.year != year:
        raise invalid(
            "template_not_current",
            f"请使用{year}年度的承诺书签署",
            {"fields": {"template_id": "不是本年度的承诺书"}},
        )
    building_id = data.get("building_id") or member.building_id
    if building_id not in {b.id for b in my_buildings(member)}:
        raise invalid(
            "building_not_assigned",
            "只能为自己居住的楼栋或社区分配的责任区楼栋签署承诺",
            {"fields": {"building_id": "不是您的楼栋或责任区"}},
        )
    items = clean_items(data["items"])
    unknown = [item for item in items if item not in template.items]
    if unknown or not items:
        raise invalid(
            "pledge_items_invalid",
            "请从承诺书的事项中选择承诺内容",
            {
                "fields": {"items": "包含承诺书以外的事项" if unknown else "至少选择一项"},
                "unknown": unknown,
            },
        )
    items = [item for item in template.items if item in items]
    own_words = data.get("own_words", "").strip()
    signature = images.accept_image(
        data["signature_png_base64"], images.signature_limits(), "signature_png_base64"
    )

    lock_row(Member, member.id)
    pledge = db.session.scalar(
        sa.select(Pledge).filter_by(member_id=member.id, building_id=building_id, year=year)
    )
    content = (template.id, items, own_words, signature)
    if pledge is not None and pledge.status == PledgeStatus.ACTIVE:
        if (pledge.template_id, pledge.items, pledge.own_words, pledge.signature_sha256) == content:
            return pledge, False
        raise conflict(
            "pledge_already_signed",
            "您今年已为该楼栋签署承诺；如需修改，请先撤回后重新签署",
            {"pledge_id": pledge.id},
        )
    if pledge is None:
        pledge = Pledge(member_id=member.id, building_id=building_id, year=year)
        db.session.add(pledge)
    pledge.community_id = member.community_id
    pledge.template_id, pledge.items, pledge.own_words, pledge.signature_sha256 = content
    pledge.status = PledgeStatus.ACTIVE
    pledge.signed_at = utcnow()
    pledge.withdrawn_at = None
    db.session.flush()
    return pledge, True


def withdraw_pledge(principal: Principal, pledge_id: int) -> Pledge:
    pledge = db.session.get(Pledge, pledge_id)
    if pledge is None or principal.member_id != pledge.member_id:
        raise not_found("承诺")
    if pledge.status == PledgeStatus.WITHDRAWN:
        return pledge
    pledge.status = PledgeStatus.WITHDRAWN
    pledge.withdrawn_at = utcnow()
    head = db.session.scalar(
        sa.select(BuildingHead).filter_by(
            building_id=pledge.building_id, member_id=pledge.member_id
        )
    )
    if head is not None:  # a building head is one of the building's pledged members
        audit.record(
            principal.user_id,
            "building_head.end_by_withdrawal",
            "building_head",
            head.id,
            community_id=head.community_id,
            before={"member_id": head.member_id},
        )
        db.session.delete(head)
    db.session.flush()
    return pledge


# what StaffPledgeSchema shows beside the row, loaded for a whole page at once
_PLEDGE_SHOWN = (selectinload(Pledge.member), selectinload(Pledge.building))


def my_pledges(principal: Principal) -> list[Pledge]:
    if principal.member is None:
        return []
    return list(
        db.session.scalars(
            sa.select(Pledge)
            .filter_by(member_id=principal.member.id)
            .order_by(Pledge.year.desc(), Pledge.id.desc())
            .options(selectinload(Pledge.building))
        )
    )


def get_pledge(principal: Principal, pledge_id: int) -> Pledge:
    """The owner, and staff looking after the building, may read a pledge."""
    pledge = db.session.get(Pledge, pledge_id)
    if pledge is None or not (
        principal.member_id == pledge.member_id or can_manage_building(principal, pledge.building)
    ):
        raise not_found("承诺")
    return pledge


def community_pledges(
    principal: Principal, community_id: int, query: dict[str, Any], pages: PaginationParameters
) -> list[Pledge]:
    """Pledges in the community (a grid worker: their grids), for staff."""
    year, building_id, status = query.get("year"), query.get("building_id"), query.get("status")
    grids = staff_grid_scope(principal, community_id)
    statement = sa.select(Pledge).where(
        Pledge.community_id == community_id, Pledge.year == (year or current_year())
    )
    if grids is not None:
        statement = statement.where(
            Pledge.building_id.in_(sa.select(Building.id).where(Building.grid_id.in_(grids)))
        )
    if building_id is not None:
        statement = statement.where(Pledge.building_id == building_id)
    if status is not None:
        statement = statement.where(Pledge.status == status)
    statement = statement.order_by(Pledge.building_id, Pledge.id).options(*_PLEDGE_SHOWN)
    return paginate(statement, pages)


def signature_of(principal: Principal, pledge_id: int):
    pledge = get_pledge(principal, pledge_id)
    return images.image_bytes(pledge.signature_sha256)


# --- coverage -----------------------------------------------------------------------------


def coverage(principal: Principal, community_id: int, year: int | None) -> dict[str, Any]:
    """Per grid and for the community: buildings with ≥1 pledged member, the ones with none,
    and members reported (报到) but not pledged."""
    grids_in_scope = staff_grid_scope(principal, community_id)
    year = year or current_year()
    grid_statement = sa.select(Grid).filter_by(community_id=community_id).order_by(Grid.id)
    if grids_in_scope is not None:
        grid_statement = grid_statement.where(Grid.id.in_(grids_in_scope))
    grids = list(db.session.scalars(grid_statement))
    grid_ids = [g.id for g in grids]
    buildings = list(
        db.session.scalars(
            sa.select(Building).where(Building.grid_id.in_(grid_ids)).order_by(Building.id)
        )
    )
    pledged_counts = dict(
        db.session.execute(
            sa.select(Pledge.building_id, sa.func.count(sa.distinct(Pledge.member_id)))
            .where(
                Pledge.community_id == community_id,
                Pledge.year == year,
                Pledge.status == PledgeStatus.ACTIVE,
            )
            .group_by(Pledge.building_id)
        ).all()
    )

    def summary(blds: list[Building]) -> dict[str, Any]:
        uncovered = [b for b in blds if not pledged_counts.get(b.id)]
        return {
            "buildings_total": len(blds),
            "buildings_covered": len(blds) - len(uncovered),
            "uncovered_buildings": [{"id": b.id, "name": b.name} for b in uncovered],
        }

    pledged_members = sa.select(Pledge.member_id).where(
        Pledge.year == year, Pledge.status == PledgeStatus.ACTIVE
    )
    not_pledged = db.session.execute(
        sa.select(Member, Building)
        .join(Building, Building.id == Member.building_id)
        .where(
            approved_members_clause(community_id),
            Member.community_id == community_id,
            Building.grid_id.in_(grid_ids),
            Member.id.not_in(pledged_members),
        )
        .order_by(Member.id)
    ).all()
    return {
        "community_id": community_id,
        "year": year,
        **summary(buildings),
        "grids": [
            {
                "grid_id": g.id,
                "grid_name": g.name,
                **summary([b for b in buildings if b.grid_id == g.id]),
            }
            for g in grids
        ],
        "members_not_pledged": [
            {
                "id": m.id,
                "name": m.name,
                "member_type": m.member_type,
                "building_id": b.id,
                "building_name": b.name,
                "grid_id": b.grid_id,
            }
            for m, b in not_pledged
        ],
    }
