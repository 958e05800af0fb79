"""WeChat login, logout, the caller's own profile (我的), and role grants."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from limits import parse

from server.auth.models import RoleGrant, User
from server.auth.scope import Principal
from server.auth.tokens import issue_token, revoke
from server.errors import AppError
from server.extensions import db, limiter
from server.members.service import active_registration, member_of, save_verified_phone
from server.timeutil import utcnow
from server.wechat import client as wechat


def _limit_login_per_openid(openid: str) -> None:
    if not limiter.enabled:
        return
    item = parse(current_app.config["AUTH_LOGIN_LIMIT_PER_OPENID"])
    if not limiter.limiter.hit(item, "login-openid", openid):
        raise AppError(429, "rate_limited", "登录太频繁，请稍后再试")


def get_or_create_user(openid: str, unionid: str | None = None) -> User:
    user = db.session.scalar(sa.select(User).filter_by(openid=openid))
    if user is not None:
        return user
    user = User(openid=openid, unionid=unionid)
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except sa.exc.IntegrityError:
        # the same person's first login raced with itself
        user = db.session.scalar(sa.select(User).filter_by(openid=openid))
    return user


def login(code: str) -> dict[str, Any]:
    """Exchange a wx.login code for our own session token (no caller yet: this makes one);
    the answer carries the user and their member record."""
    token, expires_at, user = login_with_wechat_code(code)
    return {"token": token, "expires_at": expires_at, "user": user, "member": member_of(user)}


def login_with_wechat_code(code: str) -> tuple[str, datetime, User]:
    """Exchange a wx.login code for our own session token; the session_key stays here."""
    session = wechat.code_to_session(code)
    _limit_login_per_openid(session["openid"])
    user = get_or_create_user(session["openid"], session.get("unionid"))
    user.session_key = session["session_key"]
    if session.get("unionid"):
        user.unionid = session["unionid"]
    user.last_login_at = utcnow()
    db.session.flush()
    token, expires_at = issue_token(user)
    return token, expires_at, user


def logout(principal: Principal) -> None:
    """End the caller's session; its token stops working at once."""
    revoke(principal.session)


def me(principal: Principal) -> dict[str, Any]:
    """Who the caller is: roles, member record, current registration, the privacy notice."""
    member = principal.member
    return {
        "user": principal.user,
        "member": member,
        "registration": active_registration(member.id) if member else None,
        "privacy_notice_version": current_app.config["APP_PRIVACY_NOTICE_VERSION"],
    }


def confirm_phone(principal: Principal, code: str) -> dict[str, str]:
    """The phone number WeChat confirms for a getPhoneNumber button code, saved as the
    caller's member phone."""
    return {"phone": save_verified_phone(principal, wechat.get_phone_number(code))}


def grant_role(user: User, role: str, **place: int | None) -> RoleGrant:
    existing = db.session.scalar(
        sa.select(RoleGrant).filter_by(
            user_id=user.id,
            role=str(role),
            street_id=place.get("street_id"),
            community_id=place.get("community_id"),
            grid_id=place.get("grid_id"),
            unit_id=place.get("unit_id"),
        )
    )
    if existing is not None:
        return existing
    grant = RoleGrant(user_id=user.id, role=str(role), **place)
    db.session.add(grant)
    user.grants.append(grant)
    return grant
