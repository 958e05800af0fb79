"""A login needs the appid and secret only: it works while the access token cannot be had;
the text check goes in pieces WeChat takes. Pages cited are under
https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/."""

from __future__ import annotations

import pytest

from server.wechat import client as wechat
from server.wechat.standin import demo_openid


@pytest.mark.parametrize("errcode", [40164, 40243, 45009],
                         ids=["ip-not-allowed", "secret-frozen", "daily-quota"])
def test_logins_work_while_wechat_refuses_the_access_token(standin, errcode):
    """user-login/code2Session.html: jscode2session takes appid, secret, js_code and
    grant_type — no access_token; mp-access-token/getAccessToken.html lists 40164, 40243 and
    45009. Before, wechatpy fetched a token for the login too, and every login was a 503."""
    standin.state.add_fault("cgi-bin/token", errcode, times=10)
    assert wechat.code_to_session("demo:tokenless:1")["openid"] == demo_openid("tokenless")
    assert "cgi-bin/token" not in standin.state.stats()["calls"]
    with pytest.raises(wechat.WeChatError) as caught:  # what needs the token still says so
        wechat.send_subscribe_message(demo_openid("tokenless"), "t", {"thing1": "通知"})
    assert caught.value.errcode == errcode


def test_a_text_over_2500_characters_is_checked_in_pieces_that_must_all_pass(standin):
    """sec-center/sec-check/msgSecCheck.html: "文本字数的上限为 2500 字". Before, the whole
    text went in one call and WeChat refused it."""
    standin.state.visit(demo_openid("author"))
    text = "清" * 2500 + "赌博" + "清" * 100
    assert wechat.msg_sec_check(text, openid=demo_openid("author"), scene=3) == "risky"
    assert [c["chars"] for c in standin.state.sec_checks()] == [2500, 2602 - 2450]


def test_a_risky_word_cut_by_a_piece_boundary_is_still_seen(standin):
    """The pieces overlap: a word across the 2,500th character is whole in the next piece."""
    standin.state.visit(demo_openid("author"))
    text = "清" * 2499 + "赌博" + "清" * 10
    assert wechat.msg_sec_check(text, openid=demo_openid("author"), scene=3) == "risky"
