"""WeChat's error answers as the stand-in gives them: {"errcode": N, "errmsg": "..."}."""

from __future__ import annotations

ERRMSG = {
    0: "ok",
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40013: "invalid appid",
    40014: "invalid access_token",
    40029: "invalid code",
    40037: "invalid template_id",
    40125: "invalid appsecret",
    40129: "invalid scene",
    40163: "code been used",
    40164: "invalid ip, not in whitelist",
    40243: "AppSecret已被冻结，请登录小程序平台解冻后再次调用。",
    41001: "access_token missing",
    41030: "invalid page",
    42001: "access_token expired",
    43001: "require GET method",
    43002: "require POST method",
    43101: "user refuse to accept the msg",
    44002: "empty post data",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit  mustslower  retry next minute",
    47001: "data format error",
    47003: "argument invalid!",
    61010: "code is expired",
}


def error(errcode: int, detail: str = "") -> dict:
    """WeChat's shape; `detail` is what its errmsg adds (e.g. which field of 47003)."""
    message = ERRMSG.get(errcode, "error")
    return {"errcode": errcode, "errmsg": f"{message} {detail}".strip()}
