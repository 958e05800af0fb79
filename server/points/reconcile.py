"""对账: check every kept-up balance (points, hours, stars, place) against the ledger, in
batches of members, and optionally repair the differences."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from server.extensions import db
from server.members.models import Member
from server.points.balances import placement, write_balance
from server.points.models import PointBalance, PointEntry
from server.points.point_rules import periods_of_month, star_levels_for, stars_from
from server.timeutil import utcnow

PLACE_FIELDS = ("community_id", "grid_id", "building_id", "employer_unit_id", "street_id",
                "member_type", "hidden")


@dataclass
class ReconcileReport:
    members: int = 0
    balances: int = 0
    differences: list[dict[str, Any]] = field(default_factory=list)
    repaired: int = 0


def reconcile(repair: bool = False, batch_size: int = 500,
              progress: Callable[[int, int], None] | None = None) -> ReconcileReport:
    report = ReconcileReport()
    # EXISTS, not IN (subquery): PostgreSQL plans an OR of two IN-subqueries as a non-hashed
    # subplan per member, which never finished at 5,000,000 ledger entries
    has_entries = sa.exists().where(PointEntry.member_id == Member.id)
    has_balances = sa.exists().where(PointBalance.member_id == Member.id)
    member_ids = list(db.session.scalars(
        sa.select(Member.id).where(sa.or_(has_entries, has_balances)).order_by(Member.id)
    ))
    total = len(member_ids)
    for start in range(0, total, batch_size):
        batch = member_ids[start:start + batch_size]
        _reconcile_batch(batch, repair, report)
        report.members += len(batch)
        if repair:
            db.session.commit()
        if progress:
            progress(report.members, total)
    return report


def _reconcile_batch(member_ids: list[int], repair: bool, report: ReconcileReport) -> None:
    expected: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for member_id, month, points, hours in db.session.execute(
        sa.select(PointEntry.member_id, PointEntry.month, sa.func.sum(PointEntry.amount),
                  sa.func.sum(PointEntry.hours_centi))
        .where(PointEntry.member_id.in_(member_ids))
        .group_by(PointEntry.member_id, PointEntry.month)
    ):
        for period in periods_of_month(month):
            expected[(member_id, period)][0] += int(points or 0)
            expected[(member_id, period)][1] += int(hours or 0)
    actual = {
        (row.member_id, row.period): row
        for row in db.session.scalars(
            sa.select(PointBalance).where(PointBalance.member_id.in_(member_ids))
        )
    }
    members = {m.id: m for m in db.session.scalars(
        sa.select(Member).where(Member.id.in_(member_ids)))}
    places = {mid: placement(m) for mid, m in members.items()}
    levels_cache: dict[tuple[int | None, int], list] = {}
    for key in sorted(set(expected) | set(actual)):
        member_id, period = key
        points, hours = expected.get(key, (0, 0))
        row = actual.get(key)
        report.balances += 1
        want: dict[str, Any] = {"points": points, "hours_centi": hours, **places[member_id]}
        if len(period) == 4:
            member = members[member_id]
            cache_key = (member.community_id, int(period))
            if cache_key not in levels_cache:
                levels_cache[cache_key] = star_levels_for(member.community_id, int(period))
            want["stars"] = stars_from(levels_cache[cache_key], points, hours)
        have = {name: getattr(row, name) for name in want} if row is not None else None
        if have is None:
            if points == 0 and hours == 0:
                continue
            diffs = {name: (value, None) for name, value in want.items()}
        else:
            diffs = {name: (value, have[name]) for name, value in want.items()
                     if (have[name] or 0) != (value or 0) and have[name] != value}
        if not diffs:
            continue
        report.differences.append({"member_id": member_id, "period": period,
                                   "fields": {k: {"ledger": v[0], "balance": v[1]}
                                              for k, v in diffs.items()}})
        if repair:
            write_balance(
                {"member_id": member_id, "period": period, "updated_at": utcnow(), **want},
                bump=False,
            )
            report.repaired += 1
