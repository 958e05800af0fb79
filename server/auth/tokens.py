"""Session tokens: signed (cheap to reject), expiring, and revocable through their session row."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app, g, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from server.auth.models import AuthSession, User
from server.errors import AppError
from server.extensions import db
from server.timeutil import utcnow

_SALT = "auth-session"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["APP_SECRET_KEY"], salt=_SALT)


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


def session_for(header: str) -> AuthSession:
    """The live session named by an Authorization header, or a 401 the client acts on."""
    token = _bearer(header)
    if token is None:
        raise AppError(401, "unauthorized", "请先登录")
    try:
        session_id = _serializer().loads(token, max_age=int(_ttl().total_seconds()))
    except SignatureExpired as exc:
        raise AppError(401, "token_expired", "登录已过期，请重新登录") from exc
    except BadSignature as exc:
        raise AppError(401, "token_invalid", "登录信息无效，请重新登录") from exc
    session = db.session.get(AuthSession, session_id)
    if session is None:
        raise AppError(401, "token_invalid", "登录信息无效，请重新登录")
    if session.revoked_at is not None:
        raise AppError(401, "token_revoked", "您已退出登录，请重新登录")
    if session.expires_at <= utcnow():
        raise AppError(401, "token_expired", "登录已过期，请重新登录")
    return session


def current_session() -> AuthSession:
    """The session of this request's Authorization header, looked up once per request."""
    if "auth_session" not in g:
        try:
            g.auth_session = session_for(request.headers.get("Authorization", ""))
        except AppError as refusal:
            g.auth_session = refusal
    if isinstance(g.auth_session, AppError):
        raise g.auth_session
    return g.auth_session


def peek_user_id() -> int | None:
    """Who is asking, without refusing anyone (for keys that must survive a re-login)."""
    try:
        return current_session().user_id
    except AppError:
        return None


def revoke(session: AuthSession) -> None:
    if session.revoked_at is None:
        session.revoked_at = utcnow()
