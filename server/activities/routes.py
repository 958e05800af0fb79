"""/api/v1 activities, sign-up, clock-in/out, hours records and appeals (活动、报名与打卡).

Each view parses with a schema, calls one service function with the caller's Principal
first, and returns what a schema dumps.
"""

from __future__ import annotations

from flask_smorest import Blueprint

from server.activities import (
    activity_log,
    appeals,
    export,
    on_site,
    service,
)
from server.activities.schemas import (
    ActivityInSchema,
    ActivityPatchSchema,
    ActivityQuerySchema,
    ActivitySchema,
    AppealInSchema,
    AppealSchema,
    AttendanceSchema,
    ClockInSchema,
    LogEntrySchema,
    OnSiteCodeSchema,
    RosterSchema,
    SignUpSchema,
    StaffActivityQuerySchema,
)
from server.auth.scope import current_principal
from server.excel import XLSX_BODY, XLSX_MIMETYPE, xlsx_response
from server.schemas import ReasonSchema

blp = Blueprint("activities", __name__, url_prefix="/api/v1", description="活动、报名与打卡")


# --- activities (staff) --------------------------------------------------------------------


@blp.get("/communities/<int:community_id>/activities")
@blp.arguments(StaffActivityQuerySchema, location="query")
@blp.response(200, ActivitySchema(many=True))
@blp.paginate()
def community_activities(query, community_id, pagination_parameters):
    """社区的全部活动（工作人员）

    含草稿，按开始时间由近及远排列；可按状态、类别筛选。
    """
    return service.community_activities(
        current_principal(), community_id, query, pagination_parameters
    )


@blp.post("/communities/<int:community_id>/activities")
@blp.arguments(ActivityInSchema)
@blp.response(201, ActivitySchema)
def create_activity(body, community_id):
    """创建活动（工作人员）

    新建为草稿；`publish: true` 时立即发布。
    """
    return service.create_activity(current_principal(), community_id, body)


@blp.patch("/activities/<int:activity_id>")
@blp.arguments(ActivityPatchSchema)
@blp.response(200, ActivitySchema)
def update_activity(body, activity_id):
    """修改活动（工作人员）

    只改所传字段；发布后的每次修改都记入审计日志，并通知已报名的党员。
    """
    return service.update_activity(current_principal(), activity_id, body)


@blp.post("/activities/<int:activity_id>/publish")
@blp.response(200, ActivitySchema)
def publish_activity(activity_id):
    """发布活动（工作人员）

    草稿发布后党员即可报名；重复发布返回同一活动。
    """
    return service.publish_activity(current_principal(), activity_id)


@blp.post("/activities/<int:activity_id>/cancel")
@blp.arguments(ReasonSchema)
@blp.response(200, ActivitySchema)
def cancel_activity(body, activity_id):
    """取消活动（工作人员）

    须写明原因；活动结束前均可取消，已报名的党员会收到通知。
    """
    return service.cancel_activity(current_principal(), activity_id, body["reason"])


@blp.get("/activities/<int:activity_id>/onsite-code")
@blp.response(200, OnSiteCodeSchema)
def onsite_code(activity_id):
    """现场签到码（现场负责人）

    定时轮换的签到码，供现场负责人手机展示；`expires_in` 秒后请刷新。
    """
    return on_site.onsite_code(current_principal(), activity_id)


@blp.get("/activities/<int:activity_id>/roster")
@blp.response(200, RosterSchema)
def roster(activity_id):
    """现场名单（现场负责人）

    实时显示已报名、已签到、已签退、缺席的党员及汇总数。
    """
    return on_site.roster(current_principal(), activity_id)


# --- activities (members) ------------------------------------------------------------------


@blp.get("/activities")
@blp.arguments(ActivityQuerySchema, location="query")
@blp.response(200, ActivitySchema(many=True))
@blp.paginate()
def activities(query, pagination_parameters):
    """我可参加的活动

    即将开始的（最近的在前）、已结束的（最新的在前）或全部。
    """
    return service.activities_for_member(current_principal(), query, pagination_parameters)


