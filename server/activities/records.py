"""Volunteer-hours records: from clock-in, by hand (补录), corrections and reversals with a
second person's approval (appeals: `appeals`; the activity log and roster: `activity_log`).

Nothing is deleted: a correction is a new record that supersedes the old one once approved;
a reversal is a correction to 0 hours. `hours_record_finalised` is sent whenever the counting
hours of a member for an activity change.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_smorest.pagination import PaginationParameters

from server import events
from server.activities.hours_rules import compute_hours, rule_for
from server.activities.models import (
    Activity,
    ActivityStatus,
    Attendance,
    HoursRecord,
    HoursSource,
    HoursStatus,
    SignUp,
)
from server.audit import service as audit
from server.auth.scope import (
    SECRETARIES,
    Principal,
    get_visible_member,
    require_activity,
    require_community,
    require_community_row,
)
from server.database import lock_row
from server.errors import AppError, conflict, not_found
from server.extensions import db
from server.pagination import filtered, paginate
from server.timeutil import to_local, utcnow

MAX_HOURS = Decimal("24")


def _state(record: HoursRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "hours": str(record.hours),
        "status": record.status,
        "source": record.source,
        "supersedes_id": record.supersedes_id,
    }


def approved_record(activity_id: int, member_id: int) -> HoursRecord | None:
    return db.session.scalar(
        sa.select(HoursRecord).filter_by(
            activity_id=activity_id, member_id=member_id, status=HoursStatus.APPROVED.value
        )
    )


def _new_record(activity: Activity, member_id: int, hours: Decimal, **fields) -> HoursRecord:
    """A record with the MCA fields snapshotted from the activity."""
    record = HoursRecord(
        member_id=member_id,
        activity_id=activity.id,
        community_id=activity.community_id,
        category=activity.category,
        hours=hours,
        service_date=to_local(activity.starts_at).date(),
        activity_name=activity.title,
        place=activity.address,
        content=activity.content,
        organiser=activity.organiser,
        leader=activity.leader_name,
        **fields,
    )
    db.session.add(record)
    db.session.flush()
    record.activity = activity
    return record


def _finalised(record: HoursRecord, previous: Decimal | None) -> None:
    """Tell the points area, unless nothing that counts changed (None → 0)."""
    if previous is None and record.hours == 0:
        return
    if previous is not None and Decimal(previous) == Decimal(record.hours):
        return
    events.hours_record_finalised.send(record, previous_hours=previous)


def record_clocked_hours(attendance: Attendance, activity: Activity) -> HoursRecord:
    """Hours from a closed clock record, approved at once: the record is made the moment the
    activity's clock-out closes (well within the 10 working days the MCA rules allow)."""
    existing = approved_record(activity.id, attendance.member_id)
    if existing is not None:
        return existing
    rule = rule_for(activity.community_id)
    hours, note = compute_hours(activity, attendance.clock_in_at, attendance.clock_out_at, rule)
    record = _new_record(
        activity,
        attendance.member_id,
        hours,
        attendance_id=attendance.id,
        source=HoursSource.CLOCKIN.value,
        status=HoursStatus.APPROVED.value,
        note=note,
        approved_at=utcnow(),
    )
    _finalised(record, None)
    return record


def _check_hours(activity: Activity, hours: Decimal) -> Decimal:
    hours = Decimal(hours)
    planned = Decimal(int((activity.ends_at - activity.starts_at).total_seconds())) / 3600
    if hours < 0 or hours > min(MAX_HOURS, planned.quantize(Decimal("0.01"))):
        raise AppError(
            422,
            "hours_out_of_range",
            f"时长应在0到{planned.quantize(Decimal('0.01'))}小时（活动时长）之间",
            {"fields": {"hours": "超出活动时长"}},
        )
    return hours.quantize(Decimal("0.01"))


def _no_pending(activity_id: int, member_id: int) -> None:
    pending = db.session.scalar(
        sa.select(HoursRecord.id).filter_by(
            activity_id=activity_id, member_id=member_id, status=HoursStatus.PENDING.value
        )
    )
    if pending is not None:
        raise conflict(
            "hours_change_pending",
            "该党员本活动已有待审核的补录或更正，请等待书记审核后再操作",
            {"pending_record_id": pending},
        )


def add_manual_record(principal: Principal, activity_id: int, data: dict[str, Any]) -> HoursRecord:
    """补录: a record by hand, counting only after the community secretary approves it."""
    activity = require_activity(principal, activity_id)
    member = get_visible_member(principal, data["member_id"])
    hours, reason, actor_user_id = data["hours"], data["reason"], principal.user_id
    if activity.status in (ActivityStatus.DRAFT, ActivityStatus.CANCELLED) or (
        activity.starts_at > utcnow()
    ):
        raise conflict("activity_not_started", "活动尚未开始或已取消，不能补录")
    if member.community_id != activity.community_id and activity.audience_street_id is None:
        if not db.session.scalar(
            sa.select(SignUp.id).filter_by(activity_id=activity.id, member_id=member.id)
        ):
            raise not_found("党员")
    if approved_record(activity.id, member.id) is not None:
        raise conflict(
            "hours_record_exists", "该党员本活动已有时长记录，如需修改请使用“更正时长”"
        )
    _no_pending(activity.id, member.id)
    record = _new_record(
        activity,
        member.id,
        _check_hours(activity, hours),
        source=HoursSource.MANUAL.value,
        status=HoursStatus.PENDING.value,
        reason=reason,
        created_by_user_id=actor_user_id,
    )
    audit.record(
        actor_user_id,
        "hours.manual_add",
        "hours_record",
        record.id,
        community_id=activity.community_id,
        before=None,
        after=_state(record),
        reason=reason,
    )
    return record


