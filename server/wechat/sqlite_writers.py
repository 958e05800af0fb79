"""Which SQLite connections of this thread hold the write lock, so that the token store can
write in that transaction instead of waiting forever for a second one.

Every SQLite transaction is BEGIN IMMEDIATE (server/database.py): a thread that already has
one open (a request's) and opens another on a second connection would wait on itself.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from server.database import is_sqlite

_open = threading.local()


def _connections() -> dict[int, Connection]:
    if not hasattr(_open, "connections"):
        _open.connections = {}
    return _open.connections


@event.listens_for(Engine, "begin")
def _note_begin(conn: Connection) -> None:
    if is_sqlite(conn):
        _connections()[id(conn)] = conn


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _note_end(conn: Connection) -> None:
    if is_sqlite(conn):
        _connections().pop(id(conn), None)


def writer_of_this_thread(engine: Engine) -> Connection | None:
    """The connection of this thread holding `engine`'s SQLite write lock, if any."""
    if not is_sqlite(engine):
        return None
    for conn in list(_connections().values()):
        if not conn.closed and conn.in_transaction() and conn.engine.url == engine.url:
            return conn
    return None


@contextmanager
def own_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction of its own, so a request's transaction is not touched; except on SQLite
    when this thread already holds the write lock: then nobody else can be writing, and the
    work joins that transaction (lost only if it rolls back)."""
    writer = writer_of_this_thread(engine)
    if writer is not None:
        yield writer
        return
    with engine.begin() as conn:
        yield conn
