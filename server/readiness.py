"""Readiness: the database answers, Redis answers, and the schema is at the code's migration head.

An app started on a database that was not migrated (or migrated to an older head) refuses to
become ready and says what to run; a request that meets a missing table or column meanwhile is
answered 503 `schema_not_migrated` instead of a 500. The code's head is read from the
migrations once per process; once the database has been seen at it, it is not asked again.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import sqlalchemy as sa
from flask import current_app

from server.database import database_reachable
from server.errors import error_response
from server.extensions import db

log = logging.getLogger(__name__)

UPGRADE_COMMAND = "flask --app server db upgrade"
RETRY_AFTER_SECONDS = 30
# undefined_table, undefined_column (PostgreSQL); SQLite says it in words
_MISSING_SQLSTATES = {"42P01", "42703"}
_MISSING_WORDS = ("no such table", "no such column")


@functools.cache
def code_heads(migrations_dir: str) -> tuple[str, ...]:
    """The revision(s) the code expects: the heads of the migrations folder."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", migrations_dir)
    return tuple(sorted(ScriptDirectory.from_config(config).get_heads()))


def database_revisions() -> tuple[str, ...]:
    """The revision(s) recorded in the database; () when it was never migrated."""
    try:
        with db.session.begin_nested():
            rows = db.session.scalars(sa.text("SELECT version_num FROM alembic_version")).all()
    except sa.exc.DBAPIError:
        return ()
    return tuple(sorted(rows))


def schema_state() -> dict[str, Any]:
    """{"ready": bool, "database": "X" or "none", "code": "Y"}; logs once when it is behind."""
    state = current_app.extensions.setdefault("party_schema", {"ready": False, "logged": False})
    expected = code_heads(current_app.config["DATABASE_MIGRATIONS_DIR"])
    code = ",".join(expected)
    if state["ready"]:
        return {"ready": True, "database": code, "code": code}
    found = database_revisions()
    at = ",".join(found) or "none"
    state["ready"] = found == expected
    if not state["ready"] and not state["logged"]:
        state["logged"] = True
        log.error("database schema is at %s, code expects %s: run `%s`", at, code,
                  UPGRADE_COMMAND)
    return {"ready": state["ready"], "database": at, "code": code}


def _redis_urls() -> list[str]:
    urls = [current_app.config["REDIS_URL"], current_app.config["RATELIMIT_STORAGE_URI"]]
    return sorted({u for u in urls if u.startswith(("redis://", "rediss://", "unix://"))})


def redis_answers(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def readiness() -> tuple[bool, dict[str, str], dict[str, Any]]:
    """(ready, {check: "ok" | what is wrong}, the schema's revisions)."""
    checks: dict[str, str] = {}
    schema: dict[str, Any] = {}
    checks["database"] = "ok" if database_reachable() else "unreachable"
    if checks["database"] == "ok":
        schema = schema_state()
        checks["schema"] = "ok" if schema["ready"] else "not_migrated"
    else:
        checks["schema"] = "unknown"
    for index, url in enumerate(_redis_urls()):
        checks["redis" if index == 0 else f"redis_{index + 1}"] = (
            "ok" if redis_answers(url) else "unreachable")
    return all(value == "ok" for value in checks.values()), checks, schema


# ------------------------------------------------------------- a request on an old schema

def is_missing_schema_error(error: BaseException) -> bool:
    original = getattr(error, "orig", None)
    if getattr(original, "sqlstate", None) in _MISSING_SQLSTATES:
        return True
    text = str(original or error).lower()
    return any(words in text for words in _MISSING_WORDS)


def schema_not_migrated_response(error: BaseException):
    """The 503 for a request that met a missing table or column while the schema is behind;
    None when the schema is at its head (then the error is a real one)."""
    if not is_missing_schema_error(error):
        return None
    db.session.rollback()
    try:
        state = schema_state()
    except sa.exc.SQLAlchemyError:
        return None
    if state["ready"]:
        return None
    response = error_response(
        503, "schema_not_migrated",
        f"数据库结构尚未升级到当前版本，请管理员运行 {UPGRADE_COMMAND} 后重试",
        {"database_revision": state["database"], "code_revision": state["code"],
         "retry_after": RETRY_AFTER_SECONDS})
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
