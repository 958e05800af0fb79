"""A retried write returns the first answer and writes nothing new."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from server.extensions import db
from server.members.models import Registration
from tests.members.test_reporting import report_body


def registrations() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration))


def test_a_retried_write_returns_the_first_answer(org, login):
    member = login("newcomer")
    first = member.post("/api/v1/registrations", json=report_body(org), key="retry-key-0001")
    second = member.post("/api/v1/registrations", json=report_body(org), key="retry-key-0001")
    assert first.status_code == second.status_code == 201
    assert first.json == second.json
    assert second.headers["Idempotent-Replayed"] == "true"
    assert registrations() == 1


def test_reusing_a_key_with_another_body_is_refused(org, login):
    member = login("newcomer")
    member.post("/api/v1/registrations", json=report_body(org), key="retry-key-0002")
    other = member.post("/api/v1/registrations", json=report_body(org, room="9-909"),
                        key="retry-key-0002")
    assert other.status_code == 422
    assert other.json["code"] == "idempotency_key_reused"
    assert registrations() == 1


def test_keys_belong_to_their_user(org, login):
    a, b = login("a"), login("b")
    first = a.post("/api/v1/registrations", json=report_body(org), key="shared-key-0003")
    second = b.post("/api/v1/registrations", json=report_body(org), key="shared-key-0003")
    assert first.json["id"] != second.json["id"]
    assert registrations() == 2


def test_a_retry_after_re_login_is_still_the_same_request(org, login):
    first_session = login("newcomer")
    first = first_session.post("/api/v1/registrations", json=report_body(org), key="relogin-0004")
    second_session = login("newcomer")
    again = second_session.post("/api/v1/registrations", json=report_body(org), key="relogin-0004")
    assert again.json == first.json
    assert again.headers.get("Idempotent-Replayed") == "true"


def test_a_failed_request_is_not_remembered(org, login):
    member = login("newcomer")
    bad = member.post("/api/v1/registrations", json=report_body(org, privacy_agreed=False),
                      key="fail-key-0005")
    assert bad.status_code == 422
    assert registrations() == 0


def test_a_retried_login_returns_the_same_token(client):
    headers = {"Idempotency-Key": "login-retry-0006"}
    first = client.post("/api/v1/auth/login", json={"code": "demo:weak:1"}, headers=headers)
    second = client.post("/api/v1/auth/login", json={"code": "demo:weak:1"}, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.json["token"] == second.json["token"]


def test_a_too_short_key_is_refused(org, login):
    response = login("newcomer").post("/api/v1/registrations", json=report_body(org), key="k")
    assert response.status_code == 400
    assert response.json["code"] == "idempotency_key_invalid"


def test_concurrent_retries_with_one_key_write_once(app, org, login):
    member = login("newcomer")
    body = report_body(org)
    db.session.rollback()  # on SQLite an open read here would hold the write lock
    results = []

    def send():
        with app.test_client() as client:
            response = client.post(
                "/api/v1/registrations",
                json=body,
                headers={"Authorization": f"Bearer {member.token}",
                         "Idempotency-Key": "concurrent-0007"},
            )
            results.append((response.status_code, response.json["id"]))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {status for status, _ in results} == {201}
    assert len({rid for _, rid in results}) == 1
    assert registrations() == 1


def test_the_key_is_read_in_the_login_query_so_a_keyed_write_costs_only_the_stored_answer(
        app, org, login):
    from sqlalchemy import event

    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            statements.append(statement)

    def counted(call) -> int:
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            call()
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    a, b, c = login("a"), login("b"), login("c")
    bodies = [report_body(org) for _ in range(3)]
    a.post("/api/v1/registrations", json=bodies[0])  # what every request loads once is loaded
    without_key = counted(lambda: b.post("/api/v1/registrations", json=bodies[1]))
    with_key = counted(lambda: c.post("/api/v1/registrations", json=bodies[2], key="trip-0009"))
    replay = counted(lambda: c.post("/api/v1/registrations", json=bodies[2], key="trip-0009"))
    assert with_key == without_key + 1  # the INSERT of the answer; no read of its own
    assert replay == 1  # the login query, the stored answer with it
    assert registrations() == 3


def test_a_key_answered_meanwhile_by_a_concurrent_request_replays_that_answer(app, org, login):
    # the stored answer goes out with the COMMIT (PostgreSQL, one round trip): a concurrent
    # twin that stored its answer first makes this INSERT fail there, and the request must
    # answer as the twin did, with its own writes rolled back
    from server.database import is_postgresql

    if not is_postgresql():
        import pytest

        pytest.skip("SQLite lets one writer at a time: no twin can commit meanwhile")
    from sqlalchemy import event

    member = login("newcomer")
    twin = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)

    def twin_answers_first(_conn, _cursor, statement, parameters, *_args):
        if statement.startswith("INSERT INTO idempotency_records"):
            with twin.begin() as other:
                other.execute(sa.text(
                    "INSERT INTO idempotency_records (principal, key, request_hash, "
                    "status_code, body, mimetype, created_at) VALUES (:principal, :key, "
                    ":request_hash, 201, :body, 'application/json', now())"),
                    {**parameters, "body": b'{"answered_by": "twin"}'})

    event.listen(db.engine, "before_cursor_execute", twin_answers_first)
    try:
        answer = member.post("/api/v1/registrations", json=report_body(org), key="twin-key-0001")
    finally:
        event.remove(db.engine, "before_cursor_execute", twin_answers_first)
        twin.dispose()
    assert answer.status_code == 201
    assert answer.json == {"answered_by": "twin"}
    assert answer.headers["Idempotent-Replayed"] == "true"
    assert registrations() == 0  # this request's own write went with its rollback
