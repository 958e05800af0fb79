"""The document, finished after the blueprints are registered: the real error shape and every
code an operation can answer, the Idempotency-Key, links between operations."""

from __future__ import annotations

import re

from flask import Flask

from server.apidoc.codes import operation_codes
from server.apidoc.links import add_links, operations, ref_name
from server.errors import HTTP_DEFAULTS
from server.idempotency import HEADER as IDEMPOTENCY_HEADER
from server.idempotency import WRITE_METHODS

ERROR_REF = "#/components/schemas/Error"


def _path_of(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _error_response(status: int, codes: list[str]) -> dict:
    lines = [f"- `{code}`" + (f"：{HTTP_DEFAULTS[status][1]}" if code == HTTP_DEFAULTS.get(
        status, ("",))[0] else "") for code in codes]
    description = f"{HTTP_DEFAULTS.get(status, ('', '出错'))[1]}\n\n可能的 code：\n" + "\n".join(
        lines)
    schema = {"allOf": [{"$ref": ERROR_REF},
                        {"type": "object", "properties": {"code": {"type": "string",
                                                                    "enum": codes}}}]}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR_SCHEMA = {
    "type": "object",
    "description": "每个错误的统一格式。",
    "required": ["code", "message", "details"],
    "properties": {
        "code": {"type": "string", "description": "稳定的机器可读错误码，如 not_found"},
        "message": {"type": "string", "description": "给用户看的中文说明，告诉他怎么办"},
        "details": {
            "type": "object",
            "description": "补充信息；校验错误时 fields 列出每个字段的问题",
            "properties": {
                "fields": {
                    "description": "校验错误：字段名 → 问题列表（嵌套字段为对象）；"
                                   "冲突时可为涉及的字段名列表",
                },
                "allowed": {"type": "array", "items": {"type": "string"},
                            "description": "405 时允许的方法"},
                "max_depth": {"type": "integer"},
            },
            "additionalProperties": True,
        },
    },
    "additionalProperties": False,
}

IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": IDEMPOTENCY_HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 8, "maxLength": 100,
               "pattern": r"^[A-Za-z0-9._:-]{8,100}$"},
    "description": (
        "可选的请求标识（8—100 个字符，每次新操作一个新值，如 UUID）。网络不稳时重发同一请求，"
        "服务端返回第一次的应答（响应头 Idempotent-Replayed: true），不会再写入一次；同一标识"
        "用于不同内容时答 422 idempotency_key_reused。标识保存 48 小时。"
    ),
}

REPLAYED_HEADER = {
    "description": "true：这是同一 Idempotency-Key 第一次请求的应答，本次没有写入任何内容",
    "schema": {"type": "string", "enum": ["true"]},
}

PAGINATION_HEADER = {
    "description": (
        "分页信息，JSON 字符串：{\"total\", \"total_pages\", \"first_page\", \"last_page\", "
        "\"page\", \"previous_page\", \"next_page\"}（数字；没有上一页/下一页时不出现）"
    ),
    "schema": {"type": "string"},
}


def complete(app: Flask, api) -> None:
    """After the blueprints are registered: finish every operation of the document."""
    if api.document_reused:  # finished by an app of the same settings
        return
    spec = api.spec
    components = spec.components
    components.schemas["Error"] = ERROR_SCHEMA
    components.parameter("IdempotencyKey", "header", IDEMPOTENCY_PARAMETER)
    components.header("IdempotentReplayed", REPLAYED_HEADER)
    components.headers["PAGINATION"] = PAGINATION_HEADER
    endpoints = {}
    for rule in app.url_map.iter_rules():
        for method in rule.methods or ():
            endpoints[(_path_of(rule.rule), method.lower())] = rule.endpoint

    for path, method, operation in operations(spec._paths):
        endpoint = endpoints.get((path, method))
        if endpoint is None:
            continue
        operation.setdefault("operationId", f"{endpoint.replace('.', '_')}_{method}")
        responses = operation.setdefault("responses", {})
        for status in [s for s in responses if s not in {"200", "201", "204"}]:
            if status.startswith(("4", "5")) or status == "default":
                del responses[status]
        for status, codes in operation_codes(app, endpoint, method, operation, path).items():
            responses[str(status)] = _error_response(status, codes)
        responses["default"] = {"$ref": "#/components/responses/DEFAULT_ERROR"}
        if method.upper() in WRITE_METHODS:
            operation.setdefault("parameters", []).append(
                {"$ref": "#/components/parameters/IdempotencyKey"})
            for status, response in responses.items():
                if status.startswith("2") and "$ref" not in response:
                    response.setdefault("headers", {})["Idempotent-Replayed"] = {
                        "$ref": "#/components/headers/IdempotentReplayed"}
        body = operation.get("requestBody")
        if body and not _body_has_required_fields(spec, body):
            body["required"] = False
    add_links(spec._paths)
    components.responses["DEFAULT_ERROR"] = {
        "description": "其他错误（统一格式）",
        "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
    }
    for name in list(components.responses):
        if name != "DEFAULT_ERROR":
            del components.responses[name]
    api.keep_document()


def _body_has_required_fields(spec, body: dict) -> bool:
    schema = body.get("content", {}).get("application/json", {}).get("schema", {})
    name, _many = ref_name(schema)
    if name is None:
        return True
    return bool(spec.components.schemas.get(name, {}).get("required"))


