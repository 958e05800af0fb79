"""/api/v1/desk: the console's staff desk (活动管理 filters and copies, 待办, a notice's reach)."""

from __future__ import annotations

from flask_smorest import Blueprint

from server.activities.schemas import ActivitySchema
from server.auth.scope import current_principal
from server.desk import activities, members, notifications
from server.desk import inbox as approvals
from server.desk.schemas import (
    ActivityCopyInSchema,
    DeskActivityQuerySchema,
    DeskNotificationsSchema,
    InboxDecisionInSchema,
    InboxQuerySchema,
    InboxResultSchema,
    InboxSchema,
    NoticePreviewInSchema,
    NoticePreviewSchema,
    NoticeReachInSchema,
    NoticeReachSchema,
    NoticeTimelineSchema,
    NotificationsReadInSchema,
    RevealInSchema,
    RevealSchema,
    UnreadMemberSchema,
)
from server.notices import followup, preview, reach

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


@blp.route("/communities/<int:community_id>/notice-preview", methods=["POST"])
@blp.arguments(NoticePreviewInSchema)
@blp.response(200, NoticePreviewSchema)
def notice_preview(body, community_id):
    """订阅消息预览（工作人员）

    按通知模板把标题、社区、时间等填入各字段，逐项对照微信的字数和格式限制，标出超限的字段。
    不写入任何数据。
    """
    return preview.preview_notice(current_principal(), community_id, body)


@blp.route("/notices/<int:notice_id>/timeline")
@blp.response(200, NoticeTimelineSchema)
def notice_timeline(notice_id):
    """通知的发送与阅读进度（工作人员）

    自发布起每小时（超过两天按天）累计的订阅消息已发送数和已读人数，用于折线图。
    """
    return followup.notice_timeline(current_principal(), notice_id)


@blp.route("/notices/<int:notice_id>/unread")
@blp.response(200, UnreadMemberSchema(many=True))
@blp.paginate()
def notice_unread(notice_id, pagination_parameters):
    """未读党员名单（工作人员）

    还没有打开这条通知的党员：姓名、脱敏手机号、楼栋，便于电话提醒；查看完整手机号需单独点击并记入审计。
    """
    return followup.unread_members(current_principal(), notice_id, pagination_parameters)


@blp.route("/notifications")
@blp.response(200, DeskNotificationsSchema)
def my_notifications():
    """我的提醒（工作人员和书记）

    每日待办汇总和新申诉的提醒，最新的在前，并给出未读数。只看得到发给自己的。
    """
    return notifications.my_notifications(current_principal())


@blp.route("/notifications/read", methods=["POST"])
@blp.arguments(NotificationsReadInSchema)
@blp.response(200, DeskNotificationsSchema)
def read_notifications(body):
    """标记提醒为已读

    把自己的指定提醒（不指定则全部）标记为已读。
    """
    return notifications.mark_read(current_principal(), body["ids"])
