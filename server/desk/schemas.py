"""What the desk's endpoints accept (their answers reuse the areas' own schemas)."""

from __future__ import annotations

from marshmallow import fields, validate

from server.activities.models import STATUS_LABELS
from server.activities.schemas import CATEGORIES
from server.schemas import LocalDateTime, StrictSchema


class DeskActivityQuerySchema(StrictSchema):
    status = fields.String(validate=validate.OneOf(list(STATUS_LABELS)))
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    date_from = fields.Date()
    date_to = fields.Date()


class ActivityCopyInSchema(StrictSchema):
    starts_at = LocalDateTime(allow_none=True, load_default=None)
    repeat_weekly_until = fields.Date(allow_none=True, load_default=None)
