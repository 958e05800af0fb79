"""评议 / 考核: the suggested grade of each member of a feedback sheet from their points, by
thresholds set per community or street (defaults in config), and the secretary's final grade
with a reason when it differs from the suggestion."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app

from server.audit.service import record as audit
from server.auth.scope import Principal, appraisal_threshold_place
from server.errors import invalid
from server.extensions import db
from server.feedback_sheets.models import (
    GRADE_LABELS,
    AppraisalGrade,
    AppraisalThresholds,
    Grade,
)
from server.members.models import Community
from server.timeutil import utcnow

THRESHOLD_FIELDS = ("excellent_points", "qualified_points", "basic_points")


def thresholds_for(community_id: int) -> dict[str, Any]:
    """The community's own thresholds, else its street's, else the configured defaults."""
    street_id = db.session.scalar(sa.select(Community.street_id)
                                  .where(Community.id == community_id))
    rows = {row.scope_type: row for row in db.session.scalars(
        sa.select(AppraisalThresholds).where(sa.or_(
            sa.and_(AppraisalThresholds.scope_type == "community",
                    AppraisalThresholds.scope_id == community_id),
            sa.and_(AppraisalThresholds.scope_type == "street",
                    AppraisalThresholds.scope_id == (street_id or -1)))))}
    row = rows.get("community") or rows.get("street")
    if row is not None:
        return {"set_by": row.scope_type, **{f: getattr(row, f) for f in THRESHOLD_FIELDS}}
    config = current_app.config
    return {"set_by": "default",
            **{f: config[f"APPRAISAL_{f.upper()}"] for f in THRESHOLD_FIELDS}}


def _share(period: str) -> float:
    """The share of the year a period covers: a year's thresholds scale down with it."""
    if len(period) == 4:
        return 1.0
    return 0.5 if period[5] == "H" else 0.25


def suggest(points: int, thresholds: dict[str, Any], period: str) -> str:
    share = _share(period)
    if points >= thresholds["excellent_points"] * share:
        return Grade.EXCELLENT.value
    if points >= thresholds["qualified_points"] * share:
        return Grade.QUALIFIED.value
    if points >= thresholds["basic_points"] * share:
        return Grade.BASIC.value
    return Grade.UNQUALIFIED.value


def with_grades(rows: list[dict[str, Any]], community_id: int,
                period: str) -> list[dict[str, Any]]:
    """The rows with their suggested grade, and the final grade where one was set."""
    thresholds = thresholds_for(community_id)
    finals = {g.member_id: g for g in db.session.scalars(sa.select(AppraisalGrade).where(
        AppraisalGrade.community_id == community_id, AppraisalGrade.period == period,
        AppraisalGrade.member_id.in_([r["member_id"] for r in rows] or [-1])))}
    graded = []
    for row in rows:
        suggested = suggest(row["points"], thresholds, period)
        final = finals.get(row["member_id"])
        graded.append({**row, "suggested_grade": suggested,
                       "suggested_grade_label": GRADE_LABELS[Grade(suggested)],
                       "final_grade": final.grade if final else None,
                       "final_grade_label": GRADE_LABELS[Grade(final.grade)] if final else None,
                       "grade_reason": final.reason if final else None})
    return graded


def set_grade(principal: Principal, community_id: int, member_id: int, period: str,
              points: int, grade: str, reason: str | None) -> dict[str, Any]:
    """The final grade; a grade other than the suggestion needs a reason."""
    suggested = suggest(points, thresholds_for(community_id), period)
    reason = (reason or "").strip() or None
    if grade != suggested and reason is None:
        raise invalid("grade_reason_required", "评定等次与建议等次不同，请填写理由",
                      {"suggested": suggested})
    existing = db.session.scalar(sa.select(AppraisalGrade).where(
        AppraisalGrade.member_id == member_id, AppraisalGrade.community_id == community_id,
        AppraisalGrade.period == period))
    before = {"grade": existing.grade, "reason": existing.reason} if existing else None
    if existing is None:
        existing = AppraisalGrade(member_id=member_id, community_id=community_id, period=period)
        db.session.add(existing)
    existing.grade, existing.suggested, existing.reason = grade, suggested, reason
    existing.set_by_user_id, existing.set_at = principal.user_id, utcnow()
    audit(principal.user_id, "appraisal.grade", "member", member_id, community_id=community_id,
          before=before, after={"period": period, "grade": grade, "suggested": suggested,
                                "reason": reason})
    db.session.flush()
    return {"member_id": member_id, "grade": grade, "suggested_grade": suggested,
            "reason": reason}


def get_thresholds(principal: Principal, scope: str, scope_id: int) -> dict[str, Any]:
    appraisal_threshold_place(principal, scope, scope_id, write=False)
    if scope == "community":
        return thresholds_for(scope_id)
    row = db.session.scalar(sa.select(AppraisalThresholds).filter_by(scope_type=scope,
                                                                     scope_id=scope_id))
    if row is not None:
        return {"set_by": scope, **{f: getattr(row, f) for f in THRESHOLD_FIELDS}}
    config = current_app.config
    return {"set_by": "default",
            **{f: config[f"APPRAISAL_{f.upper()}"] for f in THRESHOLD_FIELDS}}


def set_thresholds(principal: Principal, scope: str, scope_id: int,
                   values: dict[str, int]) -> dict[str, Any]:
    """A street's or community's thresholds (suggestions follow; final grades stay)."""
    appraisal_threshold_place(principal, scope, scope_id, write=True)
    if not (values["excellent_points"] > values["qualified_points"] > values["basic_points"]
            >= 0):
        raise invalid("thresholds_out_of_order", "分数线应为 优秀 > 合格 > 基本合格 ≥ 0")
    row = db.session.scalar(sa.select(AppraisalThresholds).filter_by(scope_type=scope,
                                                                     scope_id=scope_id))
    before = {f: getattr(row, f) for f in THRESHOLD_FIELDS} if row else None
    if row is None:
        row = AppraisalThresholds(scope_type=scope, scope_id=scope_id)
        db.session.add(row)
    for field in THRESHOLD_FIELDS:
        setattr(row, field, values[field])
    row.updated_by_user_id, row.updated_at = principal.user_id, utcnow()
    audit(principal.user_id, "appraisal.thresholds", scope, scope_id,
          community_id=scope_id if scope == "community" else None,
          street_id=scope_id if scope == "street" else None, before=before, after=dict(values))
    db.session.flush()
    return {"set_by": scope, **values}
