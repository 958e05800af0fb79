"""Fixtures: a real database (SQLite file, or PostgreSQL from TEST_DATABASE_URL), a fresh app per
test, the stand-in WeChat API on loopback, and clients logged in through it."""

from __future__ import annotations

import contextlib
import functools
import gc
import itertools
import json as _json
import os
import sqlite3
import types
import uuid
from dataclasses import dataclass

import flask
import pytest
import sqlalchemy as sa

from server import create_app
from server.auth.models import Role, User
from server.auth.service import grant_role
from server.extensions import db
from server.members.models import (
    Building,
    Community,
    EmployerUnit,
    Grid,
    Member,
    Registration,
    RegistrationStatus,
    Street,
)
from server.timeutil import utcnow
from server.wechat.client import forget_cached_tokens
from server.wechat.standin import StandInServer, demo_openid
from tests.openapi_check import ResponseChecker

APPID, SECRET = "wx-test-appid", "test-secret"


def _worker() -> str:
    """The pytest-xdist worker's id ("gw0", "gw1", …), or "" when pytest runs alone."""
    return os.environ.get("PYTEST_XDIST_WORKER", "")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The database this worker's tests run on: one SQLite file per worker, or for PostgreSQL
    TEST_DATABASE_URL itself, or under pytest-xdist a database of each worker's own (the name
    plus the worker id), created for the run and dropped after it."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    url = sa.make_url(base)
    if not url.get_backend_name().startswith("postgresql"):
        yield base
        return
    # Commits need not wait for the disk: a throw-away database is never recovered after a
    # crash, and what another connection sees is the same either way.
    # (written without a space: libpq URIs do not read "+" as one)
    url = url.update_query_dict({"options": "-csynchronous_commit=off"})
    if not _worker():
        yield url.render_as_string(hide_password=False)
        return
    own = url.set(database=f"{url.database}_{_worker()}")
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT",
                             poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{own.database}"'))
    yield own.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def standin():
    server = StandInServer(port=0, appid=APPID, secret=SECRET)
    server.start()
    yield server
    server.stop()


def app_settings(database_url: str, standin: StandInServer, **overrides) -> dict:
    return {
        "APP_ENV": "test",
        "DATABASE_URL": database_url,
        "WECHAT_APPID": APPID,
        "WECHAT_SECRET": SECRET,
        "WECHAT_API_BASE_URL": standin.url,
        "WECHAT_MAX_RETRIES": 2,
        "RATELIMIT_ENABLED": False,
        **overrides,
    }


class EmptySchema:
    """The created schema, built once per worker; `restore()` brings the database back to it
    before each test: a page copy of a saved SQLite file, or on PostgreSQL one round trip that
    empties the tables and restarts the sequences."""

    def __init__(self, database_url: str, template_path: str | None):
        self.url = sa.make_url(database_url)
        self.template_path = template_path
        self.engine: sa.Engine | None = None
        if self.url.get_backend_name() == "postgresql":
            self.engine = sa.create_engine(self.url, isolation_level="AUTOCOMMIT", pool_size=1)
            self._reset_sql = sa.text(_pg_reset_block([t.name for t in db.metadata.sorted_tables]))
        else:
            _copy_sqlite(self.url.database, template_path)

    def restore(self) -> None:
        if self.engine is not None:
            with self.engine.connect() as conn:
                conn.execute(self._reset_sql)
        else:
            _copy_sqlite(self.template_path, self.url.database)

    def snapshot(self, copy_path: str) -> Snapshot:
        """The database as it is now, to come back to before each of many tests (the API fuzz's
        one world per worker): a saved copy of the SQLite file, or on PostgreSQL one round trip
        that empties the tables, inserts the saved rows again and sets the sequences back."""
        if self.engine is None:
            _copy_sqlite(self.url.database, copy_path)
            return Snapshot(self, None, copy_path)
        with self.engine.connect() as conn:
            inserts = []
            for table in db.metadata.sorted_tables:
                rows = conn.execute(sa.text(f'SELECT json_agg(t) FROM "{table.name}" t')).scalar()
                if rows:
                    inserts.append(f'INSERT INTO "{table.name}" SELECT * FROM '
                                   f'json_populate_recordset(NULL::"{table.name}", '
                                   f'$rows${_text_literal(_json.dumps(rows))}$rows$);')
            sequences = conn.execute(sa.text(
                "SELECT schemaname, sequencename, last_value FROM pg_sequences "
                "WHERE last_value IS NOT NULL AND schemaname = current_schema()")).all()
        setvals = [f"PERFORM setval('\"{schema}\".\"{name}\"', {value});"
                   for schema, name, value in sequences]
        names = [t.name for t in db.metadata.sorted_tables]
        return Snapshot(self, sa.text(_pg_reset_block(names, "\n  ".join(inserts + setvals))),
                        None)

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()


