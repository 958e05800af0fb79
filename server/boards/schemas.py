"""Shapes of the console's board downloads."""

from __future__ import annotations

from marshmallow import fields, validate

from server.schemas import StrictSchema

BOARD_SCOPES = ["community", "grid", "building", "unit", "street"]
BOARD_PERIOD = validate.Regexp(r"^(all|\d{4}(-H[12]|-Q[1-4]|-(0[1-9]|1[0-2]))?)$",
                               error="周期应为 all、2026、2026-H1、2026-Q3 或 2026-11")


class BoardDownloadQuerySchema(StrictSchema):
    scope = fields.String(required=True, validate=validate.OneOf(BOARD_SCOPES))
    scope_id = fields.Integer(required=True)
    period = fields.String(required=True, validate=BOARD_PERIOD)
    member_type = fields.String()
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=500))


class HonourBoardQuerySchema(StrictSchema):
    scope = fields.String(required=True, validate=validate.OneOf(BOARD_SCOPES))
    scope_id = fields.Integer(required=True)
    period = fields.String(required=True, validate=BOARD_PERIOD)
    top = fields.Integer(load_default=10, validate=validate.Range(min=1, max=30))
