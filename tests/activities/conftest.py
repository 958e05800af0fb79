"""Fixtures for the activities area: a frozen clock, staff, activities, captured signals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from server import events
from server.auth.models import Role

# Monday 23 Nov 2026, 08:00 in Shanghai
T0 = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
CENTRE = (31.2304, 121.4737)  # GCJ-02


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def activity_body(**changes):
    body = {
        "title": "楼道环境清理",
        "category": "environment",
        "content": "清理楼道杂物",
        "address": "幸福里 3 号楼",
        "latitude": CENTRE[0],
        "longitude": CENTRE[1],
        "radius_m": 200,
        "starts_at": (T0 + timedelta(hours=2)).isoformat(),  # 10:00 local
        "ends_at": (T0 + timedelta(hours=4)).isoformat(),  # 12:00 local
        "organiser": "幸福里社区党委",
        "leader_name": "王建国",
        "capacity": None,
    }
    body.update(changes)
    return body


@pytest.fixture
def staff(org, login, make_staff, clock):
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    return login("staffA")


@pytest.fixture
def secretary(org, login, make_staff, clock):
    make_staff("secA", Role.COMMUNITY_SECRETARY, community_id=org.communities[0].id)
    return login("secA")


@pytest.fixture
def publish(staff, org):
    """publish(**changes) → the activity JSON, published in community 0 by staffA."""

    def _publish(community=0, caller=None, **changes):
        caller = caller or staff
        body = activity_body(publish=True, **changes)
        response = caller.post(
            f"/api/v1/communities/{org.communities[community].id}/activities", json=body
        )
        assert response.status_code == 201, response.json
        return response.json

    return _publish


@pytest.fixture
def member(org, make_member, login, clock):
    """member("m1", building=0, **fields) → a logged-in member Caller (with .member)."""

    def _member(name, building=0, **fields):
        row = make_member(name, org.buildings[building], unit=org.units[0], **fields)
        caller = login(name)
        caller.member_id = row.id
        return caller

    return _member


@pytest.fixture
def signals():
    """Every activities signal sent during the test: list of (name, sender, kwargs)."""
    sent = []
    names = ("hours_record_finalised", "activity_changed", "activity_cancelled",
             "signup_confirmed", "signup_promoted", "signup_absent", "clocked_in")
    receivers = []
    for name in names:
        def receiver(sender, _name=name, **kwargs):
            sent.append((_name, sender, kwargs))
        getattr(events, name).connect(receiver)
        receivers.append((name, receiver))
    yield sent
    for name, receiver in receivers:
        getattr(events, name).disconnect(receiver)


def sent_names(sent, name):
    return [s for s in sent if s[0] == name]
