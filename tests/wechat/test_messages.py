"""Subscribe messages and the text security check, through the stand-in."""

from __future__ import annotations

import pytest

from server.wechat import client as wechat
from server.wechat.standin import demo_openid

TEMPLATE = "tmpl-activity-reminder"
OPENID = demo_openid("zhangsan")


def test_an_accepted_subscribe_message_is_recorded_as_sent(standin):
    wechat.send_subscribe_message(
        OPENID,
        TEMPLATE,
        {"thing1": "环境整治志愿服务", "time2": {"value": "2026-05-15 09:00"}},
        page="pages/activity/detail?id=7",
    )
    assert standin.state.sent() == [
        {
            "touser": OPENID,
            "template_id": TEMPLATE,
            "page": "pages/activity/detail?id=7",
            "data": {
                "thing1": {"value": "环境整治志愿服务"},
                "time2": {"value": "2026-05-15 09:00"},
            },
            "miniprogram_state": "formal",
            "lang": "zh_CN",
        }
    ]


def _refuse(standin):
    standin.state.add_refusal(OPENID, TEMPLATE)
    return OPENID, {"thing1": "通知"}


def _bad_openid(standin):
    return "not an openid", {"thing1": "通知"}


def _value_too_long(standin):
    return OPENID, {"thing1": "超" * 21}


def _phrase_too_long(standin):
    return OPENID, {"phrase3": "已经审核通过了"}


def _quota(standin):
    standin.state.add_fault("cgi-bin/message/subscribe/send", 45009)
    return OPENID, {"thing1": "通知"}


def _busy(standin):
    standin.state.add_fault("cgi-bin/message/subscribe/send", -1, times=10)
    return OPENID, {"thing1": "通知"}


@pytest.mark.parametrize(
    ("arrange", "errcode"),
    [
        (_refuse, 43101),
        (_bad_openid, 40003),
        (_value_too_long, 47003),
        (_phrase_too_long, 47003),
        (_quota, 45009),
        (_busy, -1),
    ],
    ids=["refused", "bad-openid", "thing-over-20", "phrase-over-5", "daily-quota", "busy"],
)
def test_a_refused_subscribe_message_raises_wechat_error_with_its_errcode(
    standin, arrange, errcode
):
    openid, data = arrange(standin)
    with pytest.raises(wechat.WeChatError) as caught:
        wechat.send_subscribe_message(openid, TEMPLATE, data)
    assert caught.value.errcode == errcode
    assert caught.value.retryable == (errcode == -1)
    assert standin.state.sent() == []


def test_a_refusal_is_per_member_and_template(standin):
    standin.state.add_refusal(OPENID, TEMPLATE)
    wechat.send_subscribe_message(OPENID, "another-template", {"thing1": "通知"})
    wechat.send_subscribe_message(demo_openid("lisi"), TEMPLATE, {"thing1": "通知"})
    assert [m["touser"] for m in standin.state.sent()] == [OPENID, demo_openid("lisi")]


def test_a_busy_send_is_retried_once_and_delivered_once(standin):
    standin.state.add_fault("cgi-bin/message/subscribe/send", -1, times=1)
    wechat.send_subscribe_message(OPENID, TEMPLATE, {"thing1": "通知"})
    assert len(standin.state.sent()) == 1


def test_unreachable_wechat_raises_a_retryable_wechat_error(app, monkeypatch):
    monkeypatch.setitem(app.config, "WECHAT_API_BASE_URL", "http://127.0.0.1:1/")
    with pytest.raises(wechat.WeChatError) as caught:
        wechat.send_subscribe_message(OPENID, TEMPLATE, {"thing1": "通知"})
    assert caught.value.errcode is None
    assert caught.value.retryable


def test_text_with_a_risky_word_is_risky_and_plain_text_passes(standin):
    standin.state.set_risky_words(["赌博"], review=["集资"])
    standin.state.visit(OPENID)  # v2 takes an openid seen in the last two hours
    assert wechat.msg_sec_check("周六上午清理楼道杂物", openid=OPENID) == "pass"
    assert wechat.msg_sec_check("欢迎来参加赌博活动", openid=OPENID, scene=2) == "risky"
    assert wechat.msg_sec_check("组织大家集资", openid=OPENID) == "review"
