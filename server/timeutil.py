"""The one time helper: store UTC, show Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from marshmallow import ValidationError, fields

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
# What the API shows: China Standard Time, always "+08:00". (The zone database gives Shanghai
# a local-mean-time offset of +08:05:43 before 1901, which is not a valid RFC 3339 offset.)
CST = timezone(timedelta(hours=8), "CST")
# Times the API accepts: nothing the service records happened before 2000 or after 2100; a year
# 134 deadline is a typing error, not a plan.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Naive datetimes from users mean Shanghai wall-clock time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    return value.astimezone(UTC)


def to_local(value: datetime) -> datetime:
    return as_utc(value).astimezone(LOCAL_TZ)


def local_today(now: datetime | None = None) -> date:
    return to_local(now or utcnow()).date()


def local_midnight_utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ).astimezone(UTC)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = local_midnight_utc(day)
    return start, start + timedelta(days=1)


class UTCDateTime(sa.types.TypeDecorator):
    """Stored as naive UTC on every database, read back as aware UTC."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return as_utc(value).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class LocalDateTime(fields.AwareDateTime):
    """API datetimes: shown as +08:00; naive input is read as Shanghai time; years 2000–2100."""

    def __init__(self, **kwargs):
        metadata = {
            "description": f"北京时间（+08:00），{EARLIEST_YEAR}—{LATEST_YEAR} 年；"
            "不带时区的时间按北京时间理解",
            **kwargs.pop("metadata", {}),
        }
        super().__init__(default_timezone=LOCAL_TZ, metadata=metadata, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return super()._serialize(as_utc(value).astimezone(CST), attr, obj, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        parsed = super()._deserialize(value, attr, data, **kwargs)
        # checked on the wall-clock value, before a conversion that could overflow
        if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
            raise ValidationError(f"时间应在 {EARLIEST_YEAR} 年至 {LATEST_YEAR} 年之间")
        return as_utc(parsed)
