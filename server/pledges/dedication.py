"""The street's party member dedication day (党员奉献日): a street-wide activity every member
of the street may sign up for."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app

from server.activities.service import create_activity
from server.audit import service as audit
from server.auth.scope import Principal
from server.database import lock_row
from server.errors import conflict, invalid, not_found
from server.extensions import db
from server.members.models import Community, Street
from server.pledges.models import DedicationDay
from server.pledges.months import DEDICATION_CATEGORY
from server.timeutil import to_local


def declare_dedication_day(
    principal: Principal, street_id: int, data: dict[str, Any]
) -> tuple[DedicationDay, bool]:
    """The street declares a dedication day: one street-wide activity, hosted by one of its
    communities, that every member of the street may sign up for. Same day again returns it."""
    if street_id not in principal.street_ids():
        raise not_found("街道")
    host = db.session.get(Community, data["community_id"])
    if host is None or host.street_id != street_id:
        raise invalid(
            "community_not_in_street",
            "承办社区应属于本街道",
            {"fields": {"community_id": "不属于本街道"}},
        )
    day = to_local(data["starts_at"]).date()
    lock_row(Street, street_id)
    existing = db.session.scalar(sa.select(DedicationDay).filter_by(street_id=street_id, day=day))
    if existing is not None:
        return existing, False
    per_year = current_app.config["PARTY_DAY_DEDICATION_DAYS_PER_YEAR"]
    this_year = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(DedicationDay)
        .where(
            DedicationDay.street_id == street_id,
            DedicationDay.day >= date(day.year, 1, 1),
            DedicationDay.day <= date(day.year, 12, 31),
        )
    )
    if this_year >= per_year:
        raise conflict(
            "dedication_days_used", f"党员奉献日每年最多设立{per_year}次，{day.year}年已设满"
        )
    values = {k: v for k, v in data.items() if k != "community_id"}
    values.update(category=DEDICATION_CATEGORY, audience_street_id=street_id)
    values.setdefault("organiser", host.street.name if host.street else "")
    activity = create_activity(principal, host.id, values, publish=True)
    dedication = DedicationDay(
        street_id=street_id,
        day=day,
        title=activity.title,
        activity_id=activity.id,
        declared_by_user_id=principal.user_id,
    )
    db.session.add(dedication)
    db.session.flush()
    audit.record(
        principal.user_id,
        "dedication_day.declare",
        "dedication_day",
        dedication.id,
        community_id=host.id,
        after={"street_id": street_id, "day": day.isoformat(), "activity_id": activity.id},
    )
    return dedication, True


def list_dedication_days(principal: Principal, street_id: int) -> list[DedicationDay]:
    member_street = None
    if principal.member is not None and principal.member.community_id is not None:
        member_street = db.session.scalar(
            sa.select(Community.street_id).where(Community.id == principal.member.community_id)
        )
    if street_id not in principal.street_ids() and member_street != street_id:
        raise not_found("街道")
    return list(
        db.session.scalars(
            sa.select(DedicationDay).filter_by(street_id=street_id).order_by(DedicationDay.day)
        )
    )
