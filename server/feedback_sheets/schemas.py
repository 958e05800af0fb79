"""Shapes of the feedback sheets' requests and answers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.feedback_sheets.models import SheetStatus
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


class SheetDetailSchema(SheetSchema):
    editable = fields.Boolean(metadata={"description": "the caller may write 评语 now"})
    rows = fields.List(fields.Nested(FeedbackRowSchema))


class GeneratedSchema(Schema):
    created = fields.Integer()
    sheets = fields.List(fields.Nested(SheetSchema))