def _text_literal(value: str) -> str:
    """`value` inside sa.text(): a colon there would start a bind parameter."""
    return value.replace(":", "\\:")


@dataclass
class Snapshot:
    schema: EmptySchema
    _restore_sql: sa.TextClause | None
    copy_path: str | None

    def restore(self) -> None:
        if self._restore_sql is not None:
            with self.schema.engine.connect() as conn:
                conn.execute(self._restore_sql)
        else:
            _copy_sqlite(self.copy_path, self.schema.url.database)


def _copy_sqlite(source: str, target: str) -> None:
    # SQLite's backup API rather than a file copy: right whatever WAL or -shm file is left
    source_db, target_db = sqlite3.connect(source), sqlite3.connect(target)
    try:
        source_db.backup(target_db)
    finally:
        target_db.close()
        source_db.close()


def _pg_reset_block(tables: list[str], then: str = "") -> str:
    """One DO block: DELETE every table, children first, and restart the sequences that moved
    (then `then`: a snapshot's rows put back).
    DELETE rather than TRUNCATE: TRUNCATE makes new files for each table and its indexes and
    waits for the disk, about a second a test on a busy machine, where DELETE of a test's few
    rows takes milliseconds."""
    names = ", ".join(f"'{name}'" for name in reversed(tables))
    return f"""
DO $$
DECLARE
  name text;
  seq record;
BEGIN
  SET LOCAL lock_timeout = '20s';  -- a test that left a transaction open fails, not hangs
  FOREACH name IN ARRAY ARRAY[{names}] LOOP
    EXECUTE format('DELETE FROM %I', name);
  END LOOP;
  FOR seq IN SELECT schemaname, sequencename FROM pg_sequences
             WHERE last_value IS NOT NULL AND schemaname = current_schema() LOOP
    EXECUTE format('ALTER SEQUENCE %I.%I RESTART', seq.schemaname, seq.sequencename);
  END LOOP;
  {then}
END $$"""


@pytest.fixture(scope="session")
def _schema(database_url, standin, tmp_path_factory):
    app = create_app(app_settings(database_url, standin))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.remove()
        db.engine.dispose()
        schema = EmptySchema(
            database_url, str(tmp_path_factory.mktemp("template") / "empty.sqlite3")
        )
        yield schema
        schema.close()
        if not _worker():  # a worker's own database is dropped whole
            db.drop_all()
            db.engine.dispose()


@functools.cache
def api_document() -> dict:
    """The OpenAPI document of the tests' apps (it depends on the API settings only, which are
    the same for every test): once per process, at collection for the API fuzz."""
    nowhere = types.SimpleNamespace(url="http://127.0.0.1:9/")  # the document calls nobody
    app = create_app(app_settings("sqlite://", nowhere))
    with app.app_context():
        return app.test_client().get("/api/openapi.json").json


@pytest.fixture(scope="session")
def response_checker() -> ResponseChecker:
    """Every test's responses, sampled, checked against the OpenAPI document."""
    return ResponseChecker(api_document())


def check_responses(app: flask.Flask, checker: ResponseChecker) -> None:
    """Each response of `app` is recorded by the checker (the test fails on a problem)."""

    @app.after_request
    def _check_against_the_document(response):
        rule = flask.request.url_rule
        checker.record(rule.rule if rule else None, flask.request.method, response)
        return response


@pytest.fixture
def app(request, _schema, database_url, standin, response_checker):
    marker = request.node.get_closest_marker("settings")
    overrides = marker.kwargs if marker else {}
    # Restored before the test rather than after it: whatever ran before (another area's
    # own app on the same database, say) leaves nothing behind for this test.
    _schema.restore()
    app = create_app(app_settings(database_url, standin, **overrides))
    standin.state.reset()
    forget_cached_tokens()
    check_responses(app, response_checker)
    with serving(app, response_checker):
        yield app


@contextlib.contextmanager
def serving(app: flask.Flask, checker: ResponseChecker):
    """A test's time inside `app`: its context pushed, its connections closed after, and the
    test failed on any response the OpenAPI document does not describe."""
    seen_before = len(checker.problems)
    with app.app_context():
        yield
        db.session.remove()
        db.engine.dispose()
    problems = checker.problems[seen_before:]
    assert not problems, "responses the OpenAPI document does not describe:\n" + "\n".join(
        problems)


def pytest_configure(config):
    config.addinivalue_line("markers", "settings(**kw): app settings for this test")


