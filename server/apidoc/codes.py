"""The error codes of each operation, derived rather than listed by hand: the codes every
operation of its kind meets (login, validation, idempotency), plus the codes its view can raise,
found by reading the view and, transitively, every server function it calls for
`AppError(status, "code", …)`, `invalid("code", …)`, `conflict("code", …)`, `not_found()` and
`forbidden()` — the places the codes exist. A code raised through a call this reading cannot
follow (a method on an object) is missed; the test that checks real responses against the
document finds such a gap."""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import textwrap
import types
from collections.abc import Iterator

from flask import Flask

from server.guards import endpoint_is_public
from server.idempotency import WRITE_METHODS

# codes every operation of a kind can answer (status, code), with what brings them
AUTH_CODES = [(401, "unauthorized"), (401, "token_invalid"), (401, "token_expired"),
              (401, "token_revoked")]
BODY_CODES = [(400, "bad_request"), (400, "json_too_deep"), (413, "payload_too_large"),
              (415, "unsupported_media_type")]
WRITE_CODES = [(400, "idempotency_key_invalid"), (422, "idempotency_key_reused"),
               (409, "conflict")]
ARGUMENT_CODES = [(422, "validation_error"), (422, "value_out_of_range")]
PATH_CODES = [(404, "not_found")]
# the database restarting or out of reach, or its schema behind the code (server/unavailable.py)
SERVICE_CODES = [(503, "database_unavailable"), (503, "schema_not_migrated")]


_HELPERS = {"invalid": 422, "conflict": 409}


def _starred_table(arg: ast.AST, names: dict) -> dict:
    """The module-level table behind `helper(*TABLE[key])`, else {}."""
    if isinstance(arg, ast.Starred) and isinstance(arg.value, ast.Subscript) and isinstance(
            arg.value.value, ast.Name):
        table = names.get(arg.value.value.id)
        if isinstance(table, dict):
            return table
    return {}


def _codes_in(tree: ast.AST, names: dict) -> set[tuple[int, str]]:
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
        elif name in _HELPERS and args:  # conflict(*REFUSALS[state]): every code of the table
            for value in _starred_table(args[0], names).values():
                if isinstance(value, tuple) and value and isinstance(value[0], str):
                    found.add((_HELPERS[name], value[0]))
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
    yield from _table_functions(function, tree)


def _table_functions(function: types.FunctionType, tree: ast.AST) -> Iterator[types.FunctionType]:
    """Functions reached through a module-level table the function names, such as
    {kind: Kind(scope=…, check=…)}: a call through the table can raise what they raise."""
    for node in ast.walk(tree):
        table = function.__globals__.get(node.id) if isinstance(node, ast.Name) else None
        if not isinstance(table, dict):
            continue
        for value in table.values():
            members = vars(value).values() if hasattr(value, "__dict__") else [value]
            for member in members:
                if isinstance(member, types.FunctionType) and member.__module__.startswith(
                        "server."):
                    yield member


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
    codes = _codes_in(tree, function.__globals__) | _table_codes(function, tree)
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
    if path.startswith("/api/"):
        codes.update(SERVICE_CODES)
    if endpoint_is_public(endpoint, method, app):
        codes.add((429, "rate_limited"))  # every public operation is rate-limited
    view = _view_function(app, endpoint, method)
    if view is not None:
        codes |= raised_codes(view)
    by_status: dict[int, list[str]] = {}
    for status, code in sorted(codes):
        by_status.setdefault(status, []).append(code)
    return by_status

