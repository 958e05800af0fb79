"""Manual point awards (人工加减分): asked for by staff, approved by another secretary."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_smorest.pagination import PaginationParameters

from server.audit import service as audit
from server.auth.scope import (
    COMMUNITY_MANAGERS,
    SECRETARIES,
    Principal,
    get_visible_member,
    require_community,
)
from server.database import lock_row
from server.errors import conflict, forbidden, invalid, not_found
from server.extensions import db
from server.pagination import filtered, paginate
from server.points.ledger import settle_source
from server.points.models import ManualAward, ManualAwardStatus, RuleKind
from server.timeutil import local_today, utcnow


def propose_manual_award(principal: Principal, data: dict[str, Any]) -> ManualAward:
    """申请人工加减分 (community staff and secretaries), with a reason; counts once another
    secretary approves."""
    member = get_visible_member(principal, data["member_id"])
    if member.community_id not in principal.community_ids(COMMUNITY_MANAGERS):
        raise not_found("党员")
    amount, reason, user_id = data["amount"], data["reason"], principal.user_id
    if amount == 0:
        raise invalid("amount_zero", "加减分值不能为0")
    if member.community_id is None:
        raise conflict("member_not_reported", "该党员尚未到社区报到，不能加减分")
    award = ManualAward(member_id=member.id, community_id=member.community_id, amount=amount,
                        reason=reason, requested_by_user_id=user_id)
    db.session.add(award)
    db.session.flush()
    audit.record(user_id, "points.manual_award.propose", "manual_award", award.id,
          community_id=award.community_id, after={"member_id": member.id, "amount": amount},
          reason=reason)
    return award


def approve_manual_award(principal: Principal, award_id: int) -> ManualAward:
    """批准 (a community secretary who did not ask for it): the points are posted."""
    award = _locked_award(award_id, principal.community_ids(SECRETARIES))
    user_id = principal.user_id
    if award.status == ManualAwardStatus.APPROVED:
        return award  # a repeat of the same approval
    if award.status != ManualAwardStatus.PENDING:
        raise conflict("manual_award_decided", "该加减分申请已被驳回，不能再批准")
    if award.requested_by_user_id == user_id:
        raise forbidden("加减分需由另一位社区党组织书记复核批准，申请人不能批准自己的申请")
    entry = settle_source(
        member_id=award.member_id, community_id=award.community_id, kind=RuleKind.MANUAL,
        source_type="manual_award", source_id=award.id, source_key=f"manual_award:{award.id}",
        earned_on=local_today(), amount=award.amount, reason=award.reason, user_id=user_id,
    )
    award.status = ManualAwardStatus.APPROVED.value
    award.decided_by_user_id = user_id
    award.decided_at = utcnow()
    award.entry_id = entry.id if entry is not None else None
    audit.record(user_id, "points.manual_award.approve", "manual_award", award.id,
          community_id=award.community_id,
          after={"amount": entry.amount if entry else 0}, reason=award.reason)
    return award


def reject_manual_award(principal: Principal, award_id: int, reason: str) -> ManualAward:
    """驳回 (a community secretary), with a reason."""
    award = _locked_award(award_id, principal.community_ids(SECRETARIES))
    user_id = principal.user_id
    if award.status == ManualAwardStatus.REJECTED:
        return award
    if award.status != ManualAwardStatus.PENDING:
        raise conflict("manual_award_decided", "该加减分申请已批准，如需撤销请冲正积分")
    award.status = ManualAwardStatus.REJECTED.value
    award.decided_by_user_id = user_id
    award.decided_at = utcnow()
    award.decision_note = reason
    audit.record(user_id, "points.manual_award.reject", "manual_award", award.id,
          community_id=award.community_id, reason=reason)
    return award


def _locked_award(award_id: int, community_ids: set[int]) -> ManualAward:
    award = lock_row(ManualAward, award_id)
    if award is None or award.community_id not in community_ids:
        raise not_found("加减分申请")
    return award


def list_manual_awards(
    principal: Principal, query: dict[str, Any], pages: PaginationParameters
) -> list[ManualAward]:
    """A community's manual awards (its staff and secretaries), newest first."""
    require_community(principal, query["community_id"], COMMUNITY_MANAGERS)
    statement = filtered(
        sa.select(ManualAward).where(ManualAward.community_id == query["community_id"]),
        query, "status",
    )
    return paginate(statement.order_by(ManualAward.id.desc()), pages)
