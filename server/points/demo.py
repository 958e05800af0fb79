"""Demo points (idempotent): the demo street's default rules and star levels, points for every
approved hours record already made by the activities demo, a little history of our own so the
boards and the feedback sheet have real figures, and a few secretaries' comments."""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa

from server.activities.models import HoursRecord
from server.extensions import db
from server.members.models import Community, Member, Street
from server.points import ledger, scheme
from server.points.feedback import write_comment
from server.points.models import ANY_CATEGORY, PointRule, RuleKind, StarLevel
from server.points.receivers import on_hours_record_finalised
from server.timeutil import local_today

DEMO_STREET = "和平街道"
RULES = [
    # kind, category, points, daily cap, monthly cap
    (RuleKind.HOURS, ANY_CATEGORY, 10, 80, 400),
    (RuleKind.HOURS, "dedication_day", 15, 120, None),  # 党员奉献日
    (RuleKind.PARTY_DAY, ANY_CATEGORY, 5, None, 10),
    (RuleKind.PLEDGE_NOTE, ANY_CATEGORY, 3, 6, 30),
    (RuleKind.ABSENCE, ANY_CATEGORY, -5, None, 20),
]
STARS = [(1, 20, None), (2, 60, None), (3, 120, 10), (4, 200, 20), (5, 300, 30)]
CATEGORIES = ["environment", "civility", "patrol", "elder_help", "publicity"]
COMMENTS = ["积极参加社区志愿服务，带头作用明显。", "服务认真负责，群众评价好。",
            "能按时参加社区活动，希望继续保持。"]


def seed(log) -> None:
    street = db.session.scalar(sa.select(Street).filter_by(name=DEMO_STREET))
    if street is None:
        return
    for kind, category, points, daily_cap, monthly_cap in RULES:
        exists = db.session.scalar(sa.select(PointRule.id).filter_by(
            scope_type="street", scope_id=street.id, kind=kind.value, category=category,
            effective_from=date(2020, 1, 1)))
        if exists is None:
            db.session.add(PointRule(
                scope_type="street", scope_id=street.id, kind=kind.value, category=category,
                points=points, daily_cap=daily_cap, monthly_cap=monthly_cap,
                effective_from=date(2020, 1, 1)))
    today = local_today()
    for year in (today.year - 1, today.year):
        if db.session.scalar(sa.select(StarLevel.id).filter_by(
                scope_type="street", scope_id=street.id, year=year)) is None:
            scheme.set_star_levels(
                scope_type="street", scope_id=street.id, year=year, user_id=None,
                levels=[{"level": lv, "min_points": p, "min_hours": h} for lv, p, h in STARS])
    db.session.flush()

    settled = _settle_approved_hours()
    log(f"积分：按规则为 {settled} 条已审核时长记录补记积分")

    communities = list(db.session.scalars(
        sa.select(Community.id).where(Community.street_id == street.id)))
    members = list(db.session.scalars(
        sa.select(Member).where(Member.community_id.in_(communities)).order_by(Member.id)))
    rng = random.Random(5)
    posted = 0
    for member in members:
        # some history per member over the last five months (stand-in hours sources that
        # never collide with real activities: negative activity ids)
        for n in range(rng.randint(0, 6)):
            day = today - timedelta(days=rng.randint(1, 150))
            entry = ledger.settle_source(
                member_id=member.id, community_id=member.community_id, kind=RuleKind.HOURS,
                category=rng.choice(CATEGORIES), source_type="demo_service",
                source_id=f"{member.id}-{n}", source_key=f"demo_service:{member.id}:{n}",
                earned_on=day, hours_centi=rng.choice((100, 150, 200, 300, 400)),
                activity_id=-(member.id * 10 + n), reason="演示数据：历史志愿服务时长",
            )
            posted += entry is not None
    log(f"积分：演示历史积分 {posted} 笔")

    period = f"{today.year}-H{1 if today.month <= 6 else 2}"
    for member in members[:30]:
        if member.employer_unit_id is not None:
            write_comment(member, period, rng.choice(COMMENTS), user_id=None)
    db.session.flush()


def _settle_approved_hours() -> int:
    """Points for the activities demo's approved hours (made before the rules existed)."""
    count = 0
    for record in db.session.scalars(
        sa.select(HoursRecord).where(HoursRecord.status == "approved").order_by(HoursRecord.id)
    ):
        if on_hours_record_finalised(record) is not None:
            count += 1
    return count
