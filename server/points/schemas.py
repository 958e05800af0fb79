"""Request and response shapes of the points area."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.members.schemas import UnitSchema
from server.points.point_rules import PERIOD_PATTERN
from server.schemas import LocalDateTime, ShownSchema, StrictSchema, Text, decimal_between

PERIOD = validate.Regexp(PERIOD_PATTERN, error="统计周期格式有误")
APPRAISAL_PERIOD = validate.Regexp(r"^\d{4}(-H[12])?$", error="反馈单周期应为 2026 或 2026-H1")
KINDS = ["hours", "party_day", "pledge_note", "absence", "manual"]
MEMBER_TYPES = ["in_service", "direct", "retired", "floating"]


class PeriodPointsSchema(Schema):
    kind = fields.String()
    period = fields.String()
    points = fields.Integer()
    hours = fields.Decimal(as_string=True)


class MemberPointsSchema(Schema):
    member_id = fields.Integer()
    year = fields.Integer()
    stars = fields.Integer()
    all_time_points = fields.Integer()
    periods = fields.List(fields.Nested(PeriodPointsSchema))


class EntrySchema(ShownSchema):
    id = fields.Integer()
    member_id = fields.Integer()
    community_id = fields.Integer(allow_none=True)
    amount = fields.Integer()
    hours = fields.Method("_hours")
    rule_id = fields.Integer(allow_none=True)
    rule_key = fields.String()
    source_type = fields.String()
    source_key = fields.String()
    revision = fields.Integer()
    activity_id = fields.Integer(allow_none=True)
    earned_on = fields.Date()
    month = fields.String()
    reason = fields.String(allow_none=True)
    created_at = LocalDateTime()

    def _hours(self, entry):
        return str((entry.hours_centi or 0) / 100)


class BoardQuerySchema(StrictSchema):
    scope = fields.String(required=True,
                          validate=validate.OneOf(["community", "grid", "building", "unit",
                                                   "street"]))
    scope_id = fields.Integer(required=True)
    period = fields.String(validate=PERIOD)
    member_type = fields.String(validate=validate.OneOf(MEMBER_TYPES))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class BoardEntrySchema(Schema):
    rank = fields.Integer()
    member_id = fields.Integer()
    name = fields.String()
    points = fields.Integer()
    hours = fields.Decimal(as_string=True)
    stars = fields.Integer(allow_none=True)
    is_me = fields.Boolean()


class MyRankSchema(Schema):
    rank = fields.Integer()
    points = fields.Integer()
    hours = fields.Decimal(as_string=True)
    hidden_from_public = fields.Boolean()


class BoardSchema(Schema):
    scope = fields.String()
    scope_id = fields.Integer()
    scope_name = fields.String()
    period = fields.String()
    member_type = fields.String(allow_none=True)
    full_names = fields.Boolean()
    entries = fields.List(fields.Nested(BoardEntrySchema))
    me = fields.Nested(MyRankSchema, allow_none=True)


class RuleInSchema(StrictSchema):
    scope_type = fields.String(required=True, validate=validate.OneOf(["street", "community"]))
    scope_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    category = fields.String(load_default="*", validate=validate.Length(min=1, max=40))
    points = fields.Integer(required=True, validate=validate.Range(min=-1000, max=1000))
    daily_cap = fields.Integer(load_default=None, allow_none=True,
                               validate=validate.Range(min=0))
    monthly_cap = fields.Integer(load_default=None, allow_none=True,
                                 validate=validate.Range(min=0))
    effective_from = fields.Date(load_default=None, allow_none=True)


class RuleSchema(Schema):
    id = fields.Integer()
    scope_type = fields.String()
    scope_id = fields.Integer()
    kind = fields.String()
    category = fields.String()
    points = fields.Integer()
    daily_cap = fields.Integer(allow_none=True)
    monthly_cap = fields.Integer(allow_none=True)
    effective_from = fields.Date()
    created_at = LocalDateTime()


class RuleQuerySchema(StrictSchema):
    community_id = fields.Integer(required=True)


class StarLevelInSchema(StrictSchema):
    level = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    min_points = fields.Integer(load_default=None, allow_none=True,
                                validate=validate.Range(min=0))
    min_hours = fields.Decimal(load_default=None, allow_none=True,
                               validate=decimal_between(0, 100000, "时长门槛应在0到100000小时之间"))


class StarLevelsInSchema(StrictSchema):
    scope_type = fields.String(required=True, validate=validate.OneOf(["street", "community"]))
    scope_id = fields.Integer(required=True)
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    levels = fields.List(fields.Nested(StarLevelInSchema), required=True,
                         validate=validate.Length(max=5))


class StarLevelSchema(Schema):
    level = fields.Integer()
    min_points = fields.Integer(allow_none=True)
    min_hours = fields.Method("_hours")

    def _hours(self, row):
        return None if row.min_hours_centi is None else str(row.min_hours_centi / 100)


class StarLevelsSchema(Schema):
    scope_type = fields.String()
    scope_id = fields.Integer(allow_none=True)
    year = fields.Integer()
    levels = fields.List(fields.Nested(StarLevelSchema))
    recomputed = fields.Integer()


class StarQuerySchema(StrictSchema):
    community_id = fields.Integer(required=True)
    year = fields.Integer(required=True)


class ManualAwardInSchema(StrictSchema):
    member_id = fields.Integer(required=True)
    amount = fields.Integer(required=True, validate=validate.Range(min=-100, max=100))
    reason = Text(multiline=True, required=True, validate=validate.Length(min=2, max=500))


class ManualAwardSchema(Schema):
    id = fields.Integer()
    member_id = fields.Integer()
    community_id = fields.Integer()
    amount = fields.Integer()
    reason = fields.String()
    status = fields.String()
    requested_by_user_id = fields.Integer()
    requested_at = LocalDateTime()
    decided_by_user_id = fields.Integer(allow_none=True)
    decided_at = LocalDateTime(allow_none=True)
    decision_note = fields.String(allow_none=True)
    entry_id = fields.Integer(allow_none=True)


class ManualAwardQuerySchema(StrictSchema):
    community_id = fields.Integer(required=True)
    status = fields.String(validate=validate.OneOf(["pending", "approved", "rejected"]))


class PeriodQuerySchema(StrictSchema):
    period = fields.String(required=True, validate=APPRAISAL_PERIOD)


class YearQuerySchema(StrictSchema):
    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))


class FeedbackRowSchema(Schema):
    member_id = fields.Integer()
    name = fields.String()
    member_type = fields.String()
    unit = fields.String()
    community_id = fields.Integer()
    community = fields.String()
    registered_on = fields.Date(allow_none=True)
    activities = fields.Integer()
    hours = fields.Decimal(as_string=True)
    points = fields.Integer()
    stars = fields.Integer()
    comment = fields.String()


class FeedbackSheetSchema(Schema):
    unit = fields.Nested(UnitSchema)
    period = fields.String()
    period_label = fields.String()
    generated_at = LocalDateTime()
    communities = fields.List(fields.String())
    rows = fields.List(fields.Nested(FeedbackRowSchema))


class CommentInSchema(StrictSchema):
    member_id = fields.Integer(required=True)
    period = fields.String(required=True, validate=APPRAISAL_PERIOD)
    comment = Text(multiline=True, required=True, validate=validate.Length(min=1, max=1000))


class CommentSchema(Schema):
    member_id = fields.Integer()
    community_id = fields.Integer()
    period = fields.String()
    comment = fields.String()
    updated_at = LocalDateTime()


class MonthFiguresSchema(Schema):
    month = fields.String()
    points = fields.Integer()
    hours = fields.Decimal(as_string=True)
    active_members = fields.Integer()


class StarCountSchema(Schema):
    stars = fields.Integer()
    members = fields.Integer()


class CommunitySummarySchema(Schema):
    community_id = fields.Integer()
    year = fields.Integer()
    members_reported = fields.Integer()
    in_service_reported = fields.Integer()
    active_members = fields.Integer()
    active_share = fields.Float()
    stars = fields.List(fields.Nested(StarCountSchema))
    months = fields.List(fields.Nested(MonthFiguresSchema))
