"""Each request's id (X-Request-ID), the log lines that carry it (text or JSON lines), and the
access line with what the request took.

nginx sets X-Request-ID; without one the app makes one. The id is echoed on every answer and
is in every log line written while the request runs, so one grep follows a request from nginx's
log through the app's.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask, Response, g, has_request_context, request

HEADER = "X-Request-ID"
# what is kept of a caller's id: enough for nginx's 32 hex digits or a UUID, nothing to inject
_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
# the access line's own fields, shown as JSON keys (and appended to the text line)
ACCESS_FIELDS = ("method", "path", "status", "duration_ms", "remote_addr", "user_id")
ACCESS_MESSAGE = "%s %s %s %.1fms %s user=%s"

access_log = logging.getLogger("server.access")


def current_request_id() -> str:
    if has_request_context():
        return g.get("request_id") or "-"
    return "-"


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request_id, and
    the access line's fields when the record has them."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for name in ACCESS_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


_factory_installed = False


def _install_record_factory() -> None:
    """Every record gets `request_id`, whichever handler (ours, pytest's, gunicorn's) shows it."""
    global _factory_installed
    if _factory_installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        record.request_id = current_request_id()
        return record

    logging.setLogRecordFactory(factory)
    _factory_installed = True


def configure_logging(log_format: str) -> logging.Handler:
    """The root logger's handler of this service (one, however many apps a process makes),
    formatted as `log_format` says; returned so that a test can read what it writes."""
    _install_record_factory()
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "party_handler", False)), None)
    if handler is None:
        handler = logging.StreamHandler()
        handler.party_handler = True
        root.addHandler(handler)
        if root.level == logging.NOTSET or root.level > logging.INFO:
            root.setLevel(logging.INFO)
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(
        TEXT_FORMAT))
    return handler


def _start():
    given = request.headers.get(HEADER, "")
    g.request_id = given if _ID.fullmatch(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def caller_user_id() -> int | None:
    """The logged-in caller's user id if the request looked it up, without another query
    (the identity key stays readable after the commit expired the row)."""
    login = g.get("auth_login")
    if not isinstance(login, tuple):
        return None
    identity = sa.inspect(login[1]).identity
    return identity[0] if identity else None


def _finish(response: Response) -> Response:
    if "request_id" not in g:  # a request refused before this module's first hook ran
        _start()
    response.headers[HEADER] = g.request_id
    if not access_log.isEnabledFor(logging.INFO):
        return response  # nothing is written: nothing to gather
    duration_ms = round((time.perf_counter() - g.request_started) * 1000, 1)
    fields = {"method": request.method, "path": request.path, "status": response.status_code,
              "duration_ms": duration_ms, "remote_addr": request.remote_addr,
              "user_id": caller_user_id()}
    # made and handed over directly: Logger.info would walk the stack to find its caller for
    # every request, and no format of ours shows it
    access_log.handle(access_log.makeRecord(
        access_log.name, logging.INFO, __file__, 0, ACCESS_MESSAGE, tuple(fields.values()),
        None, extra=fields))
    return response


def init_request_log(app: Flask) -> None:
    """The id is made before any other hook runs (a refusal by the rate limiter is logged with
    it too), and the access line is written after every other hook, the commit included."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
