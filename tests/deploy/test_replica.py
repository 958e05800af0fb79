"""Reads that tolerate lag come from the replica; a caller's own reads right after a write, and
every read while the replica is out of reach, come from the primary. Real databases: the
replica is a second database holding different names (tests/deploy/conftest.py)."""

from __future__ import annotations

import io
import logging

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from server.audit.models import AuditEntry
from server.auth.models import Role
from server.extensions import db
from server.replica import _local_marks, _redis
from tests.deploy.conftest import close_app, closed_port, login_to, make_app, metric, mirror

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def place(app, org, make_staff, make_member):
    """A community with its staff and a member, copied to the replica with renamed places."""
    community, building = org.communities[0], org.buildings[0]
    make_staff("staff", Role.COMMUNITY_STAFF, community_id=community.id)
    make_member("member", building)
    make_member("other", building)
    ids = {"community": community.id, "street": org.street.id}
    db.session.rollback()  # nothing held open on SQLite while the apps below write
    return ids


@pytest.fixture
def with_replica(app, place, database_url, standin, replica_url):
    mirror(db.engine, replica_url)
    apps = []

    def _make(**settings):
        made = make_app(database_url, standin, DATABASE_REPLICA_URL=replica_url, **settings)
        apps.append(made)
        return made

    yield _make
    for made in apps:
        close_app(made)
    _local_marks.clear()


def board_name(caller, community_id: int) -> str:
    response = caller.get("/api/v1/points/leaderboards",
                          query_string={"scope": "community", "scope_id": community_id})
    assert response.status_code == 200, response.json
    return response.json["scope_name"]


def test_leaderboards_and_statistics_are_read_from_the_replica(with_replica, place):
    app = with_replica()
    staff = login_to(app, "staff")
    before = metric(staff.client, 'party_db_statements_total{database="replica"}')

    assert board_name(staff, place["community"]) == "社区1·副本"
    stats = staff.get("/api/v1/statistics", query_string={
        "scope": "community", "scope_id": place["community"], "period": "2026"})
    assert stats.status_code == 200, stats.json
    assert stats.json["name"] == "社区1·副本"
    assert metric(staff.client, 'party_db_statements_total{database="replica"}') > before
    # what is not a lag-tolerant read still comes from the primary
    me = login_to(app, "member").get("/api/v1/me")
    assert me.status_code == 200


def test_an_export_reads_the_replica_and_writes_its_audit_entry_to_the_primary(
        with_replica, place, replica_url):
    app = with_replica()
    staff = login_to(app, "staff")
    response = staff.get("/api/v1/boards/leaderboard.xlsx", query_string={
        "scope": "community", "scope_id": place["community"], "period": "2026"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A1"].value.startswith("社区1·副本")
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    db.session.rollback()
    assert "export.leaderboard" in actions
    replica = sa.create_engine(replica_url, poolclass=sa.pool.NullPool)
    with replica.connect() as conn:
        assert "export.leaderboard" not in conn.scalars(sa.select(AuditEntry.action)).all()
    replica.dispose()


def test_a_members_reads_right_after_their_write_come_from_the_primary(with_replica, place):
    app = with_replica()
    member, other = login_to(app, "member"), login_to(app, "other")
    assert board_name(member, place["community"]) == "社区1·副本"

    wrote = member.post("/api/v1/me/privacy/consents/public_boards", json={"granted": True})
    assert wrote.status_code == 200, wrote.json

    assert board_name(member, place["community"]) == "社区1"  # the primary: read-your-writes
    assert board_name(other, place["community"]) == "社区1·副本"  # others: still the replica


def test_read_your_writes_is_kept_in_redis_for_every_app_server(with_replica, place):
    redis = _redis(REDIS)
    first, second = with_replica(REDIS_URL=REDIS), with_replica(REDIS_URL=REDIS)
    member = login_to(first, "member")
    redis.delete(f"ryw:{member.user_id}")
    try:
        wrote = member.post("/api/v1/me/privacy/consents/public_boards", json={"granted": True})
        assert wrote.status_code == 200
        assert 0 < redis.ttl(f"ryw:{member.user_id}") <= 5
        # the same caller on another app server: the mark is shared, the primary answers
        member.client = second.test_client()
        assert board_name(member, place["community"]) == "社区1"
        redis.delete(f"ryw:{member.user_id}")  # the mark expired
        member.client = second.test_client()
        assert board_name(member, place["community"]) == "社区1·副本"
    finally:
        redis.delete(f"ryw:{member.user_id}")


def test_redis_out_of_reach_counts_as_a_recent_write(with_replica, place):
    app = with_replica(REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    staff = login_to(app, "staff")
    assert board_name(staff, place["community"]) == "社区1"


def test_a_replica_out_of_reach_falls_back_to_the_primary(app, place, database_url, standin,
                                                          caplog):
    url = sa_url_to_closed_port(database_url)
    replica_app = make_app(database_url, standin, DATABASE_REPLICA_URL=url)
    try:
        staff = login_to(replica_app, "staff")
        with caplog.at_level(logging.WARNING, logger="server.replica"):
            assert board_name(staff, place["community"]) == "社区1"
            assert board_name(staff, place["community"]) == "社区1"
        warnings = [r for r in caplog.records if "replica database unavailable" in r.message]
        assert len(warnings) == 1  # not tried again on the next request
        stats = staff.get("/api/v1/statistics", query_string={
            "scope": "community", "scope_id": place["community"], "period": "2026"})
        assert stats.status_code == 200 and stats.json["name"] == "社区1"
    finally:
        close_app(replica_app)


def sa_url_to_closed_port(database_url: str) -> str:
    """A replica URL of the primary's kind that cannot be reached."""
    url = sa.make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return url.set(host="127.0.0.1", port=closed_port(), database="nowhere").render_as_string(
            hide_password=False)
    return "sqlite:////nonexistent-folder/replica.sqlite3"
