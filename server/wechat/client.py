"""What the app asks of WeChat: login, the phone number, subscribe messages and the text
security check, with WeChat's error codes turned into errors a member can act on.

The plumbing lives beside it: errors.py (codes), token_store.py (the shared access token),
transport.py (HTTP pools, retries), sending.py (subscribe messages, many at a time).
"""

from __future__ import annotations

from server.wechat.errors import (
    INVALID_TOKEN_ERRCODES,
    LOGIN_ERRORS,
    PHONE_ERRORS,
    WeChatError,
    as_app_error,
)
from server.wechat.sending import (
    SendOutcome,
    SubscribeMessage,
    send_subscribe_message,
    send_subscribe_messages,
)
from server.wechat.token_store import TOKEN_MARGIN, forget_cached_tokens
from server.wechat.transport import call

__all__ = [
    "INVALID_TOKEN_ERRCODES", "TOKEN_MARGIN", "SendOutcome", "SubscribeMessage", "WeChatError",
    "code_to_session", "forget_cached_tokens", "get_phone_number", "msg_sec_check",
    "send_subscribe_message", "send_subscribe_messages",
]


def code_to_session(code: str) -> dict:
    """wx.login code → {"openid", "session_key", "unionid" (or None)} (登录凭证校验).

    jscode2session takes the appid and secret, not an access token: the call carries none
    and never fetches one, so a login works while the token cannot be had (IP allow-list,
    frozen secret, daily quota)."""
    from flask import current_app

    config = current_app.config
    params = {
        "appid": config["WECHAT_APPID"], "secret": config["WECHAT_SECRET"],
        "js_code": code, "grant_type": "authorization_code",
        # wechatpy adds a token unless the key is present; requests drops a None parameter
        "access_token": None,
    }
    try:
        result = call(lambda client: client.wxa._get("sns/jscode2session", params=params),
                      refresh_token=False)
    except WeChatError as error:
        raise as_app_error(error, LOGIN_ERRORS) from error
    return {
        "openid": result["openid"],
        "session_key": result["session_key"],
        "unionid": result.get("unionid"),
    }


def get_phone_number(code: str) -> str:
    """getPhoneNumber button code → the member's phone number as WeChat shows it (a number
    outside the mainland carries its country code)."""
    try:
        result = call(lambda client: client.wxa._post(
            "wxa/business/getuserphonenumber", data={"code": code}))
    except WeChatError as error:
        raise as_app_error(error, PHONE_ERRORS) from error
    return result["phone_info"]["phoneNumber"]


# Text security check v2 (内容安全): WeChat takes at most 2,500 characters per call.
SEC_CHECK_MAX_CHARS = 2500
# pieces overlap, so that a word cut at a piece's end is whole in the next one
SEC_CHECK_OVERLAP_CHARS = 50
# Scenes: 1 profile, 2 comment, 3 forum, 4 social log. A notice is a post that a community
# reads, written by staff: a forum post (3) is the nearest; 1 is for nicknames and profiles.
SEC_CHECK_SCENE_FORUM = 3
_VERDICT_ORDER = {"pass": 0, "review": 1, "risky": 2}


def msg_sec_check(content: str, openid: str | None = None, scene: int = 1) -> str:
    """Text content security check (v2): "pass", "risky" or "review" — the worst verdict of
    its pieces of at most 2,500 characters, overlapping by 50 (every piece must pass).

    `openid` is the author's: WeChat requires one that used the mini-program in the last two
    hours. Raises WeChatError when WeChat cannot answer; the caller decides what to do.
    """
    step = SEC_CHECK_MAX_CHARS - SEC_CHECK_OVERLAP_CHARS
    pieces = [content[i:i + SEC_CHECK_MAX_CHARS]
              for i in range(0, max(len(content) - SEC_CHECK_OVERLAP_CHARS, 1), step)]
    worst = "pass"
    for piece in pieces:
        body: dict = {"content": piece, "version": 2, "scene": scene}
        if openid:
            body["openid"] = openid
        result = call(lambda client, body=body: client.wxa._post("wxa/msg_sec_check",
                                                                 data=body))
        verdict = result["result"]["suggest"]
        if _VERDICT_ORDER.get(verdict, 2) > _VERDICT_ORDER[worst]:
            worst = verdict
    return worst
