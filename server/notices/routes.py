"""/api/v1 notices (通知) for staff and members, subscribe templates and credits.

Each view parses with a schema, calls one service function with the caller's Principal
first, and returns what a schema dumps.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from server.auth.scope import current_principal
from server.notices import service, subscriptions
from server.notices.schemas import (
    CreditSchema,
    MyNoticeQuerySchema,
    MyNoticeSchema,
    NoticeDetailSchema,
    NoticeInSchema,
    NoticeQuerySchema,
    NoticeSchema,
    SubscribeResultsInSchema,
    SubscribeTemplateInSchema,
    SubscribeTemplateSchema,
    UnreadCountSchema,
)
from server.pagination import paginate

blp = Blueprint("notices", __name__, url_prefix="/api/v1", description="通知与订阅消息")


@blp.route("/communities/<int:community_id>/notices")
class CommunityNotices(MethodView):
    @blp.arguments(NoticeQuerySchema, location="query")
    @blp.response(200, NoticeSchema(many=True))
    @blp.paginate()
    def get(self, query, community_id, pagination_parameters):
        """社区的通知与提醒

        本社区工作人员查看通知和自动提醒，最新的在前；可按类别和状态筛选。
        """
        statement = service.staff_notices_query(current_principal(), community_id, **query)
        return paginate(statement, pagination_parameters)

    @blp.arguments(NoticeInSchema)
    @blp.response(201, NoticeDetailSchema)
    def post(self, body, community_id):
        """发布通知（网上动员）

        先经微信内容安全检测，再立即发出，或在 `send_at` 定时发出；
        有订阅次数的党员同时收到订阅消息。
        """
        return service.create_notice(current_principal(), community_id, body)


@blp.route("/notices/<int:notice_id>")
@blp.response(200, NoticeDetailSchema)
def notice_detail(notice_id):
    """通知详情与统计

    通知对象人数、已读未读、订阅消息已发送、待发送、失败及原因（本社区工作人员）。
    """
    return service.get_staff_notice(current_principal(), notice_id)


@blp.route("/notices/<int:notice_id>/cancel", methods=["POST"])
@blp.response(200, NoticeDetailSchema)
def cancel(notice_id):
    """取消定时通知

    定时通知在发出前可以取消；已发出的通知不能取消。
    """
    return service.cancel_notice(current_principal(), notice_id)


@blp.route("/notices/mine")
@blp.arguments(MyNoticeQuerySchema, location="query")
@blp.response(200, MyNoticeSchema(many=True))
@blp.paginate()
def my_notices(query, pagination_parameters):
    """我的通知

    发给我的通知，最新的在前；可只看未读。
    """
    statement = service.my_notices_query(current_principal(), unread_only=query["unread"])
    return paginate(statement, pagination_parameters)


@blp.route("/notices/mine/unread-count")
@blp.response(200, UnreadCountSchema)
def my_unread_count():
    """我的未读通知数

    小程序角标显示的未读通知数量。
    """
    return service.unread_count(current_principal())


@blp.route("/notices/mine/<int:notice_id>")
@blp.response(200, MyNoticeSchema)
def open_my_notice(notice_id):
    """查看一条通知

    打开发给我的一条通知，此后记为已读。
    """
    return service.open_notice(current_principal(), notice_id)


@blp.route("/subscribe-templates")
@blp.response(200, SubscribeTemplateSchema(many=True))
def templates():
    """订阅消息模板

    小程序请党员订阅的模板（每次最多5个）。
    """
    return subscriptions.subscribe_templates(current_principal())


@blp.route("/subscribe-templates/<string:purpose>", methods=["PUT"])
@blp.arguments(SubscribeTemplateInSchema)
@blp.response(200, SubscribeTemplateSchema)
def configure_template(body, purpose):
    """配置订阅消息模板

    街道管理员为一种用途设置模板ID和字段对应关系。
    """
    return subscriptions.configure_template_for_street(current_principal(), purpose, body)


@blp.route("/subscriptions")
class Subscriptions(MethodView):
    @blp.response(200, CreditSchema(many=True))
    def get(self):
        """我的订阅次数

        每个模板还能收到几条订阅消息。
        """
        return subscriptions.my_credits(current_principal())

    @blp.arguments(SubscribeResultsInSchema)
    @blp.response(200, CreditSchema(many=True))
    def post(self, body):
        """上报订阅结果

        小程序上报 wx.requestSubscribeMessage 的结果：每次“允许”可多收一条订阅消息。
        """
        return subscriptions.record_subscribe_results(current_principal(), body["results"])
