"""Redis, the rate-limit store in production, down: logins still work and are still limited,
counted in each process's memory until Redis is back (decided in bench/drills, drill 5)."""

from __future__ import annotations

import socket

import pytest

from server import create_app
from server.extensions import db
from tests.conftest import app_settings


@pytest.fixture
def client_without_redis(_schema, database_url, standin):
    _schema.restore()  # as the `app` fixture does: an empty database for this test
    with socket.socket() as sock:  # a loopback port nothing listens on: Redis is down
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = create_app(app_settings(database_url, standin, RATELIMIT_ENABLED=True,
                                  RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}/0",
                                  AUTH_LOGIN_LIMIT_PER_ADDRESS="3 per minute"))
    yield app.test_client()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_login_with_the_rate_limit_store_down_still_logs_in_and_still_limits(
        client_without_redis, standin):
    answers = [client_without_redis.post("/api/v1/auth/login",
                                         json={"code": standin.state.issue_code()})
               for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[3].json["code"] == "rate_limited"
