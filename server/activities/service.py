"""Activities (志愿服务活动): creating, editing, publishing, cancelling and reading them, and
their lifecycle. Each function that acts for a caller takes the Principal first (None: a
scheduled job, or another area's service acting for nobody), asks `auth.scope` whether the
caller may act, applies the rule, writes the audit entry and returns rows with what their
schemas show loaded in a constant number of statements. Services never commit.

The rest of the area by topic: `on_site` (sign-up, clock-in/out, the on-site code and
roster, for the caller), `signup` (报名 and the waitlist), `clockin` (签到/签退),
`unconfirmed` (未签退, absences), `records` (hours, corrections, approvals), `appeals` (申诉),
`activity_log` (活动登记薄, roster), `export` (Excel), `hours_rules` (how hours count).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_smorest.pagination import PaginationParameters

from server import events
from server.activities.models import (
    OPEN_STATES,
    Activity,
    ActivityCategory,
    ActivityStatus,
)
from server.activities.signup import (
    fill_from_waitlist,
    lock_activity,
    show_with_counts,
)
from server.audit import service as audit
from server.auth.scope import (
    ON_SITE_STAFF,
    Principal,
    activity_candidates_clause,
    member_may_join_activity,
    require_activity,
    require_community,
    require_member,
    visible_activity,
)
from server.errors import conflict, invalid, not_found
from server.extensions import db
from server.members.models import Community, Grid, Member, MemberType
from server.pagination import filtered, paginate
from server.timeutil import utcnow

EDITABLE = (
    "title",
    "category",
    "content",
    "address",
    "latitude",
    "longitude",
    "radius_m",
    "starts_at",
    "ends_at",
    "organiser",
    "leader_name",
    "leader_user_id",
    "capacity",
    "signup_deadline",
    "audience_grid_ids",
    "audience_member_types",
    "audience_street_id",
)


def snapshot(activity: Activity) -> dict[str, Any]:
    """The activity's fields as JSON-able values, for the audit log."""
    result: dict[str, Any] = {}
    for name in (*EDITABLE, "status", "cancel_reason"):
        value = getattr(activity, name)
        result[name] = value.isoformat() if isinstance(value, datetime) else value
    return result


def _check_fields(community: Community, data: dict[str, Any]) -> None:
    if data["ends_at"] <= data["starts_at"]:
        raise invalid(
            "activity_time_invalid",
            "结束时间应晚于开始时间",
            {"fields": {"ends_at": "应晚于开始时间"}},
        )
    if data["ends_at"] - data["starts_at"] > timedelta(days=7):
        raise invalid(
            "activity_too_long",
            "单次活动不能超过7天，长期活动请分次发布",
            {"fields": {"ends_at": "活动不能超过7天"}},
        )
    if (data.get("latitude") is None) != (data.get("longitude") is None):
        raise invalid(
            "activity_point_incomplete",
            "请在地图上选择活动地点（经纬度需同时填写）",
            {"fields": {"latitude": "经纬度需同时填写"}},
        )
    deadline = data.get("signup_deadline")
    if deadline is not None and deadline > data["ends_at"]:
        raise invalid(
            "signup_deadline_invalid",
            "报名截止时间不能晚于活动结束时间",
            {"fields": {"signup_deadline": "不能晚于活动结束时间"}},
        )
    grid_ids = data.get("audience_grid_ids") or []
    if grid_ids:
        found = set(
            db.session.scalars(
                sa.select(Grid.id).where(Grid.id.in_(grid_ids), Grid.community_id == community.id)
            )
        )
        if found != set(grid_ids):
            raise invalid(
                "audience_grid_invalid",
                "所选网格不属于本社区，请重新选择",
                {"fields": {"audience_grid_ids": "不属于本社区"}},
            )
    types = data.get("audience_member_types") or []
    if any(t not in {m.value for m in MemberType} for t in types):
        raise invalid(
            "audience_member_type_invalid",
            "党员类型有误",
            {"fields": {"audience_member_types": "取值不在允许范围内"}},
        )
    street_id = data.get("audience_street_id")
    if street_id is not None and street_id != community.street_id:
        raise invalid(
            "audience_street_invalid",
            "只能面向本社区所在街道的全体党员开放报名",
            {"fields": {"audience_street_id": "应为本社区所在街道"}},
        )
    if data.get("category") not in {c.value for c in ActivityCategory}:
        raise invalid("category_invalid", "活动类别有误", {"fields": {"category": "取值有误"}})


def _actor_id(principal: Principal | None) -> int | None:
    return principal.user_id if principal is not None else None


