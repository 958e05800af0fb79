"""The points scheme a street or community sets: rule versions (积分规则) and star-level
thresholds (星级门槛)."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from server.errors import conflict, invalid
from server.extensions import db
from server.members.models import Community
from server.points.balances import recompute_stars
from server.points.models import ANY_CATEGORY, PointRule, RuleKind, StarLevel
from server.points.point_rules import centi
from server.timeutil import local_today


def add_rule(
    *,
    scope_type: str,
    scope_id: int,
    kind: str,
    category: str,
    points: int,
    daily_cap: int | None,
    monthly_cap: int | None,
    effective_from: date | None,
    user_id: int | None,
    allow_today: bool = False,
) -> PointRule:
    """A new version of a rule. It applies from `effective_from` (tomorrow at the earliest, so
    that points already earned are never recounted); the past keeps its rule."""
    today = local_today()
    earliest = today if allow_today else today + timedelta(days=1)
    effective_from = effective_from or earliest
    if effective_from < earliest:
        raise invalid(
            "rule_effective_date_past",
            "规则调整最早从明天起生效，已产生的积分不受影响；请修改生效日期",
            {"earliest": earliest.isoformat()},
        )
    if kind == RuleKind.ABSENCE and points > 0:
        raise invalid("absence_points_positive", "无故缺席应为扣分，请填写负数")
    if kind != RuleKind.HOURS:
        category = ANY_CATEGORY
    for cap in (daily_cap, monthly_cap):
        if cap is not None and cap < 0:
            raise invalid("cap_negative", "封顶分值不能为负数")
    existing = db.session.scalar(
        sa.select(PointRule).where(
            PointRule.scope_type == scope_type, PointRule.scope_id == scope_id,
            PointRule.kind == kind, PointRule.category == category,
            PointRule.effective_from == effective_from,
        )
    )
    if existing is not None:
        if existing.effective_from <= today:
            raise conflict("rule_exists", "该日期已有生效的规则版本，请选择以后的生效日期")
        # a version that has not started yet may still be changed
        existing.points, existing.daily_cap, existing.monthly_cap = points, daily_cap, monthly_cap
        existing.created_by_user_id = user_id
        rule = existing
    else:
        rule = PointRule(
            scope_type=scope_type, scope_id=scope_id, kind=kind, category=category,
            points=points, daily_cap=daily_cap, monthly_cap=monthly_cap,
            effective_from=effective_from, created_by_user_id=user_id,
        )
        db.session.add(rule)
    db.session.flush()
    return rule


def communities_of_scope(scope_type: str, scope_id: int) -> list[int]:
    if scope_type == "community":
        return [scope_id]
    return list(db.session.scalars(sa.select(Community.id).where(Community.street_id == scope_id)))


def set_star_levels(
    *, scope_type: str, scope_id: int, year: int, levels: list[dict], user_id: int | None
) -> int:
    """Replace a street's or community's thresholds for a year, then recompute that year's
    stars of every member concerned (points are not touched). Returns how many changed."""
    numbers = [lv["level"] for lv in levels]
    if len(set(numbers)) != len(numbers):
        raise invalid("star_levels_repeated", "每个星级只能设置一次")
    by_level = sorted(levels, key=lambda lv: lv["level"])
    for lower, higher in zip(by_level, by_level[1:], strict=False):
        for key in ("min_points", "min_hours"):
            if (lower.get(key) is not None and higher.get(key) is not None
                    and higher[key] < lower[key]):
                raise invalid("star_levels_not_rising", "星级越高，门槛应越高，请检查后重新设置")
    db.session.execute(
        sa.delete(StarLevel).where(
            StarLevel.scope_type == scope_type, StarLevel.scope_id == scope_id,
            StarLevel.year == year,
        )
    )
    for lv in levels:
        db.session.add(StarLevel(
            scope_type=scope_type, scope_id=scope_id, year=year, level=lv["level"],
            min_points=lv.get("min_points"),
            min_hours_centi=None if lv.get("min_hours") is None else centi(lv["min_hours"]),
            updated_by_user_id=user_id,
        ))
    db.session.flush()
    return recompute_stars(communities_of_scope(scope_type, scope_id), year)
