"""/api/v1/desk: the console's staff desk (活动管理 filters and copies, …)."""

from __future__ import annotations

from flask_smorest import Blueprint

from server.activities.schemas import ActivitySchema
from server.auth.scope import current_principal
from server.desk import activities
from server.desk.schemas import ActivityCopyInSchema, DeskActivityQuerySchema

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