def create_activity(
    principal: Principal | None, community_id: int, data: dict[str, Any], publish: bool = False
) -> Activity:
    """A new activity (a draft, or published at once: `publish`, or `data["publish"]`).
    Scheduler jobs pass principal None."""
    if principal is not None:
        require_community(principal, community_id)
    community = db.session.get(Community, community_id)
    if community is None:
        raise not_found("社区")
    actor_user_id = _actor_id(principal)
    publish = publish or bool(data.get("publish"))
    values = {name: data[name] for name in EDITABLE if name in data}
    values.setdefault("audience_grid_ids", [])
    values.setdefault("audience_member_types", [])
    _check_fields(community, values)
    activity = Activity(
        community_id=community_id,
        created_by_user_id=actor_user_id,
        status=ActivityStatus.DRAFT.value,
        **values,
    )
    db.session.add(activity)
    db.session.flush()
    audit.record(
        actor_user_id,
        "activity.create",
        "activity",
        activity.id,
        community_id=community_id,
        after=snapshot(activity),
    )
    if publish:
        _publish(actor_user_id, activity.id)
    return _shown(activity, principal)


def publish_activity(principal: Principal, activity_id: int) -> Activity:
    """发布 a draft; a repeat returns it."""
    require_activity(principal, activity_id)
    return _shown(_publish(principal.user_id, activity_id), principal)


def _publish(actor_user_id: int | None, activity_id: int) -> Activity:
    activity = lock_activity(activity_id)
    if activity.status != ActivityStatus.DRAFT:
        if activity.status in OPEN_STATES:
            return activity  # a repeat: already published
        raise conflict("activity_not_draft", "只有草稿状态的活动可以发布")
    if activity.ends_at <= utcnow():
        raise conflict("activity_already_over", "活动结束时间已过，请修改时间后再发布")
    before = snapshot(activity)
    activity.status = ActivityStatus.PUBLISHED.value
    activity.published_at = utcnow()
    if activity.starts_at <= utcnow():
        activity.status = ActivityStatus.IN_PROGRESS.value
    db.session.flush()
    audit.record(
        actor_user_id,
        "activity.publish",
        "activity",
        activity.id,
        community_id=activity.community_id,
        before=before,
        after=snapshot(activity),
    )
    return activity


def update_activity(principal: Principal, activity_id: int, data: dict[str, Any]) -> Activity:
    """Edit; after publishing, every change is audited and announced (activity_changed)."""
    require_activity(principal, activity_id)
    activity = _update(principal.user_id, activity_id, data)
    return _shown(activity, principal)


def _update(actor_user_id: int, activity_id: int, data: dict[str, Any]) -> Activity:
    activity = lock_activity(activity_id)
    if activity.status not in (ActivityStatus.DRAFT, *OPEN_STATES):
        raise conflict("activity_not_editable", "活动已结束或已取消，不能再修改")
    community = db.session.get(Community, activity.community_id)
    merged = {name: getattr(activity, name) for name in EDITABLE}
    merged.update({name: data[name] for name in EDITABLE if name in data})
    _check_fields(community, merged)
    if activity.status == ActivityStatus.IN_PROGRESS and merged["starts_at"] != activity.starts_at:
        raise conflict("activity_started", "活动已开始，不能修改开始时间")
    changes = {
        name: (getattr(activity, name), merged[name])
        for name in EDITABLE
        if merged[name] != getattr(activity, name)
    }
    if not changes:
        return activity
    before = snapshot(activity)
    for name, (_old, new) in changes.items():
        setattr(activity, name, new)
    db.session.flush()
    audit.record(
        actor_user_id,
        "activity.update",
        "activity",
        activity.id,
        community_id=activity.community_id,
        before=before,
        after=snapshot(activity),
    )
    if activity.status in OPEN_STATES:
        fill_from_waitlist(activity)
        events.activity_changed.send(activity, changes=changes)
    return activity


def cancel_activity(principal: Principal, activity_id: int, reason: str) -> Activity:
    """Cancel with a reason, from any state before the activity ends."""
    require_activity(principal, activity_id)
    return _shown(_cancel(principal.user_id, activity_id, reason), principal)


