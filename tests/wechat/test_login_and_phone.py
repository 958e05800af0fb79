"""Login codes and phone numbers through wechatpy's real HTTP client and the stand-in."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from server.errors import AppError
from server.wechat import client as wechat
from server.wechat.standin import demo_openid, demo_unionid


def _error_of(call, *args) -> AppError:
    with pytest.raises(AppError) as caught:
        call(*args)
    return caught.value


def test_a_demo_code_gives_a_stable_openid_for_the_name():
    first = wechat.code_to_session("demo:zhangsan:1")
    second = wechat.code_to_session("demo:zhangsan:2")
    bare = wechat.code_to_session("demo:zhangsan")
    assert first["openid"] == second["openid"] == bare["openid"] == demo_openid("zhangsan")
    assert first["unionid"] == demo_unionid("zhangsan")
    assert first["session_key"] and first["session_key"] != second["session_key"]
    assert demo_openid("lisi") != demo_openid("zhangsan")


def test_a_demo_code_used_twice_is_wechat_code_used():
    wechat.code_to_session("demo:once:1")
    error = _error_of(wechat.code_to_session, "demo:once:1")
    assert (error.status, error.code) == (401, "wechat_code_used")
    assert error.message == "登录凭证已使用，请重新登录"


def test_an_unknown_code_is_wechat_code_invalid():
    error = _error_of(wechat.code_to_session, "not-a-code")
    assert (error.status, error.code) == (401, "wechat_code_invalid")
    assert error.details == {"errcode": 40029}


def test_an_issued_code_carries_its_openid_and_works_once(standin):
    code = standin.state.issue_code(openid="o_issued_member")
    assert wechat.code_to_session(code)["openid"] == "o_issued_member"
    error = _error_of(wechat.code_to_session, code)
    assert error.code == "wechat_code_used"


def test_an_issued_code_without_unionid_returns_unionid_none(standin):
    session = wechat.code_to_session(standin.state.issue_code(openid="o_no_union"))
    assert session["openid"] == "o_no_union"
    assert session["unionid"] is None


def test_an_issued_code_expires_after_five_minutes(standin):
    fresh_code, stale_code = standin.state.issue_code(), standin.state.issue_code()
    now = dt.datetime.now(dt.UTC)
    with time_machine.travel(now + dt.timedelta(minutes=4, seconds=50), tick=False):
        assert wechat.code_to_session(fresh_code)["openid"]
    with time_machine.travel(now + dt.timedelta(minutes=5, seconds=10), tick=False):
        error = _error_of(wechat.code_to_session, stale_code)
    assert error.code == "wechat_code_invalid"


def test_wechat_rate_limit_45011_is_a_429(standin):
    standin.state.add_fault("sns/jscode2session", 45011, times=1)
    error = _error_of(wechat.code_to_session, "demo:busy:1")
    assert (error.status, error.code) == (429, "wechat_rate_limited")
    assert error.message == "微信登录过于频繁，请稍后再试"


def test_a_single_busy_answer_is_retried_and_the_login_succeeds(standin):
    standin.state.add_fault("sns/jscode2session", -1, times=1)
    assert wechat.code_to_session("demo:retry:1")["openid"] == demo_openid("retry")
    assert standin.state.stats()["calls"]["sns/jscode2session"] == 2


def test_persistent_busy_gives_up_after_the_configured_retries(app, standin):
    standin.state.add_fault("sns/jscode2session", -1, times=10)
    error = _error_of(wechat.code_to_session, "demo:busy:1")
    assert (error.status, error.code) == (503, "wechat_busy")
    retries = app.config["WECHAT_MAX_RETRIES"]
    assert standin.state.stats()["calls"]["sns/jscode2session"] == 1 + retries


def test_unreachable_wechat_is_wechat_unavailable(app, monkeypatch):
    monkeypatch.setitem(app.config, "WECHAT_API_BASE_URL", "http://127.0.0.1:1/")
    error = _error_of(wechat.code_to_session, "demo:offline:1")
    assert (error.status, error.code) == (503, "wechat_unavailable")
    assert error.message == "暂时无法连接微信服务，请稍后再试"


def test_a_wrong_secret_is_not_blamed_on_the_member(app, monkeypatch):
    monkeypatch.setitem(app.config, "WECHAT_SECRET", "wrong-secret")
    error = _error_of(wechat.code_to_session, "demo:misconfigured:1")
    assert (error.status, error.code) == (503, "wechat_unavailable")
    assert error.details == {"errcode": 40125}


def test_a_phone_code_gives_the_phone_it_was_issued_for(standin):
    code = standin.state.issue_phone_code("13800138000")
    assert wechat.get_phone_number(code) == "13800138000"


def test_a_phone_code_works_once_then_is_invalid(standin):
    code = standin.state.issue_phone_code("13800138000")
    wechat.get_phone_number(code)
    error = _error_of(wechat.get_phone_number, code)
    assert (error.status, error.code) == (422, "wechat_phone_code_invalid")


def test_an_unknown_phone_code_is_invalid():
    error = _error_of(wechat.get_phone_number, "nonsense")
    assert error.code == "wechat_phone_code_invalid"
    assert error.message == "手机号授权已失效，请重新点击获取手机号"
