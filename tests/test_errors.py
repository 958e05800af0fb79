"""Every error is JSON {code, message, details} with the right status."""

from __future__ import annotations

import re

import pytest

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def assert_error_shape(response, status: int, code: str | None = None):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.json
    assert set(body) == {"code", "message", "details"}
    assert CHINESE.search(body["message"]), body["message"]
    if code:
        assert body["code"] == code


def test_unknown_path_is_a_json_404(client):
    assert_error_shape(client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_wrong_method_is_a_json_405(client):
    response = client.delete("/api/v1/auth/login")
    assert_error_shape(response, 405, "method_not_allowed")
    assert "POST" in response.json["details"]["allowed"]


def test_validation_errors_name_the_fields_in_chinese(client):
    response = client.post("/api/v1/auth/login", json={"code": "", "extra": 1})
    assert_error_shape(response, 422, "validation_error")
    fields = response.json["details"]["fields"]
    assert set(fields) == {"code", "extra"}
    assert fields["extra"] == ["不允许提交此字段"]


def test_a_body_that_is_not_json_is_a_json_error(client):
    response = client.post("/api/v1/auth/login", data="code=1",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code in (400, 415, 422)
    assert set(response.json) == {"code", "message", "details"}


@pytest.mark.settings(APP_MAX_BODY_BYTES=1024)
def test_an_oversize_body_is_a_json_413(client):
    response = client.post("/api/v1/auth/login", json={"code": "x" * 5000})
    assert_error_shape(response, 413, "payload_too_large")


def test_an_unexpected_failure_is_a_json_500_without_internals(app, client):
    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    assert_error_shape(response, 500, "internal_error")
    assert "secret" not in response.get_data(as_text=True)


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["database"] == "ok"
