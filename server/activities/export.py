"""Excel exports: an activity's records, a member's activity log (活动登记薄). Views audit them."""

from __future__ import annotations

import sqlalchemy as sa
from openpyxl.styles import Font

from server.activities import records
from server.activities.models import CATEGORY_LABELS, Activity, HoursRecord
from server.excel import Workbook, workbook_bytes
from server.extensions import db
from server.members.models import MEMBER_TYPE_LABELS, Member
from server.timeutil import to_local

STATE_LABELS = {
    "signed_up": "已报名",
    "waitlisted": "候补",
    "withdrawn": "已取消报名",
    "clocked_in": "已签到",
    "clocked_out": "已签退",
    "unconfirmed": "未签退",
    "absent": "缺席",
    "none": "",
}
SOURCE_LABELS = {"clockin": "打卡", "manual": "补录", "corrected": "更正"}
STATUS_LABELS = {"pending": "待审核", "approved": "有效", "rejected": "已驳回",
                 "superseded": "已被更正"}


def _time(value) -> str:
    return to_local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _header(sheet, titles: list[str]) -> None:
    sheet.append(titles)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def activity_records_workbook(activity: Activity) -> bytes:
    """The roster with times and hours, then every hours record (MCA fields, history kept)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "签到名单"
    sheet.append([activity.title, CATEGORY_LABELS.get(activity.category, activity.category),
                  f"{_time(activity.starts_at)} 至 {_time(activity.ends_at)}", activity.address])
    _header(sheet, ["姓名", "党员类型", "报名状态", "现场状态", "签到时间", "签到方式",
                    "签退时间", "签退方式", "时长(小时)"])
    for entry in records.roster(activity)["entries"]:
        clock = entry["attendance"]
        member = entry["member"]
        sheet.append([
            member.name,
            MEMBER_TYPE_LABELS.get(member.member_type, member.member_type),
            entry["signup_status"] or "",
            STATE_LABELS.get(entry["state"], entry["state"]),
            _time(clock.clock_in_at) if clock else "",
            clock.clock_in_method if clock else "",
            _time(clock.clock_out_at) if clock else "",
            (clock.clock_out_method or "") if clock else "",
            float(entry["hours"]) if entry["hours"] is not None else "",
        ])
    sheet = workbook.create_sheet("时长记录")
    _header(sheet, ["记录号", "姓名", "活动名称", "服务日期", "服务地点", "服务内容", "服务时长",
                    "组织单位", "现场负责人", "来源", "状态", "原因", "更正自"])
    rows = db.session.execute(
        sa.select(HoursRecord, Member.name)
        .join(Member, Member.id == HoursRecord.member_id)
        .where(HoursRecord.activity_id == activity.id)
        .order_by(HoursRecord.id)
    )
    for record, name in rows:
        sheet.append(_record_row(record, name))
    return workbook_bytes(workbook)


def _record_row(record: HoursRecord, name: str) -> list:
    return [record.id, name, record.activity_name, record.service_date.isoformat(), record.place,
            record.content, float(record.hours), record.organiser, record.leader,
            SOURCE_LABELS.get(record.source, record.source),
            STATUS_LABELS.get(record.status, record.status), record.reason or "",
            record.supersedes_id or ""]


def member_log_workbook(member: Member) -> bytes:
    """在职党员活动登记薄: every activity newest first, with the counting hours."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "活动登记薄"
    sheet.append([f"{member.name} 活动登记薄"])
    _header(sheet, ["活动名称", "类别", "服务日期", "开始", "结束", "地点", "组织单位",
                    "现场负责人", "状态", "时长(小时)", "时长状态"])
    activities = list(db.session.scalars(records.log_activities_query(member.id)))
    for entry in records.log_entries(member.id, activities):
        activity = entry["activity"]
        counting = entry["hours_record"]
        pending = entry["pending_record"]
        sheet.append([
            activity.title,
            CATEGORY_LABELS.get(activity.category, activity.category),
            to_local(activity.starts_at).date().isoformat(),
            _time(activity.starts_at),
            _time(activity.ends_at),
            activity.address,
            activity.organiser,
            activity.leader_name,
            STATE_LABELS.get(entry["state"], entry["state"]),
            float(counting.hours) if counting else "",
            "有更正待审核" if pending else ("有效" if counting else ""),
        ])
    return workbook_bytes(workbook)
