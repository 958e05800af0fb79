"""Activities: create, edit, publish, cancel, the lifecycle; sign-up with capacity and waitlist.

Other areas call `create_activity`, `publish_activity`, `cancel_activity`, `sign_up` and
`clock_in` (re-exported here from `clockin`). Services never commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from server import events
from server.activities.models import (
    Activity,
    ActivityCategory,
    ActivityStatus,
    SignUp,
    SignUpStatus,
)
from server.audit.service import record as audit
from server.auth.scope import member_may_join_activity
from server.database import lock_row
from server.errors import conflict, invalid, not_found
from server.extensions import db
from server.members.models import Community, Grid, Member, MemberType
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
OPEN_STATES = (ActivityStatus.PUBLISHED.value, ActivityStatus.IN_PROGRESS.value)


def lock_activity(activity_id: int) -> Activity:
    """The activity row, locked for this transaction (PostgreSQL: FOR UPDATE; SQLite's
    BEGIN IMMEDIATE already serialises writers), so check-then-insert is exact."""
    activity = lock_row(Activity, activity_id)
    if activity is None:
        raise not_found("活动")
    return activity


def snapshot(activity: Activity) -> dict[str, Any]:
    """The activity's fields as JSON-able values, for the audit log."""
    result: dict[str, Any] = {}
    for name in (*EDITABLE, "status", "cancel_reason"):
        value = getattr(activity, name)
        result[name] = value.isoformat() if isinstance(value, datetime) else value
    return result


def _check(community: Community, data: dict[str, Any]) -> None:
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


def create_activity(
    actor_user_id: int | None, community_id: int, data: dict[str, Any], publish: bool = False
) -> Activity:
    """A new activity (a draft, or published at once). Scheduler jobs pass actor None."""
    community = db.session.get(Community, community_id)
    if community is None:
        raise not_found("社区")
    values = {name: data[name] for name in EDITABLE if name in data}
    values.setdefault("audience_grid_ids", [])
    values.setdefault("audience_member_types", [])
    _check(community, values)
    activity = Activity(
        community_id=community_id,
        created_by_user_id=actor_user_id,
        status=ActivityStatus.DRAFT.value,
        **values,
    )
    db.session.add(activity)
    db.session.flush()
    audit(
        actor_user_id,
        "activity.create",
        "activity",
        activity.id,
        community_id=community_id,
        after=snapshot(activity),
    )
    if publish:
        publish_activity(actor_user_id, activity.id)
    return activity


def publish_activity(actor_user_id: int | None, activity_id: int) -> Activity:
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
    audit(
        actor_user_id,
        "activity.publish",
        "activity",
        activity.id,
        community_id=activity.community_id,
        before=before,
        after=snapshot(activity),
    )
    return activity


def update_activity(actor_user_id: int | None, activity_id: int, data: dict[str, Any]) -> Activity:
    """Edit; after publishing, every change is audited and announced (activity_changed)."""
    activity = lock_activity(activity_id)
    if activity.status not in (ActivityStatus.DRAFT, *OPEN_STATES):
        raise conflict("activity_not_editable", "活动已结束或已取消，不能再修改")
    community = db.session.get(Community, activity.community_id)
    merged = {name: getattr(activity, name) for name in EDITABLE}
    merged.update({name: data[name] for name in EDITABLE if name in data})
    _check(community, merged)
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
    audit(
        actor_user_id,
        "activity.update",
        "activity",
        activity.id,
        community_id=activity.community_id,
        before=before,
        after=snapshot(activity),
    )
    if activity.status in OPEN_STATES:
        _fill_from_waitlist(activity)
        events.activity_changed.send(activity, changes=changes)
    return activity


def cancel_activity(actor_user_id: int | None, activity_id: int, reason: str) -> Activity:
    """Cancel with a reason, from any state before the activity ends."""
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
    audit(
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


def effective_status(activity: Activity, now: datetime | None = None) -> str:
    """The state as of now, even if the job has not run yet this minute."""
    now = now or utcnow()
    if activity.status in OPEN_STATES:
        if activity.ends_at <= now:
            return ActivityStatus.ENDED.value
        if activity.starts_at <= now:
            return ActivityStatus.IN_PROGRESS.value
    return activity.status


# --- sign-up (报名) --------------------------------------------------------------------------


def counts(activity_id: int) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(SignUp.status, sa.func.count())
        .where(SignUp.activity_id == activity_id)
        .group_by(SignUp.status)
    )
    found = dict(rows.all())
    return {
        "confirmed": found.get(SignUpStatus.CONFIRMED.value, 0),
        "waitlisted": found.get(SignUpStatus.WAITLISTED.value, 0),
    }


