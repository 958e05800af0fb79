"""Personal information as the API shows and accepts it."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.schemas import LocalDateTime, StrictSchema


class GuideItemSchema(Schema):
    key = fields.String()
    label = fields.String()
    what = fields.String()
    why = fields.String()
    kept = fields.String()


class GuideSchema(Schema):
    version = fields.String()
    items = fields.List(fields.Nested(GuideItemSchema))
    rights = fields.List(fields.String())


class KindCountSchema(GuideItemSchema):
    count = fields.Integer()


class SummarySchema(Schema):
    member_id = fields.Integer()
    kinds = fields.List(fields.Nested(KindCountSchema))


class CorrectionSchema(Schema):
    field = fields.String()
    label = fields.String()
    how = fields.String(metadata={"description": "self | new_report | appeal | ask_staff"})
    action = fields.String()


class ConsentSchema(Schema):
    kind = fields.String()
    label = fields.String()
    granted = fields.Boolean()
    since = LocalDateTime(allow_none=True)
    withdrawable = fields.Boolean()
    effect = fields.String(metadata={"description": "现在的效果"})
    effect_if_withdrawn = fields.String()


class ConsentInSchema(StrictSchema):
    granted = fields.Boolean(required=True)


class DeletionRequestSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    requested_at = LocalDateTime()
    confirmed_at = LocalDateTime(allow_none=True)
    scheduled_for = LocalDateTime(allow_none=True)
    cancelled_at = LocalDateTime(allow_none=True)
    completed_at = LocalDateTime(allow_none=True)


class DeletionSchema(Schema):
    request = fields.Nested(DeletionRequestSchema, allow_none=True)
    cooling_off_days = fields.Integer()
    confirm_phrase = fields.String()
    removed = fields.List(fields.String())
    kept = fields.List(fields.String())


class DeletionConfirmSchema(StrictSchema):
    confirm = fields.String(required=True, validate=validate.Length(min=1, max=20))
