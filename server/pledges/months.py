"""Months of the fixed party day: "YYYY-MM" keys, and the activity categories it uses."""

from __future__ import annotations

from datetime import date

from server.errors import invalid

ACTIVITY_CATEGORY = "party_day"
DEDICATION_CATEGORY = "dedication_day"


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_month(month: str) -> tuple[int, int]:
    try:
        year, mon = (int(part) for part in month.split("-"))
        date(year, mon, 1)
    except ValueError:
        raise invalid(
            "month_invalid", "月份格式应为 YYYY-MM", {"fields": {"month": "格式有误"}}
        ) from None
    return year, mon


def next_month(month: str) -> str:
    year, mon = parse_month(month)
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"
