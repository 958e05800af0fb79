"""Database behaviour that must be the same for every connection, and the one place that
knows which database it is talking to.

SQLite (the embedded default) needs WAL, a busy timeout and write transactions that take
the lock up front (BEGIN IMMEDIATE): a deferred read-then-write transaction fails with
"database is locked" under concurrent writers instead of waiting its turn.

Nothing outside this module reads `dialect.name`: insert-or-ignore, upsert and row locks
are written once here for SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from weakref import WeakSet

import sqlalchemy as sa
from psycopg.pq import PipelineStatus
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from server.extensions import db

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def dialect_name(bind: Engine | Connection | None = None) -> str:
    """"sqlite" or "postgresql": of `bind`, or of the app's engine."""
    return (bind if bind is not None else db.engine).dialect.name


def is_sqlite(bind: Engine | Connection | None = None) -> bool:
    return dialect_name(bind) == "sqlite"


def is_postgresql(bind: Engine | Connection | None = None) -> bool:
    return dialect_name(bind) == "postgresql"


def _insert(table: Any, values: Any, bind: Engine | Connection | None):
    statement = _INSERTS[dialect_name(bind)](table)
    return statement if values is None else statement.values(values)


def insert_or_ignore(
    table: Any,
    values: Mapping[str, Any] | list[Mapping[str, Any]] | None = None,
    index_elements: Iterable[Any] | None = None,
    *,
    bind: Engine | Connection | None = None,
):
    """INSERT … ON CONFLICT DO NOTHING for the database in use: a row whose unique key
    already exists (a concurrent duplicate included) is skipped, not an error.

    `values` is a row, a list of rows, or None to give the parameters at execution time;
    `index_elements` names the unique key (None: any conflict). The caller may add
    `.returning(...)`: a skipped row returns nothing.
    """
    return _insert(table, values, bind).on_conflict_do_nothing(index_elements=index_elements)


def upsert(
    table: Any,
    values: Mapping[str, Any] | None,
    index_elements: Iterable[Any],
    set_: Mapping[str, Any] | Callable[[Any], Mapping[str, Any]],
    *,
    bind: Engine | Connection | None = None,
):
    """INSERT … ON CONFLICT (index_elements) DO UPDATE SET set_, atomic on both databases.

    `set_` is the columns to update, or a function given the row that was refused
    (`excluded`) that returns them, e.g. ``lambda new: {"n": table.c.n + new.n}``.
    """
    statement = _insert(table, values, bind)
    columns = set_(statement.excluded) if callable(set_) else set_
    return statement.on_conflict_do_update(index_elements=index_elements, set_=columns)


