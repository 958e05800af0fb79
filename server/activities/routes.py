"""/api/v1 activities, sign-up, clock-in/out, records (活动、报名与打卡)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_smorest import Blueprint

from server.activities import clockin, export, records, service
from server.activities.models import (
    Activity,
    ActivityStatus,
    Appeal,
    Attendance,
    CommunityHoursRule,
    HoursRecord,
)
from server.activities.rules import rule_for
from server.activities.schemas import (
    ActivityInSchema,
    ActivityPatchSchema,
    ActivityQuerySchema,
    ActivitySchema,
    AppealInSchema,
    AppealQuerySchema,
    AppealResolveSchema,
    AppealSchema,
    AttendanceSchema,
    ClockInSchema,
    ConfirmAttendanceSchema,
    CorrectionInSchema,
    HoursQuerySchema,
    HoursRecordSchema,
    HoursRuleInSchema,
    HoursRuleSchema,
    LogEntrySchema,
    ManualRecordInSchema,
    OnSiteCodeSchema,
    RosterSchema,
    SignUpSchema,
    StaffActivityQuerySchema,
    UnconfirmedSchema,
)
from server.audit.service import record as audit
from server.auth.scope import (
    ON_SITE_STAFF,
    current_member,
    current_principal,
    get_visible_member,
    require_activity,
    require_community,
    require_community_row,
    visible_activity,
)
from server.excel import XLSX_BODY, XLSX_MIMETYPE, xlsx_response
from server.extensions import db
from server.pagination import paginate
from server.schemas import ReasonSchema
from server.timeutil import utcnow

blp = Blueprint("activities", __name__, url_prefix="/api/v1", description="活动、报名与打卡")

def _staff_row(model, row_id: int, what: str):
    return require_community_row(current_principal(), model, row_id, what)


# --- activities (staff) --------------------------------------------------------------------


@blp.route("/communities/<int:community_id>/activities", methods=["GET"])
@blp.arguments(StaffActivityQuerySchema, location="query")
@blp.response(200, ActivitySchema(many=True))
@blp.paginate()
def community_activities(query, community_id, pagination_parameters):
    """Every activity of a community, drafts included, newest start first (staff)."""
    require_community(current_principal(), community_id, ON_SITE_STAFF)
    statement = sa.select(Activity).filter_by(community_id=community_id)
    if "status" in query:
        statement = statement.filter_by(status=query["status"])
    if "category" in query:
        statement = statement.filter_by(category=query["category"])
    return paginate(
        statement.order_by(Activity.starts_at.desc(), Activity.id.desc()), pagination_parameters
    )


@blp.route("/communities/<int:community_id>/activities", methods=["POST"])
@blp.arguments(ActivityInSchema)
@blp.response(201, ActivitySchema)
def create_activity(body, community_id):
    """Create an activity (a draft; `publish: true` publishes it at once)."""
    principal = current_principal()
    require_community(principal, community_id)
    publish = body.pop("publish", False)
    return service.create_activity(principal.user_id, community_id, body, publish=publish)


@blp.route("/activities/<int:activity_id>", methods=["PATCH"])
@blp.arguments(ActivityPatchSchema)
@blp.response(200, ActivitySchema)
def update_activity(body, activity_id):
    """Edit; after publishing every change is recorded and announced to those signed up."""
    principal = current_principal()
    require_activity(principal, activity_id)
    return service.update_activity(principal.user_id, activity_id, body)


@blp.route("/activities/<int:activity_id>/publish", methods=["POST"])
@blp.response(200, ActivitySchema)
def publish_activity(activity_id):
    principal = current_principal()
    require_activity(principal, activity_id)
    return service.publish_activity(principal.user_id, activity_id)


@blp.route("/activities/<int:activity_id>/cancel", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.response(200, ActivitySchema)
def cancel_activity(body, activity_id):
    principal = current_principal()
    require_activity(principal, activity_id)
    return service.cancel_activity(principal.user_id, activity_id, body["reason"])


@blp.route("/activities/<int:activity_id>/onsite-code")
@blp.response(200, OnSiteCodeSchema)
def onsite_code(activity_id):
    """The rotating code for the leader's phone (现场签到码); refresh when `expires_in` ends."""
    activity = require_activity(current_principal(), activity_id, ON_SITE_STAFF)
    return clockin.current_code(activity)


