"""The read-only replica: which reads may use it, read-your-writes, and falling back.

A service wraps the reads that tolerate a second of lag (leaderboards, statistics, boards and
their exports) in ``with reading_from_replica():`` or decorates itself with ``@replica_read``;
every other read, and every write anywhere, goes to the primary. Inside the block `db.session`
is the same session with the same models: its plain SELECTs run on the replica engine
(server/routing_session.py).

Read-your-writes: after a logged-in caller's write (a POST, PUT, PATCH or DELETE that
committed), ``ryw:<user id>`` is set in Redis for ``database.read_your_writes_seconds``;
while it lives, that caller's replica reads go to the primary. Redis is shared by every app
server, so the caller may land on any of them. Redis out of reach counts as "wrote just now"
(the primary: never a stale answer). Without `redis.url` (development, one process) the marks
are kept in the process.

The replica out of reach (refused, reset, timed out): the read falls back to the primary, a
warning is logged, and the replica is left alone for ``RETRY_AFTER_SECONDS``.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, has_request_context, request
from sqlalchemy import event

from server import database
from server.extensions import db
from server.requestlog import caller_user_id
from server.routing_session import REPLICA_KEY

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_CONNECT_ERRORS = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError,
                   sa.exc.DisconnectionError)


@dataclass
class Replica:
    engine: sa.Engine
    down_until: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def is_resting(self) -> bool:
        return time.monotonic() < self.down_until

    def rest(self, error: BaseException) -> None:
        with self.lock:
            first = not self.is_resting()
            self.down_until = time.monotonic() + RETRY_AFTER_SECONDS
        if first:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            log.warning("replica database unavailable, reading from the primary for %ss: %s",
                        RETRY_AFTER_SECONDS, reason)


def replica_of(app: Flask) -> Replica | None:
    return app.extensions.get("party_replica")


def init_replica(app: Flask, settings: dict[str, Any]) -> None:
    """The replica's engine (the primary's options), when `database.replica_url` is set."""
    url = settings["DATABASE_REPLICA_URL"]
    if not url:
        return
    engine = sa.create_engine(url, **database.engine_options(url, settings))
    replica = Replica(engine)

    @event.listens_for(engine, "handle_error")
    def _lost(context):  # a replica that dies mid-read: rest it before the next request
        if context.is_disconnect:
            replica.rest(context.original_exception)

    app.extensions["party_replica"] = replica
    # g outlives a request when a test or a CLI holds the app context open
    app.before_request(lambda: g.pop("replica_allowed", None))
    app.after_request(_remember_write)


# ------------------------------------------------------------------ read-your-writes marks

_local_marks: dict[int, float] = {}


@functools.lru_cache(maxsize=4)
def _redis(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)


def mark_recent_write(user_id: int) -> None:
    seconds = current_app.config["DATABASE_READ_YOUR_WRITES_SECONDS"]
    url = current_app.config["REDIS_URL"]
    if not url:
        _local_marks[user_id] = time.monotonic() + seconds
        return
    try:
        _redis(url).set(f"ryw:{user_id}", 1, ex=max(seconds, 1))
    except Exception as error:  # the reads that follow find Redis out too: primary
        log.warning("read-your-writes mark not kept (Redis): %s", error)


def wrote_recently(user_id: int) -> bool:
    url = current_app.config["REDIS_URL"]
    if not url:
        return _local_marks.get(user_id, 0.0) > time.monotonic()
    try:
        return bool(_redis(url).exists(f"ryw:{user_id}"))
    except Exception as error:
        log.warning("read-your-writes mark not readable (Redis), reading the primary: %s", error)
        return True


def _remember_write(response: Response) -> Response:
    # registered before the request's commit hook, so it runs after the commit
    if request.method in WRITE_METHODS and response.status_code < 400:
        user_id = caller_user_id()
        if user_id is not None:
            mark_recent_write(user_id)
    return response


# ------------------------------------------------------------------ the one API services use

def _engine_for_this_read() -> sa.Engine | None:
    """The replica's engine when this read may use it (connected), else None (the primary)."""
    replica = replica_of(current_app)
    if replica is None or replica.is_resting():
        return None
    if has_request_context():
        if "replica_allowed" not in g:
            user_id = caller_user_id()
            g.replica_allowed = user_id is None or not wrote_recently(user_id)
        if not g.replica_allowed:
            return None
    try:  # connect now, so that a replica out of reach is a fallback, not a failed read
        db.session.connection(bind_arguments={"bind": replica.engine})
    except _CONNECT_ERRORS as error:
        replica.rest(error)
        return None
    return replica.engine


@contextlib.contextmanager
def reading_from_replica() -> Iterator[None]:
    """Plain reads inside the block use the replica when there is one and the caller has not
    just written; writes and locks inside it still go to the primary."""
    session = db.session()
    if session.info.get(REPLICA_KEY) is not None:  # nested: the outer block decided
        yield
        return
    engine = _engine_for_this_read()
    if engine is None:
        yield
        return
    session.info[REPLICA_KEY] = engine
    try:
        yield
    finally:
        session.info.pop(REPLICA_KEY, None)


def replica_read(function: Callable) -> Callable:
    """`reading_from_replica()` around a whole service function."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with reading_from_replica():
            return function(*args, **kwargs)

    return wrapper
