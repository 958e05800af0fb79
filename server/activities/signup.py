"""Sign-up (报名) with capacity and waitlist (候补), for a member; exact under concurrency
(the activity row is locked first). Also what ActivitySchema and SignUpSchema show beside
the rows: counts and waitlist places, loaded for a whole page at once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from server import events
from server.activities.models import OPEN_STATES, Activity, ActivityStatus, SignUp, SignUpStatus
from server.auth.scope import member_may_join_activity
from server.database import lock_row
from server.errors import conflict, not_found
from server.extensions import db
from server.members.models import Member
from server.timeutil import utcnow


def lock_activity(activity_id: int) -> Activity:
    """The activity row, locked for this transaction (PostgreSQL: FOR UPDATE; SQLite's
    BEGIN IMMEDIATE already serialises writers), so check-then-insert is exact."""
    activity = lock_row(Activity, activity_id)
    if activity is None:
        raise not_found("活动")
    return activity


def signup_counts(activity_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Confirmed and waitlisted sign-ups per activity, in one statement."""
    ids = list(activity_ids)
    result = {i: {"confirmed": 0, "waitlisted": 0} for i in ids}
    if not ids:
        return result
    rows = db.session.execute(
        sa.select(SignUp.activity_id, SignUp.status, sa.func.count())
        .where(SignUp.activity_id.in_(ids),
               SignUp.status.in_((SignUpStatus.CONFIRMED.value, SignUpStatus.WAITLISTED.value)))
        .group_by(SignUp.activity_id, SignUp.status)
    )
    for activity_id, status, count in rows:
        result[activity_id][status] = count
    return result


def _confirmed_count(activity_id: int) -> int:
    return signup_counts([activity_id])[activity_id]["confirmed"]


def show_with_counts(activities: list[Activity], member: Member | None) -> list[Activity]:
    """Fill in what ActivitySchema shows beside the row: the sign-up counts and the member's
    own sign-up status, for all of `activities` in one statement."""
    for activity in activities:
        activity.confirmed_count = activity.waitlisted_count = 0
        activity.my_signup_status = None
    if not activities:
        return activities
    by_id = {a.id: a for a in activities}
    member_id = member.id if member is not None else None
    counted = (SignUpStatus.CONFIRMED.value, SignUpStatus.WAITLISTED.value)
    # per activity and status: how many, and whether the member's own sign-up is among them
    # (one sign-up per member and activity); the member's withdrawn one is read, not counted
    rows = db.session.execute(
        sa.select(SignUp.activity_id, SignUp.status, sa.func.count(),
                  sa.func.max(sa.case((SignUp.member_id == member_id, 1), else_=0)))
        .where(SignUp.activity_id.in_(list(by_id)),
               sa.or_(SignUp.status.in_(counted), SignUp.member_id == member_id))
        .group_by(SignUp.activity_id, SignUp.status)
    )
    for activity_id, status, count, mine in rows:
        activity = by_id[activity_id]
        if mine:
            activity.my_signup_status = status
        if status == SignUpStatus.CONFIRMED:
            activity.confirmed_count = count
        elif status == SignUpStatus.WAITLISTED:
            activity.waitlisted_count = count
    return activities


def with_waitlist_position(signup: SignUp) -> SignUp:
    """The sign-up with its place on the waitlist (None when not waitlisted)."""
    signup.waitlist_position = None
    if signup.status == SignUpStatus.WAITLISTED:
        signup.waitlist_position = db.session.scalar(
            sa.select(sa.func.count()).where(
                SignUp.activity_id == signup.activity_id,
                SignUp.status == SignUpStatus.WAITLISTED.value,
                sa.or_(
                    SignUp.queued_at < signup.queued_at,
                    sa.and_(SignUp.queued_at == signup.queued_at, SignUp.id <= signup.id),
                ),
            )
        )
    return signup


def _open_for_signup(activity: Activity, now: datetime) -> None:
    if activity.status == ActivityStatus.CANCELLED:
        raise conflict("activity_cancelled", "活动已取消，无法报名")
    if activity.status_now(now) not in OPEN_STATES:
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
    has_place = activity.capacity is None or _confirmed_count(activity.id) < activity.capacity
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
        fill_from_waitlist(activity)
    return signup


def fill_from_waitlist(activity: Activity) -> list[SignUp]:
    """Promote from the waitlist, first come first served, while places are left."""
    promoted: list[SignUp] = []
    while True:
        if activity.capacity is not None and _confirmed_count(activity.id) >= activity.capacity:
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
