"""活动管理 for the console: the community's activities by date range, and copies (one, or
weekly until a date: a patrol every Saturday made as separate activities)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from server.activities import service as activities
from server.activities.models import Activity
from server.activities.signup import show_with_counts
from server.audit.service import record as audit
from server.auth.scope import ON_SITE_STAFF, Principal, require_activity, require_community
from server.database import is_sqlite
from server.errors import AppError
from server.pagination import paginate
from server.timeutil import as_utc, local_midnight_utc, to_local

MAX_COPIES = 53  # a year of weekly repeats

# what a copy takes from its source (times are shifted; the status starts again as a draft)
COPIED = (
    "title",
    "category",
    "content",
    "address",
    "latitude",
    "longitude",
    "radius_m",
    "organiser",
    "leader_name",
    "leader_user_id",
    "capacity",
    "audience_grid_ids",
    "audience_member_types",
    "audience_street_id",
)


def community_activities(
    principal: Principal, community_id: int, query: dict[str, Any], pages
) -> list[Activity]:
    """The community's activities, drafts included, newest start first, filtered by status,
    type and the Shanghai days their start falls on (its staff and grid workers)."""
    require_community(principal, community_id, ON_SITE_STAFF)
    statement = sa.select(Activity).filter_by(community_id=community_id)
    if "status" in query:
        statement = statement.filter_by(status=query["status"])
    if "category" in query:
        statement = statement.filter_by(category=query["category"])
    if "grid_id" in query:
        statement = statement.where(_open_to_grid(query["grid_id"]))
    if "date_from" in query:
        statement = statement.where(Activity.starts_at >= local_midnight_utc(query["date_from"]))
    if "date_to" in query:
        until = local_midnight_utc(query["date_to"] + timedelta(days=1))
        statement = statement.where(Activity.starts_at < until)
    page = paginate(statement.order_by(Activity.starts_at.desc(), Activity.id.desc()), pages)
    return show_with_counts(page, principal.member)


def _open_to_grid(grid_id: int) -> sa.ColumnElement[bool]:
    """Activities the grid's members may join: addressed to the grid, or to the whole
    community (no grid named). The grid list is JSON, searched the way each database can."""
    grids = Activity.audience_grid_ids
    if is_sqlite():
        listed = sa.exists(sa.select(sa.literal(1)).select_from(
            sa.func.json_each(grids).table_valued("value")).where(sa.column("value") == grid_id))
        everyone = sa.func.coalesce(sa.func.json_array_length(grids), 0) == 0
    else:
        as_jsonb = sa.cast(grids, JSONB)
        listed = as_jsonb.contains(sa.cast(sa.literal(f"[{int(grid_id)}]"), JSONB))
        empty = [sa.cast(sa.literal(text), JSONB) for text in ("[]", "null")]
        everyone = sa.func.coalesce(as_jsonb, empty[0]).in_(empty)
    return sa.or_(listed, everyone)


def _starts(source: Activity, first: datetime, weekly_until: date | None) -> list[datetime]:
    starts = [as_utc(first)]
    if weekly_until is not None:
        if to_local(starts[0]).date() > weekly_until:
            raise AppError(422, "repeat_until_before_start", "重复截止日期早于第一次活动的日期",
                           {"fields": {"repeat_weekly_until": ["早于第一次活动的日期"]}})
        while to_local(starts[-1] + timedelta(weeks=1)).date() <= weekly_until:
            starts.append(starts[-1] + timedelta(weeks=1))
            if len(starts) > MAX_COPIES:
                raise AppError(422, "too_many_copies", f"一次最多复制 {MAX_COPIES} 场活动",
                               {"fields": {"repeat_weekly_until": ["重复次数过多"]}})
    return starts


def copy_activity(
    principal: Principal, activity_id: int, starts_at: datetime | None,
    weekly_until: date | None,
) -> list[Activity]:
    """Drafts copied from an activity: one starting at `starts_at` (default a week after the
    source), and one each week after it until `weekly_until` (a Shanghai day) when given.
    Each keeps the source's length, sign-up lead time, place, geofence and audience."""
    source = require_activity(principal, activity_id)
    length = source.ends_at - source.starts_at
    lead = source.starts_at - source.signup_deadline if source.signup_deadline else None
    copies = []
    for start in _starts(source, starts_at or source.starts_at + timedelta(weeks=1), weekly_until):
        data = {name: getattr(source, name) for name in COPIED}
        data["audience_grid_ids"] = list(source.audience_grid_ids or [])
        data["audience_member_types"] = list(source.audience_member_types or [])
        data.update(starts_at=start, ends_at=start + length,
                    signup_deadline=start - lead if lead is not None else None)
        copies.append(activities.create_activity(principal, source.community_id, data))
    audit(principal.user_id, "activity.copy", "activity", source.id,
          community_id=source.community_id, after={"copies": [a.id for a in copies]})
    return copies
