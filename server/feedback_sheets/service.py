"""Feedback sheets (反馈单, 一单): generated per unit for a community and period, commented (评语),
signed, sent to the unit's secretary, acknowledged (回执) and, until then, reminded.

Every step is audited in the sheet's community, so the community secretary reads the unit's
acknowledgement in their own audit log too.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from server.audit.service import record as audit
from server.auth.scope import (
    Principal,
    feedback_sheet_standing,
    feedback_sheets_clause,
    require_feedback_community,
)
from server.errors import conflict, invalid, not_found
from server.extensions import db
from server.feedback_sheets.appraisal import set_grade, with_grades
from server.feedback_sheets.models import STATUS_LABELS, FeedbackSheet, SheetStatus
from server.feedback_sheets.notify import notify_unit
from server.members.models import Community, EmployerUnit, Member
from server.points.feedback import _rows_for
from server.points.feedback import sheet_xlsx as feedback_xlsx
from server.points.models import FeedbackComment
from server.timeutil import local_today, to_local, utcnow

# quarter (some counties send them quarterly), half-year, year
SHEET_PERIOD_RE = re.compile(r"^\d{4}(-H[12]|-Q[1-4])?$")


def check_sheet_period(period: str) -> str:
    if not SHEET_PERIOD_RE.match(period or ""):
        raise invalid("period_invalid",
                      "反馈单按季度（如 2026-Q4）、半年（如 2026-H2）或全年（如 2026）出具",
                      {"period": period})
    return period


def sheet_period_label(period: str) -> str:
    if len(period) == 4:
        return f"{period}年度"
    if period[5] == "Q":
        return f"{period[:4]}年第{'一二三四'[int(period[6]) - 1]}季度"
    return f"{period[:4]}年{'上' if period[6] == '1' else '下'}半年"


# ---------------------------------------------------------------- reading


def _in_sheet(sheet: FeedbackSheet) -> sa.ColumnElement[bool]:
    return sa.and_(Member.community_id == sheet.community_id,
                   Member.employer_unit_id == sheet.employer_unit_id)


def _live_rows(sheet: FeedbackSheet) -> list[dict[str, Any]]:
    members = list(db.session.scalars(
        sa.select(Member).where(_in_sheet(sheet)).order_by(Member.id)))
    return with_grades(_rows_for(members, sheet.period), sheet.community_id, sheet.period)


def _frozen(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows as JSON keeps them (dates as ISO text, hours as text)."""
    return [{**row, "registered_on": row["registered_on"].isoformat() if row["registered_on"]
             else None, "hours": str(row["hours"])} for row in rows]


def _thawed(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "registered_on": date.fromisoformat(row["registered_on"])
             if row["registered_on"] else None, "hours": Decimal(row["hours"])} for row in rows]


def _rows(sheet: FeedbackSheet) -> list[dict[str, Any]]:
    return _thawed(sheet.signed_rows) if sheet.signed_rows is not None else _live_rows(sheet)


def _views(sheets: list[FeedbackSheet]) -> list[dict[str, Any]]:
    """Sheets with their community's and unit's names and member counts (three statements)."""
    if not sheets:
        return []
    communities = dict(db.session.execute(
        sa.select(Community.id, Community.name)
        .where(Community.id.in_({s.community_id for s in sheets}))).all())
    units = {u.id: u for u in db.session.scalars(
        sa.select(EmployerUnit).where(EmployerUnit.id.in_({s.employer_unit_id for s in sheets})))}
    live = {(c, u): n for c, u, n in db.session.execute(
        sa.select(Member.community_id, Member.employer_unit_id, sa.func.count())
        .where(Member.community_id.in_({s.community_id for s in sheets}),
               Member.employer_unit_id.in_({s.employer_unit_id for s in sheets}))
        .group_by(Member.community_id, Member.employer_unit_id))}
    today = local_today()
    views = []
    for sheet in sheets:
        unit = units[sheet.employer_unit_id]
        views.append({
            "id": sheet.id,
            "period": sheet.period,
            "period_label": sheet_period_label(sheet.period),
            "status": sheet.status,
            "status_label": STATUS_LABELS[SheetStatus(sheet.status)],
            "community": {"id": sheet.community_id, "name": communities[sheet.community_id]},
            "unit": {"id": unit.id, "name": unit.name, "party_org_name": unit.party_org_name},
            "members": len(sheet.signed_rows) if sheet.signed_rows is not None
            else live.get((sheet.community_id, sheet.employer_unit_id), 0),
            "created_at": sheet.created_at,
            "signed_at": sheet.signed_at,
            "sent_at": sheet.sent_at,
            "acknowledged_at": sheet.acknowledged_at,
            "reminded_at": sheet.reminded_at,
            "reminders": sheet.reminders,
            "reminded_today": sheet.reminded_at is not None
            and to_local(sheet.reminded_at).date() == today,
        })
    return views


