"""Answers the views share: a create that is also idempotent by itself."""

from __future__ import annotations

from typing import Any


def created_or_repeated(result: tuple[Any, bool]) -> tuple[Any, int]:
    """(row, created) from a service → 201 for a new row, 200 for the repeat that returns it."""
    row, created = result
    return row, 201 if created else 200
