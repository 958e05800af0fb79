"""The OpenAPI document, finished: the real error shape and every code an operation can answer,
the Idempotency-Key, decimals as strings, links between operations, Swagger UI served locally.

flask-smorest writes the document from the schemas; this module adds what the schemas cannot
say, after the blueprints are registered (`complete`). The error codes of an operation are
derived, not listed by hand: the codes every operation of its kind meets (login, validation,
idempotency: `COMMON`), plus the codes its view can raise, found by reading the view and,
transitively, every server function it calls for `AppError(status, "code", …)`,
`invalid("code", …)`, `conflict("code", …)`, `not_found()` and `forbidden()` — the places the
codes exist. A code raised through a call this reading cannot follow (a method on an object)
is missed; the test that checks real responses against the document finds such a gap.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import re
import textwrap
import types
from collections.abc import Iterator
from decimal import Decimal

from flask import Blueprint, Flask, send_from_directory
from marshmallow import fields, validate

from server.errors import HTTP_DEFAULTS
from server.guards import endpoint_is_public
from server.idempotency import HEADER as IDEMPOTENCY_HEADER
from server.idempotency import WRITE_METHODS
from server.schemas import INT_MAX, INT_MIN, DecimalBetween

ERROR_REF = "#/components/schemas/Error"
SWAGGER_ASSETS = "/api/docs/assets/"

# codes every operation of a kind can answer (status, code), with what brings them
AUTH_CODES = [(401, "unauthorized"), (401, "token_invalid"), (401, "token_expired"),
              (401, "token_revoked")]
BODY_CODES = [(400, "bad_request"), (400, "json_too_deep"), (413, "payload_too_large"),
              (415, "unsupported_media_type")]
WRITE_CODES = [(400, "idempotency_key_invalid"), (422, "idempotency_key_reused"),
               (409, "conflict")]
ARGUMENT_CODES = [(422, "validation_error"), (422, "value_out_of_range")]
PATH_CODES = [(404, "not_found")]

# Resources whose ids go by another name in paths: schema name -> path parameter
ID_PARAMETER = {
    "HoursRecord": "record_id",
    "ManualAward": "award_id",
    "Makeup": "session_id",
    "Entry": "entry_id",
    "Template": "template_id",
    "Area": "area_id",
    "Note": "note_id",
    "Unconfirmed": "attendance_id",
}


# --- derived error codes ---------------------------------------------------------------------

_HELPERS = {"invalid": 422, "conflict": 409}


def _codes_in(tree: ast.AST) -> set[tuple[int, str]]:
    found: set[tuple[int, str]] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(
            node.func, "id", None)
        args = node.args
        if name == "AppError" and len(args) >= 2 and all(
                isinstance(a, ast.Constant) for a in args[:2]):
            found.add((int(args[0].value), str(args[1].value)))
        elif name in _HELPERS and args and isinstance(args[0], ast.Constant):
            found.add((_HELPERS[name], str(args[0].value)))
        elif name == "not_found":
            found.add((404, "not_found"))
        elif name == "forbidden":
            found.add((403, "forbidden"))
    return found


def _callees(function: types.FunctionType, tree: ast.AST) -> Iterator[types.FunctionType]:
    names = dict(function.__globals__)
    for node in ast.walk(tree):  # imports inside the function (kept there to avoid cycles)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("server"):
            module = importlib.import_module(node.module)
            for alias in node.names:
                names[alias.asname or alias.name] = getattr(module, alias.name, None)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        target = None
        if isinstance(node.func, ast.Name):
            target = names.get(node.func.id)
        elif isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            owner = names.get(node.func.value.id)
            if isinstance(owner, types.ModuleType | type):
                target = getattr(owner, node.func.attr, None)
        target = inspect.unwrap(target) if callable(target) else None
        if isinstance(target, types.FunctionType) and target.__module__.startswith("server."):
            yield target


def _table_codes(function: types.FunctionType, tree: ast.AST) -> set[tuple[int, str]]:
    """Codes in module-level tables the function names, {key: (status, "code", message)}:
    the WeChat client maps WeChat's errcodes this way."""
    found: set[tuple[int, str]] = set()
    for node in ast.walk(tree):
        table = function.__globals__.get(node.id) if isinstance(node, ast.Name) else None
        if isinstance(table, dict):
            for value in table.values():
                if (isinstance(value, tuple) and len(value) == 3 and isinstance(value[0], int)
                        and 400 <= value[0] < 600 and isinstance(value[1], str)):
                    found.add((value[0], value[1]))
    return found


@functools.cache
def _own_codes(function: types.FunctionType) -> tuple[frozenset, tuple]:
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return frozenset(), ()
    codes = _codes_in(tree) | _table_codes(function, tree)
    return frozenset(codes), tuple(_callees(function, tree))


@functools.cache
def raised_codes(function: types.FunctionType) -> frozenset[tuple[int, str]]:
    """(status, code) of every AppError `function` raises itself or through server calls."""
    seen: set[types.FunctionType] = set()
    codes: set[tuple[int, str]] = set()
    pending = [inspect.unwrap(function)]
    while pending:
        current = pending.pop()
        if current in seen or current.__module__ == "server.errors":
            continue
        seen.add(current)
        own, callees = _own_codes(current)
        codes |= own
        pending.extend(callees)
    return frozenset(codes)


def _view_function(app: Flask, endpoint: str, method: str):
    view = app.view_functions[endpoint]
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return getattr(view_class, method.lower(), None)
    return view


