"""WeChat login, logout, and role grants."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from limits import parse

from server.auth.models import AuthSession, RoleGrant, User
from server.auth.tokens import issue_token, revoke
from server.errors import AppError
from server.extensions import db, limiter
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


def logout(session: AuthSession) -> None:
    revoke(session)


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