def _sheet(principal: Principal, sheet_id: int, *, write: bool = False) -> FeedbackSheet:
    """The sheet, when the caller may see it (and, with `write`, is its community's secretary);
    else 404 as if it did not exist."""
    sheet = db.session.get(FeedbackSheet, sheet_id)
    if sheet is None:
        raise not_found("反馈单")
    standing = feedback_sheet_standing(principal, sheet.community_id, sheet.employer_unit_id,
                                       sheet.status)
    if standing is None:
        raise not_found("反馈单")
    if write and standing != "secretary":
        raise not_found("反馈单")
    return sheet


def sheets(principal: Principal, community_id: int | None = None, period: str | None = None,
           status: str | None = None, unit_id: int | None = None) -> list[dict[str, Any]]:
    """The sheets the caller sees: a community secretary their community's, a unit secretary
    their unit's from every community once sent, a street admin their street's."""
    query = sa.select(FeedbackSheet).where(feedback_sheets_clause(principal))
    if community_id is not None:
        query = query.where(FeedbackSheet.community_id == community_id)
    if period:
        query = query.where(FeedbackSheet.period == check_sheet_period(period))
    if status:
        query = query.where(FeedbackSheet.status == status)
    if unit_id is not None:
        query = query.where(FeedbackSheet.employer_unit_id == unit_id)
    rows = list(db.session.scalars(query.order_by(FeedbackSheet.period.desc(),
                                                  FeedbackSheet.community_id,
                                                  FeedbackSheet.employer_unit_id)))
    return _views(rows)


def sheet_detail(principal: Principal, sheet_id: int) -> dict[str, Any]:
    sheet = _sheet(principal, sheet_id)
    view = _views([sheet])[0]
    view["rows"] = _rows(sheet)
    view["editable"] = (sheet.status == SheetStatus.DRAFT and feedback_sheet_standing(
        principal, sheet.community_id, sheet.employer_unit_id, sheet.status) == "secretary")
    return view


# ---------------------------------------------------------------- the community secretary


def generate(principal: Principal, community_id: int, period: str) -> dict[str, Any]:
    """One draft sheet for every unit with members in the community; sheets already made for
    the period stay as they are (generating twice makes nothing new)."""
    require_feedback_community(principal, community_id)
    check_sheet_period(period)
    unit_ids = set(db.session.scalars(
        sa.select(Member.employer_unit_id).distinct()
        .where(Member.community_id == community_id, Member.employer_unit_id.is_not(None))))
    existing = set(db.session.scalars(
        sa.select(FeedbackSheet.employer_unit_id)
        .where(FeedbackSheet.community_id == community_id, FeedbackSheet.period == period)))
    created = []
    for unit_id in sorted(unit_ids - existing):
        sheet = FeedbackSheet(community_id=community_id, employer_unit_id=unit_id, period=period,
                              status=SheetStatus.DRAFT.value, created_by_user_id=principal.user_id,
                              created_at=utcnow(), reminders=0)
        db.session.add(sheet)
        created.append(sheet)
    db.session.flush()
    for sheet in created:
        audit(principal.user_id, "feedback_sheet.generate", "feedback_sheet", sheet.id,
              community_id=community_id,
              after={"unit_id": sheet.employer_unit_id, "period": period, "status": "draft"})
    return {"created": len(created),
            "sheets": sheets(principal, community_id=community_id, period=period)}


def write_comment(principal: Principal, sheet_id: int, member_id: int,
                  comment: str) -> dict[str, Any]:
    """评语 for one member of a draft sheet (kept per member, community and period)."""
    sheet = _sheet(principal, sheet_id, write=True)
    if sheet.status != SheetStatus.DRAFT:
        raise conflict("feedback_sheet_not_draft", "反馈单已签发，不能再修改评语")
    member = db.session.scalar(sa.select(Member).where(Member.id == member_id, _in_sheet(sheet)))
    if member is None:
        raise not_found("党员")
    existing = db.session.scalar(sa.select(FeedbackComment).where(
        FeedbackComment.member_id == member.id, FeedbackComment.community_id == sheet.community_id,
        FeedbackComment.period == sheet.period).with_for_update())
    before = existing.comment if existing else None
    if existing is None:
        db.session.add(FeedbackComment(member_id=member.id, community_id=sheet.community_id,
                                       period=sheet.period, comment=comment,
                                       written_by_user_id=principal.user_id, updated_at=utcnow()))
    elif existing.comment != comment:
        existing.comment = comment
        existing.written_by_user_id = principal.user_id
        existing.updated_at = utcnow()
    if before != comment:
        audit(principal.user_id, "feedback_sheet.comment", "feedback_sheet", sheet.id,
              community_id=sheet.community_id, before={"member_id": member.id, "comment": before},
              after={"member_id": member.id, "comment": comment})
    db.session.flush()
    return {"member_id": member.id, "comment": comment}


def grade_member(principal: Principal, sheet_id: int, member_id: int, grade: str,
                 reason: str | None) -> dict[str, Any]:
    """评议: the final grade of one member of a draft sheet (a reason when it differs from the
    suggestion)."""
    sheet = _sheet(principal, sheet_id, write=True)
    if sheet.status != SheetStatus.DRAFT:
        raise conflict("feedback_sheet_not_draft", "反馈单已签发，不能再修改评议等次")
    row = next((r for r in _live_rows(sheet) if r["member_id"] == member_id), None)
    if row is None:
        raise not_found("党员")
    return set_grade(principal, sheet.community_id, member_id, sheet.period, row["points"],
                     grade, reason)


