"""Points (积分): rules, the append-only ledger, kept-up balances, star thresholds, manual awards,
and the community secretary's comments (评语) for the feedback sheet (反馈单).

Amounts are whole points and hours are kept in hundredths (centi-hours), both integers, so
that sums are exact on SQLite and PostgreSQL alike and ties on a board are real ties.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.extensions import db
from server.timeutil import UTCDateTime, utcnow


class RuleKind(enum.StrEnum):
    HOURS = "hours"  # points per approved volunteer hour, by activity category
    PARTY_DAY = "party_day"  # fixed party day attendance (固定党员活动日)
    PLEDGE_NOTE = "pledge_note"  # pledge fulfilment note verified (承诺践诺)
    ABSENCE = "absence"  # signed up and did not come (无故缺席), negative
    MANUAL = "manual"  # manual award with a reason and a second approval


RULE_KIND_LABELS = {
    RuleKind.HOURS: "志愿服务时长",
    RuleKind.PARTY_DAY: "固定党员活动日",
    RuleKind.PLEDGE_NOTE: "承诺践诺",
    RuleKind.ABSENCE: "无故缺席",
    RuleKind.MANUAL: "人工加减分",
}

ANY_CATEGORY = "*"


class PointRule(db.Model):
    """One version of a rule for a street or a community, from its effective date on.

    A change is a new row with a later `effective_from`; old rows stay, so points already
    earned keep the rule they were earned under.
    """

    __tablename__ = "point_rules"
    id: Mapped[int] = mapped_column(primary_key=True)
    scope_type: Mapped[str] = mapped_column(sa.String(10))  # street | community
    scope_id: Mapped[int] = mapped_column(sa.Integer)
    kind: Mapped[str] = mapped_column(sa.String(20))
    category: Mapped[str] = mapped_column(sa.String(40), default=ANY_CATEGORY)
    # per hour for `hours`, per occurrence otherwise; negative for `absence`
    points: Mapped[int] = mapped_column(sa.Integer)
    daily_cap: Mapped[int | None] = mapped_column(sa.Integer)
    monthly_cap: Mapped[int | None] = mapped_column(sa.Integer)
    effective_from: Mapped[date] = mapped_column(sa.Date)
    created_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("scope_type", "scope_id", "kind", "category", "effective_from"),
    )

    @property
    def rule_key(self) -> str:
        return f"{self.kind}:{self.category}"


class PointEntry(db.Model):
    """积分台账: one append-only line. A wrong award is reversed by a new line."""

    __tablename__ = "point_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    community_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communities.id"))
    amount: Mapped[int] = mapped_column(sa.Integer)
    hours_centi: Mapped[int] = mapped_column(sa.Integer, default=0)
    rule_id: Mapped[int | None] = mapped_column(sa.ForeignKey("point_rules.id"))
    # kind:category, what caps count against
    rule_key: Mapped[str] = mapped_column(sa.String(64))
    source_type: Mapped[str] = mapped_column(sa.String(30))
    source_id: Mapped[str] = mapped_column(sa.String(40))
    # the source, e.g. "hours_record:17"; (source_key, revision) is unique, so one source can
    # never pay twice, and its corrections are numbered revisions 2, 3, …
    source_key: Mapped[str] = mapped_column(sa.String(120))
    revision: Mapped[int] = mapped_column(sa.Integer, default=1)
    activity_id: Mapped[int | None] = mapped_column(sa.Integer)
    earned_on: Mapped[date] = mapped_column(sa.Date)
    month: Mapped[str] = mapped_column(sa.String(7))  # "2026-11", the period the entry counts in
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    created_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("source_key", "revision"),
        sa.Index("ix_point_entries_member_id_id", "member_id", "id"),
        sa.Index("ix_point_entries_member_rule_day", "member_id", "rule_key", "earned_on"),
        sa.Index("ix_point_entries_member_month", "member_id", "month"),
    )


class PointBalance(db.Model):
    """A member's points and hours in one period ("all", "2026", "2026-H2", "2026-Q4",
    "2026-11"), kept up in the same transaction as the ledger.

    The member's place (community, grid, building, unit, street, type, hidden) is copied in,
    so a board is one index range: (period, place, points).
    """

    __tablename__ = "point_balances"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    period: Mapped[str] = mapped_column(sa.String(8))
    points: Mapped[int] = mapped_column(sa.Integer, default=0)
    hours_centi: Mapped[int] = mapped_column(sa.Integer, default=0)
    stars: Mapped[int | None] = mapped_column(sa.Integer)  # year periods only
    community_id: Mapped[int | None] = mapped_column(sa.Integer)
    grid_id: Mapped[int | None] = mapped_column(sa.Integer)
    building_id: Mapped[int | None] = mapped_column(sa.Integer)
    employer_unit_id: Mapped[int | None] = mapped_column(sa.Integer)
    street_id: Mapped[int | None] = mapped_column(sa.Integer)
    member_type: Mapped[str] = mapped_column(sa.String(20), default="in_service")
    hidden: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("member_id", "period"),
        sa.Index("ix_point_balances_board_community", "period", "community_id", "points"),
        sa.Index("ix_point_balances_board_grid", "period", "grid_id", "points"),
        sa.Index("ix_point_balances_board_building", "period", "building_id", "points"),
        sa.Index("ix_point_balances_board_unit", "period", "employer_unit_id", "points"),
        sa.Index("ix_point_balances_board_street", "period", "street_id", "points"),
        # 数据统计: a period's sums per community read from the index alone
        sa.Index("ix_point_balances_stats", "period", "community_id", "hours_centi", "points",
                 "stars"),
    )


class StarLevel(db.Model):
    """星级制: the threshold of one star level (1–5) for a street or community in one year.
    A level is reached when every threshold it sets (points, hours) is reached."""

    __tablename__ = "star_levels"
    id: Mapped[int] = mapped_column(primary_key=True)
    scope_type: Mapped[str] = mapped_column(sa.String(10))
    scope_id: Mapped[int] = mapped_column(sa.Integer)
    year: Mapped[int] = mapped_column(sa.Integer)
    level: Mapped[int] = mapped_column(sa.Integer)
    min_points: Mapped[int | None] = mapped_column(sa.Integer)
    min_hours_centi: Mapped[int | None] = mapped_column(sa.Integer)
    updated_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("scope_type", "scope_id", "year", "level"),)


class ManualAwardStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ManualAward(db.Model):
    """人工加减分: proposed by staff with a reason, paid once a community secretary (another
    person) approves it."""

    __tablename__ = "manual_awards"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    amount: Mapped[int] = mapped_column(sa.Integer)
    reason: Mapped[str] = mapped_column(sa.String(500))
    status: Mapped[str] = mapped_column(sa.String(10), default=ManualAwardStatus.PENDING.value)
    requested_by_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(sa.String(500))
    entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("point_entries.id"))


class FeedbackComment(db.Model):
    """评语: the community secretary's comment on a member for one appraisal period."""

    __tablename__ = "feedback_comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    period: Mapped[str] = mapped_column(sa.String(8))
    comment: Mapped[str] = mapped_column(sa.String(1000))
    written_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("member_id", "community_id", "period"),)


class LedgerIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_ledger_changes(session, _flush_context, _instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, PointEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise LedgerIsAppendOnly("point entries are never changed or deleted; post a reversal")
