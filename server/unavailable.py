"""The database out of reach (restarting, refusing, pool exhausted): a JSON 503 with Retry-After.

While PostgreSQL restarts, a request fails on a dead pooled connection, on a refused connect or
on the pool's wait. The member's client retries a 503 with the same Idempotency-Key, so the
answer must say "try again shortly" in the project's error shape, never an HTML 500.

Once the database is back, the pool replaces the dead connections by itself, without the round
trip per request that `pool_pre_ping` costs: a connection the server closed has its socket
readable while it sits idle in the pool (the server's "terminating connection" message, or end
of file), which a zero-timeout poll sees at checkout; the pool then drops every connection
opened before and connects afresh. A connection that dies silently (no FIN over a network)
fails its request, which answers 503, and the pool starts afresh as well.
"""

from __future__ import annotations

import logging
import select

from flask import Flask, Response
from sqlalchemy import event, exc
from sqlalchemy.pool import Pool
from werkzeug.exceptions import InternalServerError

from server.errors import error_response, handle_http_exception, handle_unexpected
from server.readiness import schema_not_migrated_response

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 2
# OperationalError: refused, reset, "the database system is shutting down", admin shutdown;
# InterfaceError: a connection closed under us; TimeoutError: no pooled connection in time.
UNAVAILABLE = (exc.OperationalError, exc.InterfaceError, exc.TimeoutError,
               exc.DisconnectionError)


@event.listens_for(Pool, "checkout")
def _drop_connections_the_server_closed(dbapi_connection, _record, _proxy) -> None:
    if getattr(dbapi_connection, "broken", False) or getattr(dbapi_connection, "closed", False):
        raise exc.InvalidatePoolError("connection closed")
    fileno = getattr(dbapi_connection, "fileno", None)
    if fileno is None:  # SQLite: a file, nothing to lose
        return
    poller = select.poll()
    poller.register(fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    if poller.poll(0):  # an idle connection has nothing to read unless the server hung up
        raise exc.InvalidatePoolError("the server closed the connection")


def database_unavailable_response(error: Exception) -> Response:
    # SQLite says "no such table" with an OperationalError: a schema not migrated, not an outage
    schema = schema_not_migrated_response(error)
    if schema is not None:
        return schema
    log.warning("database unavailable: %s", str(error).splitlines()[0] if str(error) else error)
    response = error_response(503, "database_unavailable", "系统正在维护，请稍后重试",
                              {"retry_after": RETRY_AFTER_SECONDS})
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _programming_error(error: exc.ProgrammingError):
    # PostgreSQL's undefined table or column: the schema is behind the code (else a real 500)
    return schema_not_migrated_response(error) or handle_unexpected(error)


def _internal_error(error: InternalServerError):
    # a failure in after_request (the request's COMMIT) reaches Flask as a 500 around it
    if isinstance(error.original_exception, UNAVAILABLE):
        return database_unavailable_response(error.original_exception)
    if isinstance(error.original_exception, exc.ProgrammingError):
        return _programming_error(error.original_exception)
    return handle_http_exception(error)


def init_database_unavailable(app: Flask) -> None:
    for error in UNAVAILABLE:
        app.register_error_handler(error, database_unavailable_response)
    app.register_error_handler(exc.ProgrammingError, _programming_error)
    app.register_error_handler(InternalServerError, _internal_error)
