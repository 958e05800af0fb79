"""Schema bases shared by every area: strict input, one rule for text, ids, decimal bounds."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

from server.timeutil import LocalDateTime

MAX_ID = 2**31 - 1
# Every integer the API accepts fits the databases' INTEGER, on SQLite as on PostgreSQL (where
# a larger one would fail in the database); fields with their own Range keep theirs.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
INT_REFUSED = "数值超出允许范围"
_INTEGER_TEXT = re.compile(r"^\s*[-+]?\d+\s*$")

# Text rule, the same on every database (PostgreSQL refuses NUL, SQLite stored it; Excel
# refuses most C0 controls). Every string in every input schema is checked:
# - never: C0/C1 control characters (but newline, carriage return and tab in a multi-line
#   field), lone surrogates, and bidirectional overrides/isolates (U+202A–202E, U+2066–2069),
#   which can make a name or a reason display as something other than what is stored;
# - one-line fields (names, titles, addresses, codes) also refuse every other invisible format
#   character (Unicode category Cf: zero-width space/joiners U+200B–200D, word joiner, BOM,
#   soft hyphen …): two names that look the same must be the same;
# - multi-line fields (content, reasons, comments: `Text(..., multiline)`) keep the zero-width
#   joiner and its kin, since emoji sequences in a notice or a description use them.
ALWAYS_REFUSED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
LINE_BREAKS = re.compile("[\t\n\r]")
TEXT_REFUSED = "不能包含控制字符或不可见的格式字符"
MULTILINE = "multiline"


def text_problem(value: str, multiline: bool) -> bool:
    """True when `value` breaks the text rule above."""
    if ALWAYS_REFUSED.search(value):
        return True
    if multiline:
        return False
    if LINE_BREAKS.search(value):
        return True
    return any(unicodedata.category(ch) == "Cf" for ch in value if ord(ch) > 0x7F)


def _breaks_rule(value: Any, multiline: bool) -> bool:
    if isinstance(value, str):
        return text_problem(value, multiline)
    if isinstance(value, list):
        return any(_breaks_rule(item, multiline) for item in value)
    if isinstance(value, dict):
        return any(_breaks_rule(item, multiline) for item in value.values())
    return False


def _outside_int_range(field: fields.Field, value: Any) -> bool:
    inner = field.inner if isinstance(field, fields.List) else field
    if not isinstance(inner, fields.Integer):
        return False
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and _INTEGER_TEXT.match(item) and len(item) < 100:
            item = int(item)
        if isinstance(item, int) and not isinstance(item, bool) and not (
                INT_MIN <= item <= INT_MAX):
            return True
    return False


def Text(*, multiline: bool = False, **kwargs) -> fields.String:  # noqa: N802
    """A text field; `multiline=True` lets newlines and tabs through (the text rule above)."""
    metadata = {**kwargs.pop("metadata", {}), MULTILINE: multiline}
    return fields.String(metadata=metadata, **kwargs)


def Id(**kwargs) -> fields.Integer:  # noqa: N802 - reads like the field class it returns
    """A database id: a positive integer the database can hold."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class DecimalBetween:
    """A bounds check for Decimal fields. (A marshmallow Range on a Decimal would appear as
    strings in the OpenAPI document, which then fails validation as a schema; server.apidoc
    documents these bounds beside the decimal's string pattern.)"""

    def __init__(self, low, high, message: str):
        self.low, self.high, self.message = low, high, message

    def __call__(self, value) -> None:
        if not self.low <= value <= self.high:
            raise ValidationError(self.message)


decimal_between = DecimalBetween


class StrictSchema(Schema):
    """Input schemas: unknown and read-only fields are rejected, never silently dropped, and
    every string obeys the text rule (module docstring) before any field sees it."""

    class Meta:
        unknown = RAISE

    @pre_load
    def _refuse_invisible_characters(self, data, **_kwargs):
        if not isinstance(data, dict):
            return data
        by_key = {field.data_key or name: field for name, field in self.load_fields.items()}
        errors = {}
        for key, value in data.items():
            field = by_key.get(key)
            # unknown fields are refused as such; a nested strict schema checks its own strings
            if field is None or isinstance(field, fields.Nested):
                continue
            if isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
                continue
            if _breaks_rule(value, bool(field.metadata.get(MULTILINE))):
                errors[key] = [TEXT_REFUSED]
            elif _outside_int_range(field, value):
                errors[key] = [INT_REFUSED]
        if errors:
            raise ValidationError(errors)
        return data


class ShownSchema(Schema):
    """Output schemas of lists: each field read straight from its row, a dict's key or an
    object's attribute (marshmallow's general accessor first tries every object as a mapping:
    about a third of the time a roster of 500 took to dump). Dotted `attribute=` names are
    still followed by marshmallow's accessor."""

    def get_attribute(self, obj, attr, default):
        if "." in attr:
            return super().get_attribute(obj, attr, default)
        return obj.get(attr, default) if type(obj) is dict else getattr(obj, attr, default)


class ReasonSchema(StrictSchema):
    reason = Text(multiline=True, required=True, validate=validate.Length(min=1, max=500))


__all__ = [
    "DecimalBetween",
    "Id",
    "LocalDateTime",
    "ReasonSchema",
    "ShownSchema",
    "StrictSchema",
    "Text",
    "decimal_between",
    "text_problem",
]
