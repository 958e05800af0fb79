"""/readyz is 200 only when the database and Redis answer and the schema is at the code's
migration head; an app on a database that was never migrated says what to run, and answers
its first login with a 503 `schema_not_migrated`, not a 500."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from server.readiness import code_heads
from tests.deploy.conftest import close_app, closed_port, make_app


@pytest.fixture
def schema_url(replica_url):
    """A database of the suite's kind holding the tables but no record of migrations."""
    engine = sa.create_engine(replica_url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    yield replica_url, engine
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


@pytest.fixture
def empty_url(database_url, tmp_path):
    """A database with no tables at all, as before the first `flask db upgrade`."""
    url = sa.make_url(database_url)
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"{url.database}_empty"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT",
                             poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def stamp(engine: sa.Engine, revision: str) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE IF NOT EXISTS alembic_version "
                             "(version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
        conn.execute(sa.text("DELETE FROM alembic_version"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES (:r)"), {"r": revision})


@pytest.fixture
def make(database_url, standin):
    apps = []

    def _make(url, **settings):
        made = make_app(url, standin, **settings)
        apps.append(made)
        return made.test_client()

    yield _make
    for made in apps:
        close_app(made)


def test_ready_when_the_schema_is_at_the_code_head(make, schema_url):
    url, engine = schema_url
    stamp(engine, code_heads_now())
    response = make(url).get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "ready"
    assert response.json["checks"] == {"database": "ok", "schema": "ok"}


def test_a_schema_behind_the_code_is_not_ready_and_says_what_to_run(make, schema_url, caplog):
    url, engine = schema_url
    stamp(engine, "0009_member_rights")
    client = make(url)
    with caplog.at_level(logging.ERROR, logger="server.readiness"):
        first, second = client.get("/readyz"), client.get("/readyz")
    for response in (first, second):
        assert response.status_code == 503
        assert response.json["code"] == "not_ready"
        assert response.json["details"]["checks"]["schema"] == "not_migrated"
        assert "flask --app server db upgrade" in response.json["message"]
    said = [r.getMessage() for r in caplog.records if r.name == "server.readiness"]
    assert said == [f"database schema is at 0009_member_rights, code expects "
                    f"{code_heads_now()}: run `flask --app server db upgrade`"]  # once


def test_a_login_on_a_database_never_migrated_is_a_503_that_says_what_to_run(make, empty_url,
                                                                             standin):
    client = make(empty_url)
    response = client.post("/api/v1/auth/login", json={"code": standin.state.issue_code()})
    assert response.status_code == 503
    assert response.json["code"] == "schema_not_migrated"
    assert "flask --app server db upgrade" in response.json["message"]
    assert response.json["details"]["database_revision"] == "none"
    assert response.json["details"]["code_revision"] == code_heads_now()
    assert response.headers["Retry-After"].isdigit()
    assert client.get("/readyz").status_code == 503


def test_redis_out_of_reach_is_not_ready(make, schema_url):
    url, engine = schema_url
    stamp(engine, code_heads_now())
    down = make(url, REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0").get("/readyz")
    assert down.status_code == 503
    assert down.json["details"]["checks"]["redis"] == "unreachable"
    up = make(url, REDIS_URL="redis://127.0.0.1:6379/15").get("/readyz")
    assert up.status_code == 200 and up.json["checks"]["redis"] == "ok"


def test_the_liveness_check_stays_as_it_was(client):
    assert client.get("/healthz").json["status"] == "ok"


def code_heads_now() -> str:
    from server.config import DEFAULTS

    return ",".join(code_heads(DEFAULTS["DATABASE_MIGRATIONS_DIR"]))
