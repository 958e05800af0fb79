"""待办: one approvals inbox — everything in the caller's communities waiting for a decision
(报到, 补录 and corrections, manual point awards, appeals, 未签退, pledge notes), decided one
or many at a time through each area's own service, with one maker-checker rule for every kind:
whoever made an entry (staff who entered it, or the member who filed it) cannot decide it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from server.activities import appeals, records, unconfirmed
from server.activities.models import (
    Activity,
    Appeal,
    AppealStatus,
    Attendance,
    AttendanceStatus,
    HoursRecord,
    HoursStatus,
)
from server.audit.service import record as audit
from server.auth.scope import COMMUNITY_MANAGERS, SECRETARIES, Principal
from server.errors import AppError
from server.extensions import db
from server.members import service as members
from server.members.models import Member, Registration, RegistrationStatus
from server.pledges import notes as pledges
from server.pledges.models import NoteStatus, PledgeNote
from server.points import awards
from server.points.models import ManualAward, ManualAwardStatus

KIND_LABELS = {
    "registration": "报到审核",
    "hours_record": "补录与更正",
    "manual_award": "人工加减分",
    "appeal": "申诉",
    "unconfirmed": "未签退",
    "pledge_note": "践诺核实",
}

MAX_BATCH = 100


@dataclass
class InboxItem:
    kind: str
    id: int
    community_id: int
    member_name: str
    summary: str
    reason: str | None
    maker_user_id: int | None
    created_at: datetime | None
    mine: bool = False
    # a pledge note's photos (践诺照片), as the API serves them to staff
    photos: list[str] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


def deciding_scopes(principal: Principal, community_id: int | None) -> dict[str, set[int]]:
    """The communities each kind is waiting in for this person: staff decide reports, appeals,
    未签退 and pledge notes; 补录 and point awards wait for a secretary."""
    managed = set(principal.community_ids(COMMUNITY_MANAGERS))
    secretary = set(principal.community_ids(SECRETARIES))
    if community_id is not None:
        managed &= {community_id}
        secretary &= {community_id}
    return {
        "registration": managed,
        "hours_record": secretary,
        "manual_award": secretary,
        "appeal": managed,
        "unconfirmed": managed,
        "pledge_note": managed,
    }


def pending_items(kind: str, community_ids: set[int]) -> list[InboxItem]:
    """One statement per kind: the pending rows with their member's name."""
    if not community_ids:
        return []
    if kind == "registration":
        rows = db.session.execute(
            sa.select(Registration.id, Registration.community_id, Registration.room,
                      Registration.submitted_at, Member.name, Member.user_id)
            .join(Member, Member.id == Registration.member_id)
            .where(Registration.status == RegistrationStatus.SUBMITTED.value,
                   Registration.community_id.in_(community_ids))
            .order_by(Registration.id)
        )
        # the columns shown, not the registrations as entities (an inbox of 100 报到)
        return [InboxItem(kind, r.id, r.community_id, r.name,
                          f"申请到社区报到（{r.room or '未填房号'}）", None, r.user_id,
                          r.submitted_at) for r in rows]
    if kind == "hours_record":
        rows = db.session.execute(
            sa.select(HoursRecord, Member.name)
            .join(Member, Member.id == HoursRecord.member_id)
            .where(HoursRecord.status == HoursStatus.PENDING.value,
                   HoursRecord.community_id.in_(community_ids))
            .order_by(HoursRecord.id)
        )
        return [InboxItem(kind, r.id, r.community_id, name,
                          f"{'更正' if r.supersedes_id else '补录'}「{r.activity_name}」"
                          f"{r.hours} 小时", r.reason, r.created_by_user_id, r.created_at)
                for r, name in rows]
    if kind == "manual_award":
        rows = db.session.execute(
            sa.select(ManualAward, Member.name)
            .join(Member, Member.id == ManualAward.member_id)
            .where(ManualAward.status == ManualAwardStatus.PENDING.value,
                   ManualAward.community_id.in_(community_ids))
            .order_by(ManualAward.id)
        )
        return [InboxItem(kind, a.id, a.community_id, name, f"积分 {a.amount:+d}", a.reason,
                          a.requested_by_user_id, a.requested_at) for a, name in rows]
    if kind == "appeal":
        rows = db.session.execute(
            sa.select(Appeal, Member.name, Member.user_id, Activity.title)
            .join(Member, Member.id == Appeal.member_id)
            .join(Activity, Activity.id == Appeal.activity_id)
            .where(Appeal.status == AppealStatus.OPEN.value,
                   Appeal.community_id.in_(community_ids))
            .order_by(Appeal.id)
        )
        return [InboxItem(kind, a.id, a.community_id, name, f"对「{title}」的记录申诉", a.reason,
                          user_id, a.created_at) for a, name, user_id, title in rows]
    if kind == "unconfirmed":
        rows = db.session.execute(
            unconfirmed.unconfirmed_query(community_ids)
            .add_columns(Member.name, Member.user_id, Activity.title, Activity.community_id)
            .join(Member, Member.id == Attendance.member_id)
        )
        return [InboxItem(kind, a.id, community_id, name, f"「{title}」签到后未签退", None,
                          user_id, a.clock_in_at) for a, name, user_id, title, community_id in rows]
    rows = db.session.execute(
        sa.select(PledgeNote, Member.name, Member.user_id)
        .join(Member, Member.id == PledgeNote.member_id)
        .where(PledgeNote.status == NoteStatus.SUBMITTED,
               PledgeNote.community_id.in_(community_ids))
        .order_by(PledgeNote.id)
    )
    # the notes' photos come in one more statement (selectin), whatever the number of notes
    return [InboxItem(kind, n.id, n.community_id, name, "践诺记录待核实", n.content[:100],
                      user_id, n.created_at,
                      photos=[f"/api/v1/pledge-notes/{n.id}/photos/{p.position}" for p in n.photos])
            for n, name, user_id in rows]


