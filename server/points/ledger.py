"""积分量化考核: posting to the append-only ledger (积分台账).

Everything that earns points ends in `settle_source`, which looks at what a source has
already earned and posts only the difference, as a new numbered revision of that source.
Balances for the entry's month, quarter, half-year, year and all time are bumped in the same
transaction (`balances`). The other areas' signals reach it through `points.receivers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from server.audit import service as audit
from server.database import lock_row
from server.errors import conflict, not_found
from server.extensions import db
from server.members.models import Member
from server.points.balances import bump_balances
from server.points.models import ANY_CATEGORY, PointEntry, PointRule, RuleKind
from server.points.point_rules import find_rule, month_key, points_for_hours

# sources whose later corrections post the difference; every other source pays once
CORRECTABLE = {"hours_record"}


def lock_member(member_id: int) -> Member:
    """Serialise everything that pays one member (caps, duplicates) on PostgreSQL."""
    member = lock_row(Member, member_id)
    if member is None:
        raise not_found("党员")
    return member


@dataclass
class SourceState:
    points: int = 0
    hours_centi: int = 0
    revision: int = 0
    earned_on: date | None = None
    first: PointEntry | None = None


def source_state(source_key: str) -> SourceState:
    entries = db.session.scalars(
        sa.select(PointEntry).where(PointEntry.source_key == source_key)
        .order_by(PointEntry.revision)
    ).all()
    state = SourceState()
    for entry in entries:
        state.points += entry.amount
        state.hours_centi += entry.hours_centi
        state.revision = max(state.revision, entry.revision)
    if entries:
        state.first = entries[0]
        state.earned_on = entries[0].earned_on
    return state


def _capped(rule: PointRule, member_id: int, source_key: str, day: date, raw: int) -> int:
    """`raw`, cut so that the member's total under this rule stays within its daily and
    monthly caps (other sources counted; this source's own earlier revisions not)."""
    if raw == 0 or (rule.daily_cap is None and rule.monthly_cap is None):
        return raw
    sign = 1 if raw > 0 else -1
    room = abs(raw)
    base = sa.select(sa.func.coalesce(sa.func.sum(PointEntry.amount), 0)).where(
        PointEntry.member_id == member_id,
        PointEntry.rule_key == rule.rule_key,
        PointEntry.source_key != source_key,
    )
    if rule.daily_cap is not None:
        others = db.session.scalar(base.where(PointEntry.earned_on == day))
        room = min(room, rule.daily_cap - sign * others)
    if rule.monthly_cap is not None:
        others = db.session.scalar(base.where(PointEntry.month == month_key(day)))
        room = min(room, rule.monthly_cap - sign * others)
    return sign * max(0, room)


def settle_source(
    *,
    member_id: int,
    community_id: int | None,
    kind: str,
    category: str = ANY_CATEGORY,
    source_type: str,
    source_id: Any,
    source_key: str,
    earned_on: date,
    hours_centi: int | None = None,
    amount: int | None = None,
    activity_id: int | None = None,
    reason: str | None = None,
    user_id: int | None = None,
) -> PointEntry | None:
    """Bring what `source_key` has earned to what it should earn now; post the difference.

    `hours_centi` (hours sources): the approved counting hours now; points follow the rule.
    `amount` (manual awards): the points asked for; other kinds take the rule's points.
    Returns the new entry, or None when nothing changed (a repeat never pays twice).
    """
    member = lock_member(member_id)
    state = source_state(source_key)
    correctable = source_type in CORRECTABLE
    if state.first is not None and not correctable:
        return None
    day = state.earned_on or earned_on
    rule = find_rule(community_id, kind, category, day)
    if kind == RuleKind.HOURS:
        raw = points_for_hours(rule.points, hours_centi or 0) if rule else 0
    elif kind == RuleKind.MANUAL:
        raw = amount or 0
    else:
        raw = rule.points if rule else 0
    desired = _capped(rule, member_id, source_key, day, raw) if rule else raw
    d_points = desired - state.points
    d_hours = (hours_centi or 0) - state.hours_centi if kind == RuleKind.HOURS else 0
    if state.first is not None and d_points == 0 and d_hours == 0:
        return None
    if state.first is None and desired == 0 and d_hours == 0 and rule is None:
        return None  # nothing configured and nothing to record
    rule_key = rule.rule_key if rule else f"{kind}:{category or ANY_CATEGORY}"
    if state.first is not None:
        rule_key = state.first.rule_key  # caps keep counting where the source started
    entry = PointEntry(
        member_id=member_id,
        community_id=community_id,
        amount=d_points,
        hours_centi=d_hours,
        rule_id=rule.id if rule else None,
        rule_key=rule_key,
        source_type=source_type,
        source_id=str(source_id),
        source_key=source_key,
        revision=state.revision + 1,
        activity_id=activity_id,
        earned_on=day,
        month=month_key(day),
        reason=reason,
        created_by_user_id=user_id,
    )
    db.session.add(entry)
    db.session.flush()
    bump_balances(member, entry.month, d_points, d_hours)
    return entry


def reverse_source(entry_id: int, user_id: int | None, reason: str) -> PointEntry:
    """冲正: post the negative of what a source has earned. Hours are corrected in the
    activities area instead (the correction posts the difference)."""
    entry = db.session.get(PointEntry, entry_id)
    if entry is None:
        raise not_found("积分记录")
    if entry.source_type in CORRECTABLE:
        raise conflict(
            "reverse_hours_in_activities",
            "志愿服务时长的积分随时长记录变化，请在活动记录中更正时长",
        )
    member = lock_member(entry.member_id)
    state = source_state(entry.source_key)
    if state.points == 0:
        raise conflict("already_reversed", "这笔积分已冲正，无需重复操作")
    reversal = PointEntry(
        member_id=entry.member_id,
        community_id=entry.community_id,
        amount=-state.points,
        hours_centi=0,
        rule_id=entry.rule_id,
        rule_key=entry.rule_key,
        source_type=entry.source_type,
        source_id=entry.source_id,
        source_key=entry.source_key,
        revision=state.revision + 1,
        activity_id=entry.activity_id,
        earned_on=state.earned_on,
        month=month_key(state.earned_on),
        reason=reason,
        created_by_user_id=user_id,
    )
    db.session.add(reversal)
    db.session.flush()
    bump_balances(member, reversal.month, reversal.amount, 0)
    audit.record(user_id, "points.reverse", "point_entry", reversal.id,
          community_id=entry.community_id, before={"source_key": entry.source_key,
                                                    "points": state.points},
          after={"points": 0}, reason=reason)
    return reversal