def lock_row(model: Any, row_id: Any) -> Any:
    """The row of `model` with id `row_id` (None when there is none), locked until the
    transaction ends so that check-then-write is exact: SELECT … FOR UPDATE on PostgreSQL;
    on SQLite the write transaction's BEGIN IMMEDIATE already serialises writers. The
    session's copy is refreshed from the locked row."""
    key = sa.inspect(model).primary_key[0]
    return db.session.scalar(
        sa.select(model)
        .where(key == row_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


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


def database_reachable() -> bool:
    """One round trip to the database; False (and the session rolled back) when it fails."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return False
    return True


# --- PostgreSQL: BEGIN and COMMIT ride with the transaction's first and last statements ------
# psycopg sends BEGIN as a command of its own and waits for its answer before the first
# statement (in pipeline mode too), and COMMIT after the last: a short request pays two round
# trips for them. Its connections are put in autocommit and the BEGIN becomes ours to send,
# queued in a psycopg pipeline ahead of the first statement and answered with it; a request's
# last write can be sent together with its COMMIT (`commit_with`). Statements run exactly as
# before, in one transaction; only the waiting is shared.

_BEGIN_PENDING = "party_begin_pending"
_SYNC_AFTER = "party_sync_after"
_FOLDING: WeakSet[Engine] = WeakSet()


def fold_transaction_edges(engine: Engine) -> None:
    """On PostgreSQL, send each transaction's BEGIN in the same round trip as its first
    statement (nothing changes for SQLite, whose round trips cost nothing)."""
    if engine.dialect.name != "postgresql":
        return
    event.listen(engine, "connect", _driver_autocommit)
    event.listen(engine, "begin", _begin_pending)
    event.listen(engine, "commit", _nothing_pending)
    event.listen(engine, "rollback", _nothing_pending)
    event.listen(engine, "checkout", _never_half_sent)
    event.listen(engine, "checkin", _forget_pending)
    event.listen(engine, "before_cursor_execute", _send_begin_ahead)
    event.listen(engine, "after_cursor_execute", _sync_after)
    event.listen(engine, "handle_error", _leave_pipeline)
    _FOLDING.add(engine)


def _driver_autocommit(dbapi_connection, _record) -> None:
    dbapi_connection.autocommit = True  # BEGIN is sent by _send_begin_ahead


def _begin_pending(connection: Connection) -> None:
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return  # asked for no transaction (e.g. VACUUM): no BEGIN either
    connection.connection.info[_BEGIN_PENDING] = True


def _nothing_pending(connection: Connection) -> None:
    # a transaction that ran no statement sent no BEGIN: nothing to end at the server
    if connection.invalidated:
        return  # lost mid-request (a restart): the pool drops it, and its info with it
    connection.connection.info.pop(_BEGIN_PENDING, None)


def _forget_pending(_dbapi_connection, record) -> None:
    if record is not None:
        record.info.pop(_BEGIN_PENDING, None)
        record.info.pop(_SYNC_AFTER, None)


def _never_half_sent(dbapi_connection, record, _proxy) -> None:
    _forget_pending(dbapi_connection, record)
    if dbapi_connection.pgconn.pipeline_status != PipelineStatus.OFF:
        # left in pipeline mode by a failure no handler saw: start afresh rather than guess
        raise sa.exc.InvalidatePoolError("connection left in pipeline mode")


def _send_begin_ahead(connection: Connection, cursor, *_args) -> None:
    info = connection.connection.info
    if not info.pop(_BEGIN_PENDING, False):
        return
    driver = cursor.connection
    if not driver.autocommit:
        return  # a connection made before folding was set up: psycopg begins by itself
    if driver.pgconn.pipeline_status == PipelineStatus.OFF:
        pipeline = driver.pipeline()
        pipeline.__enter__()
        info[_SYNC_AFTER] = (pipeline, False)
    driver.execute("BEGIN", prepare=False)  # queued, answered with the statement that follows


def _sync_after(connection: Connection, *_args) -> None:
    # inside SQLAlchemy's execution: an error answered here is wrapped (IntegrityError, a lost
    # connection invalidated) exactly as if the statement had failed on its own
    pending = connection.connection.info.pop(_SYNC_AFTER, None)
    if pending is not None:
        pipeline, commit = pending
        try:
            if commit:  # queuing it may already meet the statement's error (a unique key)
                connection.connection.driver_connection.execute("COMMIT", prepare=False)
        except BaseException as error:
            pipeline.__exit__(type(error), error, None)  # out of pipeline mode, then raised
            raise
        pipeline.__exit__(None, None, None)


def _leave_pipeline(context) -> None:
    connection = context.connection
    if connection is None or connection.invalidated:
        return
    pending = connection.connection.info.pop(_SYNC_AFTER, None)
    if pending is not None:
        error = context.original_exception
        pending[0].__exit__(type(error), error, None)


def commit_with(statement: Any, parameters: Mapping[str, Any]) -> None:
    """Execute `statement` (a write whose result nobody reads) and commit the session's
    transaction; on PostgreSQL the statement and the COMMIT go out together, one round trip.
    A failure of either is raised as SQLAlchemy raises it (IntegrityError, OperationalError)."""
    session = db.session
    connection = session.connection()
    if connection.engine not in _FOLDING:
        session.execute(statement, parameters)
        session.commit()
        return
    session.flush()  # the ORM's pending writes first, each answered as usual
    pipeline = connection.connection.driver_connection.pipeline()
    pipeline.__enter__()
    # after the statement is queued, _sync_after queues COMMIT behind it and waits for both
    info = connection.connection.info
    info[_SYNC_AFTER] = (pipeline, True)
    try:
        connection.execute(statement, parameters)  # Core: the ORM has nothing to add to it
    except BaseException as error:
        pending = info.pop(_SYNC_AFTER, None)  # still there when no statement was sent
        if pending is not None and not connection.invalidated:
            pipeline.__exit__(type(error), error, None)
        raise
    session.commit()  # the driver sees the transaction ended: nothing more is sent