def correct_record(principal: Principal, record_id: int, hours: Decimal, reason: str,
                   action: str = "correct") -> HoursRecord:
    """更正 (or 撤销 with hours 0, action "reverse"): a new record superseding the record once
    approved."""
    record = _staff_record(principal, record_id)
    actor_user_id = principal.user_id
    if record.status != HoursStatus.APPROVED:
        raise conflict("hours_record_not_current", "只能更正当前有效的时长记录，请刷新后重试")
    _no_pending(record.activity_id, record.member_id)
    activity = record.activity
    correction = _new_record(
        activity,
        record.member_id,
        _check_hours(activity, hours),
        source=HoursSource.CORRECTED.value,
        status=HoursStatus.PENDING.value,
        reason=reason,
        supersedes_id=record.id,
        attendance_id=record.attendance_id,
        created_by_user_id=actor_user_id,
    )
    audit.record(
        actor_user_id,
        f"hours.{action}",
        "hours_record",
        correction.id,
        community_id=record.community_id,
        before=_state(record),
        after=_state(correction),
        reason=reason,
    )
    return correction


def _staff_record(principal: Principal, record_id: int) -> HoursRecord:
    return require_community_row(principal, HoursRecord, record_id, "时长记录")


def approve_record(principal: Principal, record_id: int) -> HoursRecord:
    """The second person (community secretary, never the one who made the change) approves."""
    record = lock_row(HoursRecord, _staff_record(principal, record_id).id)
    if record.status == HoursStatus.APPROVED and record.approved_by_user_id == principal.user_id:
        return record  # a repeat
    if record.status != HoursStatus.PENDING:
        raise conflict("hours_record_not_pending", "该记录不在待审核状态，请刷新后查看")
    if record.community_id not in principal.community_ids(SECRETARIES):
        raise AppError(403, "secretary_required", "补录和更正需由社区党组织书记审核")
    if record.created_by_user_id == principal.user_id:
        raise AppError(
            403, "second_person_required", "补录或更正需由另一位工作人员（社区书记）审核"
        )
    previous: Decimal | None = None
    old = None
    if record.supersedes_id is not None:
        old = lock_row(HoursRecord, record.supersedes_id)
        if old.status != HoursStatus.APPROVED:
            raise conflict("hours_record_not_current", "被更正的记录已变化，请重新发起更正")
        previous = Decimal(old.hours)
        before_old = _state(old)
        old.status = HoursStatus.SUPERSEDED.value
        db.session.flush()
        audit.record(
            principal.user_id,
            "hours.supersede",
            "hours_record",
            old.id,
            community_id=old.community_id,
            before=before_old,
            after=_state(old),
            reason=record.reason,
        )
    elif approved_record(record.activity_id, record.member_id) is not None:
        raise conflict("hours_record_exists", "该党员本活动已有时长记录，请改用更正")
    before = _state(record)
    record.status = HoursStatus.APPROVED.value
    record.approved_by_user_id = principal.user_id
    record.approved_at = utcnow()
    db.session.flush()
    audit.record(
        principal.user_id,
        "hours.approve",
        "hours_record",
        record.id,
        community_id=record.community_id,
        before=before,
        after=_state(record),
        reason=record.reason,
    )
    _finalised(record, previous)
    return record


def reject_record(principal: Principal, record_id: int, reason: str) -> HoursRecord:
    record = _staff_record(principal, record_id)
    if record.status == HoursStatus.REJECTED:
        return record
    if record.status != HoursStatus.PENDING:
        raise conflict("hours_record_not_pending", "该记录不在待审核状态，请刷新后查看")
    if record.community_id not in principal.community_ids(SECRETARIES):
        raise AppError(403, "secretary_required", "补录和更正需由社区党组织书记审核")
    before = _state(record)
    record.status = HoursStatus.REJECTED.value
    record.rejected_reason = reason
    record.approved_by_user_id = principal.user_id
    record.approved_at = utcnow()
    db.session.flush()
    audit.record(
        principal.user_id,
        "hours.reject",
        "hours_record",
        record.id,
        community_id=record.community_id,
        before=before,
        after=_state(record),
        reason=reason,
    )
    return record


def activity_hours_records(
    principal: Principal, activity_id: int, query: dict[str, Any], pages: PaginationParameters
) -> list[HoursRecord]:
    """Every hours record of the activity, superseded and rejected ones included."""
    require_activity(principal, activity_id)
    statement = filtered(sa.select(HoursRecord).filter_by(activity_id=activity_id), query, "status")
    return paginate(statement.order_by(HoursRecord.id), pages)


def community_hours_records(
    principal: Principal, community_id: int, query: dict[str, Any], pages: PaginationParameters
) -> list[HoursRecord]:
    """The community's records; `status=pending` is the secretary's approval queue."""
    require_community(principal, community_id)
    statement = filtered(sa.select(HoursRecord).filter_by(community_id=community_id),
                         query, "status")
    return paginate(statement.order_by(HoursRecord.id.desc()), pages)