def _cancel(actor_user_id: int, activity_id: int, reason: str) -> Activity:
    activity = lock_activity(activity_id)
    if activity.status == ActivityStatus.CANCELLED:
        return activity
    if activity.status not in (ActivityStatus.DRAFT, *OPEN_STATES) or activity.ends_at <= utcnow():
        raise conflict("activity_not_cancellable", "活动已结束，不能取消")
    before = snapshot(activity)
    activity.status = ActivityStatus.CANCELLED.value
    activity.cancel_reason = reason
    activity.cancelled_at = utcnow()
    db.session.flush()
    audit.record(
        actor_user_id,
        "activity.cancel",
        "activity",
        activity.id,
        community_id=activity.community_id,
        before=before,
        after=snapshot(activity),
        reason=reason,
    )
    if before["status"] != ActivityStatus.DRAFT:
        events.activity_cancelled.send(activity, reason=reason)
    return activity


# --- the lifecycle (the scheduler moves activities along; state-based, so re-runs are harmless)


def advance_states(now: datetime) -> dict[str, int]:
    archive_after = timedelta(days=current_app.config["ACTIVITIES_ARCHIVE_AFTER_DAYS"])
    moved = {"in_progress": 0, "ended": 0, "archived": 0}
    steps = (
        ("ended", Activity.status.in_(OPEN_STATES), Activity.ends_at <= now),
        (
            "in_progress",
            Activity.status == ActivityStatus.PUBLISHED.value,
            Activity.starts_at <= now,
        ),
        (
            "archived",
            Activity.status == ActivityStatus.ENDED.value,
            Activity.ends_at <= now - archive_after,
        ),
    )
    for target, state, due in steps:
        for activity in db.session.scalars(
            sa.select(Activity).where(state, due).with_for_update(skip_locked=True)
        ):
            activity.status = target
            moved[target] += 1
    db.session.flush()
    return moved




# --- reading activities --------------------------------------------------------------------


def _shown(activity: Activity, principal: Principal | None) -> Activity:
    member = principal.member if principal is not None else None
    return show_with_counts([activity], member)[0]


def community_activities(
    principal: Principal, community_id: int, query: dict[str, Any], pages: PaginationParameters
) -> list[Activity]:
    """Every activity of a community, drafts included, newest start first (its staff)."""
    require_community(principal, community_id, ON_SITE_STAFF)
    statement = filtered(sa.select(Activity).filter_by(community_id=community_id),
                         query, "status", "category")
    page = paginate(statement.order_by(Activity.starts_at.desc(), Activity.id.desc()), pages)
    return show_with_counts(page, principal.member)


def barred_activity_ids(member: Member, *conditions: sa.ColumnElement[bool]) -> list[int]:
    """Ids of the non-draft activities of the member's community or street (among those that
    meet `conditions`) the member may not join. The audience rule itself is
    `member_may_join_activity`, in Python; the SQL only leaves out the rows it surely passes
    (the member's own community, no grid or member-type narrowing), so that a list reads and
    judges a handful of rows, not every activity of the community."""
    everyone = "[]"
    plain = sa.and_(
        Activity.community_id == member.community_id,
        sa.func.coalesce(sa.cast(Activity.audience_grid_ids, sa.Text), everyone) == everyone,
        sa.func.coalesce(sa.cast(Activity.audience_member_types, sa.Text), everyone) == everyone,
    )
    rows = db.session.execute(
        sa.select(Activity.id, Activity.status, Activity.community_id, Activity.audience_grid_ids,
                  Activity.audience_member_types, Activity.audience_street_id)
        .where(activity_candidates_clause(member), *conditions, sa.not_(plain))
    )
    return [row.id for row in rows if not member_may_join_activity(member, row)]


def activities_for_member(
    principal: Principal, query: dict[str, Any], pages: PaginationParameters
) -> list[Activity]:
    """Activities the calling member may join: upcoming (soonest first), past (newest first)
    or all."""
    member = require_member(principal)
    now = utcnow()
    when = [Activity.status != ActivityStatus.ARCHIVED.value]
    if query["when"] == "upcoming":
        when += [Activity.ends_at > now, Activity.status != ActivityStatus.CANCELLED.value]
        order = (Activity.starts_at, Activity.id)
    elif query["when"] == "past":
        when.append(Activity.ends_at <= now)
        order = (Activity.starts_at.desc(), Activity.id.desc())
    else:
        order = (Activity.starts_at.desc(), Activity.id.desc())
    barred = barred_activity_ids(member, *when)
    statement = sa.select(Activity).where(activity_candidates_clause(member), *when)
    if barred:
        statement = statement.where(Activity.id.not_in(barred))
    statement = filtered(statement, query, "category")
    return show_with_counts(paginate(statement.order_by(*order), pages), member)


def get_activity(principal: Principal, activity_id: int) -> Activity:
    """One activity the caller may read (its staff, or a member it is open to)."""
    return _shown(visible_activity(principal, activity_id), principal)
