"""gunicorn config for bench/lists.py: each worker counts the SQL statements of every request
and answers them in an `X-Bench-Statements` header (bench only; production has no such hook)."""

from __future__ import annotations

import threading

_count = threading.local()


def post_worker_init(worker) -> None:
    from flask import Response
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    app = worker.wsgi

    @event.listens_for(Engine, "before_cursor_execute")
    def _counted(*_args) -> None:
        _count.n = getattr(_count, "n", 0) + 1

    def _reset() -> None:
        _count.n = 0

    def _answer(response: Response) -> Response:
        response.headers["X-Bench-Statements"] = str(getattr(_count, "n", 0))
        return response

    # first before anything else (the login is loaded by the first before_request)
    app.before_request_funcs.setdefault(None, []).insert(0, _reset)
    app.after_request_funcs.setdefault(None, []).insert(0, _answer)  # run last
