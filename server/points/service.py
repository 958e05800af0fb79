"""积分量化考核: posting to the ledger and keeping balances and stars up to date with it.

Everything that earns points ends in `settle_source`, which looks at what a source has
already earned and posts only the difference, as a new numbered revision of that source.
Balances for the entry's month, quarter, half-year, year and all time are bumped in the same
transaction. The receivers below connect the other areas' signals at import time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from server.audit.service import record as audit
from server.database import lock_row, upsert
from server.errors import conflict, forbidden, invalid, not_found
from server.events import (
    hours_record_finalised,
    party_day_attended,
    pledge_note_verified,
    signup_absent,
)
from server.extensions import db
from server.members.models import Building, Community, Member
from server.points.models import (
    ANY_CATEGORY,
    ManualAward,
    ManualAwardStatus,
    PointBalance,
    PointEntry,
    PointRule,
    RuleKind,
    StarLevel,
)
from server.points.rules import (
    ALL_TIME,
    centi,
    find_rule,
    month_key,
    periods_of_month,
    points_for_hours,
    star_levels_for,
    stars_from,
)
from server.timeutil import local_today, utcnow

# sources whose later corrections post the difference; every other source pays once
CORRECTABLE = {"hours_record"}
# hours record states that never count, whatever hours they carry
NOT_COUNTING = {"pending", "submitted", "rejected", "void", "voided", "cancelled", "reversed"}


# ---------------------------------------------------------------- placement on the boards


def placement(member: Member) -> dict[str, Any]:
    """Where the member stands on the boards, copied into each balance row."""
    # many-to-one loads come from the session's identity map after the first member of a
    # building or community, so a batch of members costs a query per place, not per member
    grid_id = member.building.grid_id if member.building is not None else None
    street_id = member.community.street_id if member.community is not None else None
    return {
        "community_id": member.community_id,
        "grid_id": grid_id,
        "building_id": member.building_id,
        "employer_unit_id": member.employer_unit_id,
        "street_id": street_id,
        "member_type": member.member_type,
        "hidden": bool(member.hide_from_public_boards),
    }


def _upsert(values: dict[str, Any], bump: bool) -> None:
    """Insert a balance row or add to (bump) / overwrite it, atomically on both databases."""
    table = PointBalance.__table__

    def update(new: Any) -> dict[str, Any]:
        columns = {k: new[k] for k in values if k not in ("member_id", "period")}
        if bump:
            columns["points"] = table.c.points + new.points
            columns["hours_centi"] = table.c.hours_centi + new.hours_centi
        return columns

    db.session.execute(upsert(PointBalance, values, ["member_id", "period"], update))


def bump_balances(member: Member, month: str, points: int, hours_centi: int) -> None:
    place = placement(member)
    now = utcnow()
    for period in periods_of_month(month):
        _upsert(
            {"member_id": member.id, "period": period, "points": points,
             "hours_centi": hours_centi, "updated_at": now, **place},
            bump=True,
        )
    refresh_stars(member, int(month[:4]))


def refresh_stars(member: Member, year: int, levels: list[StarLevel] | None = None) -> int:
    """Stars of one member-year from the year balance and the thresholds in force."""
    row = db.session.execute(
        sa.select(PointBalance.id, PointBalance.points, PointBalance.hours_centi,
                  PointBalance.stars)
        .where(PointBalance.member_id == member.id, PointBalance.period == str(year))
    ).first()
    if row is None:
        return 0
    if levels is None:
        levels = star_levels_for(member.community_id, year)
    stars = stars_from(levels, row.points, row.hours_centi)
    if row.stars != stars:
        db.session.execute(
            sa.update(PointBalance).where(PointBalance.id == row.id).values(stars=stars)
        )
    return stars


@event.listens_for(Session, "after_flush")
def _follow_member_moves(session, _context):
    """A member who moves, changes type or hides from public boards takes their balance rows
    along, so that boards stay one index range."""
    watched = ("community_id", "building_id", "employer_unit_id", "member_type",
               "hide_from_public_boards")
    for obj in list(session.dirty):
        if not isinstance(obj, Member):
            continue
        state = sa.inspect(obj)
        if not any(state.attrs[name].history.has_changes() for name in watched):
            continue
        connection = session.connection()
        grid_id = street_id = None
        if obj.building_id is not None:
            grid_id = connection.scalar(
                sa.select(Building.grid_id).where(Building.id == obj.building_id))
        if obj.community_id is not None:
            street_id = connection.scalar(
                sa.select(Community.street_id).where(Community.id == obj.community_id))
        connection.execute(
            sa.update(PointBalance).where(PointBalance.member_id == obj.id).values(
                community_id=obj.community_id, grid_id=grid_id, building_id=obj.building_id,
                employer_unit_id=obj.employer_unit_id, street_id=street_id,
                member_type=obj.member_type, hidden=bool(obj.hide_from_public_boards),
            )
        )


# ---------------------------------------------------------------- the ledger


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
    audit(user_id, "points.reverse", "point_entry", reversal.id,
          community_id=entry.community_id, before={"source_key": entry.source_key,
                                                    "points": state.points},
          after={"points": 0}, reason=reason)
    return reversal


# ---------------------------------------------------------------- signal receivers


def on_hours_record_finalised(record, previous_hours=None, **_kw) -> PointEntry | None:
    status = getattr(record, "status", None)
    hours = 0 if status is not None and str(status) in NOT_COUNTING else record.hours
    return settle_source(
        member_id=record.member_id,
        community_id=record.community_id,
        kind=RuleKind.HOURS,
        category=getattr(record, "category", None) or ANY_CATEGORY,
        source_type="hours_record",
        source_id=record.id,
        # the counting unit is the member's hours for one activity: a correction is a new
        # record superseding the old one, and pays only the difference
        source_key=f"hours:{record.member_id}:{record.activity_id}",
        earned_on=record.service_date,
        hours_centi=centi(hours),
        activity_id=getattr(record, "activity_id", None),
    )


def on_signup_absent(signup, **_kw) -> PointEntry | None:
    activity = getattr(signup, "activity", None)
    community_id = getattr(signup, "community_id", None) or getattr(activity, "community_id", None)
    day = _local_day_of(getattr(activity, "starts_at", None))
    return settle_source(
        member_id=signup.member_id,
        community_id=community_id,
        kind=RuleKind.ABSENCE,
        source_type="absence",
        source_id=signup.activity_id,
        source_key=f"absence:{signup.member_id}:{signup.activity_id}",
        earned_on=day,
        activity_id=signup.activity_id,
        reason="报名后无故缺席",
    )


def on_pledge_note_verified(note, **_kw) -> PointEntry | None:
    return settle_source(
        member_id=note.member_id,
        community_id=note.community_id,
        kind=RuleKind.PLEDGE_NOTE,
        source_type="pledge_note",
        source_id=note.id,
        source_key=f"pledge_note:{note.id}",
        earned_on=local_today(),
    )


def on_party_day_attended(attendance, **_kw) -> PointEntry | None:
    month = str(attendance.month)
    today = local_today()
    day = today if month_key(today) == month else date(int(month[:4]), int(month[5:7]), 15)
    # one award per member per month, whether on the day or at the make-up (补课)
    return settle_source(
        member_id=attendance.member_id,
        community_id=attendance.community_id,
        kind=RuleKind.PARTY_DAY,
        source_type="party_day",
        source_id=attendance.id,
        source_key=f"party_day:{attendance.member_id}:{month}",
        earned_on=day,
    )


def _local_day_of(value) -> date:
    from server.timeutil import to_local

    if value is None:
        return local_today()
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    return to_local(value).date()


hours_record_finalised.connect(on_hours_record_finalised, weak=False)
signup_absent.connect(on_signup_absent, weak=False)
pledge_note_verified.connect(on_pledge_note_verified, weak=False)
party_day_attended.connect(on_party_day_attended, weak=False)


# ---------------------------------------------------------------- rules and stars


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


def recompute_stars(community_ids: list[int], year: int) -> int:
    changed = 0
    for community_id in community_ids:
        levels = star_levels_for(community_id, year)
        rows = db.session.execute(
            sa.select(PointBalance.id, PointBalance.points, PointBalance.hours_centi,
                      PointBalance.stars)
            .where(PointBalance.period == str(year), PointBalance.community_id == community_id)
        ).all()
        for row in rows:
            stars = stars_from(levels, row.points, row.hours_centi)
            if stars != row.stars:
                db.session.execute(
                    sa.update(PointBalance).where(PointBalance.id == row.id).values(stars=stars)
                )
                changed += 1
    return changed


# ---------------------------------------------------------------- manual awards


def propose_manual_award(member: Member, amount: int, reason: str, user_id: int) -> ManualAward:
    if amount == 0:
        raise invalid("amount_zero", "加减分值不能为0")
    if member.community_id is None:
        raise conflict("member_not_reported", "该党员尚未到社区报到，不能加减分")
    award = ManualAward(member_id=member.id, community_id=member.community_id, amount=amount,
                        reason=reason, requested_by_user_id=user_id)
    db.session.add(award)
    db.session.flush()
    audit(user_id, "points.manual_award.propose", "manual_award", award.id,
          community_id=award.community_id, after={"member_id": member.id, "amount": amount},
          reason=reason)
    return award


def approve_manual_award(award_id: int, user_id: int, community_ids: set[int]) -> ManualAward:
    award = _locked_award(award_id, community_ids)
    if award.status == ManualAwardStatus.APPROVED:
        return award  # a repeat of the same approval
    if award.status != ManualAwardStatus.PENDING:
        raise conflict("manual_award_decided", "该加减分申请已被驳回，不能再批准")
    if award.requested_by_user_id == user_id:
        raise forbidden("加减分需由另一位社区党组织书记复核批准，申请人不能批准自己的申请")
    entry = settle_source(
        member_id=award.member_id, community_id=award.community_id, kind=RuleKind.MANUAL,
        source_type="manual_award", source_id=award.id, source_key=f"manual_award:{award.id}",
        earned_on=local_today(), amount=award.amount, reason=award.reason, user_id=user_id,
    )
    award.status = ManualAwardStatus.APPROVED.value
    award.decided_by_user_id = user_id
    award.decided_at = utcnow()
    award.entry_id = entry.id if entry is not None else None
    audit(user_id, "points.manual_award.approve", "manual_award", award.id,
          community_id=award.community_id,
          after={"amount": entry.amount if entry else 0}, reason=award.reason)
    return award


def reject_manual_award(award_id: int, user_id: int, community_ids: set[int],
                        reason: str) -> ManualAward:
    award = _locked_award(award_id, community_ids)
    if award.status == ManualAwardStatus.REJECTED:
        return award
    if award.status != ManualAwardStatus.PENDING:
        raise conflict("manual_award_decided", "该加减分申请已批准，如需撤销请冲正积分")
    award.status = ManualAwardStatus.REJECTED.value
    award.decided_by_user_id = user_id
    award.decided_at = utcnow()
    award.decision_note = reason
    audit(user_id, "points.manual_award.reject", "manual_award", award.id,
          community_id=award.community_id, reason=reason)
    return award


def _locked_award(award_id: int, community_ids: set[int]) -> ManualAward:
    award = lock_row(ManualAward, award_id)
    if award is None or award.community_id not in community_ids:
        raise not_found("加减分申请")
    return award


# ---------------------------------------------------------------- reading


def member_summary(member: Member, today: date | None = None) -> dict[str, Any]:
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
    from server.points.rules import hours_of

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


def ledger_select(member_id: int) -> sa.Select:
    return (
        sa.select(PointEntry)
        .where(PointEntry.member_id == member_id)
        .order_by(PointEntry.id.desc())
    )
