"""WeChat's error codes: the one exception type, and the tables that turn a code into an
error a member can act on."""

from __future__ import annotations

import logging

from server.errors import AppError

log = logging.getLogger(__name__)

# The access token in the call was refused: 40001 invalid or not the latest, 40014 malformed,
# 42001 expired, 41001 missing. Each means "refresh the token and try once more".
INVALID_TOKEN_ERRCODES = frozenset({40001, 40014, 41001, 42001})
# cgi-bin/token itself refused: the server's IP is not on the allow-list (40164), the
# AppSecret is frozen (40243), the day's quota is used up (45009). Logins do not need a token.
TOKEN_FETCH_ERRCODES = frozenset({40164, 40243, 45009})


class WeChatError(Exception):
    """WeChat refused a call (errcode), or could not be reached (errcode None)."""

    def __init__(self, errcode: int | None, errmsg: str):
        super().__init__(f"WeChat error {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg

    @property
    def retryable(self) -> bool:
        """Worth trying again later: WeChat was busy or unreachable."""
        return self.errcode in (-1, None)


ErrorTable = dict[int | None, tuple[int, str, str]]

_COMMON_ERRORS: ErrorTable = {
    45011: (429, "wechat_rate_limited", "微信登录过于频繁，请稍后再试"),
    -1: (503, "wechat_busy", "微信服务繁忙，请稍后再试"),
    None: (503, "wechat_unavailable", "暂时无法连接微信服务，请稍后再试"),
}
LOGIN_ERRORS: ErrorTable = {
    40029: (401, "wechat_code_invalid", "登录凭证无效，请重新进入小程序登录"),
    40163: (401, "wechat_code_used", "登录凭证已使用，请重新登录"),
    40226: (403, "wechat_user_blocked", "该微信账号存在风险，暂时无法登录，请联系社区工作人员"),
    **_COMMON_ERRORS,
}
PHONE_ERRORS: ErrorTable = {
    40029: (422, "wechat_phone_code_invalid", "手机号授权已失效，请重新点击获取手机号"),
    40163: (422, "wechat_phone_code_invalid", "手机号授权已失效，请重新点击获取手机号"),
    **_COMMON_ERRORS,
    45011: (429, "wechat_rate_limited", "获取手机号过于频繁，请稍后再试"),
}


def as_app_error(error: WeChatError, table: ErrorTable) -> AppError:
    """The member-facing error for WeChat's refusal, by `table`; anything not in it is our
    configuration's fault (appid, secret, token), never the member's: 503."""
    known = table.get(error.errcode)
    if known is None:
        log.error("WeChat refused: %s %s", error.errcode, error.errmsg)
        known = _COMMON_ERRORS[None]
    status, code, message = known
    return AppError(status, code, message, {"errcode": error.errcode})
