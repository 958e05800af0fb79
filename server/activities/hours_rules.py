"""Counting hours: the clocked interval clipped to the activity, the minimum share, rounding."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask import current_app

from server.activities.models import (
    Activity,
    CommunityHoursRule,
    MissingClockoutRule,
    RoundingRule,
)
from server.extensions import db

ROUNDING_LABELS = {
    RoundingRule.NONE: "按实际时长（保留两位小数）",
    RoundingRule.QUARTER_HOUR_DOWN: "按0.25小时向下取整",
    RoundingRule.HALF_HOUR_DOWN: "按0.5小时向下取整（不足半小时不计）",
    RoundingRule.HALF_HOUR_NEAREST: "按0.5小时四舍五入",
    RoundingRule.HOUR_DOWN: "按整小时向下取整",
}
STEP = {
    RoundingRule.QUARTER_HOUR_DOWN: (Decimal("0.25"), ROUND_DOWN),
    RoundingRule.HALF_HOUR_DOWN: (Decimal("0.5"), ROUND_DOWN),
    RoundingRule.HALF_HOUR_NEAREST: (Decimal("0.5"), ROUND_HALF_UP),
    RoundingRule.HOUR_DOWN: (Decimal("1"), ROUND_DOWN),
}
CENT = Decimal("0.01")


@dataclass
class Rule:
    missing_clockout: str
    rounding: str
    min_share: Decimal


def rule_for(community_id: int) -> Rule:
    row = db.session.scalar(sa.select(CommunityHoursRule).filter_by(community_id=community_id))
    if row is not None:
        return Rule(row.missing_clockout, row.rounding, Decimal(row.min_share))
    config = current_app.config
    return Rule(
        MissingClockoutRule(config["CLOCKIN_MISSING_CLOCKOUT_RULE"]).value,
        RoundingRule(config["CLOCKIN_ROUNDING"]).value,
        Decimal(str(config["CLOCKIN_MIN_SHARE"])).quantize(CENT),
    )


def round_hours(hours: Decimal, rounding: str) -> Decimal:
    if rounding == RoundingRule.NONE:
        return hours.quantize(CENT, rounding=ROUND_HALF_UP)
    step, mode = STEP[RoundingRule(rounding)]
    return ((hours / step).quantize(Decimal("1"), rounding=mode) * step).quantize(CENT)


def compute_hours(
    activity: Activity, clock_in: datetime, clock_out: datetime, rule: Rule
) -> tuple[Decimal, str | None]:
    """(hours, note): the note says why fewer hours than the clocked time count."""
    start = max(clock_in, activity.starts_at)
    end = min(clock_out, activity.ends_at)
    seconds = max(0, int((end - start).total_seconds()))
    planned = max(1, int((activity.ends_at - activity.starts_at).total_seconds()))
    share = Decimal(seconds) / Decimal(planned)
    if rule.min_share and share < rule.min_share:
        percent = int(rule.min_share * 100)
        return Decimal("0.00"), f"出勤时长不足活动时长的{percent}%，不计时长"
    return round_hours(Decimal(seconds) / Decimal(3600), rule.rounding), None
