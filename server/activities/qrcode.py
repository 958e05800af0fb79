"""The rotating on-site code: an HMAC of the activity's secret and the time window.

Format `<activity id base36>.<window base36>.<12 chars of HMAC>`, at most 25 characters, from
the characters a mini-program code's `scene` allows (≤ 32). The id and window are in clear so
that a code of another activity, or of an old window, is told apart from a forged one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from server.errors import AppError

MAC_CHARS = 12
ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def _b36(number: int) -> str:
    if number == 0:
        return "0"
    out = []
    while number:
        number, rest = divmod(number, 36)
        out.append(ALPHABET[rest])
    return "".join(reversed(out))


def window_of(now: datetime, window_seconds: int) -> int:
    return int(now.timestamp()) // window_seconds


def seconds_left(now: datetime, window_seconds: int) -> int:
    return window_seconds - int(now.timestamp()) % window_seconds


def _mac(secret: str, activity_id: int, window: int) -> str:
    digest = hmac.new(
        secret.encode(), f"{activity_id}:{window}".encode(), hashlib.sha256
    ).digest()
    return base64.b32encode(digest).decode().lower()[:MAC_CHARS]


def make_code(secret: str, activity_id: int, window: int) -> str:
    return f"{_b36(activity_id)}.{_b36(window)}.{_mac(secret, activity_id, window)}"


@dataclass(frozen=True)
class ParsedCode:
    activity_id: int
    window: int
    mac: str


def parse(code: str) -> ParsedCode:
    parts = (code or "").strip().lower().split(".")
    try:
        if len(parts) != 3 or len(parts[2]) != MAC_CHARS:
            raise ValueError(code)
        return ParsedCode(int(parts[0], 36), int(parts[1], 36), parts[2])
    except ValueError:
        raise _invalid() from None


def _invalid() -> AppError:
    return AppError(422, "qr_code_invalid", "二维码无法识别，请扫描现场负责人手机上的签到码")


def verify(code: str, activity_id: int, secret: str, now: datetime, window_seconds: int) -> None:
    """Accept the current and the previous window only; each refusal has its own code."""
    parsed = parse(code)
    if parsed.activity_id != activity_id:
        raise AppError(
            422,
            "qr_code_other_activity",
            "这是另一个活动的签到码，请确认您扫描的是本活动现场的二维码",
        )
    if not hmac.compare_digest(parsed.mac, _mac(secret, activity_id, parsed.window)):
        raise _invalid()
    current = window_of(now, window_seconds)
    if parsed.window > current:
        raise _invalid()
    if parsed.window < current - 1:
        raise AppError(
            422,
            "qr_code_expired",
            "签到码已过期，请扫描现场负责人手机上最新的二维码",
        )
