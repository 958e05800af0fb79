"""Subscribe-message templates: their field mapping, and WeChat's limits on every field value.

WeChat refuses a whole message (47003) when one value breaks its keyword type's rule, so every
value is checked here first; a value that is too long is shortened only where the template's
mapping says `truncate`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server.errors import invalid
from server.timeutil import to_local

# keyword type → (max characters, pattern the whole value must match or None), as WeChat's
# subscribeMessage.send documents them ("订阅消息参数值内容限制说明")
_CHINESE = r"[\u3400-\u4dbf\u4e00-\u9fff]"
_DAY = r"(\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2})"
_CLOCK = r"\d{1,2}:\d{2}(:\d{2})?"
_AT_TIME = rf"({_DAY} )?{_CLOCK}"  # "15:01" or "2019年10月1日 15:01"
_ON_DAY = rf"{_DAY}( {_CLOCK})?"  # "2019年10月1日", maybe with the time


def _point_or_span(point: str) -> re.Pattern:
    """One time, or a span of two joined by "~"."""
    return re.compile(rf"^{point}( ?~ ?{point})?$")


RULES: dict[str, tuple[int, re.Pattern | None]] = {
    "thing": (20, None),
    "phrase": (5, re.compile(rf"^{_CHINESE}+$")),
    "character_string": (32, re.compile(r"^[\x21-\x7e]+$")),
    "number": (32, re.compile(r"^\d+(\.\d+)?$")),  # WeChat refuses a sign: no negatives
    "letter": (32, re.compile(r"^[A-Za-z]+$")),
    "symbol": (5, re.compile(r"^[^\w\s]+$")),
    "phone_number": (17, re.compile(r"^[\d+\-() ]+$")),
    # the first and last may be Chinese (粤A8Z888挂), the rest letters and digits
    "car_number": (8, re.compile(
        rf"^({_CHINESE}|[A-Za-z0-9])[A-Za-z0-9]*({_CHINESE}|[A-Za-z0-9])?$")),
    # a currency sign, at most 10 digits, maybe cents, maybe 元
    "amount": (14, re.compile(r"^[¥￥$€£]?\d{1,10}(\.\d{1,2})?元?$")),
    "name": (20, None),  # 10 when it holds a Chinese character
    "time": (64, _point_or_span(_AT_TIME)),
    "date": (64, _point_or_span(_ON_DAY)),
}
TRUNCATABLE = {"thing", "character_string", "name", "letter"}
ELLIPSIS = "…"

# what a field may be filled from (the notice's own values)
SOURCES = {
    "title": "通知标题",
    "body": "通知内容",
    "community": "社区名称",
    "activity_title": "活动名称",
    "activity_time": "活动时间",
    "activity_address": "活动地点",
    "sent_at": "发送时间",
    "note": "温馨提示",
}

FIELD_LABELS = {
    "thing": "事物（不超过20个字）",
    "phrase": "词语（不超过5个汉字）",
    "character_string": "字符串（不超过32个字母、数字或符号）",
    "number": "数字",
    "time": "时间（如 2026年11月23日 15:01）",
    "date": "日期（如 2026年11月23日）",
}


def keyword_type(key: str) -> str:
    """thing1 → thing, character_string3 → character_string."""
    return key.rstrip("0123456789")


@dataclass(frozen=True)
class FieldProblem:
    key: str
    message: str


def check_mapping(fields: list[dict]) -> list[dict]:
    """A template's field mapping, checked and normalised; 422 on a bad keyword or source."""
    problems: dict[str, str] = {}
    normalised = []
    seen: set[str] = set()
    for field in fields:
        key = str(field.get("key", ""))
        source = field.get("source")
        if keyword_type(key) not in RULES or key == keyword_type(key):
            problems[key or "?"] = "不是微信订阅消息的字段名（如 thing1、time2）"
            continue
        if key in seen:
            problems[key] = "字段重复"
            continue
        if source not in SOURCES and not field.get("value"):
            problems[key] = f"内容来源应为 {', '.join(SOURCES)} 之一，或给出固定内容 value"
            continue
        seen.add(key)
        item = {"key": key, "truncate": bool(field.get("truncate", False))}
        if source in SOURCES:
            item["source"] = source
        else:
            item["value"] = str(field["value"])
        normalised.append(item)
    if not normalised and not problems:
        problems["fields"] = "至少需要一个字段"
    if problems:
        raise invalid("template_fields_invalid", "订阅消息模板的字段配置有误，请按提示修改",
                      {"fields": problems})
    return normalised


def format_value(kind: str, value: Any) -> str:
    if isinstance(value, datetime):
        local = to_local(value)
        if kind == "date":
            return f"{local.year}年{local.month}月{local.day}日"
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    return "" if value is None else str(value)


def check_value(key: str, value: str, truncate: bool) -> tuple[str, str | None]:
    """(the value to send, None) or (value, the problem in Chinese)."""
    kind = keyword_type(key)
    limit, pattern = RULES[kind]
    text = " ".join(value.split())  # WeChat shows one line; newlines count against the limit
    if not text:
        return text, "内容为空"
    if kind == "name" and re.search(_CHINESE, text):
        limit = 10
    if len(text) > limit:
        if not (truncate and kind in TRUNCATABLE):
            return text, f"超过{limit}个字符"
        text = text[: limit - 1] + ELLIPSIS if kind in ("thing", "name") else text[:limit]
    if pattern is not None and not pattern.match(text):
        return text, f"不符合{FIELD_LABELS.get(kind, kind)}的格式"
    return text, None


def render(fields: list[dict], values: dict[str, Any]) -> tuple[dict, dict[str, str]]:
    """WeChat's `data` ({"thing1": {"value": "…"}}) and the problems found, by keyword."""
    data: dict[str, dict[str, str]] = {}
    problems: dict[str, str] = {}
    for field in fields:
        key = field["key"]
        raw = field["value"] if "value" in field else values.get(field["source"])
        text, problem = check_value(key, format_value(keyword_type(key), raw),
                                    field.get("truncate", False))
        if problem:
            problems[key] = problem
        data[key] = {"value": text}
    return data, problems
