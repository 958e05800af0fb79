"""A community's party-day settings: day of month, window, hours and place (staff)."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from server.audit import service as audit
from server.auth.scope import Principal, require_community, require_community_reader
from server.errors import invalid
from server.extensions import db
from server.members.models import Community
from server.pledges.models import PartyDaySetting
from server.pledges.months import parse_month
from server.timeutil import LOCAL_TZ, utcnow


@dataclass
class Settings:
    community_id: int
    day_of_month: int
    window_days: int
    start_time: str
    end_time: str
    title: str
    address: str
    latitude: float | None
    longitude: float | None
    is_default: bool


def settings_for(community: Community) -> Settings:
    row = db.session.scalar(sa.select(PartyDaySetting).filter_by(community_id=community.id))
    if row is not None:
        return Settings(
            community.id,
            row.day_of_month,
            row.window_days,
            row.start_time,
            row.end_time,
            row.title,
            row.address,
            row.latitude,
            row.longitude,
            False,
        )
    config = current_app.config
    return Settings(
        community.id,
        config["PARTY_DAY_DEFAULT_DAY"],
        config["PARTY_DAY_DEFAULT_WINDOW_DAYS"],
        config["PARTY_DAY_START_TIME"],
        config["PARTY_DAY_END_TIME"],
        "固定党员活动日",
        community.address,
        None,
        None,
        True,
    )


def get_settings(principal: Principal, community_id: int) -> Settings:
    return settings_for(require_community_reader(principal, community_id))


def _parse_hhmm(value: str, field: str) -> time:
    try:
        hour, minute = (int(part) for part in value.split(":"))
        return time(hour, minute)
    except ValueError:
        raise invalid(
            "time_invalid", "时间格式应为 HH:MM", {"fields": {field: "格式有误"}}
        ) from None


def update_settings(principal: Principal, community_id: int, data: dict[str, Any]) -> Settings:
    """Staff set the day (1–28), window (±1..max days), hours and place. Months whose
    party-day activity is already created keep it; later months follow the new settings."""
    community = require_community(principal, community_id)
    current = settings_for(community)
    merged = {**current.__dict__, **data}
    max_window = current_app.config["PARTY_DAY_MAX_WINDOW_DAYS"]
    if not 1 <= merged["window_days"] <= max_window:
        raise invalid(
            "window_invalid",
            f"活动日前后浮动天数应为1到{max_window}天",
            {"fields": {"window_days": f"应为1到{max_window}"}},
        )
    if _parse_hhmm(merged["end_time"], "end_time") <= _parse_hhmm(
        merged["start_time"], "start_time"
    ):
        raise invalid(
            "time_invalid", "结束时间应晚于开始时间", {"fields": {"end_time": "应晚于开始时间"}}
        )
    if (merged["latitude"] is None) != (merged["longitude"] is None):
        raise invalid(
            "point_incomplete", "经纬度需同时填写", {"fields": {"latitude": "经纬度需同时填写"}}
        )
    row = db.session.scalar(sa.select(PartyDaySetting).filter_by(community_id=community_id))
    before = None if row is None else {k: getattr(row, k) for k in data}
    if row is None:
        row = PartyDaySetting(community_id=community_id)
        db.session.add(row)
    for name in (
        "day_of_month",
        "window_days",
        "start_time",
        "end_time",
        "title",
        "address",
        "latitude",
        "longitude",
    ):
        setattr(row, name, merged[name])
    row.updated_by_user_id = principal.user_id
    row.updated_at = utcnow()
    db.session.flush()
    audit.record(
        principal.user_id,
        "party_day_settings.update",
        "community",
        community_id,
        community_id=community_id,
        before=before,
        after=dict(data),
    )
    return settings_for(community)


def window_of(settings: Settings, month: str) -> tuple[date, datetime, datetime]:
    """The month's party day and the activity's opening and closing instants."""
    year, mon = parse_month(month)
    day = date(year, mon, min(settings.day_of_month, monthrange(year, mon)[1]))
    first, last = (
        day - timedelta(days=settings.window_days),
        day + timedelta(days=settings.window_days),
    )
    starts = datetime.combine(first, _parse_hhmm(settings.start_time, "start_time"), LOCAL_TZ)
    ends = datetime.combine(last, _parse_hhmm(settings.end_time, "end_time"), LOCAL_TZ)
    return day, starts, ends
