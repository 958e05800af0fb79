"""A stateful schemathesis run over the document's links, as a member, community staff and a
community secretary: no answer is a server error, none contradicts the document.

The links (server/apidoc/links.py) carry the id one call returns into the next call's path: a
list of communities leads to their activities, an activity to its sign-up, roster and records, a
created pledge to its notes. Each run is bounded (examples × steps) to keep CI fast; the figures
are printed with `-s`.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from server.auth.models import Role
from server.timeutil import utcnow

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
# calls that would end the run's own session
EXCLUDED = ["/api/v1/auth/logout"]
# CI's bound; STATEFUL_EXAMPLES=200 for a deeper run by hand
RUN = settings(max_examples=int(os.environ.get("STATEFUL_EXAMPLES", "25")),
               stateful_step_count=6, deadline=None, derandomize=True, database=None,
               suppress_health_check=list(HealthCheck), phases=[Phase.generate])


@pytest.fixture
def world(org, make_member, make_staff, login):
    """Members in both communities, staff and a secretary of community 0, an activity under
    way and one to come (so sign-ups, clock-ins and records have something to act on)."""
    for index, building in enumerate(org.buildings[:4]):
        make_member(f"m{index}", building, org.units[index % 2])
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    make_staff("secA", Role.COMMUNITY_SECRETARY, community_id=org.communities[0].id)
    staff = login("staffA")
    now = utcnow()
    for starts, hours in ((now - timedelta(hours=1), 3), (now + timedelta(days=2), 2)):
        ends = starts + timedelta(hours=hours)
        created = staff.post(f"/api/v1/communities/{org.communities[0].id}/activities", json={
            "title": "楼道环境清理", "category": "environment", "publish": True,
            "starts_at": starts.isoformat(), "ends_at": ends.isoformat()})
        assert created.status_code == 201, created.json
    return {"member": login("m0"), "staff": staff, "secretary": login("secA")}


@pytest.mark.parametrize("role", ["member", "staff", "secretary"])
def test_a_stateful_run_finds_no_server_error_and_no_contradiction(app, world, role):
    caller = world[role]
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    schema = schema.exclude(path=EXCLUDED)
    schema.config.update(headers={"Authorization": f"Bearer {caller.token}"})
    calls: list[tuple[str, int]] = []

    class Workflow(schema.as_state_machine()):
        def after_call(self, response, case):
            calls.append((case.operation.label, response.status_code))

        def validate_response(self, response, case, **kwargs):
            case.validate_response(response, checks=CHECKS)

    started = time.monotonic()
    Workflow.run(settings=RUN)
    seconds = time.monotonic() - started
    operations = {label for label, _status in calls}
    answered = {label for label, status in calls if status < 300}
    print(f"\nstateful {role}: {len(calls)} calls over {len(operations)} operations, "
          f"{len(answered)} operations answered 2xx, {seconds:.1f}s")
    assert not [call for call in calls if call[1] >= 500]
