"""Schemathesis over the OpenAPI document: no endpoint answers 500, anonymous or logged in.

Each operation is a test of its own (the document is read at collection), so pytest-xdist
spreads the operations over the cores. They all run in one world per worker: a street, a member
"m1" and community staff "staffA", each logged in once; the database is put back to that world
before each operation, so what one operation did (a logout, an account deletion) is not what
the next one meets. Each generated request is sent as the member and then as the staff, each
answer checked: the operations and checks of a fuzz per caller, the generation done once.

Anonymous callers are fuzzed on the public operations only: every other operation answers 401
before it reads its path's ids, query or body (the guard, server/guards.py), so fuzzing their
input as a stranger exercised the same line each time — that is checked once per operation,
for the exact answer, by `test_every_operation_that_needs_a_login_answers_401_first`."""

from __future__ import annotations

import re
from dataclasses import dataclass

import flask
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from server import create_app
from server.auth.models import Role
from server.extensions import db
from server.wechat.client import forget_cached_tokens
from tests.conftest import (
    api_document,
    app_settings,
    check_responses,
    log_in,
    make_member_row,
    make_org,
    make_staff_user,
    serving,
)


def _public(operation: dict) -> bool:
    """No login needed: the operation's own security lists no scheme (`[{}]`)."""
    return operation.get("security") in ([], [{}])


def _is_public(ctx) -> bool:
    return _public(ctx.operation.definition.raw)


# /readyz answers 503 by design here: the tests' schema is made without migrations, so it is
# not at the migrations' head (tests/deploy/test_readiness.py checks both of its answers)
schema = schemathesis.openapi.from_dict(api_document()).exclude(path="/readyz")
public_schema = schema.include(_is_public)
fuzz = settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))


@dataclass
class World:
    app: flask.Flask
    callers: dict[str, dict]  # "member" / "staff" → the headers of their login
    snapshot: object


@pytest.fixture(scope="session")
def _world(_schema, database_url, standin, response_checker, tmp_path_factory) -> World:
    """The fuzz's app and world, made once per worker, its database saved as a snapshot."""
    _schema.restore()
    standin.state.reset()
    forget_cached_tokens()
    app = create_app(app_settings(database_url, standin))
    check_responses(app, response_checker)
    with app.app_context():
        org = make_org()
        make_member_row("m1", org.buildings[0], org.units[0])
        make_staff_user("staffA", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
        client = app.test_client()
        callers = {name: {"Authorization": f"Bearer {log_in(client, login_name).token}"}
                   for name, login_name in (("member", "m1"), ("staff", "staffA"))}
        db.session.remove()
        db.engine.dispose()
    snapshot = _schema.snapshot(str(tmp_path_factory.mktemp("fuzz") / "world.sqlite3"))
    return World(app, callers, snapshot)


@pytest.fixture
def world(_world, standin, response_checker) -> World:
    """The world as it was made, for one operation; its responses checked like every test's."""
    _world.snapshot.restore()
    standin.state.reset()
    forget_cached_tokens()
    with serving(_world.app, response_checker):
        yield _world


@public_schema.parametrize()
@fuzz
def test_no_public_endpoint_answers_500_to_anonymous_callers(case, world):
    case.call_and_validate(app=world.app, checks=[not_a_server_error])


LOGIN_NEEDED = {"unauthorized", "console_session_required"}


def _path_value(parameters: list, name: str) -> str:
    """A value the path's converter accepts (an id, or a fixed-length token)."""
    for parameter in parameters:
        if parameter.get("in") == "path" and parameter["name"] == name:
            schema = parameter.get("schema", {})
            if schema.get("enum"):
                return str(schema["enum"][0])
            if schema.get("type") == "string":
                return "a" * max(schema.get("minLength", 1), 1)
    return "1"


def test_every_operation_that_needs_a_login_answers_401_first(app, client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    checked = 0
    for path, operations in paths.items():
        parameters = operations.get("parameters", [])
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            if _public(operation):
                continue
            url = re.sub(r"\{(\w+)\}",
                         lambda m, given=parameters: _path_value(given, m.group(1)), path)
            response = client.open(url, method=method.upper(), json={"x": 1})
            assert (method, path, response.status_code) == (method, path, 401)
            assert response.get_json()["code"] in LOGIN_NEEDED, (method, path)
            checked += 1
    assert checked >= 150


@schema.parametrize()
@fuzz
def test_no_endpoint_answers_500_to_a_member_or_to_community_staff(case, world):
    for caller, headers in world.callers.items():
        try:
            case.call_and_validate(app=world.app, headers=headers, checks=[not_a_server_error])
        except BaseException as error:
            error.add_note(f"(sent as the {caller})")
            raise
