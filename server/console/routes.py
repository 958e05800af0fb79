"""/api/v1/console: scan-to-log-in (扫码登录), demo codes in development, console sessions."""

from __future__ import annotations

from flask import Response, after_this_request, current_app, request
from flask_smorest import Blueprint

from server.auth.scope import current_principal
from server.auth.tokens import CONSOLE_COOKIE
from server.console import service
from server.console.schemas import (
    ActingForSchema,
    ConfirmedSchema,
    ConsoleConfigSchema,
    ConsoleSessionSchema,
    DemoLoginSchema,
    PollSchema,
    SessionListItemSchema,
    TicketRequestSchema,
    TicketSchema,
)
from server.extensions import limiter

blp = Blueprint("console", __name__, url_prefix="/api/v1/console",
                description="管理后台：扫码登录与会话")

PUBLIC = [{}]
BROWSER_COOKIE = "party_console_browser"
TICKET = "<ticket>"


def _secure_cookies() -> bool:
    return current_app.config["APP_ENV"] not in ("development", "test")


def _set_cookie(name: str, value: str, max_age: int) -> None:
    """Set a cookie on this request's response: httpOnly, SameSite=Strict, Secure outside
    development (the console is same-origin with the API)."""

    @after_this_request
    def _set(response: Response) -> Response:
        response.set_cookie(name, value, max_age=max_age, path="/", httponly=True,
                            samesite="Strict", secure=_secure_cookies())
        return response


def _clear_console_cookie() -> None:
    @after_this_request
    def _clear(response: Response) -> Response:
        response.delete_cookie(CONSOLE_COOKIE, path="/", httponly=True, samesite="Strict",
                               secure=_secure_cookies())
        return response


def _session_cookie(value: str) -> None:
    _set_cookie(CONSOLE_COOKIE, value, current_app.config["CONSOLE_ABSOLUTE_HOURS"] * 3600)


def _ticket_limit() -> str:
    return current_app.config["CONSOLE_TICKET_LIMIT_PER_ADDRESS"]


def _login_limit() -> str:
    return current_app.config["AUTH_LOGIN_LIMIT_PER_ADDRESS"]


def _client() -> tuple[str, str]:
    return request.remote_addr or "", request.headers.get("User-Agent", "")


@blp.route("/config")
@blp.doc(security=PUBLIC)
@blp.response(200, ConsoleConfigSchema)
def config():
    """登录页配置（管理后台）

    返回登录页提供哪些登录方式；演示码登录表单只在开发环境提供。
    """
    return service.console_config()


@blp.route("/login-tickets", methods=["POST"])
@blp.doc(security=PUBLIC)
@blp.response(201, TicketSchema)
@limiter.limit(_ticket_limit)
def create_ticket():
    """扫码登录：创建登录票据（管理后台）

    为二维码创建一次性登录票据，并以 Cookie 绑定到本浏览器。
    """
    answer, nonce = service.create_ticket(*_client(), request.cookies.get(BROWSER_COOKIE))
    _set_cookie(BROWSER_COOKIE, nonce, 24 * 3600)
    return answer


@blp.route(f"/login-tickets/{TICKET}")
@blp.doc(security=PUBLIC)
@blp.response(200, PollSchema)
def poll_ticket(ticket):
    """扫码登录：查询票据状态（管理后台）

    查询手机是否已确认；第一次返回 `confirmed` 时，本浏览器同时登录。
    """
    result = service.poll_ticket(ticket, request.cookies.get(BROWSER_COOKIE))
    if result.cookie:
        _session_cookie(result.cookie)
    return {"status": result.status, "expires_at": result.expires_at, "session": result.session}


@blp.route(f"/login-tickets/{TICKET}/request")
@blp.response(200, TicketRequestSchema)
def ticket_request(ticket):
    """扫码登录：查看登录请求（手机）

    供手机查看：哪个浏览器、从哪个地址请求登录。
    """
    return service.ticket_request(current_principal(), ticket)


@blp.route(f"/login-tickets/{TICKET}/confirm", methods=["POST"])
@blp.response(200, ConfirmedSchema)
def confirm_ticket(ticket):
    """扫码登录：确认登录（手机）

    供手机确认：让那个浏览器以我的身份登录管理后台。
    """
    return service.confirm_ticket(current_principal(), ticket)


@blp.route("/demo-login", methods=["POST"])
@blp.doc(security=PUBLIC)
@blp.arguments(DemoLoginSchema)
@blp.response(200, ConsoleSessionSchema)
@limiter.limit(_login_limit)
def demo_login(body):
    """演示码登录（仅开发环境）

    仅开发环境可用：用演示码（如 `demo:staff1:…`）登录管理后台。
    """
    view, cookie = service.demo_login(body["code"], *_client())
    _session_cookie(cookie)
    return view


@blp.route("/session")
@blp.response(200, ConsoleSessionSchema)
def session():
    """当前登录信息（管理后台）

    返回登录管理后台的人、其角色授权，以及写操作所需的 CSRF 令牌。
    """
    return service.current_session(current_principal())


@blp.route("/session/acting-for", methods=["PUT"])
@blp.arguments(ActingForSchema)
@blp.response(200, ConsoleSessionSchema)
def acting_for(body):
    """切换当前身份（管理后台）

    改以我的另一项角色授权（地点和角色）办理。
    """
    return service.set_acting_for(current_principal(), body["grant_id"])


@blp.route("/sessions")
@blp.response(200, SessionListItemSchema(many=True))
def sessions():
    """我的后台登录列表

    列出我仍然有效的管理后台登录。
    """
    return service.my_sessions(current_principal())


@blp.route("/sessions/<string(length=32):session_id>", methods=["DELETE"])
@blp.response(204)
def end_session(session_id):
    """结束一个后台登录

    结束我的一个管理后台登录（按登录编号）。
    """
    service.end_session(current_principal(), session_id)


@blp.route("/logout", methods=["POST"])
@blp.response(204)
def logout():
    """退出登录（管理后台）

    结束本浏览器的管理后台登录，并清除登录 Cookie。
    """
    service.logout(current_principal())
    _clear_console_cookie()


@blp.route("/logout-everywhere", methods=["POST"])
@blp.response(204)
def logout_everywhere():
    """退出全部后台登录

    结束我的全部管理后台登录，包括本浏览器的；手机上的登录不受影响。
    """
    service.logout_everywhere(current_principal())
    _clear_console_cookie()
