"""Schemathesis over the OpenAPI document: no endpoint answers 500, anonymous or logged in."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from server.auth.models import Role

schema = schemathesis.pytest.from_fixture("api_schema")
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


@schema.parametrize()
@fuzz
def test_no_endpoint_answers_500_to_anonymous_callers(case):
    case.call_and_validate(checks=[not_a_server_error])


@schema.parametrize()
@fuzz
def test_no_endpoint_answers_500_to_a_member(case, member_headers):
    case.call_and_validate(headers=member_headers, checks=[not_a_server_error])


@schema.parametrize()
@fuzz
def test_no_endpoint_answers_500_to_community_staff(case, staff_headers):
    case.call_and_validate(headers=staff_headers, checks=[not_a_server_error])
