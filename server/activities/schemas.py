"""Activities, sign-ups, clock records, hours records and appeals as the API shows/accepts them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate, validates_schema
from marshmallow import ValidationError as MarshmallowValidationError

from server.activities.models import (
    CATEGORY_LABELS,
    STATUS_LABELS,
    ActivityCategory,
    AppealStatus,
    MissingClockoutRule,
    RoundingRule,
)
from server.members.models import MemberType
from server.schemas import LocalDateTime, ShownSchema, StrictSchema, Text, decimal_between

CATEGORIES = [c.value for c in ActivityCategory]


_hours_range = decimal_between(0, 24, "时长应在0到24小时之间")
_share_range = decimal_between(0, 1, "应在0到1之间（如0.6表示60%）")


class ActivityInSchema(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=100))
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    content = Text(multiline=True, load_default="", validate=validate.Length(max=5000))
    address = fields.String(load_default="", validate=validate.Length(max=200))
    latitude = fields.Float(allow_none=True, validate=validate.Range(-90, 90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(-180, 180))
    radius_m = fields.Integer(load_default=200, validate=validate.Range(10, 5000))
    starts_at = LocalDateTime(required=True)
    ends_at = LocalDateTime(required=True)
    organiser = fields.String(load_default="", validate=validate.Length(max=100))
    leader_name = fields.String(load_default="", validate=validate.Length(max=50))
    leader_user_id = fields.Integer(allow_none=True)
    capacity = fields.Integer(allow_none=True, validate=validate.Range(1, 100000))
    signup_deadline = LocalDateTime(allow_none=True)
    audience_grid_ids = fields.List(fields.Integer(), load_default=list)
    audience_member_types = fields.List(
        fields.String(validate=validate.OneOf([t.value for t in MemberType])), load_default=list
    )
    audience_street_id = fields.Integer(allow_none=True)
    publish = fields.Boolean(load_default=False)


class ActivityPatchSchema(ActivityInSchema):
    """Only the fields sent are changed."""

    title = fields.String(validate=validate.Length(min=1, max=100))
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    content = Text(multiline=True, validate=validate.Length(max=5000))
    address = fields.String(validate=validate.Length(max=200))
    radius_m = fields.Integer(validate=validate.Range(10, 5000))
    starts_at = LocalDateTime()
    ends_at = LocalDateTime()
    organiser = fields.String(validate=validate.Length(max=100))
    leader_name = fields.String(validate=validate.Length(max=50))
    audience_grid_ids = fields.List(fields.Integer())
    audience_member_types = fields.List(
        fields.String(validate=validate.OneOf([t.value for t in MemberType]))
    )
    publish = None


class ActivitySchema(ShownSchema):
    id = fields.Integer()
    community_id = fields.Integer()
    title = fields.String()
    category = fields.String()
    category_label = fields.Function(lambda a: CATEGORY_LABELS.get(a.category, a.category))
    content = fields.String()
    address = fields.String()
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    radius_m = fields.Integer()
    starts_at = LocalDateTime()
    ends_at = LocalDateTime()
    organiser = fields.String()
    leader_name = fields.String()
    leader_user_id = fields.Integer(allow_none=True)
    capacity = fields.Integer(allow_none=True)
    signup_deadline = LocalDateTime(allow_none=True)
    audience_grid_ids = fields.List(fields.Integer())
    audience_member_types = fields.List(fields.String())
    audience_street_id = fields.Integer(allow_none=True)
    status = fields.Function(lambda a: a.status_now())
    status_label = fields.Function(lambda a: STATUS_LABELS.get(a.status_now(), ""))
    cancel_reason = fields.String(allow_none=True)
    # filled in by the service (activities.signup.show_with_counts)
    confirmed_count = fields.Integer()
    waitlisted_count = fields.Integer()
    my_signup_status = fields.String(allow_none=True)


class ActivityQuerySchema(StrictSchema):
    when = fields.String(
        load_default="upcoming", validate=validate.OneOf(["upcoming", "past", "all"])
    )
    category = fields.String(validate=validate.OneOf(CATEGORIES))


class StaffActivityQuerySchema(StrictSchema):
    status = fields.String(validate=validate.OneOf(list(STATUS_LABELS)))
    category = fields.String(validate=validate.OneOf(CATEGORIES))


class SignUpSchema(Schema):
    id = fields.Integer()
    activity_id = fields.Integer()
    member_id = fields.Integer()
    status = fields.String()
    created_at = LocalDateTime()
    promoted_at = LocalDateTime(allow_none=True)
    # filled in by the service (activities.signup.with_waitlist_position)
    waitlist_position = fields.Integer(allow_none=True)


class ClockInSchema(StrictSchema):
    """Proof of presence: the rotating code, or a GCJ-02 location fix with its accuracy."""

    method = fields.String(required=True, validate=validate.OneOf(["qr", "location"]))
    code = fields.String(validate=validate.Length(max=64),
                         metadata={"description": "现场签到码；method 为 qr 时必填"})
    latitude = fields.Float(validate=validate.Range(-90, 90),
                            metadata={"description": "GCJ-02 纬度；method 为 location 时必填"})
    longitude = fields.Float(validate=validate.Range(-180, 180),
                             metadata={"description": "GCJ-02 经度；method 为 location 时必填"})
    accuracy = fields.Float(validate=validate.Range(0, 100000),
                            metadata={"description": "定位精度（米）；method 为 location 时必填"})

    @validates_schema
    def _proof(self, data, **_kw):
        if data["method"] == "qr" and not data.get("code"):
            raise MarshmallowValidationError({"code": ["必填"]})


class AttendanceSchema(ShownSchema):
    id = fields.Integer()
    activity_id = fields.Integer()
    member_id = fields.Integer()
    status = fields.String()
    clock_in_at = LocalDateTime()
    clock_in_method = fields.String()
    clock_out_at = LocalDateTime(allow_none=True)
    clock_out_method = fields.String(allow_none=True)


class OnSiteCodeSchema(Schema):
    activity_id = fields.Integer()
    code = fields.String()
    window_seconds = fields.Integer()
    expires_in = fields.Integer()


class HoursRecordSchema(ShownSchema):
    id = fields.Integer()
    member_id = fields.Integer()
    activity_id = fields.Integer()
    community_id = fields.Integer()
    category = fields.String()
    hours = fields.Decimal(as_string=True)
    service_date = fields.Date()
    source = fields.String()
    status = fields.String()
    activity_name = fields.String()
    place = fields.String()
    content = fields.String()
    organiser = fields.String()
    leader = fields.String()
    reason = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    supersedes_id = fields.Integer(allow_none=True)
    created_by_user_id = fields.Integer(allow_none=True)
    created_at = LocalDateTime()
    approved_by_user_id = fields.Integer(allow_none=True)
    approved_at = LocalDateTime(allow_none=True)
    rejected_reason = fields.String(allow_none=True)


class HoursQuerySchema(StrictSchema):
    status = fields.String(
        validate=validate.OneOf(["pending", "approved", "rejected", "superseded"])
    )


class ManualRecordInSchema(StrictSchema):
    member_id = fields.Integer(required=True)
    hours = fields.Decimal(required=True, places=2, validate=_hours_range)
    reason = Text(multiline=True, required=True, validate=validate.Length(min=1, max=500))


class CorrectionInSchema(StrictSchema):
    hours = fields.Decimal(required=True, places=2, validate=_hours_range)
    reason = Text(multiline=True, required=True, validate=validate.Length(min=1, max=500))


class ConfirmAttendanceSchema(StrictSchema):
    clock_out_at = LocalDateTime(allow_none=True)
    reason = Text(multiline=True, required=True, validate=validate.Length(min=1, max=500))


class MemberBriefSchema(ShownSchema):
    id = fields.Integer()
    name = fields.String()
    member_type = fields.String()


class RosterEntrySchema(ShownSchema):
    member = fields.Nested(MemberBriefSchema)
    signup_status = fields.String(allow_none=True)
    state = fields.String()
    attendance = fields.Nested(AttendanceSchema, allow_none=True)
    hours = fields.Decimal(as_string=True, allow_none=True)


class RosterSchema(ShownSchema):
    activity_id = fields.Integer()
    summary = fields.Dict(keys=fields.String(), values=fields.Integer())
    entries = fields.List(fields.Nested(RosterEntrySchema))


class UnconfirmedSchema(Schema):
    attendance = fields.Function(lambda a: AttendanceSchema().dump(a))
    activity_title = fields.Function(lambda a: a.activity.title)
    member_name = fields.Function(lambda a: a.member.name)


class LogActivitySchema(ActivitySchema):
    class Meta:
        exclude = ("confirmed_count", "waitlisted_count", "my_signup_status")


class LogEntrySchema(ShownSchema):
    activity = fields.Nested(LogActivitySchema)
    signup_status = fields.String(allow_none=True)
    state = fields.String()
    attendance = fields.Nested(AttendanceSchema, allow_none=True)
    hours = fields.Decimal(as_string=True, allow_none=True)
    hours_record = fields.Nested(HoursRecordSchema, allow_none=True)
    pending_record = fields.Nested(HoursRecordSchema, allow_none=True)


class AppealInSchema(StrictSchema):
    reason = Text(multiline=True, required=True, validate=validate.Length(min=1, max=500))


class AppealResolveSchema(StrictSchema):
    outcome = fields.String(
        required=True, validate=validate.OneOf([AppealStatus.UPHELD, AppealStatus.DISMISSED])
    )
    reason = Text(multiline=True, required=True, validate=validate.Length(min=1, max=500))


class AppealSchema(Schema):
    id = fields.Integer()
    member_id = fields.Integer()
    member_name = fields.Function(lambda a: a.member.name)
    activity_id = fields.Integer()
    activity_title = fields.Function(lambda a: a.activity.title)
    hours_record_id = fields.Integer(allow_none=True)
    reason = fields.String()
    status = fields.String()
    resolution = fields.String(allow_none=True)
    resolved_at = LocalDateTime(allow_none=True)
    created_at = LocalDateTime()


class AppealQuerySchema(StrictSchema):
    status = fields.String(validate=validate.OneOf([s.value for s in AppealStatus]))


class HoursRuleSchema(Schema):
    missing_clockout = fields.String(
        required=True, validate=validate.OneOf([r.value for r in MissingClockoutRule])
    )
    rounding = fields.String(
        required=True, validate=validate.OneOf([r.value for r in RoundingRule])
    )
    min_share = fields.Decimal(required=True, places=2, as_string=True, validate=_share_range)


class HoursRuleInSchema(HoursRuleSchema, StrictSchema):
    pass

