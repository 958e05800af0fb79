"""Counting hours: the clocked interval clipped to the activity, the minimum share, rounding."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app

from server.activities.models import (
    Activity,
    CommunityHoursRule,
    MissingClockoutRule,
    RoundingRule,
)
from server.audit import service as audit
from server.auth.scope import ON_SITE_STAFF, Principal, require_community
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


# --- the community's hours rule, for its staff ----------------------------------------------


def hours_rule(principal: Principal, community_id: int) -> Rule:
    require_community(principal, community_id, ON_SITE_STAFF)
    return rule_for(community_id)


def set_hours_rule(principal: Principal, community_id: int, data: dict[str, Any]) -> Rule:
    """How the community counts hours: missing clock-out, rounding, minimum share."""
    require_community(principal, community_id)
    before = rule_for(community_id)
    row = db.session.scalar(sa.select(CommunityHoursRule).filter_by(community_id=community_id))
    if row is None:
        row = CommunityHoursRule(community_id=community_id)
        db.session.add(row)
    row.missing_clockout = data["missing_clockout"]
    row.rounding = data["rounding"]
    row.min_share = data["min_share"]
    row.updated_by_user_id = principal.user_id
    db.session.flush()
    audit.record(
        principal.user_id,
        "hours_rule.update",
        "community",
        community_id,
        community_id=community_id,
        before={"missing_clockout": before.missing_clockout, "rounding": before.rounding,
                "min_share": str(before.min_share)},
        after={"missing_clockout": row.missing_clockout, "rounding": row.rounding,
               "min_share": str(row.min_share)},
    )
    return rule_for(community_id)
