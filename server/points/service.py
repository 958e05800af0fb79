"""What a caller may do in the points area: each function takes the caller's Principal
first, asks `auth.scope` whether the caller may act, applies the rule (ledger, scheme,
awards, feedback, leaderboard) and writes the audit entry.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_smorest.pagination import PaginationParameters

from server.audit import service as audit
from server.auth.scope import (
    SECRETARIES,
    Principal,
    feedback_unit_scope,
    get_visible_member,
    require_community,
    require_community_reader,
    require_member,
    sees_full_names_on_board,
)
from server.errors import not_found
from server.extensions import db
from server.members.models import Member
from server.pagination import paginate
from server.points import feedback, ledger, scheme
from server.points.leaderboard import leaderboard
from server.points.models import FeedbackComment, PointBalance, PointEntry, PointRule, StarLevel
from server.points.point_rules import (
    ALL_TIME,
    hours_of,
    month_key,
    periods_of_month,
    preferred_rule,
    star_levels_for,
    street_of,
)
from server.replica import replica_read
from server.timeutil import local_today

# ---------------------------------------------------------------- a member's points


def member_summary(member: Member, today: date | None = None) -> dict[str, Any]:
    """The member's points and hours this month, quarter, half-year, year and all time."""
    today = today or local_today()
    periods = periods_of_month(month_key(today))
    rows = {
        row.period: row
        for row in db.session.scalars(
            sa.select(PointBalance).where(PointBalance.member_id == member.id,
                                          PointBalance.period.in_(periods))
        )
    }
    names = ["month", "quarter", "half_year", "year", "all_time"]
    year_row = rows.get(str(today.year))
    return {
        "member_id": member.id,
        "year": today.year,
        "stars": (year_row.stars or 0) if year_row else 0,
        "periods": [
            {
                "kind": name,
                "period": period,
                "points": rows[period].points if period in rows else 0,
                "hours": hours_of(rows[period].hours_centi if period in rows else 0),
            }
            for name, period in zip(names, periods, strict=True)
        ],
        "all_time_points": rows[ALL_TIME].points if ALL_TIME in rows else 0,
    }


def _ledger(member_id: int, pages: PaginationParameters) -> list[PointEntry]:
    return paginate(
        sa.select(PointEntry)
        .where(PointEntry.member_id == member_id)
        .order_by(PointEntry.id.desc()),
        pages,
    )


def my_points(principal: Principal) -> dict[str, Any]:
    return member_summary(require_member(principal))


def member_points(principal: Principal, member_id: int) -> dict[str, Any]:
    return member_summary(get_visible_member(principal, member_id))


def my_entries(principal: Principal, pages: PaginationParameters) -> list[PointEntry]:
    return _ledger(require_member(principal).id, pages)


def member_entries(
    principal: Principal, member_id: int, pages: PaginationParameters
) -> list[PointEntry]:
    return _ledger(get_visible_member(principal, member_id).id, pages)


def reverse_entry(principal: Principal, entry_id: int, reason: str) -> PointEntry:
    """冲正 (a community secretary): a new opposite entry; the original is kept."""
    entry = db.session.get(PointEntry, entry_id)
    if entry is None or entry.community_id not in principal.community_ids(SECRETARIES):
        raise not_found("积分记录")
    return ledger.reverse_source(entry_id, principal.user_id, reason)


# ---------------------------------------------------------------- leaderboards


@replica_read
def board(principal: Principal, query: dict[str, Any]) -> dict[str, Any]:
    """A leaderboard (先锋榜); full names for staff whose scope covers all of it."""
    return leaderboard(
        scope=query["scope"],
        scope_id=query["scope_id"],
        period=query.get("period") or month_key(local_today()),
        member_type=query.get("member_type"),
        limit=query["limit"],
        full_names=sees_full_names_on_board(principal, query["scope"], query["scope_id"]),
        me=principal.member,
    )


# ---------------------------------------------------------------- rules and stars


def _require_scheme_owner(principal: Principal, scope_type: str, scope_id: int) -> None:
    """A street's scheme is its admin's; a community's, its secretaries' (and street admin's)."""
    if scope_type == "street":
        if scope_id not in principal.street_ids():
            raise not_found("街道")
    else:
        require_community(principal, scope_id, SECRETARIES)


