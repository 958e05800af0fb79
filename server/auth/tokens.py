"""Session tokens: signed (cheap to reject), expiring, and revocable through their session row.

The one place that says who is asking: the mini-program sends `Authorization: Bearer <token>`,
the web console sends its httpOnly cookie (and `X-CSRF-Token` on writes)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, g, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import joinedload

from server.auth.models import AuthSession, SessionKind, User
from server.errors import AppError
from server.extensions import db
from server.members.models import Member
from server.timeutil import utcnow

_SALT = "auth-session"
_CONSOLE_SALT = "console-session"
CONSOLE_COOKIE = "party_console"
CSRF_HEADER = "X-CSRF-Token"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# last_seen_at is written at most this often: a console page polls, and each write is a commit
_TOUCH_EVERY = timedelta(seconds=60)


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
def _login_query(with_idempotency_key: bool = False) -> sa.Select:
    # built once: composing a statement costs more than running this one on PostgreSQL
    query = (
        sa.select(AuthSession, User, Member)
        .join(User, User.id == AuthSession.user_id)
        .outerjoin(Member, Member.user_id == User.id)
        .where(AuthSession.id == sa.bindparam("session_id"))
        .options(joinedload(User.grants))
    )
    if not with_idempotency_key:
        return query
    # a write's Idempotency-Key is looked up in the same round trip (server/idempotency.py)
    from server.idempotency import IdempotencyRecord, principal_of_user

    record = IdempotencyRecord.__table__
    return query.outerjoin(record, sa.and_(
        record.c.principal == principal_of_user(User.id),
        record.c.key == sa.bindparam("idempotency_key"),
    )).add_columns(record.c.request_hash, record.c.status_code, record.c.body,
                   record.c.mimetype)


def _idempotency_key() -> str | None:
    if request.method not in WRITE_METHODS:
        return None
    key = request.headers.get("Idempotency-Key", "").strip()
    return key if 8 <= len(key) <= 100 else None  # otherwise refused by server/idempotency.py


def _load_login(session_id: str) -> tuple[AuthSession, User, Member | None] | None:
    """The session row with its user (role grants included) and member record, in one query:
    nearly every request that names a session goes on to ask who the caller is. A write that
    carries an Idempotency-Key has the stored answer to it read in the same query, left in
    `g.idempotency_prefetched` as (key, answer or None) for server/idempotency.py."""
    key = _idempotency_key()
    parameters = {"session_id": session_id}
    if key is not None:
        parameters["idempotency_key"] = key
    row = db.session.execute(_login_query(key is not None), parameters).unique().one_or_none()
    if row is None:
        return None
    if key is not None:
        g.idempotency_prefetched = (key, row if row.request_hash is not None else None)
    return row[0], row[1], row[2]


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


@functools.lru_cache(maxsize=4)
def _console_serializer_for(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_CONSOLE_SALT)


def _console_serializer() -> URLSafeTimedSerializer:
    return _console_serializer_for(current_app.config["APP_SECRET_KEY"])


def console_absolute() -> timedelta:
    return timedelta(hours=current_app.config["CONSOLE_ABSOLUTE_HOURS"])


def console_idle() -> timedelta:
    return timedelta(minutes=current_app.config["CONSOLE_IDLE_MINUTES"])


def issue_console_session(
    user: User, address: str, user_agent: str, acting_grant_id: int | None
) -> tuple[AuthSession, str]:
    """A console login: its row, and the value of the cookie that names it."""
    now = utcnow()
    session = AuthSession(
        id=secrets.token_hex(16), user_id=user.id, kind=SessionKind.CONSOLE.value,
        expires_at=now + console_absolute(), last_seen_at=now, address=address[:64],
        user_agent=user_agent[:300], acting_grant_id=acting_grant_id,
    )
    db.session.add(session)
    return session, _console_serializer().dumps(session.id)


def csrf_token_for(session_id: str) -> str:
    """The console's CSRF token: derived from the session, so nothing more is stored, and
    unguessable without the server's secret."""
    key = current_app.config["APP_SECRET_KEY"].encode()
    return hmac.new(key, f"csrf:{session_id}".encode(), hashlib.sha256).hexdigest()


def console_login_for(
    cookie: str, method: str, csrf_header: str | None
) -> tuple[AuthSession, User, Member | None]:
    """The live console session named by the cookie; writes must carry its CSRF token."""
    try:
        session_id = _console_serializer().loads(
            cookie, max_age=int(console_absolute().total_seconds())
        )
    except SignatureExpired as exc:
        raise AppError(401, "token_expired", "登录已过期，请重新扫码登录") from exc
    except BadSignature as exc:
        raise AppError(401, "token_invalid", "登录信息无效，请重新登录") from exc
    login = _load_login(session_id)
    if login is None or login[0].kind != SessionKind.CONSOLE:
        raise AppError(401, "token_invalid", "登录信息无效，请重新登录")
    session = login[0]
    now = utcnow()
    if session.revoked_at is not None:
        raise AppError(401, "token_revoked", "您已退出登录，请重新登录")
    if session.expires_at <= now:
        raise AppError(401, "token_expired", "登录已过期，请重新扫码登录")
    if session.last_seen_at is not None and session.last_seen_at + console_idle() <= now:
        raise AppError(401, "session_idle_timeout", "长时间未操作，已自动退出，请重新登录")
    if method in WRITE_METHODS and not hmac.compare_digest(
        (csrf_header or "").encode(), csrf_token_for(session.id).encode()
    ):
        raise AppError(403, "csrf_failed", "页面已失效，请刷新页面后重试")
    if session.last_seen_at is None or now - session.last_seen_at >= _TOUCH_EVERY:
        session.last_seen_at = now
    return login


def _login_of_request() -> tuple[AuthSession, User, Member | None]:
    header = request.headers.get("Authorization", "")
    cookie = request.cookies.get(CONSOLE_COOKIE)
    if header or not cookie:
        return login_for(header)
    return console_login_for(cookie, request.method, request.headers.get(CSRF_HEADER))


def current_login() -> tuple[AuthSession, User, Member | None]:
    """The session of this request (Bearer token or console cookie) with its user and member,
    looked up once per request."""
    if "auth_login" not in g:
        try:
            g.auth_login = _login_of_request()
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
