"""Pledge templates (承诺书) a community offers its members, one set of items per year."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from server.audit import service as audit
from server.auth.scope import (
    COMMUNITY_MANAGERS,
    Principal,
    require_community,
    require_community_reader,
)
from server.database import lock_row
from server.errors import conflict, not_found
from server.extensions import db
from server.members.models import Community
from server.pledges.models import STANDARD_ITEMS, PledgeTemplate


def clean_items(items: list[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        item = item.strip()
        if item and item not in seen:
            seen.append(item)
    return seen


def create_template(
    principal: Principal, community_id: int, data: dict[str, Any]
) -> tuple[PledgeTemplate, bool]:
    """A community's pledge template for a year; the same title and year again returns it."""
    require_community(principal, community_id)
    lock_row(Community, community_id)
    existing = db.session.scalar(
        sa.select(PledgeTemplate).filter_by(
            community_id=community_id, year=data["year"], title=data["title"]
        )
    )
    items = clean_items(data.get("items") or STANDARD_ITEMS)
    if existing is not None:
        if existing.items != items:
            raise conflict(
                "template_exists",
                "该年度已有同名承诺书，如需修改事项请编辑原承诺书",
                {"template_id": existing.id},
            )
        return existing, False
    template = PledgeTemplate(
        community_id=community_id,
        year=data["year"],
        title=data["title"],
        items=items,
        created_by_user_id=principal.user_id,
    )
    db.session.add(template)
    db.session.flush()
    audit.record(
        principal.user_id,
        "pledge_template.create",
        "pledge_template",
        template.id,
        community_id=community_id,
        after={"year": template.year, "title": template.title, "items": items},
    )
    return template, True


def update_template(principal: Principal, template_id: int, data: dict[str, Any]) -> PledgeTemplate:
    template = db.session.get(PledgeTemplate, template_id)
    if template is None or template.community_id not in principal.community_ids(COMMUNITY_MANAGERS):
        raise not_found("承诺书")
    before = {"title": template.title, "items": list(template.items)}
    if "title" in data:
        template.title = data["title"]
    if "items" in data:
        template.items = clean_items(data["items"])
    audit.record(
        principal.user_id,
        "pledge_template.update",
        "pledge_template",
        template.id,
        community_id=template.community_id,
        before=before,
        after={"title": template.title, "items": list(template.items)},
    )
    db.session.flush()
    return template


def list_templates(principal: Principal, community_id: int, year: int | None) -> list:
    require_community_reader(principal, community_id)
    statement = sa.select(PledgeTemplate).filter_by(community_id=community_id)
    if year is not None:
        statement = statement.filter_by(year=year)
    return list(
        db.session.scalars(statement.order_by(PledgeTemplate.year.desc(), PledgeTemplate.id))
    )
