"""Schema bases shared by every area."""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from server.timeutil import LocalDateTime

MAX_ID = 2**31 - 1


def Id(**kwargs) -> fields.Integer:  # noqa: N802 - reads like the field class it returns
    """A database id: a positive integer the database can hold."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def decimal_between(low, high, message: str):
    """A bounds check for Decimal fields. (A marshmallow Range on a Decimal would appear as
    strings in the OpenAPI document, which then fails validation as a schema.)"""

    def check(value) -> None:
        if not low <= value <= high:
            raise ValidationError(message)

    return check


class StrictSchema(Schema):
    """Input schemas: unknown and read-only fields are rejected, never silently dropped."""

    class Meta:
        unknown = RAISE


class ReasonSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


__all__ = ["Id", "LocalDateTime", "ReasonSchema", "StrictSchema", "decimal_between"]
