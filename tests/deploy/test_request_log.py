"""Every answer carries its request id, and the log lines of the request carry it too: as
text, or as JSON lines with the access line's fields."""

from __future__ import annotations

import io
import json

import pytest

from server.requestlog import configure_logging


@pytest.fixture
def log_lines():
    """What the service's own log handler writes while the test runs."""
    handler = configure_logging("text")
    buffer = io.StringIO()
    old = handler.setStream(buffer)
    yield lambda: buffer.getvalue().splitlines()
    handler.setStream(old)
    configure_logging("text")


def test_the_request_id_nginx_sets_is_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "abc123-nginx"})
    assert response.headers["X-Request-ID"] == "abc123-nginx"


def test_without_a_request_id_the_app_makes_one_and_refuses_a_forged_one(client):
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32
    forged = client.get("/healthz", headers={"X-Request-ID": "x\" injected"})
    assert forged.headers["X-Request-ID"] != "x\" injected"
    assert client.get("/api/v1/nowhere").headers["X-Request-ID"]  # errors carry it too


@pytest.mark.settings(APP_LOG_FORMAT="json")
def test_json_log_lines_carry_the_request_id_and_the_access_fields(app, client, login,
                                                                   log_lines):
    configure_logging("json")
    caller = login("zhang")
    response = caller.get("/api/v1/me/privacy/consents",
                          headers={"X-Request-ID": "req-42"})
    lines = [json.loads(line) for line in log_lines()]
    access = [line for line in lines if line["logger"] == "server.access"
              and line["request_id"] == "req-42"]
    assert len(access) == 1
    line = access[0]
    assert line["method"] == "GET" and line["path"] == "/api/v1/me/privacy/consents"
    assert line["status"] == response.status_code
    assert line["user_id"] == caller.user_id
    assert line["remote_addr"] == "127.0.0.1"
    assert line["duration_ms"] >= 0 and line["level"] == "INFO"
    assert line["time"].endswith("+00:00")


def test_text_log_lines_carry_the_request_id(client, log_lines):
    client.get("/healthz", headers={"X-Request-ID": "text-7"})
    assert any("[text-7]" in line and "GET /healthz 200" in line for line in log_lines())
