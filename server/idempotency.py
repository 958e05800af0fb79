"""Idempotency-Key for writes, and the request's one transaction.

A request's writes and the stored answer to its Idempotency-Key commit together, after the
view, so a retried request (weak mobile network) gets the first answer and writes nothing
new. Services never commit; this module does, once per request.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from server.auth.tokens import peek_user_id
from server.database import commit_with
from server.errors import AppError, error_response
from server.extensions import db
from server.timeutil import UTCDateTime, utcnow

HEADER = "Idempotency-Key"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class IdempotencyRecord(db.Model):
    __tablename__ = "idempotency_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    principal: Mapped[str] = mapped_column(sa.String(80))
    key: Mapped[str] = mapped_column(sa.String(100))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[int] = mapped_column(sa.Integer)
    body: Mapped[bytes] = mapped_column(sa.LargeBinary)
    mimetype: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    __table_args__ = (sa.UniqueConstraint("principal", "key"),)


# inline: no RETURNING of the new id (nobody reads it), so the INSERT can go out with COMMIT
_INSERT_RECORD = sa.insert(IdempotencyRecord.__table__).inline()


def _principal() -> str:
    user_id = peek_user_id()
    return f"u:{user_id}" if user_id else f"anon:{request.remote_addr}"


def principal_of_user(user_id: sa.ColumnElement) -> sa.ColumnElement:
    """`_principal()` of a signed-in user as SQL, for the login query that reads the key."""
    return sa.literal("u:") + sa.cast(user_id, sa.String)


def _request_hash() -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.full_path.encode())
    digest.update(b"\0")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _replay(record: sa.Row) -> Response:
    g.idempotency = None  # nothing new to remember
    response = Response(record.body, status=record.status_code, mimetype=record.mimetype)
    response.headers["Idempotent-Replayed"] = "true"
    return response


@functools.cache
def _find_query() -> sa.Select:
    # built once, on the table rather than the mapped class: this runs before every write
    table = IdempotencyRecord.__table__
    return sa.select(
        table.c.request_hash, table.c.status_code, table.c.body, table.c.mimetype
    ).where(table.c.principal == sa.bindparam("principal"), table.c.key == sa.bindparam("key"))


def _find(principal: str, key: str) -> sa.Row | None:
    """The stored answer, as plain values: they outlive the rollback that precedes a replay."""
    return db.session.execute(_find_query(), {"principal": principal, "key": key}).one_or_none()


def _before_request():
    g.idempotency = None
    key = request.headers.get(HEADER)
    if request.method not in WRITE_METHODS or key is None:
        return None
    key = key.strip()
    if not 8 <= len(key) <= 100:
        raise AppError(400, "idempotency_key_invalid", "请求标识(Idempotency-Key)应为8到100个字符")
    principal, request_hash = _principal(), _request_hash()
    # the login query has read the stored answer in its own round trip (server/auth/tokens.py)
    read_key, existing = g.pop("idempotency_prefetched", (None, None))
    if read_key != key or not principal.startswith("u:"):
        existing = _find(principal, key)
    if existing is not None:
        if existing.request_hash != request_hash:
            raise AppError(
                422, "idempotency_key_reused", "同一请求标识已用于不同的内容，请重新发起操作"
            )
        db.session.rollback()
        return _replay(existing)
    g.idempotency = (principal, key, request_hash)
    return None


def _after_request(response: Response) -> Response:
    if response.status_code >= 400:
        db.session.rollback()
        return response
    pending = getattr(g, "idempotency", None)
    try:
        if pending and not response.direct_passthrough:
            principal, key, request_hash = pending
            # the answer is stored by the request's last statement, sent with its COMMIT
            commit_with(
                _INSERT_RECORD,
                {
                    "principal": principal,
                    "key": key,
                    "request_hash": request_hash,
                    "status_code": response.status_code,
                    "body": response.get_data(),
                    "mimetype": response.mimetype or "application/json",
                },
            )
        else:
            db.session.commit()
    except IntegrityError:
        return _on_conflict()
    return response


def _on_conflict(_error: Exception | None = None) -> Response:
    """A unique constraint stopped a concurrent duplicate: answer as the winner did."""
    db.session.rollback()
    pending = getattr(g, "idempotency", None)
    if pending:
        winner = _find(pending[0], pending[1])
        if winner is not None and winner.request_hash == pending[2]:
            db.session.rollback()
            return _replay(winner)
    current_app.logger.warning("write conflict on %s %s", request.method, request.path)
    return error_response(409, "conflict", "操作冲突，请刷新后重试")


def purge_expired(now: datetime | None = None) -> int:
    keep = timedelta(hours=current_app.config["IDEMPOTENCY_KEEP_HOURS"])
    result = db.session.execute(
        sa.delete(IdempotencyRecord).where(IdempotencyRecord.created_at < (now or utcnow()) - keep)
    )
    return result.rowcount or 0


def init_request_transactions(app: Flask) -> None:
    app.before_request(_before_request)
    app.after_request(_after_request)
    app.register_error_handler(IntegrityError, _on_conflict)