def operation_codes(app: Flask, endpoint: str, method: str, operation: dict,
                    path: str) -> dict[int, list[str]]:
    """Every (status → codes) the operation can answer."""
    codes: set[tuple[int, str]] = set()
    if not endpoint_is_public(endpoint, method, app):
        codes.update(AUTH_CODES)
    if method.upper() in WRITE_METHODS:
        codes.update(WRITE_CODES)
    if "requestBody" in operation:
        codes.update(BODY_CODES)
    if "requestBody" in operation or any(
            p.get("in") == "query" for p in operation.get("parameters", [])):
        codes.update(ARGUMENT_CODES)
    if "{" in path:
        codes.update(PATH_CODES)
    if endpoint_is_public(endpoint, method, app):
        codes.add((429, "rate_limited"))  # every public operation is rate-limited
    view = _view_function(app, endpoint, method)
    if view is not None:
        codes |= raised_codes(view)
    by_status: dict[int, list[str]] = {}
    for status, code in sorted(codes):
        by_status.setdefault(status, []).append(code)
    return by_status


# --- the document ----------------------------------------------------------------------------

def decimal_as_string(self, field, **_kwargs) -> dict:
    """apispec attribute function: a Decimal is a string on the wire ("1.50"), not a number."""
    if not isinstance(field, fields.Decimal):
        return {}
    places = field.places.as_tuple().exponent * -1 if isinstance(field.places, Decimal) else 2
    result = {"type": "string", "format": "decimal",
              "pattern": rf"^-?\d{{1,6}}(\.\d{{1,{max(places, 1)}}})?$"}
    for validator in field.validators:
        if isinstance(validator, DecimalBetween):
            result["x-minimum"], result["x-maximum"] = str(validator.low), str(validator.high)
            result["description"] = f"{validator.low}—{validator.high}，如 \"{validator.high}\""
    return result


def integer_bounds(self, field, **_kwargs) -> dict:
    """apispec attribute function: integers without their own bounds are the databases'
    INTEGER, which StrictSchema enforces on input."""
    if not isinstance(field, fields.Integer):
        return {}
    ranges = [v for v in field.validators if isinstance(v, validate.Range)]
    result = {}
    if not any(r.min is not None for r in ranges):
        result["minimum"] = INT_MIN
    if not any(r.max is not None for r in ranges):
        result["maximum"] = INT_MAX
    return result


def prepare(api) -> None:
    """Before the blueprints are registered: how fields become document properties."""
    api.ma_plugin.converter.add_attribute_function(decimal_as_string)
    api.ma_plugin.converter.add_attribute_function(integer_bounds)


def _path_of(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _ref_name(schema: dict) -> tuple[str | None, bool]:
    """The component a response schema names, and whether it is a list of them."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1], False
    items = schema.get("items", {})
    if schema.get("type") == "array" and "$ref" in items:
        return items["$ref"].rsplit("/", 1)[-1], True
    return None, False


def _id_parameter(schema_name: str) -> str:
    name = re.sub(r"(Out|Detail|Brief)$", "", schema_name)
    if name in ID_PARAMETER:
        return ID_PARAMETER[name]
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower() + "_id"


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


def _operations(spec_paths: dict) -> Iterator[tuple[str, str, dict]]:
    for path, item in spec_paths.items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def complete(app: Flask, api) -> None:
    """After the blueprints are registered: finish every operation of the document."""
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

    for path, method, operation in _operations(spec._paths):
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
    _add_links(spec._paths)
    components.responses["DEFAULT_ERROR"] = {
        "description": "其他错误（统一格式）",
        "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
    }
    for name in list(components.responses):
        if name != "DEFAULT_ERROR":
            del components.responses[name]


def _body_has_required_fields(spec, body: dict) -> bool:
    schema = body.get("content", {}).get("application/json", {}).get("schema", {})
    name, _many = _ref_name(schema)
    if name is None:
        return True
    return bool(spec.components.schemas.get(name, {}).get("required"))


def _add_links(spec_paths: dict) -> None:
    """Each operation whose answer carries a resource's id links to every operation whose path
    needs exactly that id (a create to what comes next; a list to each item's pages)."""
    by_parameter: dict[str, list[tuple[str, dict]]] = {}
    for path, _method, operation in _operations(spec_paths):
        names = re.findall(r"{([^}]+)}", path)
        if len(names) == 1:
            by_parameter.setdefault(names[0], []).append((path, operation))
    for _path, _method, operation in _operations(spec_paths):
        for status, response in operation.get("responses", {}).items():
            if not status.startswith("2") or "content" not in response:
                continue
            schema = response["content"].get("application/json", {}).get("schema", {})
            name, many = _ref_name(schema)
            if name is None:
                continue
            parameter = _id_parameter(name)
            pointer = "$response.body#/0/id" if many else "$response.body#/id"
            links = {
                f"{target['operationId']}": {
                    "operationId": target["operationId"],
                    "parameters": {parameter: pointer},
                }
                for _target_path, target in by_parameter.get(parameter, [])
                if "operationId" in target and target is not operation
            }
            if links:
                response["links"] = links


# --- Swagger UI without the internet ---------------------------------------------------------

def swagger_ui_assets() -> Blueprint:
    """Swagger UI's files, from the swagger-ui-bundle package: many community and government
    networks cannot reach a CDN."""
    from swagger_ui_bundle import swagger_ui_path

    assets = Blueprint("swagger_ui_assets", __name__)

    @assets.route(SWAGGER_ASSETS + "<path:filename>")
    def asset(filename: str):
        return send_from_directory(swagger_ui_path, filename, max_age=86400)

    return assets


__all__ = ["complete", "prepare", "raised_codes", "swagger_ui_assets"]