@blp.route("/activities/<int:activity_id>/roster")
@blp.response(200, RosterSchema)
def roster(activity_id):
    """The on-site roster, live: signed up, clocked in, clocked out, absent."""
    activity = require_activity(current_principal(), activity_id, ON_SITE_STAFF)
    return records.roster(activity)


# --- activities (members) ------------------------------------------------------------------


@blp.route("/activities")
@blp.arguments(ActivityQuerySchema, location="query")
@blp.response(200, ActivitySchema(many=True))
@blp.paginate()
def activities(query, pagination_parameters):
    """Activities I may join: upcoming (soonest first), past (newest first) or all."""
    member = current_member()
    statement = sa.select(Activity).where(
        Activity.id.in_(service.member_activity_ids(member)),
        Activity.status != ActivityStatus.ARCHIVED.value,
    )
    if "category" in query:
        statement = statement.filter_by(category=query["category"])
    now = utcnow()
    if query["when"] == "upcoming":
        statement = statement.where(
            Activity.ends_at > now, Activity.status != ActivityStatus.CANCELLED.value
        ).order_by(Activity.starts_at, Activity.id)
    elif query["when"] == "past":
        statement = statement.where(Activity.ends_at <= now).order_by(
            Activity.starts_at.desc(), Activity.id.desc()
        )
    else:
        statement = statement.order_by(Activity.starts_at.desc(), Activity.id.desc())
    return paginate(statement, pagination_parameters)


@blp.route("/activities/<int:activity_id>")
@blp.response(200, ActivitySchema)
def activity(activity_id):
    return visible_activity(current_principal(), activity_id)


@blp.route("/activities/<int:activity_id>/signup", methods=["POST"])
@blp.response(200, SignUpSchema)
def sign_up(activity_id):
    """报名: confirmed while places are left, else on the waitlist; a repeat changes nothing."""
    return service.sign_up(current_member(), activity_id)


@blp.route("/activities/<int:activity_id>/signup/withdraw", methods=["POST"])
@blp.response(200, SignUpSchema)
def withdraw(activity_id):
    """取消报名; the first on the waitlist gets the place."""
    return service.withdraw(current_member(), activity_id)


@blp.route("/activities/<int:activity_id>/clock-in", methods=["POST"])
@blp.arguments(ClockInSchema)
@blp.response(200, AttendanceSchema)
def clock_in(body, activity_id):
    """签到 by the rotating code or by location; sent again, it returns the same record."""
    return service.clock_in(current_member(), activity_id, body)


@blp.route("/activities/<int:activity_id>/clock-out", methods=["POST"])
@blp.arguments(ClockInSchema)
@blp.response(200, AttendanceSchema)
def clock_out(body, activity_id):
    """签退; the hours are recorded at once."""
    return service.clock_out(current_member(), activity_id, body)


@blp.route("/activities/<int:activity_id>/appeals", methods=["POST"])
@blp.arguments(AppealInSchema)
@blp.response(201, AppealSchema)
def file_appeal(body, activity_id):
    """申诉 about my record of this activity; one open appeal at a time."""
    member = current_member()
    activity = visible_activity(current_principal(), activity_id)
    return records.file_appeal(member, activity, body["reason"])


@blp.route("/me/appeals")
@blp.response(200, AppealSchema(many=True))
@blp.paginate()
def my_appeals(pagination_parameters):
    member = current_member()
    statement = sa.select(Appeal).filter_by(member_id=member.id).order_by(Appeal.id.desc())
    return paginate(statement, pagination_parameters)


# --- the activity log (活动登记薄) -----------------------------------------------------------


def _log(member_id: int, pagination_parameters):
    page = paginate(records.log_activities_query(member_id), pagination_parameters)
    return records.log_entries(member_id, page)