def inbox(principal: Principal, community_id: int | None, kind: str | None) -> dict[str, Any]:
    """What waits for this person, with a count per kind (six statements, whatever the size)."""
    scopes = deciding_scopes(principal, community_id)
    counts, items = {}, []
    for name, community_ids in scopes.items():
        rows = pending_items(name, community_ids)
        for row in rows:
            row.mine = row.maker_user_id == principal.user_id
        counts[name] = len(rows)
        if kind is None or kind == name:
            items.extend(rows)
    items.sort(key=lambda item: item.created_at or datetime.min.replace(tzinfo=UTC))
    return {"counts": counts, "total": sum(counts.values()), "items": items,
            "labels": KIND_LABELS}


def _maker_user_id(kind: str, row_id: int, community_ids: set[int]) -> tuple[int, int | None]:
    """(community, maker) of one pending entry in the caller's scope; else 404."""
    model = {"registration": Registration, "hours_record": HoursRecord,
             "manual_award": ManualAward, "appeal": Appeal, "unconfirmed": Attendance,
             "pledge_note": PledgeNote}[kind]
    row = db.session.get(model, row_id)
    if row is None:
        raise AppError(404, "not_found", "待办事项不存在或已处理")
    community_id = row.activity.community_id if kind == "unconfirmed" else row.community_id
    if community_id not in community_ids:
        raise AppError(404, "not_found", "待办事项不存在或已处理")
    if kind == "hours_record":
        return community_id, row.created_by_user_id
    if kind == "manual_award":
        return community_id, row.requested_by_user_id
    return community_id, db.session.get(Member, row.member_id).user_id


def _apply(principal: Principal, kind: str, row_id: int, approve: bool, reason: str) -> None:
    if kind == "registration":
        if approve:
            members.approve_registration(principal, row_id)
        else:
            members.reject_registration(principal, row_id, reason)
    elif kind == "hours_record":
        if approve:
            records.approve_record(principal, row_id)
        else:
            records.reject_record(principal, row_id, reason)
    elif kind == "manual_award":
        if approve:
            awards.approve_manual_award(principal, row_id)
        else:
            awards.reject_manual_award(principal, row_id, reason)
    elif kind == "appeal":
        outcome = AppealStatus.UPHELD.value if approve else AppealStatus.DISMISSED.value
        appeals.resolve_appeal(principal, row_id, outcome, reason or "经核实，同意申诉")
    elif kind == "unconfirmed":
        if not approve:
            raise AppError(422, "unconfirmed_cannot_be_rejected",
                           "未签退记录只能确认签退时间，不能驳回；如未到场请在名单中更正")
        attendance = db.session.get(Attendance, row_id)
        if attendance.status != AttendanceStatus.UNCONFIRMED:
            raise AppError(409, "attendance_not_unconfirmed", "该记录不是未签退记录，无需确认")
        unconfirmed.confirm_unconfirmed(principal, attendance.id, None,
                                        reason or "按活动结束时间确认签退")
    elif approve:
        pledges.verify_note(principal, row_id)
    else:
        pledges.return_note(principal, row_id, reason)


def decide(principal: Principal, decision: str, reason: str, items: list[dict]) -> list[dict]:
    """Approve or reject entries one by one, each in its own savepoint: one refused entry (the
    maker deciding their own, already decided, out of scope) leaves the others decided."""
    approve = decision == "approve"
    if not approve and not reason.strip():
        raise AppError(422, "reason_required", "驳回时请填写原因，党员会看到这条原因",
                       {"fields": {"reason": ["驳回时必填"]}})
    if len(items) > MAX_BATCH:
        raise AppError(422, "batch_too_large", f"一次最多处理 {MAX_BATCH} 项")
    scopes = deciding_scopes(principal, None)
    results = []
    for item in items:
        kind, row_id = item["kind"], item["id"]
        result = {"kind": kind, "id": row_id, "ok": True, "code": None, "message": None}
        try:
            with db.session.begin_nested():
                community_id, maker = _maker_user_id(kind, row_id, scopes[kind])
                if maker is not None and maker == principal.user_id:
                    raise AppError(403, "maker_cannot_decide",
                                   "不能审批自己提交或录入的事项，请由另一位工作人员处理")
                _apply(principal, kind, row_id, approve, reason.strip())
        except AppError as error:
            result.update(ok=False, code=error.code, message=error.message)
            if error.code == "maker_cannot_decide":
                audit(principal.user_id, "inbox.self_decision_refused", kind, row_id,
                      community_id=community_id, after={"decision": decision})
        results.append(result)
    return results
