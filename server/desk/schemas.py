"""What the desk's endpoints accept (their answers reuse the areas' own schemas)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.activities.models import STATUS_LABELS
from server.activities.schemas import CATEGORIES
from server.notices.schemas import AudienceSchema
from server.schemas import Id, LocalDateTime, ShownSchema, StrictSchema


class DeskActivityQuerySchema(StrictSchema):
    status = fields.String(validate=validate.OneOf(list(STATUS_LABELS)))
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    grid_id = Id()
    date_from = fields.Date()
    date_to = fields.Date()


class ActivityCopyInSchema(StrictSchema):
    starts_at = LocalDateTime(allow_none=True, load_default=None)
    repeat_weekly_until = fields.Date(allow_none=True, load_default=None)


KINDS = ["registration", "hours_record", "manual_award", "appeal", "unconfirmed", "pledge_note"]


class InboxQuerySchema(StrictSchema):
    community_id = fields.Integer()
    kind = fields.String(validate=validate.OneOf(KINDS))


class InboxItemSchema(ShownSchema):
    kind = fields.String()
    kind_label = fields.String()
    id = fields.Integer()
    community_id = fields.Integer()
    member_name = fields.String()
    summary = fields.String()
    reason = fields.String(allow_none=True)
    created_at = LocalDateTime(allow_none=True)
    mine = fields.Boolean()
    photos = fields.List(fields.String())


class InboxSchema(ShownSchema):
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    labels = fields.Dict(keys=fields.String(), values=fields.String())
    total = fields.Integer()
    items = fields.List(fields.Nested(InboxItemSchema))


class InboxRefSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    id = fields.Integer(required=True)


class InboxDecisionInSchema(StrictSchema):
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "reject"]))
    reason = fields.String(load_default="", validate=validate.Length(max=500))
    items = fields.List(fields.Nested(InboxRefSchema), required=True,
                        validate=validate.Length(min=1))


class InboxResultSchema(Schema):
    kind = fields.String()
    id = fields.Integer()
    ok = fields.Boolean()
    code = fields.String(allow_none=True)
    message = fields.String(allow_none=True)


class NoticeReachInSchema(StrictSchema):
    audience = fields.Nested(AudienceSchema, required=True)


class NoticeReachSchema(Schema):
    audience = fields.Dict()
    reached = fields.Integer()
    with_credit = fields.Integer()
    without_credit = fields.Integer()
    template_configured = fields.Boolean()


class RevealInSchema(StrictSchema):
    field = fields.String(required=True, validate=validate.OneOf(["phone"]))


class RevealSchema(Schema):
    member_id = fields.Integer()
    field = fields.String()
    value = fields.String()


class NoticePreviewInSchema(StrictSchema):
    title = fields.String(load_default="", validate=validate.Length(max=100))
    body = fields.String(load_default="", validate=validate.Length(max=5000))
    activity_id = fields.Integer(allow_none=True, load_default=None,
                                 validate=validate.Range(min=1))
    send_at = LocalDateTime(allow_none=True, load_default=None)


class PreviewFieldSchema(Schema):
    key = fields.String()
    kind = fields.String()
    kind_label = fields.String()
    source = fields.String()
    value = fields.String()
    length = fields.Integer()
    limit = fields.Integer()
    truncated = fields.Boolean()
    problem = fields.String(allow_none=True)


class NoticePreviewSchema(Schema):
    template_configured = fields.Boolean()
    template_title = fields.String(allow_none=True)
    ok = fields.Boolean()
    fields_ = fields.List(fields.Nested(PreviewFieldSchema), attribute="fields",
                          data_key="fields")


class TimelinePointSchema(Schema):
    at = LocalDateTime()
    sent = fields.Integer()
    read = fields.Integer()


class NoticeTimelineSchema(Schema):
    step = fields.String()
    points = fields.List(fields.Nested(TimelinePointSchema))


class UnreadMemberSchema(Schema):
    member_id = fields.Integer()
    name = fields.String()
    phone_masked = fields.String()
    building = fields.String(allow_none=True)
    room = fields.String(allow_none=True)


class DeskNotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    body = fields.String()
    link = fields.String()
    community_id = fields.Integer(allow_none=True)
    created_at = LocalDateTime()
    read_at = LocalDateTime(allow_none=True)


class DeskNotificationsSchema(Schema):
    unread = fields.Integer()
    items = fields.List(fields.Nested(DeskNotificationSchema))


class NotificationsReadInSchema(StrictSchema):
    # empty: all of mine
    ids = fields.List(fields.Integer(validate=validate.Range(min=1)), load_default=list,
                      validate=validate.Length(max=200))
