"""The ceiling of the clock-in burst: a bare Flask endpoint doing one INSERT, served by the same
gunicorn settings and the same SQLAlchemy pool settings as the app.

    gunicorn -w 2 'bench.bare_app:create_app()'   (BENCH_BARE_DATABASE_URL names the database)
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask, jsonify, request

DDL = """CREATE TABLE IF NOT EXISTS bench_bare (
    id bigserial PRIMARY KEY, member_id integer NOT NULL, activity_id integer NOT NULL,
    created_at timestamp NOT NULL DEFAULT (now() at time zone 'utc'))"""


def create_app() -> Flask:
    app = Flask(__name__)
    import server.unavailable  # noqa: F401 - the app's checkout check of closed connections
    from server.config import DEFAULTS
    from server.database import engine_options

    url = os.environ["BENCH_BARE_DATABASE_URL"]
    # the app's pool settings, from the one place that makes them (size, overflow, pre-ping)
    engine = sa.create_engine(url, **engine_options(url, DEFAULTS))
    insert = sa.text("INSERT INTO bench_bare (member_id, activity_id) VALUES (:m, :a) "
                     "RETURNING id")

    @app.get("/healthz")
    def healthz():
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return jsonify(status="ok")

    @app.post("/bare/<int:activity_id>")
    def bare(activity_id):
        body = request.get_json(force=True)
        with engine.begin() as conn:
            row_id = conn.execute(insert, {"m": body["member_id"], "a": activity_id}).scalar()
        return jsonify(id=row_id, activity_id=activity_id, member_id=body["member_id"])

    return app
