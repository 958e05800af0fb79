"""Activities (志愿服务活动): who may join, manage and read them."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from server.activities.models import Activity, ActivityStatus, SignUp
from server.auth.models import Role
from server.auth.scope.caller import COMMUNITY_MANAGERS, ON_SITE_STAFF, Principal
from server.errors import not_found
from server.extensions import db
from server.members.models import Community, Member


def member_may_join_activity(member: Member, activity: Activity) -> bool:
    """The audience rule: the activity's community (narrowed by grids and member types, when
    set), or — for a street-wide activity such as 党员奉献日 — every member of the street."""
    if member is None or member.community_id is None:
        return False
    if _in_community_audience(member, activity):
        return True
    if activity.audience_street_id is None:
        return False
    # asked only now: for most callers the activity's own community has already answered
    community = db.session.get(Community, member.community_id)
    return community is not None and community.street_id == activity.audience_street_id


def _in_community_audience(member: Member, activity: Activity) -> bool:
    if member.community_id != activity.community_id:
        return False
    if activity.audience_grid_ids and member.grid_id not in activity.audience_grid_ids:
        return False
    if activity.audience_member_types and member.member_type not in activity.audience_member_types:
        return False
    return True


def activity_candidates_clause(member: Member) -> sa.ColumnElement[bool]:
    """SQL pre-filter over Activity for a member (community or street); the grid and member-type
    narrowing is then applied with `member_may_join_activity`."""
    if member is None or member.community_id is None:
        return sa.false()
    street_id = sa.select(Community.street_id).where(Community.id == member.community_id)
    return sa.and_(
        Activity.status != ActivityStatus.DRAFT.value,
        sa.or_(
            Activity.community_id == member.community_id,
            Activity.audience_street_id == street_id.scalar_subquery(),
        ),
    )


def require_activity(
    principal: Principal, activity_id: int, roles: Iterable[str] = COMMUNITY_MANAGERS
) -> Activity:
    """The activity, when the caller holds one of `roles` in its community (the activity's
    leader on site also passes for ON_SITE_STAFF); else 404."""
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        raise not_found("活动")
    if activity.community_id in principal.community_ids(roles):
        return activity
    wanted = {str(r) for r in roles}
    if str(Role.GRID_WORKER) in wanted and activity.leader_user_id == principal.user_id:
        return activity
    raise not_found("活动")


def visible_activity(principal: Principal, activity_id: int) -> Activity:
    """An activity the caller may read: staff of its community, or a member it is open to
    (a member who signed up keeps seeing it, even after a move)."""
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        raise not_found("活动")
    if activity.community_id in principal.community_ids(ON_SITE_STAFF):
        return activity
    if activity.leader_user_id == principal.user_id:
        return activity
    member = principal.member
    if member is not None and activity.status != ActivityStatus.DRAFT:
        if member_may_join_activity(member, activity):
            return activity
        signed = db.session.scalar(
            sa.select(SignUp.id).filter_by(activity_id=activity.id, member_id=member.id)
        )
        if signed is not None:
            return activity
    raise not_found("活动")
