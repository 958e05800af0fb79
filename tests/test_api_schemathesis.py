"""Schemathesis over the OpenAPI document: no endpoint answers 500, anonymous or logged in.

Anonymous callers are fuzzed on the public operations only: every other operation answers 401
before it reads its path's ids, query or body (the guard, server/guards.py), so fuzzing their
input as a stranger exercised the same line each time — that is checked once per operation,
for the exact answer, by `test_every_operation_that_needs_a_login_answers_401_first`."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from server.auth.models import Role

# /readyz answers 503 by design here: the tests' schema is made without migrations, so it is
# not at the migrations' head (tests/deploy/test_readiness.py checks both of its answers)
schema = schemathesis.pytest.from_fixture("api_schema").exclude(path="/readyz")


def _public(operation: dict) -> bool:
    """No login needed: the operation's own security lists no scheme (`[{}]`)."""
    return operation.get("security") in ([], [{}])


def _is_public(ctx) -> bool:
    return _public(ctx.operation.definition.raw)


public_schema = schema.include(_is_public)
fuzz = settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture
def api_schema(app, org, make_staff, make_member):
    make_member("m1", org.buildings[0], org.units[0])
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


@pytest.fixture
def member_headers(api_schema, login) -> dict:
    return {"Authorization": f"Bearer {login('m1').token}"}


@pytest.fixture
def staff_headers(api_schema, login) -> dict:
    return {"Authorization": f"Bearer {login('staffA').token}"}


@public_schema.parametrize()
@fuzz
def test_no_public_endpoint_answers_500_to_anonymous_callers(case):
    case.call_and_validate(checks=[not_a_server_error])


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
def test_no_endpoint_answers_500_to_a_member(case, member_headers):
    case.call_and_validate(headers=member_headers, checks=[not_a_server_error])


@schema.parametrize()
@fuzz
def test_no_endpoint_answers_500_to_community_staff(case, staff_headers):
    case.call_and_validate(headers=staff_headers, checks=[not_a_server_error])
