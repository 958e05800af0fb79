"""/api/v1 hours records, corrections and approvals, missing clock-outs, appeals and the hours
rule (时长记录、更正与审核、未签退、申诉): the staff side of an activity's records.

Each view parses with a schema, calls one service function with the caller's Principal
first, and returns what a schema dumps.
"""

from __future__ import annotations

from flask_smorest import Blueprint

from server.activities import (
    appeals,
    hours_rules,
    records,
    unconfirmed,
)
from server.activities.schemas import (
    AppealQuerySchema,
    AppealResolveSchema,
    AppealSchema,
    AttendanceSchema,
    ConfirmAttendanceSchema,
    CorrectionInSchema,
    HoursQuerySchema,
    HoursRecordSchema,
    HoursRuleInSchema,
    HoursRuleSchema,
    ManualRecordInSchema,
    UnconfirmedSchema,
)
from server.auth.scope import current_principal
from server.schemas import ReasonSchema

blp = Blueprint(
    "hours_records", __name__, url_prefix="/api/v1", description="时长记录、更正、申诉与未签退"
)


# --- hours records, corrections, approvals (staff) ------------------------------------------


@blp.get("/activities/<int:activity_id>/hours-records")
@blp.arguments(HoursQuerySchema, location="query")
@blp.response(200, HoursRecordSchema(many=True))
@blp.paginate()
def activity_hours_records(query, activity_id, pagination_parameters):
    """活动的时长记录（工作人员）

    含已被更正、已驳回的记录；可按状态筛选。
    """
    return records.activity_hours_records(
        current_principal(), activity_id, query, pagination_parameters
    )


@blp.post("/activities/<int:activity_id>/hours-records")
@blp.arguments(ManualRecordInSchema)
@blp.response(201, HoursRecordSchema)
def add_manual_record(body, activity_id):
    """补录时长（工作人员）

    须写明原因；经社区党组织书记审核通过后计入。
    """
    return records.add_manual_record(current_principal(), activity_id, body)


@blp.get("/communities/<int:community_id>/hours-records")
@blp.arguments(HoursQuerySchema, location="query")
@blp.response(200, HoursRecordSchema(many=True))
@blp.paginate()
def community_hours_records(query, community_id, pagination_parameters):
    """社区的时长记录（工作人员）

    `status=pending` 即书记的待审核列表。
    """
    return records.community_hours_records(
        current_principal(), community_id, query, pagination_parameters
    )


@blp.post("/hours-records/<int:record_id>/corrections")
@blp.arguments(CorrectionInSchema)
@blp.response(201, HoursRecordSchema)
def correct_record(body, record_id):
    """更正时长（工作人员）

    须写明原因；新记录经另一人审核通过后取代原记录。
    """
    return records.correct_record(current_principal(), record_id, body["hours"], body["reason"])


@blp.post("/hours-records/<int:record_id>/reversal")
@blp.arguments(ReasonSchema)
@blp.response(201, HoursRecordSchema)
def reverse_record(body, record_id):
    """撤销时长记录（工作人员）

    即更正为 0 小时：原记录保留备查，与其他更正一样须审核。
    """
    return records.correct_record(
        current_principal(), record_id, 0, body["reason"], action="reverse"
    )


@blp.post("/hours-records/<int:record_id>/approve")
@blp.response(200, HoursRecordSchema)
def approve_record(record_id):
    """审核通过补录或更正（社区党组织书记）

    审核人不能是提出变更的本人。
    """
    return records.approve_record(current_principal(), record_id)


@blp.post("/hours-records/<int:record_id>/reject")
@blp.arguments(ReasonSchema)
@blp.response(200, HoursRecordSchema)
def reject_record(body, record_id):
    """驳回补录或更正（社区党组织书记）

    须写明原因。
    """
    return records.reject_record(current_principal(), record_id, body["reason"])


# --- missing clock-outs (未签退) --------------------------------------------------------------


@blp.get("/communities/<int:community_id>/unconfirmed-attendances")
@blp.response(200, UnconfirmedSchema(many=True))
@blp.paginate()
def unconfirmed_attendances(community_id, pagination_parameters):
    """待确认的未签退记录（工作人员）

    每日清单：已签到但未签退、等待工作人员确认的记录。
    """
    return unconfirmed.unconfirmed_attendances(
        current_principal(), community_id, pagination_parameters
    )


@blp.post("/attendances/<int:attendance_id>/confirm")
@blp.arguments(ConfirmAttendanceSchema)
@blp.response(200, AttendanceSchema)
def confirm_attendance(body, attendance_id):
    """确认未签退记录（工作人员）

    填写党员离开的时间（默认为活动结束时间）和原因，随即计算时长。
    """
    return unconfirmed.confirm_unconfirmed(
        current_principal(), attendance_id, body.get("clock_out_at"), body["reason"]
    )


# --- appeals (staff) -------------------------------------------------------------------------


@blp.get("/communities/<int:community_id>/appeals")
@blp.arguments(AppealQuerySchema, location="query")
@blp.response(200, AppealSchema(many=True))
@blp.paginate()
def community_appeals(query, community_id, pagination_parameters):
    """社区的申诉（工作人员）

    最新的在前；可按状态筛选。
    """
    return appeals.community_appeals(
        current_principal(), community_id, query, pagination_parameters
    )


@blp.post("/appeals/<int:appeal_id>/resolve")
@blp.arguments(AppealResolveSchema)
@blp.response(200, AppealSchema)
def resolve_appeal(body, appeal_id):
    """处理申诉（工作人员）

    维持或驳回，须写明理由。
    """
    return appeals.resolve_appeal(
        current_principal(), appeal_id, body["outcome"], body["reason"]
    )


# --- the community's hours rule ----------------------------------------------------------------


@blp.get("/communities/<int:community_id>/hours-rule")
@blp.response(200, HoursRuleSchema)
def hours_rule(community_id):
    """社区的时长计算规则（工作人员）

    未签退的处理方式、取整方式和最低参与比例。
    """
    return hours_rules.hours_rule(current_principal(), community_id)


@blp.put("/communities/<int:community_id>/hours-rule")
@blp.arguments(HoursRuleInSchema)
@blp.response(200, HoursRuleSchema)
def set_hours_rule(body, community_id):
    """设置社区的时长计算规则（工作人员）

    未签退的处理方式、取整方式和最低参与比例；修改记入审计日志。
    """
    return hours_rules.set_hours_rule(current_principal(), community_id, body)
