"""/api/v1/desk: the console's staff desk (活动管理 filters and copies, 待办, a notice's reach)."""

from __future__ import annotations

from flask_smorest import Blueprint

from server.activities.schemas import ActivitySchema
from server.auth.scope import current_principal
from server.desk import activities, members
from server.desk import inbox as approvals
from server.desk.schemas import (
    ActivityCopyInSchema,
    DeskActivityQuerySchema,
    InboxDecisionInSchema,
    InboxQuerySchema,
    InboxResultSchema,
    InboxSchema,
    NoticeReachInSchema,
    NoticeReachSchema,
    RevealInSchema,
    RevealSchema,
)
from server.notices import reach

blp = Blueprint("desk", __name__, url_prefix="/api/v1/desk", description="管理后台：工作台")


@blp.route("/communities/<int:community_id>/activities")
@blp.arguments(DeskActivityQuerySchema, location="query")
@blp.response(200, ActivitySchema(many=True))
@blp.paginate()
def community_activities(query, community_id, pagination_parameters):
    """The community's activities: status, type and start-date filters (staff)."""
    return activities.community_activities(
        current_principal(), community_id, query, pagination_parameters
    )


@blp.route("/activities/<int:activity_id>/copies", methods=["POST"])
@blp.arguments(ActivityCopyInSchema)
@blp.response(201, ActivitySchema(many=True))
def copy_activity(body, activity_id):
    """Copy an activity as drafts: once, or weekly until a date (复制 / 每周重复)."""
    return activities.copy_activity(
        current_principal(), activity_id, body["starts_at"], body["repeat_weekly_until"]
    )


@blp.route("/inbox")
@blp.arguments(InboxQuerySchema, location="query")
@blp.response(200, InboxSchema)
def inbox(query):
    """待办: everything waiting for my decision, with a count per kind."""
    return approvals.inbox(current_principal(), query.get("community_id"), query.get("kind"))


@blp.route("/inbox/decisions", methods=["POST"])
@blp.arguments(InboxDecisionInSchema)
@blp.response(200, InboxResultSchema(many=True))
def decide(body):
    """Approve or reject one or many; each answered on its own (the maker cannot decide)."""
    return approvals.decide(current_principal(), body["decision"], body["reason"], body["items"])


@blp.route("/communities/<int:community_id>/notice-reach", methods=["POST"])
@blp.arguments(NoticeReachInSchema)
@blp.response(200, NoticeReachSchema)
def notice_reach(body, community_id):
    """How many members an audience reaches, and how many have a subscribe credit (nothing
    is written: a POST because the audience is a structured body)."""
    return reach.notice_reach(current_principal(), community_id, body["audience"])


@blp.route("/members/<int:member_id>/reveal", methods=["POST"])
@blp.arguments(RevealInSchema)
@blp.response(200, RevealSchema)
def reveal(body, member_id):
    """Show one masked detail (the phone) in full; every time is in the audit log."""
    return members.reveal_member_field(current_principal(), member_id, body["field"])
