"""Session tokens: signed (cheap to reject), expiring, and revocable through their session row."""

from __future__ import annotations

import functools
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, g, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import joinedload

from server.auth.models import AuthSession, User
from server.errors import AppError
from server.extensions import db
from server.members.models import Member
from server.timeutil import utcnow

_SALT = "auth-session"


@functools.lru_cache(maxsize=4)
def _serializer_for(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def _serializer() -> URLSafeTimedSerializer:
    return _serializer_for(current_app.config["APP_SECRET_KEY"])


def _ttl() -> timedelta:
    return timedelta(hours=current_app.config["AUTH_TOKEN_TTL_HOURS"])


def issue_token(user: User) -> tuple[str, datetime]:
    session = AuthSession(
        id=secrets.token_hex(16), user_id=user.id, expires_at=utcnow() + _ttl()
    )
    db.session.add(session)
    return _serializer().dumps(session.id), session.expires_at


def _bearer(header: str) -> str | None:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


@functools.cache
def _login_query() -> sa.Select:
    # built once: composing a statement costs more than running this one on PostgreSQL
    return (
        sa.select(AuthSession, User, Member)
        .join(User, User.id == AuthSession.user_id)
        .outerjoin(Member, Member.user_id == User.id)
        .where(AuthSession.id == sa.bindparam("session_id"))
        .options(joinedload(User.grants))
    )


def _load_login(session_id: str) -> tuple[AuthSession, User, Member | None] | None:
    """The session row with its user (role grants included) and member record, in one query:
    nearly every request that names a session goes on to ask who the caller is."""
    row = db.session.execute(_login_query(), {"session_id": session_id}).unique().one_or_none()
    return None if row is None else (row[0], row[1], row[2])


def login_for(header: str) -> tuple[AuthSession, User, Member | None]:
    """The live session named by an Authorization header, with its user and member; or a 401
    the client acts on."""
    token = _bearer(header)
    if token is None:
        raise AppError(401, "unauthorized", "请先登录")
    try:
        session_id = _serializer().loads(token, max_age=int(_ttl().total_seconds()))
    except SignatureExpired as exc:
        raise AppError(401, "token_expired", "登录已过期，请重新登录") from exc
    except BadSignature as exc:
        raise AppError(401, "token_invalid", "登录信息无效，请重新登录") from exc
    login = _load_login(session_id)
    if login is None:
        raise AppError(401, "token_invalid", "登录信息无效，请重新登录")
    session = login[0]
    if session.revoked_at is not None:
        raise AppError(401, "token_revoked", "您已退出登录，请重新登录")
    if session.expires_at <= utcnow():
        raise AppError(401, "token_expired", "登录已过期，请重新登录")
    return login


def current_login() -> tuple[AuthSession, User, Member | None]:
    """The session of this request's Authorization header with its user and member, looked up
    once per request."""
    if "auth_login" not in g:
        try:
            g.auth_login = login_for(request.headers.get("Authorization", ""))
        except AppError as refusal:
            g.auth_login = refusal
    if isinstance(g.auth_login, AppError):
        raise g.auth_login
    return g.auth_login


def peek_user_id() -> int | None:
    """Who is asking, without refusing anyone (for keys that must survive a re-login)."""
    try:
        session, _user, _member = current_login()
        return session.user_id
    except AppError:
        return None


def revoke(session: AuthSession) -> None:
    if session.revoked_at is None:
        session.revoked_at = utcnow()
