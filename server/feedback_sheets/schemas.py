"""Shapes of the feedback sheets' requests and answers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.feedback_sheets.models import Grade, SheetStatus
from server.points.schemas import FeedbackRowSchema
from server.schemas import LocalDateTime, StrictSchema

SHEET_PERIOD = validate.Regexp(r"^\d{4}(-H[12]|-Q[1-4])?$",
                               error="周期应为 2026、2026-H2 或 2026-Q4 这样的格式")


class GenerateInSchema(StrictSchema):
    community_id = fields.Integer(required=True)
    period = fields.String(required=True, validate=SHEET_PERIOD)


class SheetQuerySchema(StrictSchema):
    community_id = fields.Integer()
    unit_id = fields.Integer()
    period = fields.String(validate=SHEET_PERIOD)
    status = fields.String(validate=validate.OneOf([s.value for s in SheetStatus]))


class SheetCommentInSchema(StrictSchema):
    comment = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class SheetCommentSchema(Schema):
    member_id = fields.Integer()
    comment = fields.String()


class SheetPlaceSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class SheetUnitSchema(SheetPlaceSchema):
    party_org_name = fields.String()


class SheetSchema(Schema):
    id = fields.Integer()
    period = fields.String()
    period_label = fields.String()
    status = fields.String(metadata={"description": "draft | signed | sent | acknowledged"})
    status_label = fields.String()
    community = fields.Nested(SheetPlaceSchema)
    unit = fields.Nested(SheetUnitSchema)
    members = fields.Integer()
    created_at = LocalDateTime()
    signed_at = LocalDateTime(allow_none=True)
    sent_at = LocalDateTime(allow_none=True)
    acknowledged_at = LocalDateTime(allow_none=True)
    reminded_at = LocalDateTime(allow_none=True)
    reminders = fields.Integer()
    reminded_today = fields.Boolean()


class SheetRowSchema(FeedbackRowSchema):
    suggested_grade = fields.String(metadata={"description": "excellent | qualified | basic | "
                                                             "unqualified, from the points"})
    suggested_grade_label = fields.String()
    final_grade = fields.String(allow_none=True)
    final_grade_label = fields.String(allow_none=True)
    grade_reason = fields.String(allow_none=True)


class SheetDetailSchema(SheetSchema):
    editable = fields.Boolean(metadata={"description": "the caller may write 评语 now"})
    rows = fields.List(fields.Nested(SheetRowSchema))


class GradeInSchema(StrictSchema):
    grade = fields.String(required=True, validate=validate.OneOf([g.value for g in Grade]))
    reason = fields.String(load_default=None, validate=validate.Length(max=500))


class GradeSchema(Schema):
    member_id = fields.Integer()
    grade = fields.String()
    suggested_grade = fields.String()
    reason = fields.String(allow_none=True)


class ThresholdsQuerySchema(StrictSchema):
    scope = fields.String(required=True, validate=validate.OneOf(["community", "street"]))
    scope_id = fields.Integer(required=True)


class ThresholdsInSchema(StrictSchema):
    excellent_points = fields.Integer(required=True, validate=validate.Range(min=0))
    qualified_points = fields.Integer(required=True, validate=validate.Range(min=0))
    basic_points = fields.Integer(required=True, validate=validate.Range(min=0))


class ThresholdsSchema(Schema):
    set_by = fields.String(metadata={"description": "community | street | default"})
    excellent_points = fields.Integer()
    qualified_points = fields.Integer()
    basic_points = fields.Integer()


class GeneratedSchema(Schema):
    created = fields.Integer()
    sheets = fields.List(fields.Nested(SheetSchema))
