"""The audit reader: secretaries and admins read (and download) the audit log of their scope."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask_smorest.pagination import PaginationParameters
from openpyxl.styles import Font

from server.audit.models import AuditEntry
from server.audit.service import record as audit
from server.auth.models import User
from server.auth.scope import Principal, audit_scope
from server.errors import invalid
from server.excel import Workbook, set_up_for_printing, workbook_bytes
from server.extensions import db
from server.members.models import Community, Member
from server.pagination import paginate
from server.timeutil import local_midnight_utc, to_local, utcnow

MAX_EXPORT_ROWS = 50_000

ACTION_LABELS = {
    "console.login": "登录管理后台",
    "console.logout": "退出管理后台",
    "console.logout_everywhere": "退出所有管理后台登录",
    "place.create": "新建地点",
    "place.update": "修改地点",
    "place.delete": "删除地点",
    "role.grant": "授予角色",
    "role.revoke": "撤销角色",
    "import.apply": "Excel 导入",
    "audit.export": "导出操作日志",
    "activity.create": "新建活动",
    "activity.update": "修改活动",
    "activity.publish": "发布活动",
    "activity.cancel": "取消活动",
    "appeal.resolve": "处理申诉",
    "attendance.confirm": "确认签到",
    "hours.approve": "批准时长",
    "hours.reject": "驳回时长",
    "hours.manual_add": "补录时长",
    "hours.supersede": "更正时长",
    "hours_rule.update": "修改时长规则",
    "registration.approve": "批准报到",
    "registration.reject": "驳回报到",
    "export.registration_cards": "导出登记卡",
    "export.activity_records": "导出活动登记簿",
    "export.member_activity_log": "导出党员活动记录",
    "export.member_ledger": "导出党员一卡一薄",
    "export.community_ledger": "导出社区一卡一薄",
    "export.feedback_sheet": "导出反馈单",
    "points.manual_award.propose": "提议加分",
    "points.manual_award.approve": "批准加分",
    "points.manual_award.reject": "驳回加分",
    "points.reverse": "撤销积分",
    "points.rule.add": "新增积分规则",
    "points.star_levels.set": "设置星级",
    "points.feedback_comment": "填写反馈评语",
    "feedback_sheet.generate": "生成反馈单",
    "feedback_sheet.comment": "填写反馈单评语",
    "feedback_sheet.sign": "签发反馈单",
    "feedback_sheet.send": "送达反馈单",
    "feedback_sheet.remind": "催办反馈单回执",
    "feedback_sheet.acknowledge": "回执反馈单",
    "export.leaderboard": "导出先锋榜",
    "appraisal.grade": "评定考核等次",
    "appraisal.thresholds": "设置评议分数线",
    "pledge_template.create": "新建承诺书模板",
    "pledge_template.update": "修改承诺书模板",
    "pledge_note.verify": "核实履诺记录",
    "pledge_note.return": "退回履诺记录",
    "building_head.appoint": "任命楼栋长",
    "building_head.remove": "免去楼栋长",
    "responsibility_area.assign": "分配责任区",
    "responsibility_area.remove": "撤销责任区",
    "party_day_settings.update": "修改主题党日设置",
    "makeup_session.create": "安排补课",
    "dedication_day.declare": "设立党员奉献日",
    "activity.copy": "复制活动",
    "member.reveal": "查看党员完整信息",
    "inbox.self_decision_refused": "拒绝审批本人事项",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def _statement(principal: Principal, filters: dict[str, Any]) -> sa.Select:
    communities, streets = audit_scope(principal)
    scope = []
    if communities:
        scope.append(AuditEntry.community_id.in_(communities))
    if streets:
        scope.append(AuditEntry.street_id.in_(streets))
    statement = sa.select(AuditEntry).where(sa.or_(*scope))
    since: date | None = filters.get("since")
    until: date | None = filters.get("until")
    if since and until and since > until:
        raise invalid("date_range_invalid", "开始日期不能晚于结束日期",
                      {"fields": {"since": "晚于结束日期"}})
    if since:
        statement = statement.where(AuditEntry.at >= local_midnight_utc(since))
    if until:
        statement = statement.where(AuditEntry.at < local_midnight_utc(until + timedelta(days=1)))
    for name in ("actor_user_id", "community_id", "street_id"):
        if filters.get(name) is not None:
            statement = statement.where(getattr(AuditEntry, name) == filters[name])
    if filters.get("actor"):
        # a person by name: their WeChat display name or the name on their member record
        text = filters["actor"]
        people = (sa.select(User.id).outerjoin(Member, Member.user_id == User.id)
                  .where(sa.or_(User.display_name.contains(text, autoescape=True),
                                Member.name.contains(text, autoescape=True))))
        statement = statement.where(AuditEntry.actor_user_id.in_(people))
    if filters.get("action"):
        action = filters["action"]
        # "role" matches role.grant and role.revoke: a family of actions
        statement = statement.where(sa.or_(AuditEntry.action == action,
                                           AuditEntry.action.startswith(f"{action}.",
                                                                        autoescape=True)))
    return statement.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def _views(entries: list[AuditEntry]) -> list[dict[str, Any]]:
    """Each entry with its actor's and community's names (two statements for the page)."""
    actor_ids = {e.actor_user_id for e in entries if e.actor_user_id}
    community_ids = {e.community_id for e in entries if e.community_id}
    actors: dict[int, str] = {}
    names: dict[int, str] = {}
    if actor_ids:
        actors = {row.id: row.display_name for row in db.session.execute(
            sa.select(User.id, User.display_name).where(User.id.in_(actor_ids)))}
    if community_ids:
        names = {row.id: row.name for row in db.session.execute(
            sa.select(Community.id, Community.name).where(Community.id.in_(community_ids)))}
    return [{
        "entry": e,
        "action_label": action_label(e.action),
        "actor": {"id": e.actor_user_id, "display_name": actors.get(e.actor_user_id, "")}
        if e.actor_user_id else None,
        "community": {"id": e.community_id, "name": names.get(e.community_id, "")}
        if e.community_id else None,
    } for e in entries]


def entries_page(
    principal: Principal, pagination: PaginationParameters, **filters: Any
) -> list[dict[str, Any]]:
    """A page of the audit log of the caller's scope, newest first."""
    return _views(paginate(_statement(principal, filters), pagination))