@blp.get("/activities/<int:activity_id>")
@blp.response(200, ActivitySchema)
def activity(activity_id):
    """活动详情

    本社区工作人员，或可参加、已报名该活动的党员可查看。
    """
    return service.get_activity(current_principal(), activity_id)


@blp.post("/activities/<int:activity_id>/signup")
@blp.response(200, SignUpSchema)
def sign_up(activity_id):
    """报名

    名额未满时报名成功，否则进入候补；重复报名不改变任何记录。
    """
    return on_site.sign_up(current_principal(), activity_id)


@blp.post("/activities/<int:activity_id>/signup/withdraw")
@blp.response(200, SignUpSchema)
def withdraw(activity_id):
    """取消报名

    活动开始前可取消；空出的名额依次给候补的党员。
    """
    return on_site.withdraw(current_principal(), activity_id)


@blp.post("/activities/<int:activity_id>/clock-in")
@blp.arguments(ClockInSchema)
@blp.response(200, AttendanceSchema)
def clock_in(body, activity_id):
    """签到

    凭现场签到码或定位签到；重复发送返回同一条签到记录。
    """
    return on_site.clock_in(current_principal(), activity_id, body)


@blp.post("/activities/<int:activity_id>/clock-out")
@blp.arguments(ClockInSchema)
@blp.response(200, AttendanceSchema)
def clock_out(body, activity_id):
    """签退

    与签到相同的凭证；签退后即时记录服务时长。
    """
    return on_site.clock_out(current_principal(), activity_id, body)


@blp.post("/activities/<int:activity_id>/appeals")
@blp.arguments(AppealInSchema)
@blp.response(201, AppealSchema)
def file_appeal(body, activity_id):
    """提出申诉

    对本人在该活动的记录有异议时提出；同一活动同时只能有一条待处理的申诉。
    """
    return appeals.file_appeal(current_principal(), activity_id, body["reason"])


@blp.get("/me/appeals")
@blp.response(200, AppealSchema(many=True))
@blp.paginate()
def my_appeals(pagination_parameters):
    """我的申诉

    最新的在前。
    """
    return appeals.my_appeals(current_principal(), pagination_parameters)


# --- the activity log (活动登记薄) -----------------------------------------------------------


@blp.get("/me/activity-log")
@blp.response(200, LogEntrySchema(many=True))
@blp.paginate()
def my_activity_log(pagination_parameters):
    """我的活动登记薄

    参加过的每项活动、时长及状态，最新的在前。
    """
    return activity_log.my_activity_log(current_principal(), pagination_parameters)


@blp.get("/members/<int:member_id>/activity-log")
@blp.response(200, LogEntrySchema(many=True))
@blp.paginate()
def member_activity_log(member_id, pagination_parameters):
    """某党员的活动登记薄

    本人或其范围内的工作人员、书记可查看。
    """
    return activity_log.member_activity_log(current_principal(), member_id, pagination_parameters)


@blp.get("/members/<int:member_id>/activity-log.xlsx")
@blp.response(200, XLSX_BODY, content_type=XLSX_MIMETYPE)
def member_activity_log_export(member_id):
    """下载某党员的活动登记薄 Excel

    本人或其范围内的工作人员、书记可下载；每次下载都记入审计日志。
    """
    return xlsx_response(*export.member_activity_log_xlsx(current_principal(), member_id))


@blp.get("/activities/<int:activity_id>/records.xlsx")
@blp.response(200, XLSX_BODY, content_type=XLSX_MIMETYPE)
def activity_records_export(activity_id):
    """下载活动的时长记录 Excel（工作人员）

    每次下载都记入审计日志。
    """
    return xlsx_response(*export.activity_records_xlsx(current_principal(), activity_id))
