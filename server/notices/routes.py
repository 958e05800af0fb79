"""/api/v1 notices (通知) for staff and members, subscribe templates and credits."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from server.auth.scope import current_member, current_principal
from server.errors import not_found
from server.notices import service
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


def _with_stats(notice):
    notice.stats = service.notice_stats(notice)
    return notice


@blp.route("/communities/<int:community_id>/notices")
class CommunityNotices(MethodView):
    @blp.arguments(NoticeQuerySchema, location="query")
    @blp.response(200, NoticeSchema(many=True))
    @blp.paginate()
    def get(self, query, community_id, pagination_parameters):
        """The community's notices and reminders, newest first (staff)."""
        statement = service.staff_notices_query(current_principal(), community_id, **query)
        return paginate(statement, pagination_parameters)

    @blp.arguments(NoticeInSchema)
    @blp.response(201, NoticeDetailSchema)
    def post(self, body, community_id):
        """Write a notice: sent now, or at `send_at` (网上动员)."""
        notice = service.create_notice(current_principal(), community_id, body)
        return _with_stats(notice)


@blp.route("/notices/<int:notice_id>")
@blp.response(200, NoticeDetailSchema)
def notice_detail(notice_id):
    """One notice with its figures: audience, read, subscribe messages sent/failed (staff)."""
    return _with_stats(service.get_staff_notice(current_principal(), notice_id))


@blp.route("/notices/<int:notice_id>/cancel", methods=["POST"])
@blp.response(200, NoticeDetailSchema)
def cancel(notice_id):
    """Cancel a scheduled notice before it goes."""
    return _with_stats(service.cancel_notice(current_principal(), notice_id))


@blp.route("/notices/mine")
@blp.arguments(MyNoticeQuerySchema, location="query")
@blp.response(200, MyNoticeSchema(many=True))
@blp.paginate()
def my_notices(query, pagination_parameters):
    """My notices, newest first."""
    statement = service.my_notices_query(current_member(), unread_only=query["unread"])
    return paginate(statement, pagination_parameters)


@blp.route("/notices/mine/unread-count")
@blp.response(200, UnreadCountSchema)
def my_unread_count():
    return {"unread": service.unread_count(current_member())}


@blp.route("/notices/mine/<int:notice_id>")
@blp.response(200, MyNoticeSchema)
def open_my_notice(notice_id):
    """Open one of my notices; it counts as read from now on."""
    return service.open_notice(current_member(), notice_id)


@blp.route("/subscribe-templates")
@blp.response(200, SubscribeTemplateSchema(many=True))
def templates():
    """The templates the mini-program asks members to subscribe to (≤5 per tap)."""
    current_principal()
    return service.list_templates()


@blp.route("/subscribe-templates/<string:purpose>", methods=["PUT"])
@blp.arguments(SubscribeTemplateInSchema)
@blp.response(200, SubscribeTemplateSchema)
def configure_template(body, purpose):
    """Configure the template for one purpose (street admin): id and field mapping."""
    principal = current_principal()
    if not principal.street_ids():
        raise not_found("模板")
    return service.configure_template(
        purpose, body["template_id"], body["fields_"], title=body["title"],
        page=body.get("page"), active=body["active"], actor_user_id=principal.user_id,
    )


@blp.route("/subscriptions")
class Subscriptions(MethodView):
    @blp.response(200, CreditSchema(many=True))
    def get(self):
        """My subscribe credits per template."""
        return service.my_credits(current_member())

    @blp.arguments(SubscribeResultsInSchema)
    @blp.response(200, CreditSchema(many=True))
    def post(self, body):
        """Report a wx.requestSubscribeMessage result: each accept is one message allowed."""
        return service.record_subscribe_results(current_member(), body["results"])
