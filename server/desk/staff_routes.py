"""/api/v1/desk, second part: changes after publishing, 志愿服务记录 per member, a member's
page and 一卡一薄 downloads (the console's 活动管理 and 党员管理)."""

from __future__ import annotations

from flask_smorest import Blueprint

from server.auth.scope import current_principal
from server.desk import changes, hours, ledger, member_list, member_summary
from server.desk.staff_schemas import (
    ActivityChangeSchema,
    DeskHoursRecordSchema,
    DeskMemberQuerySchema,
    DeskMemberSchema,
    HoursPerMemberQuerySchema,
    HoursPerMemberSchema,
    MemberSummarySchema,
    PeriodQuerySchema,
    YearQuerySchema,
)
from server.excel import XLSX_BODY, XLSX_MIMETYPE, xlsx_response

blp = Blueprint("desk_staff", __name__, url_prefix="/api/v1/desk",
                description="管理后台：活动记录与党员档案")


@blp.get("/activities/<int:activity_id>/changes")
@blp.response(200, ActivityChangeSchema(many=True))
def activity_changes(activity_id):
    """活动发布后的变更记录（工作人员）

    列出活动发布后每次修改改了哪一项、原来是什么、改成什么、谁在何时修改，最新的在前。
    """
    return changes.activity_changes(current_principal(), activity_id)


@blp.get("/activities/<int:activity_id>/hours-records")
@blp.response(200, DeskHoursRecordSchema(many=True))
def activity_hours_records(activity_id):
    """活动的时长记录（工作人员）

    列出活动的全部时长记录（含待审核、已驳回、已被更正），带党员姓名和录入人、审核人。
    """
    return hours.activity_records(current_principal(), activity_id)


@blp.get("/communities/<int:community_id>/hours-per-member")
@blp.arguments(HoursPerMemberQuerySchema, location="query")
@blp.response(200, HoursPerMemberSchema)
def hours_per_member(query, community_id):
    """党员服务时长汇总（工作人员）

    按党员汇总一段时间内（可限定某场活动）已生效的志愿服务时长，时长多的在前。
    """
    return hours.hours_per_member(current_principal(), community_id, query)


@blp.get("/members")
@blp.arguments(DeskMemberQuerySchema, location="query")
@blp.response(200, DeskMemberSchema(many=True))
@blp.paginate()
def members(query, pagination_parameters):
    """党员名单（工作人员）

    本人负责范围内的党员，可按姓名、类别、单位、楼栋、网格、报到状态和本年星级筛选。
    """
    return member_list.desk_members(current_principal(), query, pagination_parameters)


@blp.get("/members/<int:member_id>/summary")
@blp.arguments(YearQuerySchema, location="query")
@blp.response(200, MemberSummarySchema)
def summary(query, member_id):
    """党员档案概览（工作人员）

    一名党员某年的服务时长、积分与星级、承诺、党员活动日出勤和报到记录。
    """
    return member_summary.member_summary(current_principal(), member_id, query.get("year"))


@blp.get("/members/<int:member_id>/ledger.xlsx")
@blp.response(200, XLSX_BODY, content_type=XLSX_MIMETYPE)
def member_ledger(member_id):
    """下载党员一卡一薄（工作人员）

    一名党员的报到登记卡和活动登记薄，按 A4 排版便于打印；每次下载记入审计日志。
    """
    return xlsx_response(*ledger.member_ledger_xlsx(current_principal(), member_id))


@blp.get("/communities/<int:community_id>/ledger.xlsx")
@blp.arguments(PeriodQuerySchema, location="query")
@blp.response(200, XLSX_BODY, content_type=XLSX_MIMETYPE)
def community_ledger(query, community_id):
    """下载社区一卡一薄（工作人员）

    社区全部报到登记卡和一段时间内的活动登记薄，按 A4 排版便于打印；每次下载记入审计日志。
    """
    return xlsx_response(*ledger.community_ledger_xlsx(current_principal(), community_id, query))
