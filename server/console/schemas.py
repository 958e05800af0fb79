"""The console's logins and sessions as the API shows and accepts them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.auth.models import ROLE_LABELS
from server.schemas import Id, LocalDateTime, StrictSchema


class ConsoleConfigSchema(Schema):
    demo_login = fields.Boolean()
    ticket_seconds = fields.Integer()
    poll_interval_ms = fields.Integer()
    idle_minutes = fields.Integer()
    absolute_hours = fields.Integer()


class TicketSchema(Schema):
    ticket = fields.String()
    qr_text = fields.String()
    expires_at = LocalDateTime()


class TicketRequestSchema(Schema):
    browser = fields.String()
    address = fields.String()
    created_at = LocalDateTime()
    expires_at = LocalDateTime()


class ConfirmedSchema(Schema):
    status = fields.String()


class GrantViewSchema(Schema):
    """A role grant with the name of its place (from `service.grant_views`)."""

    id = fields.Integer(attribute="grant.id")
    role = fields.String(attribute="grant.role")
    role_label = fields.Function(lambda view: ROLE_LABELS.get(view["grant"].role, ""))
    place_type = fields.String()
    place_id = fields.Integer(allow_none=True)
    place_name = fields.String()
    district_id = fields.Integer(attribute="grant.district_id", allow_none=True)
    street_id = fields.Integer(attribute="grant.street_id", allow_none=True)
    community_id = fields.Integer(attribute="grant.community_id", allow_none=True)
    grid_id = fields.Integer(attribute="grant.grid_id", allow_none=True)
    unit_id = fields.Integer(attribute="grant.unit_id", allow_none=True)
    granted_at = LocalDateTime(attribute="grant.created_at")


class SessionUserSchema(Schema):
    id = fields.Integer()
    display_name = fields.String()
    name = fields.String(allow_none=True)


class ConsoleSessionSchema(Schema):
    user = fields.Nested(SessionUserSchema)
    grants = fields.List(fields.Nested(GrantViewSchema))
    acting_for = fields.Integer(allow_none=True)
    csrf_token = fields.String()
    expires_at = LocalDateTime()
    idle_expires_at = LocalDateTime()


class PollSchema(Schema):
    status = fields.String(
        metadata={"enum": ["pending", "confirmed", "expired", "used"]})
    expires_at = LocalDateTime()
    session = fields.Nested(ConsoleSessionSchema, allow_none=True)


class DemoLoginSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=128))


class ActingForSchema(StrictSchema):
    grant_id = Id(required=True)


class SessionListItemSchema(Schema):
    id = fields.String()
    created_at = LocalDateTime()
    last_seen_at = LocalDateTime(allow_none=True)
    expires_at = LocalDateTime()
    address = fields.String()
    browser = fields.String()
    current = fields.Boolean()
