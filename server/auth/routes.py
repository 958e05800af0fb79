"""/api/v1/auth and /api/v1/me: WeChat login, logout, the caller's own profile and consents.

Each view parses with a schema, calls one service function with the caller's Principal
first (login has no caller yet), and returns what a schema dumps.
"""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint

from server.auth import service
from server.auth.schemas import (
    LoginInSchema,
    LoginOutSchema,
    MeSchema,
    PhoneCodeSchema,
    PhoneSchema,
)
from server.auth.scope import current_principal
from server.extensions import limiter
from server.members import service as members
from server.members.schemas import LocationConsentSchema, MemberSchema, MePatchSchema

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="登录与本人信息")

PUBLIC = [{}]


def _login_limit() -> str:
    return current_app.config["AUTH_LOGIN_LIMIT_PER_ADDRESS"]


@blp.post("/auth/login")
@blp.doc(security=PUBLIC)
@blp.arguments(LoginInSchema)
@blp.response(200, LoginOutSchema)
@limiter.limit(_login_limit)
def login(body):
    """微信登录

    用 wx.login 得到的 code 换取本服务的登录令牌（token），之后的请求放在 Authorization 头中。
    """
    return service.login(body["code"])


@blp.post("/auth/logout")
@blp.response(204)
def logout():
    """退出登录

    结束本次会话，令牌立即失效。
    """
    service.logout(current_principal())


@blp.get("/me")
@blp.response(200, MeSchema)
def me():
    """我的信息

    我的角色、党员信息和当前的报到记录。
    """
    return service.me(current_principal())


@blp.patch("/me")
@blp.arguments(MePatchSchema)
@blp.response(200, MemberSchema)
def update_me(body):
    """修改我的信息

    是否在公开榜单上显示；换工作单位时选择新的工作单位（记入审计日志）。
    """
    return members.update_my_details(current_principal(), body)


@blp.post("/me/consents/location")
@blp.arguments(LocationConsentSchema)
@blp.response(200, MemberSchema)
def location_consent(body):
    """定位签到授权

    同意或撤回用定位签到，随时可改。
    """
    return members.set_location_consent(current_principal(), body["granted"])


@blp.post("/me/phone")
@blp.arguments(PhoneCodeSchema)
@blp.response(200, PhoneSchema)
def phone_number(body):
    """获取并保存微信绑定的手机号

    用手机号按钮（getPhoneNumber）得到的 code 换取微信确认的手机号，并保存为我的手机号。
    """
    return service.confirm_phone(current_principal(), body["code"])
