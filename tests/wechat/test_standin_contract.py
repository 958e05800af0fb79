"""The stand-in answers as WeChat's documentation says, over its HTTP interface: each test
names the page it follows, under https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/
(global return codes: https://developers.weixin.qq.com/doc/oplatform/Return_codes/
Return_code_descriptions_new.html), and wechatpy's recorded fixture where there is one."""

from __future__ import annotations

import pytest
import requests

from server.wechat.standin import demo_openid, miniprogram_pages
from server.wechat.standin.tokens import FORCED_REFRESHES_PER_DAY

APPID, SECRET = "wx-test-appid", "test-secret"
SEND = "cgi-bin/message/subscribe/send"
OPENID = demo_openid("contract")


@pytest.fixture
def http(standin):
    def call(method: str, path: str, **kw):
        response = requests.request(method, standin.url + path, timeout=5, **kw)
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("application/json")
        return response.json()

    return call


@pytest.fixture
def token(http):
    return http("GET", "cgi-bin/token", params={
        "grant_type": "client_credential", "appid": APPID, "secret": SECRET})["access_token"]


def _stable(http, **extra):
    return http("POST", "cgi-bin/stable_token", json={
        "grant_type": "client_credential", "appid": APPID, "secret": SECRET, **extra})


def _check(http, token, **body):
    return http("POST", "wxa/msg_sec_check", params={"access_token": token},
                json={"version": 2, "scene": 3, "openid": OPENID, "content": "清理楼道", **body})


def _later(standin, monkeypatch, seconds: float) -> None:
    now = standin.state.clock()
    monkeypatch.setattr(standin.state, "clock", lambda: now + seconds)


# -- msg_sec_check v2 ---------------------------------------------------------------------


def test_text_check_takes_at_most_2500_characters(standin, http, token):
    """sec-center/sec-check/msgSecCheck.html: "文本字数的上限为 2500 字"."""
    standin.state.visit(OPENID)
    assert _check(http, token, content="清" * 2500)["errcode"] == 0
    assert _check(http, token, content="清" * 2501)["errcode"] == 47001


def test_text_check_requires_version_2_and_a_scene_from_1_to_4(standin, http, token):
    """sec-center/sec-check/msgSecCheck.html: version "2.0 版本为固定值 2"; scene "1 资料;
    2 评论;3 论坛;4 社交日志", else 40129."""
    standin.state.visit(OPENID)
    assert _check(http, token, version=1)["errcode"] == 47001
    assert [_check(http, token, scene=s)["errcode"] for s in (0, 1, 2, 3, 4, 5)] == [
        40129, 0, 0, 0, 0, 40129]


def test_text_check_takes_only_an_openid_seen_in_the_last_two_hours(
    standin, http, token, monkeypatch
):
    """sec-center/sec-check/msgSecCheck.html: openid "用户需在近两小时访问过小程序"
    (61010 otherwise)."""
    assert _check(http, token)["errcode"] == 61010
    params = {"appid": APPID, "secret": SECRET, "js_code": "demo:contract:1",
              "grant_type": "authorization_code"}
    assert http("GET", "sns/jscode2session", params=params)["openid"] == OPENID
    assert _check(http, token)["errcode"] == 0
    _later(standin, monkeypatch, 2 * 3600 + 1)
    fresh = http("GET", "cgi-bin/token", params={
        "grant_type": "client_credential", "appid": APPID, "secret": SECRET})["access_token"]
    assert _check(http, fresh)["errcode"] == 61010


# -- access tokens ------------------------------------------------------------------------


def test_a_call_without_a_token_is_41001_a_malformed_one_40014_an_expired_one_42001(
    standin, http, token, monkeypatch
):
    """Global return codes (doc/oplatform/Return_codes): 41001 缺少 access_token, 40014 不合法的
    access_token, 42001 access_token 超时; mp-access-token/getAccessToken.html: 7200 s."""
    standin.state.visit(OPENID)
    body = {"version": 2, "scene": 3, "openid": OPENID, "content": "x"}
    assert http("POST", "wxa/msg_sec_check", json=body)["errcode"] == 41001
    assert http("POST", "wxa/msg_sec_check", params={"access_token": "a b!"},
                json=body)["errcode"] == 40014
    _later(standin, monkeypatch, 7201)
    assert _check(http, token)["errcode"] == 42001


def test_token_fetch_errors_can_be_injected_as_wechat_answers_them(http):
    """mp-access-token/getAccessToken.html: 40164 IP 不在白名单, 40243 AppSecret 已被冻结,
    45009 调用超过天级别频率限制."""
    for errcode in (40164, 40243, 45009):
        http("POST", "_standin/faults", json={"path": "cgi-bin/token", "errcode": errcode})
        answer = http("GET", "cgi-bin/token", params={
            "grant_type": "client_credential", "appid": APPID, "secret": SECRET})
        assert answer["errcode"] == errcode and "access_token" not in answer


