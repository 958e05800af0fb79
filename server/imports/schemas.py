"""Imports and roster entries as the API shows and accepts them."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from server.masking import mask_phone
from server.schemas import Id, LocalDateTime, StrictSchema

KINDS = ["buildings", "units", "roster"]


class ImportPlaceSchema(StrictSchema):
    """The place a file is for: community_id (buildings), street_id (units), unit_id (roster)."""

    community_id = Id()
    street_id = Id()
    unit_id = Id()


class ImportFormSchema(ImportPlaceSchema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))


class ImportFileSchema(Schema):
    file = Upload(required=True)


class ImportQuerySchema(StrictSchema):
    kind = fields.String(validate=validate.OneOf(KINDS))


class RowErrorSchema(Schema):
    row = fields.Integer()
    column = fields.String()
    message = fields.String()


class CountsSchema(Schema):
    create = fields.Integer()
    update = fields.Integer()
    unchanged = fields.Integer()


class ImportSummarySchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    status = fields.String()
    filename = fields.String()
    row_count = fields.Integer()
    error_count = fields.Integer()
    counts = fields.Nested(CountsSchema)
    community_id = fields.Integer(allow_none=True)
    street_id = fields.Integer(allow_none=True)
    unit_id = fields.Integer(allow_none=True)
    created_by = fields.Integer(attribute="created_by_user_id")
    created_at = LocalDateTime()
    applied_at = LocalDateTime(allow_none=True)


class ImportPreviewSchema(ImportSummarySchema):
    errors = fields.List(fields.Nested(RowErrorSchema))


class RosterQuerySchema(StrictSchema):
    unit_id = Id()
    community_id = Id()
    name = fields.String(validate=validate.Length(max=50))


class NamedSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class UnitRosterEntrySchema(Schema):
    id = fields.Integer(attribute="entry.id")
    name = fields.String(attribute="entry.name")
    phone_masked = fields.Function(lambda view: mask_phone(view["entry"].phone))
    member_type = fields.String(attribute="entry.member_type")
    unit = fields.Nested(NamedSchema, attribute="entry.unit")
    community = fields.Nested(NamedSchema, attribute="entry.community")
    reported = fields.Boolean()