def _step(principal: Principal, sheet: FeedbackSheet, action: str, to: SheetStatus,
          **after: Any) -> dict[str, Any]:
    before = sheet.status
    sheet.status = to.value
    audit(principal.user_id, f"feedback_sheet.{action}", "feedback_sheet", sheet.id,
          community_id=sheet.community_id, before={"status": before},
          after={"status": to.value, **after})
    db.session.flush()
    return sheet_detail(principal, sheet.id)


def sign(principal: Principal, sheet_id: int) -> dict[str, Any]:
    """签发: the rows are frozen as they are now; signing a signed sheet again changes nothing."""
    sheet = _sheet(principal, sheet_id, write=True)
    if sheet.status != SheetStatus.DRAFT:
        return sheet_detail(principal, sheet.id)
    rows = _live_rows(sheet)
    if not rows:
        raise conflict("feedback_sheet_empty", "该单位在本社区已没有报到党员，无需签发")
    sheet.signed_rows = _frozen(rows)
    sheet.signed_at = utcnow()
    sheet.signed_by_user_id = principal.user_id
    return _step(principal, sheet, "sign", SheetStatus.SIGNED, members=len(rows))


def send(principal: Principal, sheet_id: int) -> dict[str, Any]:
    """送达: the unit's secretary finds it among their sheets awaiting a 回执."""
    sheet = _sheet(principal, sheet_id, write=True)
    if sheet.status == SheetStatus.DRAFT:
        raise conflict("feedback_sheet_not_signed", "请先签发反馈单，再送达单位")
    if sheet.status != SheetStatus.SIGNED:
        return sheet_detail(principal, sheet.id)
    sheet.sent_at = utcnow()
    sheet.sent_by_user_id = principal.user_id
    notify_unit(sheet, sheet_period_label(sheet.period))
    return _step(principal, sheet, "send", SheetStatus.SENT, unit_id=sheet.employer_unit_id)


def remind(principal: Principal, sheet_id: int) -> dict[str, Any]:
    """催办 a sent sheet not yet acknowledged, at most once a day (a retry reminds once)."""
    sheet = _sheet(principal, sheet_id, write=True)
    if sheet.status != SheetStatus.SENT:
        raise conflict("feedback_sheet_not_awaiting", "只能催办已送达、尚未回执的反馈单")
    if sheet.reminded_at is None or to_local(sheet.reminded_at).date() != local_today():
        sheet.reminded_at = utcnow()
        sheet.reminders = (sheet.reminders or 0) + 1
        notify_unit(sheet, sheet_period_label(sheet.period), reminder=sheet.reminders)
        audit(principal.user_id, "feedback_sheet.remind", "feedback_sheet", sheet.id,
              community_id=sheet.community_id, after={"reminders": sheet.reminders})
        db.session.flush()
    return sheet_detail(principal, sheet.id)


# ---------------------------------------------------------------- the unit's secretary


def acknowledge(principal: Principal, sheet_id: int) -> dict[str, Any]:
    """回执: the unit's secretary confirms receipt; acknowledging twice changes nothing."""
    sheet = _sheet(principal, sheet_id)
    standing = feedback_sheet_standing(principal, sheet.community_id, sheet.employer_unit_id,
                                       sheet.status)
    if standing != "unit":
        raise not_found("反馈单")
    if sheet.status == SheetStatus.ACKNOWLEDGED:
        return sheet_detail(principal, sheet.id)
    sheet.acknowledged_at = utcnow()
    sheet.acknowledged_by_user_id = principal.user_id
    return _step(principal, sheet, "acknowledge", SheetStatus.ACKNOWLEDGED)


def _comment_with_grade(row: dict[str, Any]) -> str:
    """The printed comment cell: the 评议 grade first (the final one, else the suggestion),
    then the 评语."""
    grade = row.get("final_grade_label") or row.get("suggested_grade_label")
    if not grade:
        return row["comment"]
    head = f"评议等次：{grade}" + (f"（{row['grade_reason']}）" if row.get("grade_reason") else "")
    return f"{head}；{row['comment']}" if row["comment"] else head


def sheet_workbook(principal: Principal, sheet_id: int) -> tuple[bytes, str]:
    """The sheet as print-ready Excel (the same layout as the unit's combined sheet)."""
    sheet = _sheet(principal, sheet_id)
    view = _views([sheet])[0]
    generated: datetime = sheet.signed_at or utcnow()
    content = feedback_xlsx({
        "unit": view["unit"],
        "period_label": view["period_label"],
        "communities": [view["community"]["name"]],
        "generated_at": generated,
        "rows": [{**row, "comment": _comment_with_grade(row)} for row in _rows(sheet)],
    })
    audit(principal.user_id, "export.feedback_sheet", "feedback_sheet", sheet.id,
          community_id=sheet.community_id, after={"period": sheet.period})
    filename = f"反馈单-{view['community']['name']}-{view['unit']['name']}-{sheet.period}.xlsx"
    return content, filename