def rules_in_force(principal: Principal, community_id: int) -> list[PointRule]:
    """The community's rules in force today and the versions scheduled after (its own rules
    before the street's); for its members and on-site staff."""
    require_community_reader(principal, community_id)
    street_id = street_of(community_id)
    today = local_today()
    rows = db.session.scalars(
        sa.select(PointRule).where(
            sa.or_(sa.and_(PointRule.scope_type == "community",
                           PointRule.scope_id == community_id),
                   sa.and_(PointRule.scope_type == "street", PointRule.scope_id == street_id))
        ).order_by(PointRule.kind, PointRule.category, PointRule.effective_from)
    ).all()
    in_force = {preferred_rule(rows, r.kind, r.category, today) for r in rows}
    return [r for r in rows if r in in_force or r.effective_from > today]


def add_rule(principal: Principal, data: dict[str, Any]) -> PointRule:
    """A new rule version, from its effective date on; points already earned do not change."""
    _require_scheme_owner(principal, data["scope_type"], data["scope_id"])
    rule = scheme.add_rule(user_id=principal.user_id, **data)
    audit.record(principal.user_id, "points.rule.add", "point_rule", rule.id,
          community_id=data["scope_id"] if data["scope_type"] == "community" else None,
          after={k: str(v) for k, v in data.items()})
    return rule


def star_levels(principal: Principal, community_id: int, year: int) -> dict[str, Any]:
    """The community's star thresholds of a year (its own, else the street's)."""
    require_community_reader(principal, community_id)
    levels = star_levels_for(community_id, year)
    scope_type = levels[0].scope_type if levels else "community"
    return {"scope_type": scope_type, "scope_id": levels[0].scope_id if levels else None,
            "year": year, "levels": sorted(levels, key=lambda lv: lv.level), "recomputed": 0}


def set_star_levels(principal: Principal, data: dict[str, Any]) -> dict[str, Any]:
    """Replace the thresholds of a year and recompute that year's stars (points unchanged)."""
    _require_scheme_owner(principal, data["scope_type"], data["scope_id"])
    changed = scheme.set_star_levels(user_id=principal.user_id, **data)
    audit.record(principal.user_id, "points.star_levels.set", data["scope_type"], data["scope_id"],
          community_id=data["scope_id"] if data["scope_type"] == "community" else None,
          after={"year": data["year"], "levels": [
              {k: str(v) for k, v in lv.items()} for lv in data["levels"]]})
    levels = db.session.scalars(sa.select(StarLevel).where(
        StarLevel.scope_type == data["scope_type"], StarLevel.scope_id == data["scope_id"],
        StarLevel.year == data["year"]).order_by(StarLevel.level)).all()
    return {"scope_type": data["scope_type"], "scope_id": data["scope_id"],
            "year": data["year"], "levels": levels, "recomputed": changed}


# ---------------------------------------------------------------- feedback sheets (反馈单)


def _unit_sheet(principal: Principal, unit_id: int, period: str, fmt: str) -> dict[str, Any]:
    communities = feedback_unit_scope(principal, unit_id)
    sheet = feedback.unit_sheet(unit_id, period, communities)
    audit.record(principal.user_id, "export.feedback_sheet", "employer_unit", unit_id,
          after={"period": period, "format": fmt, "rows": len(sheet["rows"])})
    return sheet


def unit_feedback(principal: Principal, unit_id: int, period: str) -> dict[str, Any]:
    """A unit's feedback sheet (its secretary; a street admin for the street's communities);
    each reading is in the audit log."""
    return _unit_sheet(principal, unit_id, period, "json")


def unit_feedback_xlsx(principal: Principal, unit_id: int, period: str) -> tuple[bytes, str]:
    """The same sheet as a printable workbook; each download is in the audit log."""
    sheet = _unit_sheet(principal, unit_id, period, "xlsx")
    return feedback.sheet_xlsx(sheet), f"feedback-{unit_id}-{period}.xlsx"


def community_feedback(principal: Principal, community_id: int, period: str) -> list[dict]:
    """The community's rows of the units' sheets (its secretaries), for writing 评语."""
    require_community(principal, community_id, SECRETARIES)
    return feedback.community_sheet(community_id, period)


def write_feedback_comment(principal: Principal, data: dict[str, Any]) -> FeedbackComment:
    """评语 of the member's community secretary on the member's unit sheet."""
    member: Member = get_visible_member(principal, data["member_id"])
    if member.community_id not in principal.community_ids(SECRETARIES):
        raise not_found("党员")
    comment, before = feedback.write_comment(member, data["period"], data["comment"],
                                             principal.user_id)
    audit.record(principal.user_id, "points.feedback_comment", "member", member.id,
          community_id=member.community_id, before={"comment": before},
          after={"period": data["period"], "comment": data["comment"]})
    return comment


def community_summary(principal: Principal, community_id: int, year: int | None) -> dict:
    """The community's figures of a year (its secretaries)."""
    require_community(principal, community_id, SECRETARIES)
    return feedback.community_summary(community_id, year or local_today().year)
