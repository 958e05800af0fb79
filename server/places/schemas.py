"""Places and role grants as the console shows and accepts them."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from server.auth.models import Role
from server.console.schemas import GrantViewSchema
from server.masking import mask_phone
from server.members.schemas import PHONE
from server.schemas import Id, StrictSchema

NAME = validate.Length(min=1, max=100)


def _archived(row) -> bool:
    return row.archived_at is not None


class DistrictSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class PlaceQuerySchema(StrictSchema):
    include_archived = fields.Boolean(load_default=False)
    name = fields.String(validate=validate.Length(max=100))


class StreetQuerySchema(PlaceQuerySchema):
    district_id = Id()


class OrgStreetSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    district_id = fields.Integer(allow_none=True)
    archived = fields.Function(_archived)


class StreetInSchema(StrictSchema):
    district_id = Id(required=True)
    name = fields.String(required=True, validate=NAME)


class StreetPatchSchema(StrictSchema):
    name = fields.String(validate=NAME)
    archived = fields.Boolean()


class CommunityQuerySchema(PlaceQuerySchema):
    street_id = Id()


class OrgCommunitySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    address = fields.String()
    street_id = fields.Integer()
    street_name = fields.String(attribute="street.name")
    archived = fields.Function(_archived)


class CommunityInSchema(StrictSchema):
    street_id = Id(required=True)
    name = fields.String(required=True, validate=NAME)
    address = fields.String(validate=validate.Length(max=200))


class CommunityPatchSchema(StrictSchema):
    name = fields.String(validate=NAME)
    address = fields.String(validate=validate.Length(max=200))
    archived = fields.Boolean()


class PersonInSchema(StrictSchema):
    """Someone to grant a role to: by user id, or by the phone of their member record."""

    user_id = Id()
    phone = fields.String(validate=PHONE)

    @validates_schema
    def _one_of(self, data, **_kwargs):
        if ("user_id" in data) == ("phone" in data):
            raise ValidationError("请填写人员编号或手机号之一", "phone")


class GridQuerySchema(StrictSchema):
    community_id = Id()
    include_archived = fields.Boolean(load_default=False)


class GridWorkerSchema(Schema):
    grant_id = fields.Integer()
    user_id = fields.Integer()
    name = fields.String()


class OrgGridSchema(Schema):
    id = fields.Integer(attribute="grid.id")
    name = fields.String(attribute="grid.name")
    community_id = fields.Integer(attribute="grid.community_id")
    households = fields.Integer(attribute="grid.households")
    archived = fields.Function(lambda view: view["grid"].archived_at is not None)
    grid_workers = fields.List(fields.Nested(GridWorkerSchema))


class GridInSchema(StrictSchema):
    community_id = Id(required=True)
    name = fields.String(required=True, validate=NAME)
    households = fields.Integer(validate=validate.Range(min=0, max=100000))
    grid_worker = fields.Nested(PersonInSchema)


class GridPatchSchema(StrictSchema):
    name = fields.String(validate=NAME)
    households = fields.Integer(validate=validate.Range(min=0, max=100000))
    archived = fields.Boolean()
    grid_worker = fields.Nested(PersonInSchema)


LATITUDE = validate.Range(min=3.0, max=54.0, error="纬度应在中国境内（GCJ-02）")
LONGITUDE = validate.Range(min=73.0, max=136.0, error="经度应在中国境内（GCJ-02）")


class BuildingQuerySchema(PlaceQuerySchema):
    community_id = Id()
    grid_id = Id()


class OrgBuildingSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    community_id = fields.Integer()
    grid_id = fields.Integer()
    grid_name = fields.String(attribute="grid.name")
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    archived = fields.Function(_archived)


class BuildingInSchema(StrictSchema):
    community_id = Id(required=True)
    grid_id = Id(required=True)
    name = fields.String(required=True, validate=NAME)
    latitude = fields.Float(validate=LATITUDE, allow_none=True)
    longitude = fields.Float(validate=LONGITUDE, allow_none=True)


class BuildingPatchSchema(StrictSchema):
    grid_id = Id()
    name = fields.String(validate=NAME)
    latitude = fields.Float(validate=LATITUDE, allow_none=True)
    longitude = fields.Float(validate=LONGITUDE, allow_none=True)
    archived = fields.Boolean()


class UnitQuerySchema(PlaceQuerySchema):
    street_id = Id()


class OrgUnitSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    party_org_name = fields.String()
    street_id = fields.Integer(allow_none=True)
    archived = fields.Function(_archived)


class UnitInSchema(StrictSchema):
    street_id = Id(required=True)
    name = fields.String(required=True, validate=NAME)
    party_org_name = fields.String(validate=validate.Length(max=100))


class UnitPatchSchema(StrictSchema):
    name = fields.String(validate=NAME)
    party_org_name = fields.String(validate=validate.Length(max=100))
    archived = fields.Boolean()


GRANTABLE_ROLES = [r.value for r in Role if r != Role.DISTRICT_ADMIN]


class GrantQuerySchema(StrictSchema):
    role = fields.String(validate=validate.OneOf([r.value for r in Role]))
    street_id = Id()
    community_id = Id()
    grid_id = Id()
    unit_id = Id()


class GrantInSchema(StrictSchema):
    role = fields.String(required=True, validate=validate.OneOf(GRANTABLE_ROLES))
    user_id = Id()
    phone = fields.String(validate=PHONE)
    street_id = Id()
    community_id = Id()
    grid_id = Id()
    unit_id = Id()

    @validates_schema
    def _one_person(self, data, **_kwargs):
        if ("user_id" in data) == ("phone" in data):
            raise ValidationError("请填写人员编号或手机号之一", "phone")


class PersonSchema(Schema):
    id = fields.Integer()
    display_name = fields.String()
    name = fields.String(allow_none=True)
    phone_masked = fields.Function(lambda person: mask_phone(person["phone"]))


class GrantedBySchema(Schema):
    id = fields.Integer()
    display_name = fields.String()
    name = fields.String(allow_none=True)


class RoleGrantSchema(GrantViewSchema):
    user = fields.Nested(PersonSchema, allow_none=True)
    granted_by = fields.Nested(GrantedBySchema, allow_none=True)
