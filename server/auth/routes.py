"""/api/v1/auth and /api/v1/me: WeChat login, logout, the caller's own profile and consents."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from server.auth import service
from server.auth.schemas import (
    LoginInSchema,
    LoginOutSchema,
    MeSchema,
    PhoneCodeSchema,
    PhoneSchema,
)
from server.auth.scope import current_member, current_principal
from server.extensions import limiter
from server.members.schemas import LocationConsentSchema, MemberSchema, MePatchSchema
from server.members.service import (
    active_registration,
    member_of,
    save_verified_phone,
    set_location_consent,
    update_my_details,
)
from server.wechat import client as wechat

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="登录与本人信息")

PUBLIC = [{}]


def _login_limit() -> str:
    return current_app.config["AUTH_LOGIN_LIMIT_PER_ADDRESS"]


@blp.route("/auth/login", methods=["POST"])
@blp.doc(security=PUBLIC)
@blp.arguments(LoginInSchema)
@blp.response(200, LoginOutSchema)
@limiter.limit(_login_limit)
def login(body):
    """Exchange a wx.login code for a session token."""
    token, expires_at, user = service.login_with_wechat_code(body["code"])
    return {"token": token, "expires_at": expires_at, "user": user, "member": member_of(user)}


@blp.route("/auth/logout", methods=["POST"])
@blp.response(204)
def logout():
    """End this session; the token stops working at once."""
    service.logout(current_principal().session)


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeSchema)
    def get(self):
        """Who I am: my roles, my member record and my current registration."""
        principal = current_principal()
        member = principal.member
        return {
            "user": principal.user,
            "member": member,
            "registration": active_registration(member.id) if member else None,
            "privacy_notice_version": current_app.config["APP_PRIVACY_NOTICE_VERSION"],
        }

    @blp.arguments(MePatchSchema)
    @blp.response(200, MemberSchema)
    def patch(self, body):
        """Change my own details: not appearing on public boards, my employer unit."""
        return update_my_details(current_principal(), body)


@blp.route("/me/consents/location", methods=["POST"])
@blp.arguments(LocationConsentSchema)
@blp.response(200, MemberSchema)
def location_consent(body):
    """Give or withdraw consent to clock in by location."""
    return set_location_consent(current_member(), body["granted"])


@blp.route("/me/phone", methods=["POST"])
@blp.arguments(PhoneCodeSchema)
@blp.response(200, PhoneSchema)
def phone_number(body):
    """The phone number WeChat confirms for a getPhoneNumber button code; saved as my phone."""
    principal = current_principal()
    return {"phone": save_verified_phone(principal, wechat.get_phone_number(body["code"]))}