def test_stable_token_is_kept_apart_from_cgi_bin_token(standin, http, token):
    """mp-access-token/getStableAccessToken.html: "与 getAccessToken 获取的调用凭证完全隔离，
    互不影响"."""
    stable = _stable(http)["access_token"]
    assert stable != token
    for _ in range(2):  # getAccessToken refreshes leave the stable token alone
        http("GET", "cgi-bin/token", params={
            "grant_type": "client_credential", "appid": APPID, "secret": SECRET})
    assert standin.state.token_valid(stable)
    assert _stable(http)["access_token"] == stable


def test_stable_token_normal_mode_never_hands_out_under_300_seconds(
    standin, http, monkeypatch
):
    """mp-access-token/getStableAccessToken.html: "平台会提前5分钟更新access_token …
    expires_in >= 300"; the old one stays usable until it expires."""
    first = _stable(http)
    assert first["expires_in"] == 7200
    _later(standin, monkeypatch, 7200 - 299)
    renewed = _stable(http)
    assert renewed["access_token"] != first["access_token"] and renewed["expires_in"] >= 300
    assert standin.state.token_valid(first["access_token"])


def test_stable_token_force_refresh_ends_the_previous_token_at_once(standin, http):
    """mp-access-token/getStableAccessToken.html: "强制刷新模式，会导致上次获取的
    access_token 失效"."""
    first = _stable(http)["access_token"]
    forced = _stable(http, force_refresh=True)["access_token"]
    assert forced != first
    assert standin.state.token_errcode(first) == 40001
    assert standin.state.token_valid(forced)


def test_stable_token_force_refresh_is_30_seconds_apart_and_20_a_day(
    standin, http, monkeypatch
):
    """mp-access-token/getStableAccessToken.html: "强制刷新模式每天限用20次且需间隔30秒"
    (sooner "不会刷新"; over the day's 20: 45009)."""
    first = _stable(http, force_refresh=True)["access_token"]
    assert _stable(http, force_refresh=True)["access_token"] == first  # within 30 s
    now = standin.state.clock()
    # the next day in Beijing time (it starts at 16:00 UTC), a minute after it begins
    start = now - (now + 8 * 3600) % 86400 + 86400 + 60
    for i in range(FORCED_REFRESHES_PER_DAY):
        monkeypatch.setattr(standin.state, "clock", lambda i=i: start + 31 * i)
        assert "access_token" in _stable(http, force_refresh=True)
    monkeypatch.setattr(standin.state, "clock", lambda: start + 31 * 21)
    assert _stable(http, force_refresh=True)["errcode"] == 45009
    assert "access_token" in _stable(http)  # normal mode still answers


# -- subscribe messages -------------------------------------------------------------------


def _send(http, token, template_id="tpl-a", page=None, **data):
    body = {"touser": OPENID, "template_id": template_id,
            "data": {k: {"value": v} for k, v in (data or {"thing1": "通知"}).items()}}
    if page:
        body["page"] = page
    return http("POST", SEND, params={"access_token": token}, json=body)["errcode"]


def test_each_acceptance_allows_one_send_then_43101(http, token):
    """mp-message-management/subscribe-message/sendMessage.html: 43101 "用户拒绝接受消息";
    one-time subscriptions (一次性订阅): each "allow" is one message."""
    http("POST", "_standin/templates", json={"template_id": "tpl-a", "keywords": ["thing1"]})
    assert _send(http, token) == 43101
    http("POST", "_standin/subscriptions", json={"openid": OPENID, "template_id": "tpl-a",
                                                 "times": 2})
    assert [_send(http, token) for _ in range(3)] == [0, 0, 43101]
    assert http("GET", "_standin/subscriptions",
                params={"openid": OPENID, "template_id": "tpl-a"})["credits"] == 0


def test_an_unknown_template_is_40037_and_a_page_outside_the_miniprogram_41030(http, token):
    """mp-message-management/subscribe-message/sendMessage.html: 40037 "订阅模板id为空不正确";
    41030 "page路径不正确，需要保证在现网版本小程序中存在，与app.json保持一致"."""
    http("POST", "_standin/templates", json={"template_id": "tpl-a"})
    http("POST", "_standin/pages", json={"pages": miniprogram_pages()})
    http("POST", "_standin/subscriptions", json={"openid": OPENID, "template_id": "tpl-a",
                                                 "times": 3})
    assert _send(http, token, template_id="tpl-unknown") == 40037
    assert _send(http, token, page="pages/nowhere/nowhere") == 41030
    assert _send(http, token, page="pages/notices/detail?id=3") == 0
    assert _send(http, token, page="packages/staff/notice/notice") == 0  # a subpackage page


