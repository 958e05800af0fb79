"""Volunteer-hours records: from clock-in, by hand (补录), corrections and reversals with a
second person's approval, appeals (申诉), the member's activity log (活动登记薄), the roster.

Nothing is deleted: a correction is a new record that supersedes the old one once approved;
a reversal is a correction to 0 hours. `hours_record_finalised` is sent whenever the counting
hours of a member for an activity change.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from server import events
from server.activities.models import (
    Activity,
    ActivityStatus,
    Appeal,
    AppealStatus,
    Attendance,
    AttendanceStatus,
    HoursRecord,
    HoursSource,
    HoursStatus,
    SignUp,
    SignUpStatus,
)
from server.activities.rules import compute_hours, rule_for
from server.audit.service import record as audit
from server.auth.scope import SECRETARIES, Principal
from server.database import lock_row
from server.errors import AppError, conflict, not_found
from server.extensions import db
from server.members.models import Member
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


def add_manual_record(
    actor_user_id: int, activity: Activity, member: Member, hours: Decimal, reason: str
) -> HoursRecord:
    """补录: a record by hand, counting only after the community secretary approves it."""
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
    audit(
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


def correct_record(
    actor_user_id: int, record: HoursRecord, hours: Decimal, reason: str, action: str = "correct"
) -> HoursRecord:
    """更正 (or 撤销 with hours 0): a new record superseding `record` once approved."""
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
    audit(
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


def approve_record(principal: Principal, record: HoursRecord) -> HoursRecord:
    """The second person (community secretary, never the one who made the change) approves."""
    record = lock_row(HoursRecord, record.id)
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
        audit(
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
    audit(
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


def reject_record(principal: Principal, record: HoursRecord, reason: str) -> HoursRecord:
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
    audit(
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


# --- appeals (申诉) --------------------------------------------------------------------------


def file_appeal(member: Member, activity: Activity, reason: str) -> Appeal:
    """A member disputes their record of an activity they signed up to or attended."""
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
    return appeal


def resolve_appeal(actor_user_id: int, appeal: Appeal, outcome: str, reason: str) -> Appeal:
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
    audit(
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


# --- the member's activity log (活动登记薄) and the on-site roster -----------------------------


def log_activities_query(member_id: int) -> sa.Select:
    """Every activity the member signed up to, clocked in at, or has hours for; newest first."""
    ids = sa.union(
        sa.select(SignUp.activity_id).where(SignUp.member_id == member_id),
        sa.select(Attendance.activity_id).where(Attendance.member_id == member_id),
        sa.select(HoursRecord.activity_id).where(HoursRecord.member_id == member_id),
    ).subquery()
    return (
        sa.select(Activity)
        .where(Activity.id.in_(sa.select(ids.c[0])))
        .order_by(Activity.starts_at.desc(), Activity.id.desc())
    )


def attendance_state(
    signup: SignUp | None, attendance: Attendance | None, activity: Activity, now=None
) -> str:
    """signed_up / waitlisted / withdrawn / clocked_in / clocked_out / unconfirmed / absent."""
    if attendance is not None:
        if attendance.status == AttendanceStatus.CLOCKED_IN:
            return "clocked_in"
        if attendance.status == AttendanceStatus.UNCONFIRMED:
            return "unconfirmed"
        return "clocked_out"
    if signup is None:
        return "none"
    if signup.status == SignUpStatus.CONFIRMED:
        if activity.ends_at <= (now or utcnow()) and activity.status != ActivityStatus.CANCELLED:
            return "absent"
        return "signed_up"
    return signup.status


def log_entries(member_id: int, activities: list[Activity]) -> list[dict[str, Any]]:
    ids = [a.id for a in activities]
    signups = {
        s.activity_id: s
        for s in db.session.scalars(
            sa.select(SignUp).where(SignUp.member_id == member_id, SignUp.activity_id.in_(ids))
        )
    }
    clocks = {
        a.activity_id: a
        for a in db.session.scalars(
            sa.select(Attendance).where(
                Attendance.member_id == member_id, Attendance.activity_id.in_(ids)
            )
        )
    }
    hours_rows = db.session.scalars(
        sa.select(HoursRecord)
        .where(HoursRecord.member_id == member_id, HoursRecord.activity_id.in_(ids))
        .order_by(HoursRecord.id)
    ).all()
    entries = []
    for activity in activities:
        mine = [h for h in hours_rows if h.activity_id == activity.id]
        counting = next((h for h in mine if h.status == HoursStatus.APPROVED), None)
        pending = next((h for h in mine if h.status == HoursStatus.PENDING), None)
        entries.append(
            {
                "activity": activity,
                "signup_status": signups[activity.id].status if activity.id in signups else None,
                "attendance": clocks.get(activity.id),
                "state": attendance_state(signups.get(activity.id), clocks.get(activity.id),
                                          activity),
                "hours": counting.hours if counting else None,
                "hours_record": counting,
                "pending_record": pending,
            }
        )
    return entries


def roster(activity: Activity) -> dict[str, Any]:
    """现场名单: everyone signed up (and walk-ins), with where they are now."""
    signups = db.session.scalars(
        sa.select(SignUp)
        .where(SignUp.activity_id == activity.id, SignUp.status != SignUpStatus.WITHDRAWN.value)
        .order_by(SignUp.queued_at, SignUp.id)
    ).all()
    clocks = {
        a.member_id: a
        for a in db.session.scalars(sa.select(Attendance).filter_by(activity_id=activity.id))
    }
    member_ids = {s.member_id for s in signups} | set(clocks)
    members = {
        m.id: m for m in db.session.scalars(sa.select(Member).where(Member.id.in_(member_ids)))
    }
    hours = {
        h.member_id: h
        for h in db.session.scalars(
            sa.select(HoursRecord).filter_by(
                activity_id=activity.id, status=HoursStatus.APPROVED.value
            )
        )
    }
    by_member = {s.member_id: s for s in signups}
    entries = []
    for member_id in [s.member_id for s in signups] + sorted(set(clocks) - set(by_member)):
        entries.append(
            {
                "member": members[member_id],
                "signup_status": by_member[member_id].status if member_id in by_member else None,
                "state": attendance_state(by_member.get(member_id), clocks.get(member_id),
                                          activity),
                "attendance": clocks.get(member_id),
                "hours": hours[member_id].hours if member_id in hours else None,
            }
        )
    summary = {key: 0 for key in ("signed_up", "waitlisted", "clocked_in", "clocked_out",
                                  "unconfirmed", "absent")}
    for entry in entries:
        if entry["signup_status"] == SignUpStatus.CONFIRMED or entry["attendance"] is not None:
            summary["signed_up"] += 1
        if entry["state"] in summary and entry["state"] != "signed_up":
            summary[entry["state"]] += 1
    return {"activity_id": activity.id, "summary": summary, "entries": entries}