@blp.route("/me/activity-log")
@blp.response(200, LogEntrySchema(many=True))
@blp.paginate()
def my_activity_log(pagination_parameters):
    """My activity log: every activity, its hours and status, newest first."""
    return _log(current_member().id, pagination_parameters)


@blp.route("/members/<int:member_id>/activity-log")
@blp.response(200, LogEntrySchema(many=True))
@blp.paginate()
def member_activity_log(member_id, pagination_parameters):
    member = get_visible_member(current_principal(), member_id)
    return _log(member.id, pagination_parameters)


@blp.route("/members/<int:member_id>/activity-log.xlsx")
@blp.response(200, XLSX_BODY, content_type=XLSX_MIMETYPE)
def member_activity_log_export(member_id):
    principal = current_principal()
    member = get_visible_member(principal, member_id)
    data = export.member_log_workbook(member)
    audit(principal.user_id, "export.member_activity_log", "member", member.id,
          community_id=member.community_id)
    return xlsx_response(data, f"activity-log-{member.id}.xlsx")


@blp.route("/activities/<int:activity_id>/records.xlsx")
@blp.response(200, XLSX_BODY, content_type=XLSX_MIMETYPE)
def activity_records_export(activity_id):
    principal = current_principal()
    activity = require_activity(principal, activity_id)
    data = export.activity_records_workbook(activity)
    audit(principal.user_id, "export.activity_records", "activity", activity.id,
          community_id=activity.community_id)
    return xlsx_response(data, f"activity-{activity.id}-records.xlsx")


# --- hours records, corrections, approvals (staff) ------------------------------------------


@blp.route("/activities/<int:activity_id>/hours-records", methods=["GET"])
@blp.arguments(HoursQuerySchema, location="query")
@blp.response(200, HoursRecordSchema(many=True))
@blp.paginate()
def activity_hours_records(query, activity_id, pagination_parameters):
    """Every hours record of the activity, superseded and rejected ones included."""
    require_activity(current_principal(), activity_id)
    statement = sa.select(HoursRecord).filter_by(activity_id=activity_id)
    if "status" in query:
        statement = statement.filter_by(status=query["status"])
    return paginate(statement.order_by(HoursRecord.id), pagination_parameters)


@blp.route("/activities/<int:activity_id>/hours-records", methods=["POST"])
@blp.arguments(ManualRecordInSchema)
@blp.response(201, HoursRecordSchema)
def add_manual_record(body, activity_id):
    """补录 with a reason; counts after the community secretary approves."""
    principal = current_principal()
    activity = require_activity(principal, activity_id)
    member = get_visible_member(principal, body["member_id"])
    return records.add_manual_record(
        principal.user_id, activity, member, body["hours"], body["reason"]
    )


@blp.route("/communities/<int:community_id>/hours-records")
@blp.arguments(HoursQuerySchema, location="query")
@blp.response(200, HoursRecordSchema(many=True))
@blp.paginate()
def community_hours_records(query, community_id, pagination_parameters):
    """The community's records; `status=pending` is the secretary's approval queue."""
    require_community(current_principal(), community_id)
    statement = sa.select(HoursRecord).filter_by(community_id=community_id)
    if "status" in query:
        statement = statement.filter_by(status=query["status"])
    return paginate(statement.order_by(HoursRecord.id.desc()), pagination_parameters)


@blp.route("/hours-records/<int:record_id>/corrections", methods=["POST"])
@blp.arguments(CorrectionInSchema)
@blp.response(201, HoursRecordSchema)
def correct_record(body, record_id):
    """更正时长 with a reason; the new record counts after a second person approves."""
    record = _staff_row(HoursRecord, record_id, "时长记录")
    return records.correct_record(
        current_principal().user_id, record, body["hours"], body["reason"]
    )


