"""Periods, rule lookup (community over street, latest effective version) and star levels."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from server.errors import invalid
from server.extensions import db
from server.members.models import Community
from server.points.models import ANY_CATEGORY, PointRule, StarLevel

ALL_TIME = "all"
PERIOD_RE = re.compile(r"^(all|\d{4}|\d{4}-H[12]|\d{4}-Q[1-4]|\d{4}-(0[1-9]|1[0-2]))$")
PERIOD_PATTERN = PERIOD_RE.pattern


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def periods_of_month(month: str) -> list[str]:
    """The balance periods an entry of `month` counts in: month, quarter, half, year, all."""
    year, mon = int(month[:4]), int(month[5:7])
    return [
        month,
        f"{year}-Q{(mon - 1) // 3 + 1}",
        f"{year}-H{1 if mon <= 6 else 2}",
        str(year),
        ALL_TIME,
    ]


def periods_of(day: date) -> list[str]:
    return periods_of_month(month_key(day))


def check_period(period: str) -> str:
    if not PERIOD_RE.match(period or ""):
        raise invalid(
            "period_invalid",
            "统计周期格式有误，应为 all、2026、2026-H1、2026-Q3 或 2026-11",
            {"period": period},
        )
    return period


def period_months(period: str) -> list[str] | None:
    """The months a period covers (None for all time)."""
    check_period(period)
    if period == ALL_TIME:
        return None
    year = int(period[:4])
    if len(period) == 4:
        months = range(1, 13)
    elif period[5] == "H":
        months = range(1, 7) if period[6] == "1" else range(7, 13)
    elif period[5] == "Q":
        q = int(period[6])
        months = range(3 * q - 2, 3 * q + 1)
    else:
        months = [int(period[5:7])]
    return [f"{year:04d}-{m:02d}" for m in months]


def period_year(period: str) -> int | None:
    return None if period == ALL_TIME else int(period[:4])


def centi(hours) -> int:
    """Hours (Decimal/float/str) → whole hundredths of an hour."""
    value = Decimal(str(hours or 0)) * 100
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def hours_of(centi_hours: int | None) -> Decimal:
    return (Decimal(centi_hours or 0) / 100).quantize(Decimal("0.01"))


def points_for_hours(rate: int, hours_centi: int) -> int:
    """rate points per hour × hours, rounded half up to whole points."""
    raw = Decimal(rate) * Decimal(hours_centi) / 100
    return int(raw.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def street_of(community_id: int | None) -> int | None:
    if community_id is None:
        return None
    return db.session.scalar(sa.select(Community.street_id).where(Community.id == community_id))


def find_rule(community_id: int | None, kind: str, category: str, on: date) -> PointRule | None:
    """The rule version in force on `on`: a community's own rule before its street's, an exact
    category before the catch-all, the latest effective date first."""
    scopes = []
    if community_id is not None:
        scopes.append(sa.and_(PointRule.scope_type == "community",
                              PointRule.scope_id == community_id))
        street_id = street_of(community_id)
        if street_id is not None:
            scopes.append(sa.and_(PointRule.scope_type == "street",
                                  PointRule.scope_id == street_id))
    if not scopes:
        return None
    rows = db.session.scalars(
        sa.select(PointRule).where(
            sa.or_(*scopes),
            PointRule.kind == kind,
            PointRule.category.in_(_categories(category)),
            PointRule.effective_from <= on,
        )
    ).all()
    return preferred_rule(rows, kind, category, on)


def _categories(category: str) -> list[str]:
    return [ANY_CATEGORY] if category in ("", ANY_CATEGORY) else [category, ANY_CATEGORY]


def preferred_rule(
    candidates: list[PointRule], kind: str, category: str, on: date
) -> PointRule | None:
    """Among a community's and its street's rule versions, the one `find_rule` picks."""
    categories = _categories(category)
    eligible = [r for r in candidates
                if r.kind == kind and r.category in categories and r.effective_from <= on]
    if not eligible:
        return None

    def preference(rule: PointRule):
        return (
            rule.scope_type == "community",
            rule.category != ANY_CATEGORY,
            rule.effective_from,
            rule.id,
        )

    return max(eligible, key=preference)


def star_levels_for(community_id: int | None, year: int) -> list[StarLevel]:
    """The community's own thresholds for the year if it set any, else its street's."""
    if community_id is None:
        return []
    own = db.session.scalars(
        sa.select(StarLevel).where(
            StarLevel.scope_type == "community",
            StarLevel.scope_id == community_id,
            StarLevel.year == year,
        )
    ).all()
    if own:
        return list(own)
    street_id = street_of(community_id)
    if street_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(StarLevel).where(
                StarLevel.scope_type == "street",
                StarLevel.scope_id == street_id,
                StarLevel.year == year,
            )
        )
    )


def stars_from(levels: list[StarLevel], points: int, hours_centi: int) -> int:
    """The highest level whose every threshold is reached (0: none)."""
    best = 0
    for level in levels:
        if level.min_points is None and level.min_hours_centi is None:
            continue
        if level.min_points is not None and points < level.min_points:
            continue
        if level.min_hours_centi is not None and hours_centi < level.min_hours_centi:
            continue
        best = max(best, level.level)
    return best
