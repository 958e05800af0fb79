"""Members, places and registrations as the API shows and accepts them."""

from __future__ import annotations

from marshmallow import fields, validate

from server.masking import mask_phone
from server.members.models import MemberType, RegistrationStatus
from server.schemas import Id, LocalDateTime, ShownSchema, StrictSchema

PHONE = validate.Regexp(r"^1\d{10}$", error="请输入11位手机号")


class StreetSchema(ShownSchema):
    id = fields.Integer()
    name = fields.String()


class CommunitySchema(ShownSchema):
    id = fields.Integer()
    name = fields.String()
    address = fields.String()
    street_id = fields.Integer()


class GridSchema(ShownSchema):
    id = fields.Integer()
    name = fields.String()
    community_id = fields.Integer()


class BuildingSchema(ShownSchema):
    id = fields.Integer()
    name = fields.String()
    community_id = fields.Integer()
    grid_id = fields.Integer()


class UnitSchema(ShownSchema):
    id = fields.Integer()
    name = fields.String()
    party_org_name = fields.String()


class MemberSchema(ShownSchema):
    id = fields.Integer()
    name = fields.String()
    phone_masked = fields.Function(lambda m: mask_phone(m.phone))
    member_type = fields.String()
    employer_unit = fields.Nested(UnitSchema, allow_none=True)
    community = fields.Nested(CommunitySchema, allow_none=True)
    building = fields.Nested(BuildingSchema, allow_none=True)
    room = fields.String()
    location_consent = fields.Boolean()
    hide_from_public_boards = fields.Boolean()
    privacy_version = fields.String(allow_none=True)


class MemberQuerySchema(StrictSchema):
    community_id = Id()
    grid_id = Id()
    member_type = fields.String(validate=validate.OneOf([t.value for t in MemberType]))
    name = fields.String(validate=validate.Length(max=50))


class RegistrationSchema(ShownSchema):
    id = fields.Integer()
    status = fields.String()
    community = fields.Nested(CommunitySchema)
    building = fields.Nested(BuildingSchema)
    room = fields.String()
    reject_reason = fields.String(allow_none=True)
    submitted_at = LocalDateTime()
    decided_at = LocalDateTime(allow_none=True)
    member = fields.Nested(MemberSchema)


class RegistrationInSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    phone = fields.String(required=True, validate=PHONE)
    member_type = fields.String(
        required=True, validate=validate.OneOf([t.value for t in MemberType])
    )
    employer_unit_id = Id(allow_none=True, load_default=None)
    community_id = Id(required=True)
    building_id = Id(required=True)
    room = fields.String(required=True, validate=validate.Length(min=1, max=20))
    privacy_version = fields.String(required=True, validate=validate.Length(min=1, max=20))
    privacy_agreed = fields.Boolean(required=True)


class RegistrationQuerySchema(StrictSchema):
    status = fields.String(validate=validate.OneOf([s.value for s in RegistrationStatus]))
    community_id = Id()


class LocationConsentSchema(StrictSchema):
    granted = fields.Boolean(required=True)


class MePatchSchema(StrictSchema):
    hide_from_public_boards = fields.Boolean()
    employer_unit_id = fields.Integer(allow_none=True)
