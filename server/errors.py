"""One error type and one JSON shape: {"code", "message", "details"}, for every error."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class AppError(Exception):
    """A refusal the member or staff can act on. Raised by services, rendered once."""

    def __init__(
        self, status: int, code: str, message: str, details: dict[str, Any] | None = None
    ):
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}


def not_found(what: str = "记录") -> AppError:
    return AppError(404, "not_found", f"{what}不存在，或您无权查看")


def forbidden(message: str = "您没有权限进行此操作") -> AppError:
    return AppError(403, "forbidden", message)


def conflict(code: str, message: str, details: dict[str, Any] | None = None) -> AppError:
    return AppError(409, code, message, details)


def invalid(code: str, message: str, details: dict[str, Any] | None = None) -> AppError:
    return AppError(422, code, message, details)


HTTP_DEFAULTS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求格式有误，请检查后重试"),
    401: ("unauthorized", "请先登录"),
    403: ("forbidden", "您没有权限进行此操作"),
    404: ("not_found", "您访问的内容不存在"),
    405: ("method_not_allowed", "不支持此操作方式"),
    406: ("not_acceptable", "不支持请求的返回格式"),
    409: ("conflict", "操作冲突，请刷新后重试"),
    413: ("payload_too_large", "提交的内容过大，请压缩后重试"),
    415: ("unsupported_media_type", "请以 JSON 格式提交"),
    422: ("validation_error", "提交的内容有误，请按提示修改"),
    429: ("rate_limited", "操作太频繁，请稍后再试"),
    500: ("internal_error", "服务器开小差了，请稍后再试"),
    503: ("unavailable", "服务暂时不可用，请稍后再试"),
}

# marshmallow's messages, said in Chinese for the member
FIELD_MESSAGES = {
    "Missing data for required field.": "必填",
    "Unknown field.": "不允许提交此字段",
    "Field may not be null.": "不能为空",
    "Not a valid string.": "应为文字",
    "Not a valid integer.": "应为整数",
    "Not a valid number.": "应为数字",
    "Not a valid boolean.": "应为是或否",
    "Not a valid datetime.": "时间格式有误",
    "Not a valid date.": "日期格式有误",
    "Not a valid email address.": "邮箱格式有误",
    "Invalid input type.": "格式有误",
    "Invalid value.": "取值有误",
    "Not a valid list.": "应为列表",
    "Not a valid mapping type.": "应为对象",
    "Shorter than minimum length 1.": "不能为空",
}


def _translate(messages: Any) -> Any:
    if isinstance(messages, dict):
        return {str(k): _translate(v) for k, v in messages.items()}
    if isinstance(messages, list):
        return [_translate(m) for m in messages]
    if isinstance(messages, str):
        if messages in FIELD_MESSAGES:
            return FIELD_MESSAGES[messages]
        if messages.startswith("Must be one of"):
            return "取值不在允许范围内"
        if messages.startswith("Length must be") or messages.startswith("Longer than"):
            return "长度不符合要求"
        if messages.startswith("Must be greater") or messages.startswith("Must be less"):
            return "数值超出允许范围"
        if messages.startswith("Not a valid"):
            return "格式有误"
    return messages


def _flatten_locations(messages: dict[str, Any]) -> dict[str, Any]:
    """webargs groups errors by location (json, query, …); members only care about fields."""
    fields: dict[str, Any] = {}
    for location, errs in messages.items():
        if isinstance(errs, dict):
            for name, err in errs.items():
                fields[str(name)] = err
        else:
            fields[location] = errs
    return fields


def error_response(status: int, code: str, message: str, details: dict | None = None):
    response = jsonify({"code": code, "message": message, "details": details or {}})
    response.status_code = status
    return response


def handle_app_error(error: AppError):
    return error_response(error.status, error.code, error.message, error.details)


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    code, message = HTTP_DEFAULTS.get(status, ("http_error", error.description or "请求失败"))
    details: dict[str, Any] = {}
    data = getattr(error, "data", None) or {}
    if "messages" in data:
        details["fields"] = _translate(_flatten_locations(data["messages"]))
        code, message = HTTP_DEFAULTS[422]
        status = 422
    if "message" in data:
        message = data["message"]
    allowed = sorted(getattr(error, "valid_methods", None) or []) if status == 405 else []
    if allowed:
        details["allowed"] = allowed
    response = error_response(status, code, message, details)
    if allowed:
        response.headers["Allow"] = ", ".join(allowed)  # HTTP requires it with a 405
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    if status == 429 and getattr(error, "retry_after", None):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    if isinstance(error, (OverflowError, DataError)):
        # a number or text the database cannot hold slipped past validation
        return error_response(
            422, "value_out_of_range", "提交的数值或文字超出允许范围，请检查后重试"
        )
    log.exception("unhandled error", exc_info=error)
    return error_response(500, *HTTP_DEFAULTS[500])


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(AppError, handle_app_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
