"""Notices, subscribe templates and credits as the API shows and accepts them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.members.models import MemberType
from server.notices.audience import STAFF_TYPES
from server.notices.models import NoticeKind, NoticeStatus, SubscribeResult
from server.notices.templates import SOURCES
from server.schemas import LocalDateTime, ShownSchema, StrictSchema, Text

IDS = fields.List(fields.Integer(validate=validate.Range(min=1)), validate=validate.Length(max=500))


class AudienceSchema(StrictSchema):
    type = fields.String(required=True, validate=validate.OneOf(STAFF_TYPES))
    grid_ids = IDS
    building_ids = IDS
    unit_ids = IDS
    activity_id = fields.Integer(validate=validate.Range(min=1))
    member_types = fields.List(
        fields.String(validate=validate.OneOf([t.value for t in MemberType]))
    )


class NoticeInSchema(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=100))
    body = Text(multiline=True, required=True, validate=validate.Length(min=1, max=5000))
    activity_id = fields.Integer(allow_none=True, validate=validate.Range(min=1))
    audience = fields.Nested(AudienceSchema, required=True)
    # empty: send now; a later time: scheduled, can be cancelled until then
    send_at = LocalDateTime(allow_none=True)


class NoticeQuerySchema(StrictSchema):
    kind = fields.String(validate=validate.OneOf([k.value for k in NoticeKind]))
    status = fields.String(validate=validate.OneOf([s.value for s in NoticeStatus]))


class FailureSchema(Schema):
    errcode = fields.Integer(allow_none=True)
    reason = fields.String()
    count = fields.Integer()


class NoticeStatsSchema(Schema):
    audience_size = fields.Integer()
    read = fields.Integer()
    unread = fields.Integer()
    subscribe_sent = fields.Integer()
    subscribe_pending = fields.Integer()
    subscribe_failed = fields.Integer()
    failures = fields.List(fields.Nested(FailureSchema))
    without_credit = fields.Integer()


class NoticeSchema(ShownSchema):
    """A notice as staff see it (with its figures when asked for one notice)."""

    id = fields.Integer()
    community_id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    body = fields.String()
    activity_id = fields.Integer(allow_none=True)
    audience = fields.Dict()
    status = fields.String()
    send_at = LocalDateTime()
    published_at = LocalDateTime(allow_none=True)
    cancelled_at = LocalDateTime(allow_none=True)
    content_check = fields.String(allow_none=True)
    subscribe_template = fields.Function(
        lambda n: n.template.template_id if n.template else None, allow_none=True
    )
    created_at = LocalDateTime()


class NoticeDetailSchema(NoticeSchema):
    stats = fields.Nested(NoticeStatsSchema)


class MyNoticeSchema(ShownSchema):
    """A notice in a member's list."""

    id = fields.Integer(attribute="notice.id")
    kind = fields.String(attribute="notice.kind")
    title = fields.String(attribute="notice.title")
    body = fields.String(attribute="notice.body")
    activity_id = fields.Integer(attribute="notice.activity_id", allow_none=True)
    published_at = LocalDateTime(attribute="notice.published_at")
    read = fields.Function(lambda r: r.read_at is not None)
    read_at = LocalDateTime(allow_none=True)


class MyNoticeQuerySchema(StrictSchema):
    unread = fields.Boolean(load_default=False)


class UnreadCountSchema(Schema):
    unread = fields.Integer()


class SubscribeTemplateFieldSchema(StrictSchema):
    key = fields.String(required=True, validate=validate.Length(min=1, max=40))
    source = fields.String(validate=validate.OneOf(list(SOURCES)))
    value = fields.String(validate=validate.Length(min=1, max=40))
    truncate = fields.Boolean(load_default=False)


class SubscribeTemplateInSchema(StrictSchema):
    template_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    title = fields.String(load_default="", validate=validate.Length(max=50))
    page = fields.String(allow_none=True, validate=validate.Length(max=200))
    active = fields.Boolean(load_default=True)
    fields_ = fields.List(fields.Nested(SubscribeTemplateFieldSchema), required=True,
                          data_key="fields", validate=validate.Length(min=1, max=10))


class SubscribeTemplateSchema(Schema):
    purpose = fields.String()
    template_id = fields.String()
    title = fields.String()
    page = fields.String(allow_none=True)
    active = fields.Boolean()
    fields_ = fields.List(fields.Dict(), attribute="fields", data_key="fields")


class SubscribeResultsInSchema(StrictSchema):
    """What wx.requestSubscribeMessage answered, template id → accept/reject/ban/filter."""

    results = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=64)),
        values=fields.String(validate=validate.OneOf([r.value for r in SubscribeResult])),
        required=True,
    )


class CreditSchema(Schema):
    template_id = fields.String(attribute="template.template_id")
    purpose = fields.String(attribute="template.purpose")
    title = fields.String(attribute="template.title")
    credits = fields.Integer()
    last_result = fields.String(allow_none=True)