def _open_for_signup(activity: Activity, now: datetime) -> None:
    if activity.status == ActivityStatus.CANCELLED:
        raise conflict("activity_cancelled", "活动已取消，无法报名")
    if effective_status(activity, now) not in OPEN_STATES:
        raise conflict("activity_closed", "活动已结束，无法报名")
    deadline = activity.signup_deadline or activity.ends_at
    if now >= deadline:
        raise conflict("signup_closed", "报名已截止，如需参加请联系社区工作人员")


def sign_up(member: Member, activity_id: int) -> SignUp:
    """Confirmed while places are left, else waitlisted (候补); a repeat returns the same."""
    activity = lock_activity(activity_id)
    if activity.status == ActivityStatus.DRAFT or not member_may_join_activity(member, activity):
        raise not_found("活动")
    signup = db.session.scalar(
        sa.select(SignUp).filter_by(activity_id=activity.id, member_id=member.id)
    )
    if signup is not None and signup.status != SignUpStatus.WITHDRAWN:
        return signup
    now = utcnow()
    _open_for_signup(activity, now)
    confirmed = counts(activity.id)["confirmed"]
    has_place = activity.capacity is None or confirmed < activity.capacity
    status = SignUpStatus.CONFIRMED if has_place else SignUpStatus.WAITLISTED
    if signup is None:
        signup = SignUp(activity_id=activity.id, member_id=member.id, status=status.value)
        db.session.add(signup)
    else:
        signup.status = status.value
        signup.withdrawn_at = None
        signup.promoted_at = None
    signup.created_at = signup.created_at or now
    signup.queued_at = now
    signup.activity = activity
    db.session.flush()
    if status == SignUpStatus.CONFIRMED:
        events.signup_confirmed.send(signup)
    return signup


def withdraw(member: Member, activity_id: int) -> SignUp:
    """取消报名; a confirmed place goes to the first on the waitlist."""
    activity = lock_activity(activity_id)
    signup = db.session.scalar(
        sa.select(SignUp).filter_by(activity_id=activity.id, member_id=member.id)
    )
    if signup is None:
        raise not_found("报名记录")
    if signup.status == SignUpStatus.WITHDRAWN:
        return signup
    if utcnow() >= activity.starts_at:
        raise conflict("activity_started", "活动已开始，不能再取消报名；如有变化请联系现场负责人")
    was_confirmed = signup.status == SignUpStatus.CONFIRMED
    signup.status = SignUpStatus.WITHDRAWN.value
    signup.withdrawn_at = utcnow()
    db.session.flush()
    if was_confirmed:
        _fill_from_waitlist(activity)
    return signup


def _fill_from_waitlist(activity: Activity) -> list[SignUp]:
    """Promote from the waitlist, first come first served, while places are left."""
    promoted: list[SignUp] = []
    while True:
        if activity.capacity is not None and counts(activity.id)["confirmed"] >= activity.capacity:
            return promoted
        nxt = db.session.scalar(
            sa.select(SignUp)
            .filter_by(activity_id=activity.id, status=SignUpStatus.WAITLISTED.value)
            .order_by(SignUp.queued_at, SignUp.id)
            .limit(1)
        )
        if nxt is None:
            return promoted
        nxt.status = SignUpStatus.CONFIRMED.value
        nxt.promoted_at = utcnow()
        db.session.flush()
        events.signup_promoted.send(nxt)
        promoted.append(nxt)


def my_signup(member: Member | None, activity_id: int) -> SignUp | None:
    if member is None:
        return None
    return db.session.scalar(
        sa.select(SignUp).filter_by(activity_id=activity_id, member_id=member.id)
    )


def member_activity_ids(member: Member) -> list[int]:
    """Ids of non-draft activities open to the member (community, grid, type, street)."""
    from server.auth.scope import activity_candidates_clause

    rows = db.session.scalars(sa.select(Activity).where(activity_candidates_clause(member)))
    return [a.id for a in rows if member_may_join_activity(member, a)]


from server.activities.clockin import clock_in, clock_out  # noqa: E402,F401  (re-export)