@blp.route("/hours-records/<int:record_id>/reversal", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.response(201, HoursRecordSchema)
def reverse_record(body, record_id):
    """撤销 a wrong record: a correction to 0 hours, kept on file, approved like any other."""
    record = _staff_row(HoursRecord, record_id, "时长记录")
    return records.correct_record(
        current_principal().user_id, record, 0, body["reason"], action="reverse"
    )


@blp.route("/hours-records/<int:record_id>/approve", methods=["POST"])
@blp.response(200, HoursRecordSchema)
def approve_record(record_id):
    record = _staff_row(HoursRecord, record_id, "时长记录")
    return records.approve_record(current_principal(), record)


@blp.route("/hours-records/<int:record_id>/reject", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.response(200, HoursRecordSchema)
def reject_record(body, record_id):
    record = _staff_row(HoursRecord, record_id, "时长记录")
    return records.reject_record(current_principal(), record, body["reason"])


# --- missing clock-outs (未签退) --------------------------------------------------------------


@blp.route("/communities/<int:community_id>/unconfirmed-attendances")
@blp.response(200, UnconfirmedSchema(many=True))
@blp.paginate()
def unconfirmed(community_id, pagination_parameters):
    """The daily list: clock-ins never clocked out, waiting for staff to confirm."""
    require_community(current_principal(), community_id, ON_SITE_STAFF)
    return paginate(clockin.unconfirmed_query({community_id}), pagination_parameters)


@blp.route("/attendances/<int:attendance_id>/confirm", methods=["POST"])
@blp.arguments(ConfirmAttendanceSchema)
@blp.response(200, AttendanceSchema)
def confirm_attendance(body, attendance_id):
    """Confirm a 未签退 record with the time the member left (default: the scheduled end)."""
    attendance = _staff_row(Attendance, attendance_id, "签到记录")
    return clockin.confirm_unconfirmed(
        current_principal().user_id, attendance, body.get("clock_out_at"), body["reason"]
    )


# --- appeals (staff) -------------------------------------------------------------------------


@blp.route("/communities/<int:community_id>/appeals")
@blp.arguments(AppealQuerySchema, location="query")
@blp.response(200, AppealSchema(many=True))
@blp.paginate()
def community_appeals(query, community_id, pagination_parameters):
    require_community(current_principal(), community_id)
    statement = sa.select(Appeal).filter_by(community_id=community_id)
    if "status" in query:
        statement = statement.filter_by(status=query["status"])
    return paginate(statement.order_by(Appeal.id.desc()), pagination_parameters)


@blp.route("/appeals/<int:appeal_id>/resolve", methods=["POST"])
@blp.arguments(AppealResolveSchema)
@blp.response(200, AppealSchema)
def resolve_appeal(body, appeal_id):
    appeal = _staff_row(Appeal, appeal_id, "申诉")
    return records.resolve_appeal(
        current_principal().user_id, appeal, body["outcome"], body["reason"]
    )


# --- the community's hours rule ----------------------------------------------------------------


@blp.route("/communities/<int:community_id>/hours-rule", methods=["GET"])
@blp.response(200, HoursRuleSchema)
def hours_rule(community_id):
    require_community(current_principal(), community_id, ON_SITE_STAFF)
    return rule_for(community_id)


@blp.route("/communities/<int:community_id>/hours-rule", methods=["PUT"])
@blp.arguments(HoursRuleInSchema)
@blp.response(200, HoursRuleSchema)
def set_hours_rule(body, community_id):
    """How the community counts hours: missing clock-out, rounding, minimum share."""
    principal = current_principal()
    require_community(principal, community_id)
    before = rule_for(community_id)
    row = db.session.scalar(sa.select(CommunityHoursRule).filter_by(community_id=community_id))
    if row is None:
        row = CommunityHoursRule(community_id=community_id)
        db.session.add(row)
    row.missing_clockout = body["missing_clockout"]
    row.rounding = body["rounding"]
    row.min_share = body["min_share"]
    row.updated_by_user_id = principal.user_id
    db.session.flush()
    audit(
        principal.user_id,
        "hours_rule.update",
        "community",
        community_id,
        community_id=community_id,
        before={"missing_clockout": before.missing_clockout, "rounding": before.rounding,
                "min_share": str(before.min_share)},
        after={"missing_clockout": row.missing_clockout, "rounding": row.rounding,
               "min_share": str(row.min_share)},
    )
    return rule_for(community_id)