def export_xlsx(principal: Principal, **filters: Any) -> tuple[bytes, str]:
    """The filtered audit log as Excel; the download itself is audited."""
    entries = list(db.session.scalars(_statement(principal, filters).limit(MAX_EXPORT_ROWS)))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "操作日志"
    headers = ["时间", "操作人", "操作", "对象", "对象编号", "社区", "原因", "修改前", "修改后"]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for view in _views(entries):
        entry = view["entry"]
        sheet.append([
            to_local(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
            view["actor"]["display_name"] if view["actor"] else "系统",
            view["action_label"], entry.target_type, entry.target_id or "",
            view["community"]["name"] if view["community"] else "", entry.reason or "",
            _compact(entry.before), _compact(entry.after),
        ])
    for letter, width in zip("ABCDEFGHI", (20, 16, 18, 16, 12, 16, 24, 40, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    set_up_for_printing(sheet, header_row=1)
    communities, streets = audit_scope(principal)
    audit(principal.user_id, "audit.export", "audit_log", None,
          community_id=filters.get("community_id") or (
              next(iter(communities)) if len(communities) == 1 and not streets else None),
          street_id=filters.get("street_id") or (next(iter(streets)) if len(streets) == 1
                                                 else None),
          after={"rows": len(entries), **{k: str(v) for k, v in filters.items() if v}})
    stamp = to_local(utcnow()).strftime("%Y%m%d-%H%M")
    return workbook_bytes(workbook), f"操作日志-{stamp}.xlsx"


def _compact(value: dict | None) -> str:
    if not value:
        return ""
    return "；".join(f"{k}={v}" for k, v in value.items())


def action_labels(principal: Principal) -> list[dict[str, str]]:
    audit_scope(principal)  # readers only
    return [{"action": action, "label": label} for action, label in ACTION_LABELS.items()]
