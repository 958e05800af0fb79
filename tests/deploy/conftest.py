"""Fixtures of the deploy tests: a second real database standing in for the replica (a second
database on the same PostgreSQL server, or a second SQLite file), and apps that use it."""

from __future__ import annotations

import itertools
import socket
import uuid

import pytest
import sqlalchemy as sa

from server import create_app
from server.extensions import db
from server.replica import replica_of
from tests.conftest import Caller, app_settings

_codes = itertools.count()


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def replica_url(_schema, database_url, tmp_path_factory) -> str:
    """An empty schema in a database of its own: `<primary>_replica` on the same PostgreSQL
    server, or a second SQLite file."""
    url = sa.make_url(database_url)
    if url.get_backend_name() != "postgresql":
        replica = f"sqlite:///{tmp_path_factory.mktemp('replica') / 'replica.sqlite3'}"
        admin = None
    else:
        name = f"{url.database}_replica"
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT",
                                 poolclass=sa.pool.NullPool)
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        replica = url.set(database=name).render_as_string(hide_password=False)
    engine = sa.create_engine(replica, poolclass=sa.pool.NullPool)
    db.metadata.create_all(engine)
    engine.dispose()
    yield replica
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}_replica" WITH (FORCE)'))
        admin.dispose()


def mirror(primary: sa.Engine, replica_url: str, renamed: str = "·副本") -> None:
    """The replica holds what the primary holds, except that every community's and street's
    name ends with `renamed`: an answer shows which database it was read from."""
    engine = sa.create_engine(replica_url, poolclass=sa.pool.NullPool)
    tables = db.metadata.sorted_tables
    with primary.connect() as source, engine.begin() as target:
        for table in reversed(tables):
            target.execute(table.delete())
        for table in tables:
            rows = [dict(row) for row in source.execute(sa.select(table)).mappings()]
            if rows:
                target.execute(table.insert(), rows)
        for table in ("communities", "streets"):
            target.execute(sa.text(f"UPDATE {table} SET name = name || :tail"),
                           {"tail": renamed})
    engine.dispose()


def make_app(database_url, standin, **settings):
    return create_app(app_settings(database_url, standin, **settings))


def close_app(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    replica = replica_of(app)
    if replica is not None:
        replica.engine.dispose()


def login_to(app, login_name: str) -> Caller:
    client = app.test_client()
    code = f"demo:{login_name}:{next(_codes)}-{uuid.uuid4().hex[:6]}"
    response = client.post("/api/v1/auth/login", json={"code": code})
    assert response.status_code == 200, response.json
    body = response.json
    return Caller(client, body["token"], body["user"]["id"], login_name)


def metric(client, line_start: str) -> float:
    """The value of the /metrics line that starts with `line_start` (0 when absent)."""
    text = client.get("/metrics").get_data(as_text=True)
    for line in text.splitlines():
        if line.startswith(line_start + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0