VALUES = [  # keyword, value, WeChat takes it ("订阅消息参数值内容限制说明")
    ("thing1", "二十个字以内的事物" * 2, True), ("thing1", "超" * 21, False),
    ("number2", "339208499", True), ("number2", "12.5", True), ("number2", "-3", False),
    ("number2", "三", False), ("letter3", "abc", True), ("letter3", "ab1", False),
    ("symbol4", "%$", True), ("symbol4", "a", False),
    ("character_string5", "A-1_x", True), ("character_string5", "含中文", False),
    ("time6", "15:01", True), ("time6", "2019年10月1日 15:01", True),
    ("time6", "2019年10月1日 15:01 ~ 2019年10月1日 17:30", True), ("time6", "下午三点", False),
    ("date7", "2019年10月1日", True), ("date7", "2019年10月1日 15:01", True),
    ("date7", "明天", False), ("amount8", "¥100.50元", True), ("amount8", "12345678901", False),
    ("phone_number9", "+86-0766-66888866", True), ("phone_number9", "电话", False),
    ("car_number10", "粤A8Z888挂", True), ("car_number10", "粤A8Z888挂挂", False),
    ("name11", "张三", True), ("name11", "张" * 11, False), ("name11", "J" * 20, True),
    ("phrase12", "配送中", True), ("phrase12", "已经审核通过了", False),
    ("phrase12", "ok", False), ("unknown13", "x", False),
]


@pytest.mark.parametrize(("key", "value", "accepted"), VALUES,
                         ids=[f"{k}-{v[:8]}" for k, v, _ in VALUES])
def test_each_keyword_type_takes_what_wechat_documents(http, token, key, value, accepted):
    """mp-message-management/subscribe-message/sendMessage.html, "订阅消息参数值内容限制说明":
    the rule of each keyword type; a value that breaks it is 47003."""
    assert _send(http, token, **{key: value}) == (0 if accepted else 47003)


# -- phone number and HTTP methods --------------------------------------------------------


def test_phone_number_country_code_is_a_number_and_foreign_numbers_carry_it(http, token):
    """user-info/phone-number/getPhoneNumber.html ("countryCode": 86 in its example; "国外手机号
    会有区号") and wechatpy's recorded tests/fixtures/wxa_business_getuserphonenumber.json."""
    code = http("POST", "_standin/phone-codes", json={"phone": "61234567",
                                                      "country_code": "852"})["code"]
    info = http("POST", "wxa/business/getuserphonenumber", params={"access_token": token},
                json={"code": code})["phone_info"]
    assert info["countryCode"] == 852
    assert (info["purePhoneNumber"], info["phoneNumber"]) == ("61234567", "+85261234567")


def test_a_phone_code_works_once_and_for_five_minutes(standin, http, token, monkeypatch):
    """user-info/phone-number/getPhoneNumber.html: "每个 code 只能使用一次，code的有效期为
    5min" (40029 otherwise)."""
    url, params = "wxa/business/getuserphonenumber", {"access_token": token}
    code = http("POST", "_standin/phone-codes", json={"phone": "13800138000"})["code"]
    assert http("POST", url, params=params, json={"code": code})["errcode"] == 0
    assert http("POST", url, params=params, json={"code": code})["errcode"] == 40029
    stale = http("POST", "_standin/phone-codes", json={"phone": "13800138000"})["code"]
    _later(standin, monkeypatch, 5 * 60 + 1)
    fresh = http("GET", "cgi-bin/token", params={
        "grant_type": "client_credential", "appid": APPID, "secret": SECRET})["access_token"]
    assert http("POST", url, params={"access_token": fresh},
                json={"code": stale})["errcode"] == 40029


@pytest.mark.parametrize(("method", "path", "errcode"), [
    ("POST", "cgi-bin/token", 43001), ("POST", "sns/jscode2session", 43001),
    ("GET", "cgi-bin/stable_token", 43002), ("GET", SEND, 43002),
    ("GET", "wxa/msg_sec_check", 43002), ("GET", "wxa/business/getuserphonenumber", 43002),
])
def test_a_wrong_http_method_gets_wechats_json_error(http, method, path, errcode):
    """Global return codes (doc/oplatform/Return_codes): 43001 需要 GET 请求, 43002 需要 POST
    请求 — as JSON, never an HTML error page."""
    assert http(method, path)["errcode"] == errcode