def pytest_collection_finish(session):
    """Keep the garbage collector off what lives for the whole run. Every test builds an app, a
    large web of cycles, so full collections come often, and each scanned every imported module
    again: a fifth of the suite's CPU time. Frozen objects are not scanned; a larger first
    threshold makes full collections half as frequent."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


@pytest.fixture
def client(app):
    return app.test_client()


_codes = itertools.count()


@dataclass
class Caller:
    """A logged-in user of the API (through the real login and the stand-in WeChat)."""

    client: object
    token: str
    user_id: int
    login_name: str

    def _headers(self, key: str | None, headers: dict | None) -> dict:
        result = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        if key:
            result["Idempotency-Key"] = key
        return result

    def get(self, path, **kw):
        return self.client.get(path, headers=self._headers(None, kw.pop("headers", None)), **kw)

    def post(self, path, json=None, key: str | None = None, **kw):
        headers = self._headers(key, kw.pop("headers", None))
        return self.client.post(path, json=json, headers=headers, **kw)

    def put(self, path, json=None, key: str | None = None, **kw):
        headers = self._headers(key, kw.pop("headers", None))
        return self.client.put(path, json=json, headers=headers, **kw)

    def patch(self, path, json=None, key: str | None = None, **kw):
        headers = self._headers(key, kw.pop("headers", None))
        return self.client.patch(path, json=json, headers=headers, **kw)

    def delete(self, path, key: str | None = None, **kw):
        return self.client.delete(path, headers=self._headers(key, kw.pop("headers", None)), **kw)


def log_in(client, login_name: str) -> Caller:
    """Logs in with a fresh demo code through the API: the Caller."""
    code = f"demo:{login_name}:{next(_codes)}-{uuid.uuid4().hex[:6]}"
    response = client.post("/api/v1/auth/login", json={"code": code})
    assert response.status_code == 200, response.json
    body = response.json
    return Caller(client, body["token"], body["user"]["id"], login_name)


@pytest.fixture
def login(client):
    """login("zhang") logs in with a fresh demo code and returns a Caller."""
    return lambda login_name: log_in(client, login_name)


@dataclass
class Org:
    street: Street
    communities: list[Community]
    grids: list[Grid]  # two per community: [c0g0, c0g1, c1g0, c1g1]
    buildings: list[Building]  # two per grid
    units: list[EmployerUnit]


@pytest.fixture
def org(app) -> Org:
    """A street with two communities, each with two grids of two buildings; two units."""
    return make_org()


def make_org() -> Org:
    street = Street(name="测试街道")
    db.session.add(street)
    db.session.flush()
    communities, grids, buildings = [], [], []
    for c in range(2):
        community = Community(street_id=street.id, name=f"社区{c + 1}")
        db.session.add(community)
        db.session.flush()
        communities.append(community)
        for g in range(2):
            grid = Grid(community_id=community.id, name=f"第{g + 1}网格")
            db.session.add(grid)
            db.session.flush()
            grids.append(grid)
            for b in range(2):
                building = Building(
                    community_id=community.id, grid_id=grid.id, name=f"{g + 1}-{b + 1}号楼"
                )
                db.session.add(building)
                buildings.append(building)
    units = [EmployerUnit(name="甲单位", party_org_name="甲单位党委"),
             EmployerUnit(name="乙单位", party_org_name="乙单位党委")]
    db.session.add_all(units)
    db.session.commit()
    return Org(street, communities, grids, buildings, units)


def make_user(login_name: str) -> User:
    user = db.session.scalar(sa.select(User).filter_by(openid=demo_openid(login_name)))
    if user is None:
        user = User(openid=demo_openid(login_name), display_name=login_name)
        db.session.add(user)
        db.session.flush()
    return user


@pytest.fixture
def make_staff(app):
    """make_staff("staffA", Role.COMMUNITY_STAFF, community_id=…) → the user, with the grant."""

    return make_staff_user


def make_staff_user(login_name: str, role: Role, **place) -> User:
    user = make_user(login_name)
    grant_role(user, role, **place)
    db.session.commit()
    return user


@pytest.fixture
def make_member(app):
    """make_member("m1", building, unit=…) → a member with an approved registration."""
    return make_member_row


def make_member_row(login_name: str, building: Building, unit: EmployerUnit | None = None,
                    member_type: str = "in_service", name: str | None = None,
                    **fields) -> Member:
    user = make_user(login_name)
    member = Member(
        user_id=user.id,
        name=name or f"党员{login_name}",
        phone="13912345678",
        member_type=member_type,
        employer_unit_id=unit.id if unit else None,
        community_id=building.community_id,
        building_id=building.id,
        room="101",
        privacy_version="2026-11",
        privacy_agreed_at=utcnow(),
        **fields,
    )
    db.session.add(member)
    db.session.flush()
    db.session.add(
        Registration(
            member_id=member.id,
            community_id=building.community_id,
            building_id=building.id,
            room="101",
            status=RegistrationStatus.APPROVED,
            decided_at=utcnow(),
        )
    )
    db.session.commit()
    return member


__all__ = ["Role"]
