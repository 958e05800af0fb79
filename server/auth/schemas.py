"""Login and the caller's own view of themselves."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.members.schemas import MemberSchema, RegistrationSchema
from server.schemas import LocalDateTime, StrictSchema


class LoginInSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=128))


class GrantSchema(Schema):
    role = fields.String()
    street_id = fields.Integer(allow_none=True)
    community_id = fields.Integer(allow_none=True)
    grid_id = fields.Integer(allow_none=True)
    unit_id = fields.Integer(allow_none=True)


class UserSchema(Schema):
    id = fields.Integer()
    display_name = fields.String()
    roles = fields.List(fields.Nested(GrantSchema), attribute="grants")


class LoginOutSchema(Schema):
    token = fields.String()
    expires_at = LocalDateTime()
    user = fields.Nested(UserSchema)
    member = fields.Nested(MemberSchema, allow_none=True)


class MeSchema(Schema):
    user = fields.Nested(UserSchema)
    member = fields.Nested(MemberSchema, allow_none=True)
    registration = fields.Nested(RegistrationSchema, allow_none=True)
    privacy_notice_version = fields.String()


class PhoneCodeSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=128))


class PhoneSchema(Schema):
    phone = fields.String()
