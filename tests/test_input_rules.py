"""What every request meets before its view: who asks, how deep its JSON nests, what text and
times it may hold, and how ids and methods that do not exist are answered."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from marshmallow import ValidationError

from server.auth.models import Role
from server.extensions import db
from server.guards import MAX_JSON_DEPTH, json_depth
from server.members.models import Member, Registration
from server.schemas import text_problem
from server.timeutil import LocalDateTime
from tests.members.test_reporting import report_body
from tests.test_errors import assert_error_shape


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- nesting --------------------------------------------------------------------------------

@pytest.mark.parametrize("levels", [100, 1_000, 100_000])
def test_deeply_nested_json_is_refused_before_it_is_decoded(client, levels):
    body = "[" * levels + "]" * levels
    response = client.post("/api/v1/auth/login", data=body, content_type="application/json")
    assert_error_shape(response, 400, "json_too_deep")
    assert response.json["details"]["max_depth"] == MAX_JSON_DEPTH


def test_deep_json_of_a_logged_in_caller_is_refused_too(org, login):
    member = login("newcomer")
    body = '{"name": ' + "[" * 5000 + "]" * 5000 + "}"
    response = member.client.post(
        "/api/v1/registrations", data=body, content_type="application/json",
        headers={"Authorization": f"Bearer {member.token}"})
    assert_error_shape(response, 400, "json_too_deep")


def test_brackets_inside_strings_do_not_count_as_nesting():
    assert json_depth(b'{"code": "[[[[[[{{{{\\"[[[["}') == 1
    assert json_depth(b'[{"a": [1, {"b": []}]}]') == 5
    assert json_depth(b"[" * 10_000) == MAX_JSON_DEPTH + 1  # counting stops past the limit


# --- who asks comes first --------------------------------------------------------------------

def test_an_anonymous_body_is_answered_401_not_a_list_of_fields(client):
    response = client.post("/api/v1/registrations", json={})
    assert_error_shape(response, 401, "unauthorized")
    assert response.json["details"] == {}


def test_an_anonymous_query_is_answered_401_before_its_parameters(client):
    assert_error_shape(client.get("/api/v1/points/leaderboards?period=nonsense"), 401)


def test_the_login_stays_open_to_anonymous_callers(client):
    response = client.post("/api/v1/auth/login", json={})
    assert_error_shape(response, 422, "validation_error")


# --- text ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["张\u0000三", "张\u0001三", "张\n三", "张\u202e三", "张\u200b三",
                                  "\ufeff张三", "张\ud800三"])
def test_invisible_characters_in_a_name_are_refused_and_nothing_is_written(org, login, name):
    member = login("newcomer")
    before = count(Member), count(Registration)
    response = member.post(  # escaped, as a phone sends it: a lone surrogate is not UTF-8
        "/api/v1/registrations", data=json.dumps(report_body(org, name=name)),
        content_type="application/json")
    assert_error_shape(response, 422, "validation_error")
    assert response.json["details"]["fields"] == {"name": ["不能包含控制字符或不可见的格式字符"]}
    assert (count(Member), count(Registration)) == before


def test_multi_line_text_keeps_newlines_tabs_and_emoji_joiners_but_not_controls(org, login,
                                                                               make_staff):
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    staff = login("staffA")
    url = f"/api/v1/communities/{org.communities[0].id}/activities"
    body = {"title": "楼道清理", "category": "environment",
            "starts_at": "2030-01-01T09:00:00+08:00", "ends_at": "2030-01-01T11:00:00+08:00"}
    content = "第一行\r\n第二行\t👨\u200d👩\u200d👧"
    created = staff.post(url, json={**body, "content": content})
    assert created.status_code == 201, created.json
    assert created.json["content"] == content
    for field, value in (("content", "a\u0000b"), ("content", "a\u202eb"), ("title", "楼道\n清理"),
                         ("title", "a\u0001b")):
        refused = staff.post(url, json={**body, field: value})
        assert_error_shape(refused, 422, "validation_error")
        assert set(refused.json["details"]["fields"]) == {field}


def test_the_text_rule_in_short():
    assert not text_problem("王建国 3-301 (2号楼)", multiline=False)
    assert text_problem("a\tb", multiline=False) and not text_problem("a\tb", multiline=True)
    assert text_problem("a\u0085b", multiline=True)  # C1 controls too
    assert text_problem("a\u2066b", multiline=True)  # bidi isolates as overrides


# --- times -----------------------------------------------------------------------------------

@pytest.mark.parametrize("when", ["1900-01-01T00:00:00+08:00", "0134-05-01T00:00:00",
                                  "2101-01-01T00:00:00+08:00", "0001-01-01T00:00:00+14:00"])
def test_times_outside_2000_to_2100_are_refused(org, login, make_staff, when):
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    response = login("staffA").post(
        f"/api/v1/communities/{org.communities[0].id}/activities",
        json={"title": "楼道清理", "category": "environment", "signup_deadline": when,
              "starts_at": "2030-01-01T09:00:00+08:00", "ends_at": "2030-01-01T11:00:00+08:00"})
    assert_error_shape(response, 422, "validation_error")
    assert set(response.json["details"]["fields"]) == {"signup_deadline"}


@pytest.mark.parametrize("stored", [datetime(1900, 1, 1, tzinfo=UTC), datetime(1988, 7, 1,
                                    tzinfo=UTC), datetime(2026, 11, 23, 1, 30, tzinfo=UTC)])
def test_times_are_always_shown_with_the_offset_plus_eight(stored):
    shown = LocalDateTime()._serialize(stored, "t", None)
    assert shown.endswith("+08:00")
    assert datetime.fromisoformat(shown) == stored


def test_a_naive_time_is_read_as_shanghai_time():
    assert LocalDateTime().deserialize("2030-01-01T08:00:00") == datetime(2030, 1, 1,
                                                                          tzinfo=UTC)
    with pytest.raises(ValidationError):
        LocalDateTime().deserialize("1999-12-31T23:00:00+08:00")


# --- ids and methods -------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/v1/activities/99999999999999999999",
                                  "/api/v1/activities/2147483648",
                                  "/api/v1/activities/99999999999999999999/roster",
                                  "/api/v1/members/99999999999999999999"])
def test_an_id_no_database_could_hold_is_simply_not_found(org, login, path):
    member = login("newcomer")
    assert_error_shape(member.get(path), 404, "not_found")


def test_a_405_names_the_allowed_methods_in_its_allow_header(client):
    response = client.delete("/api/v1/auth/login")
    assert_error_shape(response, 405, "method_not_allowed")
    assert {m.strip() for m in response.headers["Allow"].split(",")} >= {"POST"}


def test_an_integer_no_database_column_holds_is_refused_the_same_on_both_databases(
        org, login, make_staff, make_member):
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    staff = login("staffA")
    response = staff.post(f"/api/v1/communities/{org.communities[0].id}/notices", json={
        "title": "通知", "body": "内容", "audience": {"type": "grids", "grid_ids": [2**40]}})
    assert_error_shape(response, 422, "validation_error")
    assert response.json["details"]["fields"] == {"audience": {"grid_ids": ["数值超出允许范围"]}}
