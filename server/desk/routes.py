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
    """社区活动列表（工作人员）

    列出社区的活动，可按状态、类型和开始日期筛选。
    """
    return activities.community_activities(
        current_principal(), community_id, query, pagination_parameters
    )


@blp.route("/activities/<int:activity_id>/copies", methods=["POST"])
@blp.arguments(ActivityCopyInSchema)
@blp.response(201, ActivitySchema(many=True))
def copy_activity(body, activity_id):
    """复制活动 / 每周重复（工作人员）

    把活动复制为草稿：复制一次，或每周重复直到指定日期。
    """
    return activities.copy_activity(
        current_principal(), activity_id, body["starts_at"], body["repeat_weekly_until"]
    )


@blp.route("/inbox")
@blp.arguments(InboxQuerySchema, location="query")
@blp.response(200, InboxSchema)
def inbox(query):
    """待办（工作人员）

    列出所有等我审批的事项，并给出每类的数量。
    """
    return approvals.inbox(current_principal(), query.get("community_id"), query.get("kind"))


@blp.route("/inbox/decisions", methods=["POST"])
@blp.arguments(InboxDecisionInSchema)
@blp.response(200, InboxResultSchema(many=True))
def decide(body):
    """审批待办（工作人员）

    批准或驳回一项或多项，每项单独答复；提交人不能审批自己的事项。
    """
    return approvals.decide(current_principal(), body["decision"], body["reason"], body["items"])


@blp.route("/communities/<int:community_id>/notice-reach", methods=["POST"])
@blp.arguments(NoticeReachInSchema)
@blp.response(200, NoticeReachSchema)
def notice_reach(body, community_id):
    """通知覆盖人数（工作人员）

    计算一个通知对象范围能覆盖多少党员、其中多少人有订阅消息额度。不写入任何数据；用 POST 是因为
    对象范围是结构化的请求体。
    """
    return reach.notice_reach(current_principal(), community_id, body["audience"])


@blp.route("/members/<int:member_id>/reveal", methods=["POST"])
@blp.arguments(RevealInSchema)
@blp.response(200, RevealSchema)
def reveal(body, member_id):
    """查看完整手机号（工作人员）

    完整显示一项脱敏信息（手机号）；每次查看都记入审计日志。
    """
    return members.reveal_member_field(current_principal(), member_id, body["field"])
