"""Database behaviour that must be the same for every connection, set up once.

SQLite (the embedded default) needs WAL, a busy timeout and write transactions that take
the lock up front (BEGIN IMMEDIATE): a deferred read-then-write transaction fails with
"database is locked" under concurrent writers instead of waiting its turn.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

from server.extensions import db


def is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def engine_options(url: str, settings: dict) -> dict:
    if url.startswith("sqlite"):
        # pysqlite's timeout is SQLite's busy timeout: wait for the writer instead of failing
        return {"connect_args": {"timeout": settings["DATABASE_SQLITE_BUSY_TIMEOUT_MS"] / 1000}}
    return {
        "pool_size": settings["DATABASE_POOL_SIZE"],
        "max_overflow": settings["DATABASE_POOL_SIZE"],
        "pool_pre_ping": settings["DATABASE_POOL_PRE_PING"],
    }


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, _record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Take transaction control away from pysqlite so that BEGIN IMMEDIATE is ours to send.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # Switching to WAL needs the database to itself; once switched it stays, so only a new
    # database file is switched (asking again while another connection writes can fail busy).
    if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
