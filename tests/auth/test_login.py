"""WeChat login through wechatpy and the stand-in WeChat API; tokens; logout."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import time_machine

from server.auth.models import AuthSession, User
from server.extensions import db
from server.wechat.standin import demo_openid


def test_demo_code_logs_in_and_the_token_opens_me(client):
    response = client.post("/api/v1/auth/login", json={"code": "demo:zhangsan:1"})
    assert response.status_code == 200
    token = response.json["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json["member"] is None
    user = db.session.get(User, me.json["user"]["id"])
    assert user.openid == demo_openid("zhangsan")


def test_session_key_never_leaves_the_server(client):
    response = client.post("/api/v1/auth/login", json={"code": "demo:lisi:1"})
    assert "session_key" not in response.get_data(as_text=True)
    user = db.session.scalar(sa.select(User).filter_by(openid=demo_openid("lisi")))
    assert user.session_key


def test_the_same_person_logging_in_twice_is_one_user(login):
    first, second = login("wangwu"), login("wangwu")
    assert first.user_id == second.user_id
    assert first.token != second.token


def test_a_reused_code_is_refused_with_a_stable_code(client):
    assert client.post("/api/v1/auth/login", json={"code": "demo:once:1"}).status_code == 200
    again = client.post("/api/v1/auth/login", json={"code": "demo:once:1"})
    assert again.status_code == 401
    assert again.json["code"] == "wechat_code_used"
    assert again.json["message"]


def test_an_unknown_code_is_refused(client):
    response = client.post("/api/v1/auth/login", json={"code": "not-a-code"})
    assert response.status_code == 401
    assert response.json["code"] == "wechat_code_invalid"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_wechat_rate_limit_is_a_429_the_member_can_read(client, standin):
    standin.state.add_fault("sns/jscode2session", 45011, times=1)
    response = client.post("/api/v1/auth/login", json={"code": "demo:busy:1"})
    assert response.status_code == 429
    assert response.json["code"] == "wechat_rate_limited"


def test_logout_revokes_the_token(login):
    caller = login("zhaoliu")
    assert caller.post("/api/v1/auth/logout").status_code == 204
    response = caller.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json["code"] == "token_revoked"


def test_an_expired_token_gets_401_token_expired(login, app):
    caller = login("sunqi")
    hours = app.config["AUTH_TOKEN_TTL_HOURS"]
    with _later(hours + 1):
        response = caller.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json["code"] == "token_expired"


def _later(hours: int):
    import datetime as dt

    return time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours), tick=False)


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer not-a-token", "Basic abc", "Bearer eyJhbGciOi.fake.sig"],
)
def test_missing_or_forged_tokens_get_401(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.json["code"] in {"unauthorized", "token_invalid"}


def test_a_token_signed_with_another_secret_is_refused(login, app):
    caller = login("zhouba")
    app.config["APP_SECRET_KEY"] = "another-secret"
    response = caller.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json["code"] == "token_invalid"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuthSession)) == 1


@pytest.mark.settings(RATELIMIT_ENABLED=True, AUTH_LOGIN_LIMIT_PER_ADDRESS="3 per minute")
def test_login_is_rate_limited_per_address(client):
    statuses = [
        client.post("/api/v1/auth/login", json={"code": f"demo:p{i}:1"}).status_code
        for i in range(4)
    ]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3] == 429


@pytest.mark.settings(RATELIMIT_ENABLED=True, AUTH_LOGIN_LIMIT_PER_OPENID="2 per minute")
def test_login_is_rate_limited_per_openid(client):
    statuses = [
        client.post("/api/v1/auth/login", json={"code": f"demo:same:{i}"}).status_code
        for i in range(3)
    ]
    assert statuses == [200, 200, 429]
    other = client.post("/api/v1/auth/login", json={"code": "demo:other:1"})
    assert other.status_code == 200
