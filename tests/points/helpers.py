"""Rows the points tests need: rules, activities and approved hours records (real rows of the
activities area, finalised the way server/activities/records.py does it)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from server import events
from server.activities.models import Activity, HoursRecord
from server.extensions import db
from server.points.models import PointRule
from server.timeutil import LOCAL_TZ


def street_rule(street_id: int, kind: str = "hours", points: int = 10, category: str = "*",
                daily_cap=None, monthly_cap=None, effective_from=date(2020, 1, 1)) -> PointRule:
    rule = PointRule(scope_type="street", scope_id=street_id, kind=kind, category=category,
                     points=points, daily_cap=daily_cap, monthly_cap=monthly_cap,
                     effective_from=effective_from)
    db.session.add(rule)
    db.session.commit()
    return rule


def activity(community_id: int, day: date, category: str = "environment") -> Activity:
    starts = datetime.combine(day, time(9), tzinfo=LOCAL_TZ)
    row = Activity(community_id=community_id, title=f"活动{day}", category=category,
                   starts_at=starts, ends_at=starts + timedelta(hours=8), status="ended")
    db.session.add(row)
    db.session.commit()
    return row


def approve_hours(member_id: int, act: Activity, hours, commit: bool = True,
                  source: str = "manual") -> HoursRecord:
    """A new approved record for (member, activity), superseding the previous one; it carries
    the activity's place, organiser and leader as a real record does."""
    previous = db.session.scalar(sa.select(HoursRecord).filter_by(
        member_id=member_id, activity_id=act.id, status="approved"))
    if previous is not None:
        previous.status = "superseded"
        db.session.flush()
    record = HoursRecord(
        member_id=member_id, activity_id=act.id, community_id=act.community_id,
        category=act.category, hours=Decimal(str(hours)),
        service_date=act.starts_at.astimezone(LOCAL_TZ).date(),
        source=source if previous is None else "corrected", status="approved",
        activity_name=act.title, place=act.address, organiser=act.organiser,
        leader=act.leader_name, supersedes_id=previous.id if previous else None,
    )
    db.session.add(record)
    db.session.flush()
    events.hours_record_finalised.send(
        record, previous_hours=previous.hours if previous is not None else None)
    if commit:
        db.session.commit()
    return record
