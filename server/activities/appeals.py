"""Appeals (申诉): a member disputes their record of an activity; staff resolve them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_smorest.pagination import PaginationParameters
from sqlalchemy.orm import selectinload

from server import events
from server.activities.models import Appeal, AppealStatus, HoursRecord, SignUp
from server.activities.records import approved_record
from server.audit import service as audit
from server.auth.scope import (
    Principal,
    require_community,
    require_community_row,
    require_member,
    visible_activity,
)
from server.errors import conflict, not_found
from server.extensions import db
from server.pagination import filtered, paginate
from server.timeutil import utcnow

_SHOWN = (selectinload(Appeal.activity), selectinload(Appeal.member))


def file_appeal(principal: Principal, activity_id: int, reason: str) -> Appeal:
    """A member disputes their record of an activity they signed up to or attended."""
    member = require_member(principal)
    activity = visible_activity(principal, activity_id)
    involved = db.session.scalar(
        sa.select(SignUp.id).filter_by(activity_id=activity.id, member_id=member.id)
    ) or db.session.scalar(
        sa.select(HoursRecord.id).filter_by(activity_id=activity.id, member_id=member.id)
    )
    if not involved:
        raise not_found("活动记录")
    existing = db.session.scalar(
        sa.select(Appeal).filter_by(
            activity_id=activity.id, member_id=member.id, status=AppealStatus.OPEN.value
        )
    )
    if existing is not None:
        return existing
    current = approved_record(activity.id, member.id)
    appeal = Appeal(
        member_id=member.id,
        activity_id=activity.id,
        community_id=activity.community_id,
        hours_record_id=current.id if current else None,
        reason=reason,
        status=AppealStatus.OPEN.value,
    )
    db.session.add(appeal)
    db.session.flush()
    appeal.activity = activity
    events.appeal_filed.send(appeal)
    return appeal


def resolve_appeal(principal: Principal, appeal_id: int, outcome: str, reason: str) -> Appeal:
    """Staff uphold or dismiss an appeal, with a reason."""
    appeal = require_community_row(principal, Appeal, appeal_id, "申诉")
    actor_user_id = principal.user_id
    if appeal.status == outcome:
        return appeal
    if appeal.status != AppealStatus.OPEN:
        raise conflict("appeal_resolved", "该申诉已处理，请刷新后查看")
    before = {"status": appeal.status}
    appeal.status = outcome
    appeal.resolution = reason
    appeal.resolved_by_user_id = actor_user_id
    appeal.resolved_at = utcnow()
    db.session.flush()
    audit.record(
        actor_user_id,
        "appeal.resolve",
        "appeal",
        appeal.id,
        community_id=appeal.community_id,
        before=before,
        after={"status": appeal.status, "resolution": reason},
        reason=reason,
    )
    return appeal


def my_appeals(principal: Principal, pages: PaginationParameters) -> list[Appeal]:
    member = require_member(principal)
    statement = sa.select(Appeal).filter_by(member_id=member.id).order_by(Appeal.id.desc())
    return paginate(statement.options(*_SHOWN), pages)


def community_appeals(
    principal: Principal, community_id: int, query: dict[str, Any], pages: PaginationParameters
) -> list[Appeal]:
    require_community(principal, community_id)
    statement = filtered(sa.select(Appeal).filter_by(community_id=community_id), query, "status")
    return paginate(statement.order_by(Appeal.id.desc()).options(*_SHOWN), pages)
