"""一卡一薄 for print: a member's registration card and activity log (活动登记薄), and the
same for a whole community over a period. A4, fitted to the page width, the header row
repeated on every page; each download is in the audit log."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from openpyxl.styles import Alignment, Font

from server.activities import activity_log
from server.activities.export import STATE_LABELS
from server.activities.models import CATEGORY_LABELS, HoursRecord, HoursStatus
from server.audit.service import record as audit
from server.auth.scope import Principal, get_visible_member, require_community
from server.excel import Workbook, set_up_for_printing, workbook_bytes
from server.extensions import db
from server.members.models import (
    MEMBER_TYPE_LABELS,
    Building,
    Grid,
    Member,
    Registration,
    RegistrationStatus,
)
from server.timeutil import to_local

CARD_COLUMNS = ("姓名", "党员类型", "工作单位", "单位党组织", "网格", "楼栋", "房号",
                "报到日期", "审核日期")
LOG_COLUMNS = ("姓名", "活动名称", "类别", "服务日期", "服务地点", "服务内容", "组织单位",
               "现场负责人", "时长(小时)")
MEMBER_LOG_COLUMNS = ("活动名称", "类别", "服务日期", "开始", "结束", "地点", "组织单位",
                      "现场负责人", "状态", "时长(小时)")


def _day(value) -> str:
    return to_local(value).strftime("%Y-%m-%d") if value else ""


def _time(value) -> str:
    return to_local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _sheet(book: Workbook, title: str, heading: str, columns, widths, first: bool = False):
    sheet = book.active if first else book.create_sheet(title)
    sheet.title = title
    sheet.append([heading])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(list(columns))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    return sheet


def _printable(book: Workbook) -> bytes:
    # after the rows: freezing the panes touches the row below the header
    for sheet in book.worksheets:
        set_up_for_printing(sheet, header_row=2)
    return workbook_bytes(book)


def _card_row(member: Member, registration: Registration | None, grid_name: str) -> list:
    unit = member.employer_unit
    return [
        member.name,
        MEMBER_TYPE_LABELS.get(member.member_type, member.member_type),
        unit.name if unit else "",
        unit.party_org_name if unit else "",
        grid_name,
        registration.building.name if registration else "",
        registration.room if registration else "",
        _day(registration.submitted_at) if registration else "",
        _day(registration.decided_at) if registration else "",
    ]


def member_ledger_xlsx(principal: Principal, member_id: int) -> tuple[bytes, str]:
    """One member's 一卡一薄: the registration card, then every activity with its hours."""
    member = get_visible_member(principal, member_id)
    registration = db.session.scalar(
        sa.select(Registration).where(Registration.member_id == member.id,
                                      Registration.status == RegistrationStatus.APPROVED)
        .order_by(Registration.decided_at.desc()).limit(1))
    grid_name = db.session.scalar(sa.select(Grid.name).join(Building).where(
        Building.id == registration.building_id)) if registration else ""
    book = Workbook()
    card = _sheet(book, "登记卡", f"{member.name} 党员报到登记卡", CARD_COLUMNS,
                  (10, 10, 20, 20, 10, 10, 8, 12, 12), first=True)
    card.append(_card_row(member, registration, grid_name or ""))
    log = _sheet(book, "活动登记薄", f"{member.name} 活动登记薄", MEMBER_LOG_COLUMNS,
                 (20, 10, 12, 16, 16, 20, 16, 10, 10, 10))
    activities = list(db.session.scalars(activity_log.log_activities_query(member.id)))
    for entry in activity_log.log_entries(member.id, activities):
        activity, counting = entry["activity"], entry["hours_record"]
        log.append([activity.title, CATEGORY_LABELS.get(activity.category, activity.category),
                    _day(activity.starts_at), _time(activity.starts_at), _time(activity.ends_at),
                    activity.address, activity.organiser, activity.leader_name,
                    STATE_LABELS.get(entry["state"], entry["state"]),
                    float(counting.hours) if counting else ""])
    audit(principal.user_id, "export.member_ledger", "member", member.id,
          community_id=member.community_id, after={"activities": len(activities)})
    return _printable(book), f"ledger-member-{member.id}.xlsx"


def community_ledger_xlsx(principal: Principal, community_id: int, query: dict[str, Any]
                          ) -> tuple[bytes, str]:
    """A community's 一卡一薄 over a period: every approved registration card, then every
    approved hours record whose service day falls in the period (two statements)."""
    community = require_community(principal, community_id)
    date_from: date | None = query.get("date_from")
    date_to: date | None = query.get("date_to")
    registrations = db.session.execute(
        sa.select(Registration, Grid.name)
        .join(Building, Building.id == Registration.building_id)
        .join(Grid, Grid.id == Building.grid_id)
        .where(Registration.community_id == community_id,
               Registration.status == RegistrationStatus.APPROVED)
        .order_by(Grid.name, Building.name, Registration.room, Registration.id)
        .options(sa.orm.joinedload(Registration.member).joinedload(Member.employer_unit),
                 sa.orm.joinedload(Registration.building))
    ).unique().all()
    records = sa.select(HoursRecord, Member.name).join(Member, Member.id == HoursRecord.member_id
        ).where(HoursRecord.community_id == community_id,
                HoursRecord.status == HoursStatus.APPROVED)
    if date_from:
        records = records.where(HoursRecord.service_date >= date_from)
    if date_to:
        records = records.where(HoursRecord.service_date <= date_to)
    period = f"{date_from or '最早'} 至 {date_to or '今'}"
    book = Workbook()
    cards = _sheet(book, "登记卡", f"{community.name} 党员报到登记卡", CARD_COLUMNS,
                   (10, 10, 20, 20, 10, 10, 8, 12, 12), first=True)
    for registration, grid_name in registrations:
        cards.append(_card_row(registration.member, registration, grid_name))
    log = _sheet(book, "活动登记薄", f"{community.name} 活动登记薄（{period}）", LOG_COLUMNS,
                 (10, 20, 10, 12, 20, 24, 16, 10, 10))
    rows = db.session.execute(records.order_by(HoursRecord.service_date, Member.name,
                                               HoursRecord.id)).all()
    for record, name in rows:
        log.append([name, record.activity_name, CATEGORY_LABELS.get(record.category,
                    record.category), record.service_date.isoformat(), record.place,
                    record.content, record.organiser, record.leader, float(record.hours)])
    audit(principal.user_id, "export.community_ledger", "community", community_id,
          community_id=community_id,
          after={"cards": len(registrations), "records": len(rows),
                 "date_from": str(date_from or ""), "date_to": str(date_to or "")})
    return _printable(book), f"ledger-community-{community_id}.xlsx"
