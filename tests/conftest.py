"""Fixtures: a real database (SQLite file, or PostgreSQL from TEST_DATABASE_URL), a fresh app per
test, the stand-in WeChat API on loopback, and clients logged in through it."""

from __future__ import annotations

import itertools
import os
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


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    )


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


@pytest.fixture(scope="session")
def _schema(database_url, standin):
    app = create_app(app_settings(database_url, standin))
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _empty_all_tables() -> None:
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(scope="session")
def response_checker(database_url, standin) -> ResponseChecker:
    """Every test's responses, sampled, checked against the OpenAPI document."""
    app = create_app(app_settings(database_url, standin))
    with app.app_context():
        return ResponseChecker(app.test_client().get("/api/openapi.json").json)


@pytest.fixture
def app(request, _schema, database_url, standin, response_checker):
    marker = request.node.get_closest_marker("settings")
    overrides = marker.kwargs if marker else {}
    app = create_app(app_settings(database_url, standin, **overrides))
    standin.state.reset()
    forget_cached_tokens()
    seen_before = len(response_checker.problems)

    @app.after_request
    def _check_against_the_document(response):
        rule = flask.request.url_rule
        response_checker.record(rule.rule if rule else None, flask.request.method, response)
        return response

    with app.app_context():
        yield app
        db.session.remove()
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()
    problems = response_checker.problems[seen_before:]
    assert not problems, "responses the OpenAPI document does not describe:\n" + "\n".join(
        problems)


def pytest_configure(config):
    config.addinivalue_line("markers", "settings(**kw): app settings for this test")


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


@pytest.fixture
def login(client):
    """login("zhang") logs in with a fresh demo code and returns a Caller."""

    def _login(login_name: str) -> Caller:
        code = f"demo:{login_name}:{next(_codes)}-{uuid.uuid4().hex[:6]}"
        response = client.post("/api/v1/auth/login", json={"code": code})
        assert response.status_code == 200, response.json
        body = response.json
        return Caller(client, body["token"], body["user"]["id"], login_name)

    return _login


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

    def _make(login_name: str, role: Role, **place) -> User:
        user = make_user(login_name)
        grant_role(user, role, **place)
        db.session.commit()
        return user

    return _make


@pytest.fixture
def make_member(app):
    """make_member("m1", building, unit=…) → a member with an approved registration."""

    def _make(login_name: str, building: Building, unit: EmployerUnit | None = None,
              member_type: str = "in_service", name: str | None = None, **fields) -> Member:
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

    return _make


__all__ = ["Role"]
