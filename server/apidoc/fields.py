"""How marshmallow fields become document properties: decimals as strings, integers within the
databases' bounds."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import fields, validate

from server.schemas import INT_MAX, INT_MIN, DecimalBetween


def decimal_as_string(self, field, **_kwargs) -> dict:
    """apispec attribute function: a Decimal is a string on the wire ("1.50"), not a number."""
    if not isinstance(field, fields.Decimal):
        return {}
    places = field.places.as_tuple().exponent * -1 if isinstance(field.places, Decimal) else 2
    result = {"type": "string", "format": "decimal",
              "pattern": rf"^-?\d{{1,6}}(\.\d{{1,{max(places, 1)}}})?$"}
    for validator in field.validators:
        if isinstance(validator, DecimalBetween):
            result["x-minimum"], result["x-maximum"] = str(validator.low), str(validator.high)
            result["description"] = f"{validator.low}—{validator.high}，如 \"{validator.high}\""
    return result


def integer_bounds(self, field, **_kwargs) -> dict:
    """apispec attribute function: integers without their own bounds are the databases'
    INTEGER, which StrictSchema enforces on input."""
    if not isinstance(field, fields.Integer):
        return {}
    ranges = [v for v in field.validators if isinstance(v, validate.Range)]
    result = {}
    if not any(r.min is not None for r in ranges):
        result["minimum"] = INT_MIN
    if not any(r.max is not None for r in ranges):
        result["maximum"] = INT_MAX
    return result


def prepare(api) -> None:
    """Before the blueprints are registered: how fields become document properties."""
    if api.document_reused:  # already written by an app of the same settings
        return
    api.ma_plugin.converter.add_attribute_function(decimal_as_string)
    api.ma_plugin.converter.add_attribute_function(integer_bounds)

