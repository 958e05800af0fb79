"""The audit log as the audit reader shows it, and its filters."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.schemas import Id, LocalDateTime, StrictSchema


class AuditQuerySchema(StrictSchema):
    actor_user_id = Id()
    actor = fields.String(validate=validate.Length(min=1, max=50),
                          metadata={"description": "part of the person's name"})
    action = fields.String(validate=validate.Length(min=1, max=60))
    community_id = Id()
    street_id = Id()
    since = fields.Date(metadata={"description": "from this day (Asia/Shanghai), inclusive"})
    until = fields.Date(metadata={"description": "to this day (Asia/Shanghai), inclusive"})


class ActorSchema(Schema):
    id = fields.Integer()
    display_name = fields.String()


class AuditCommunitySchema(Schema):
    id = fields.Integer()
    name = fields.String()


class AuditEntrySchema(Schema):
    id = fields.Integer(attribute="entry.id")
    at = LocalDateTime(attribute="entry.at")
    actor = fields.Nested(ActorSchema, allow_none=True)
    action = fields.String(attribute="entry.action")
    action_label = fields.String()
    target_type = fields.String(attribute="entry.target_type")
    target_id = fields.String(attribute="entry.target_id", allow_none=True)
    community = fields.Nested(AuditCommunitySchema, allow_none=True)
    street_id = fields.Integer(attribute="entry.street_id", allow_none=True)
    before = fields.Dict(attribute="entry.before", allow_none=True)
    after = fields.Dict(attribute="entry.after", allow_none=True)
    reason = fields.String(attribute="entry.reason", allow_none=True)


class ActionLabelSchema(Schema):
    action = fields.String()
    label = fields.String()
