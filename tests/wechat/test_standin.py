"""The stand-in WeChat API itself: WeChat's contract over HTTP, and its admin API."""

from __future__ import annotations

import json

import pytest
import requests

from server.wechat.standin import demo_openid

APPID, SECRET = "wx-test-appid", "test-secret"


@pytest.fixture
def http(standin):
    def call(method: str, path: str, **kw):
        response = requests.request(method, standin.url + path, timeout=5, **kw)
        assert response.status_code in (200, 400), response.text
        return response.json()

    return call


def _token(http) -> str:
    return http(
        "GET", "cgi-bin/token",
        params={"grant_type": "client_credential", "appid": APPID, "secret": SECRET},
    )["access_token"]


def test_token_answers_wechat_errors_for_a_wrong_appid_or_secret(http):
    base = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
    assert http("GET", "cgi-bin/token", params={**base, "appid": "wx-other"})["errcode"] == 40013
    assert http("GET", "cgi-bin/token", params={**base, "secret": "nope"})["errcode"] == 40125
    issued = http("GET", "cgi-bin/token", params=base)
    assert issued["expires_in"] == 7200 and issued["access_token"]


def test_stable_token_returns_the_current_token_unless_forced(http):
    body = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
    first = http("POST", "cgi-bin/stable_token", json=body)["access_token"]
    assert http("POST", "cgi-bin/stable_token", json=body)["access_token"] == first
    forced = http("POST", "cgi-bin/stable_token", json={**body, "force_refresh": True})
    assert forced["access_token"] != first


def test_protected_calls_refuse_a_missing_token_with_41001_and_an_unknown_one_with_40001(http):
    body = {"content": "hello", "version": 2, "scene": 1}
    assert http("POST", "wxa/msg_sec_check", json=body)["errcode"] == 41001
    assert http(
        "POST", "wxa/msg_sec_check", params={"access_token": "forged"}, json=body
    )["errcode"] == 40001


def test_json_bodies_without_a_content_type_are_accepted(http):
    token = _token(http)
    code = http("POST", "_standin/phone-codes", json={"phone": "13900139000"})["code"]
    answer = http(
        "POST", "wxa/business/getuserphonenumber", params={"access_token": token},
        data=json.dumps({"code": code}).encode(),
    )
    assert answer["errcode"] == 0
    assert answer["phone_info"]["purePhoneNumber"] == "13900139000"
    assert answer["phone_info"]["countryCode"] == 86


def test_admin_codes_issue_login_codes_for_a_chosen_openid(http):
    code = http("POST", "_standin/codes", json={"openid": "o_chosen_one", "unionid": "u_1"})["code"]
    params = {"appid": APPID, "secret": SECRET, "js_code": code,
              "grant_type": "authorization_code"}
    session = http("GET", "sns/jscode2session", params=params)
    assert (session["openid"], session["unionid"]) == ("o_chosen_one", "u_1")
    assert http("GET", "sns/jscode2session", params=params) == {
        "errcode": 40163, "errmsg": "code been used"
    }


def test_admin_faults_answer_the_next_calls_then_stop(http):
    http("POST", "_standin/faults", json={"path": "sns/jscode2session", "errcode": 45011,
                                          "times": 2})
    params = {"appid": APPID, "secret": SECRET, "js_code": "demo:f:1",
              "grant_type": "authorization_code"}
    answers = [http("GET", "sns/jscode2session", params=params).get("errcode") for _ in range(3)]
    assert answers == [45011, 45011, None]


def test_admin_refusals_sent_stats_and_reset(http):
    token = _token(http)
    send = {"touser": demo_openid("a"), "template_id": "t1", "data": {"thing1": {"value": "x"}}}
    http("POST", "_standin/refusals", json={"openid": demo_openid("a"), "template_id": "t1"})
    sent_url = "cgi-bin/message/subscribe/send"
    assert http("POST", sent_url, params={"access_token": token}, json=send)["errcode"] == 43101
    other = {**send, "template_id": "t2"}
    assert http("POST", sent_url, params={"access_token": token}, json=other)["errcode"] == 0
    assert [m["template_id"] for m in http("GET", "_standin/sent")["sent"]] == ["t2"]
    stats = http("GET", "_standin/stats")
    assert stats["tokens_issued"] == 1
    assert stats["calls"][sent_url] == 2
    http("POST", "_standin/reset")
    assert http("GET", "_standin/sent")["sent"] == []
    assert http("GET", "_standin/stats") == {"calls": {}, "tokens_issued": 0}


def test_admin_expire_tokens_makes_earlier_tokens_fail(http):
    token = _token(http)
    http("POST", "_standin/visits", json={"openid": demo_openid("a")})
    body = {"content": "hello", "version": 2, "scene": 1, "openid": demo_openid("a")}
    check = {"params": {"access_token": token}, "json": body}
    assert http("POST", "wxa/msg_sec_check", **check)["errcode"] == 0
    http("POST", "_standin/expire-tokens")
    assert http("POST", "wxa/msg_sec_check", **check)["errcode"] == 40001


def test_a_new_token_leaves_the_previous_one_usable_for_five_minutes_only(
    standin, http, monkeypatch
):
    first = _token(http)
    _token(http)
    assert standin.state.token_valid(first)
    now = standin.state.clock()
    monkeypatch.setattr(standin.state, "clock", lambda: now + 301)
    assert not standin.state.token_valid(first)


def test_admin_risky_words_change_the_verdict(http):
    token = _token(http)
    http("POST", "_standin/visits", json={"openid": demo_openid("a")})
    body = {"content": "楼下有人卖假药", "version": 2, "scene": 1, "openid": demo_openid("a")}
    check = {"params": {"access_token": token}, "json": body}
    assert http("POST", "wxa/msg_sec_check", **check)["result"]["suggest"] == "pass"
    http("POST", "_standin/risky-words", json={"words": ["假药"]})
    verdict = http("POST", "wxa/msg_sec_check", **check)["result"]
    assert verdict == {"suggest": "risky", "label": 20001}


def test_admin_calls_without_their_fields_are_refused_with_400(standin):
    for path in ("_standin/phone-codes", "_standin/faults", "_standin/refusals"):
        assert requests.post(standin.url + path, json={}, timeout=5).status_code == 400
