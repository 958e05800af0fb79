"""The stand-in's subscribe messages (subscribeMessage.send): the account's templates, each
member's one-time subscriptions (one send per acceptance, then 43101), the mini-program's
pages (41030), and WeChat's rule for every keyword type (47003).

An account the stand-in was told nothing about (no template registered) takes any template
and does not count subscriptions: the older tests and the demo send without telling it who
accepted what. Once a template is registered the account is modelled in full.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from server.wechat.standin.errors import error

# WeChat's rule per keyword type ("订阅消息参数值内容限制说明" of subscribeMessage.send)
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_DATE = r"(?:\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2})"
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?"
_TIME_POINT = rf"(?:{_DATE} )?{_CLOCK}"
_DATE_POINT = rf"{_DATE}(?: {_CLOCK})?"


def _span(point: str) -> re.Pattern:
    """One point, or two joined by "~" (a time span)."""
    return re.compile(rf"^{point}(?: ?~ ?{point})?$")


RULES: dict[str, tuple[int, re.Pattern | None]] = {
    "thing": (20, None),
    "number": (32, re.compile(r"^\d+(?:\.\d+)?$")),  # digits, maybe a fraction: no sign
    "letter": (32, re.compile(r"^[A-Za-z]+$")),
    "symbol": (5, re.compile(r"^[^\w\s]+$")),
    "character_string": (32, re.compile(r"^[\x21-\x7e]+$")),
    "time": (64, _span(_TIME_POINT)),
    "date": (64, _span(_DATE_POINT)),
    "amount": (14, re.compile(r"^[¥￥$€£]?\d{1,10}(?:\.\d{1,2})?元?$")),
    "phone_number": (17, re.compile(r"^[\d+\-() ]+$")),
    "car_number": (8, re.compile(rf"^[{_HAN}A-Za-z0-9][A-Za-z0-9]*[{_HAN}A-Za-z0-9]?$")),
    "name": (20, None),  # 10 when it has a Chinese character (below)
    "phrase": (5, re.compile(rf"^[{_HAN}]+$")),
}


def value_problem(key: str, value: Any) -> str | None:
    """Why WeChat refuses `value` for keyword `key` (thing1, time2 …), or None."""
    kind = key.rstrip("0123456789")
    if kind == key or kind not in RULES:
        return "unknown keyword"
    if not isinstance(value, str) or not value.strip():
        return "is empty"
    limit, pattern = RULES[kind]
    if kind == "name" and re.search(f"[{_HAN}]", value):
        limit = 10
    if len(value) > limit:
        return "too long"
    if pattern is not None and not pattern.match(value):
        return "invalid"
    return None


def page_path(page: str) -> str:
    return page.split("?", 1)[0].strip("/")


class SubscriptionModel:
    """Mixin of StandInState (uses its lock)."""

    def _reset_subscriptions(self) -> None:
        self._templates: dict[str, tuple[str, ...] | None] = {}  # id → keywords
        self._credits: Counter[tuple[str, str]] = Counter()  # (openid, template id)
        self._refusals: set[tuple[str, str]] = set()
        self._pages: set[str] | None = None
        self._sent: list[dict] = []

    def register_template(self, template_id: str, keywords: list[str] | None = None) -> None:
        """A template the account added (我的模板), with its keywords when known."""
        with self.lock:
            self._templates[template_id] = tuple(keywords) if keywords else None

    def set_pages(self, pages: list[str]) -> None:
        """The mini-program's pages (app.json, subpackages included): others get 41030."""
        with self.lock:
            self._pages = {page_path(p) for p in pages}

    def accept(self, openid: str, template_id: str, times: int = 1) -> None:
        """The member tapped "allow" in wx.requestSubscribeMessage: one more send allowed."""
        with self.lock:
            self._credits[(openid, template_id)] += times

    def credits(self, openid: str, template_id: str) -> int:
        with self.lock:
            return self._credits[(openid, template_id)]

    def add_refusal(self, openid: str, template_id: str) -> None:
        """The member switched the template off (or never allowed it): always 43101."""
        with self.lock:
            self._refusals.add((openid, template_id))

    def sent(self) -> list[dict]:
        with self.lock:
            return [dict(message) for message in self._sent]

    def send_subscribe(self, body: dict) -> dict:
        openid, template_id = body.get("touser"), body.get("template_id")
        if not isinstance(openid, str) or not self.openid_shape.match(openid):
            return error(40003)
        data = body.get("data")
        if not isinstance(template_id, str) or not template_id:
            return error(40037)
        with self.lock:
            modelled = bool(self._templates)
            if modelled and template_id not in self._templates:
                return error(40037)
            keywords = self._templates.get(template_id)
            pages = self._pages
        if not isinstance(data, dict) or not data:
            return error(47003, "data is empty")
        for key in keywords or ():
            if not isinstance(data.get(key), dict):
                return error(47003, f"data.{key}.value is empty")
        for key, field in data.items():
            value = field.get("value") if isinstance(field, dict) else None
            problem = value_problem(key, value)
            if problem:
                return error(47003, f"data.{key}.value {problem}")
        page = body.get("page")
        if page and pages is not None and page_path(str(page)) not in pages:
            return error(41030)
        with self.lock:
            pair = (openid, template_id)
            if pair in self._refusals:
                return error(43101)
            if modelled:
                if self._credits[pair] <= 0:
                    return error(43101)
                self._credits[pair] -= 1
            self._sent.append({
                "touser": openid, "template_id": template_id, "page": page, "data": data,
                "miniprogram_state": body.get("miniprogram_state"), "lang": body.get("lang"),
            })
        return error(0)
