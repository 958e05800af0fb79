"""What every request passes before its view: the caller first, then a JSON body's nesting.

One place, so no endpoint can forget: an endpoint is public only when its OpenAPI operation
says so (`@blp.doc(security=[{}])`, e.g. the login), and the document and the behaviour
cannot disagree. A body is looked at only after the caller is known, so an anonymous caller
learns nothing about what an endpoint expects.
"""

from __future__ import annotations

import functools
import re

from flask import Flask, current_app, g, request
from flask.sessions import SessionInterface

from server.auth.tokens import current_login
from server.errors import AppError

# Deeper JSON than this is refused before it is decoded: Python's decoder recurses once per
# level and fails with RecursionError near 1,000; nothing this API accepts nests beyond 4.
MAX_JSON_DEPTH = 64
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_OPENERS = frozenset(b"[{")


def json_depth(body: bytes, limit: int = MAX_JSON_DEPTH) -> int:
    """How deep the arrays and objects of `body` nest (brackets inside strings do not count);
    stops counting once past `limit`. Malformed JSON is left to the decoder to refuse."""
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b"", body))
    depth = deepest = 0
    for byte in brackets:
        depth += 1 if byte in _OPENERS else -1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
    return deepest


@functools.cache
def _is_public(view) -> bool:
    return (getattr(view, "_apidoc", {}).get("manual_doc", {}).get("security")) in ([], [{}])


def endpoint_is_public(endpoint: str | None, method: str, app: Flask | None = None) -> bool:
    """True when the operation's document declares no security (callers need no login)."""
    view = (app or current_app).view_functions.get(endpoint) if endpoint else None
    if view is None:
        return True  # no such endpoint: routing answers 404/405 by itself
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        view = getattr(view_class, method.lower(), None)
        if view is None:
            return True
    return _is_public(view)


def _check_request():
    # g outlives a request when the caller (a test, a CLI) holds the app context open
    g.pop("principal", None)
    g.pop("auth_login", None)
    if not request.path.startswith("/api/v1/") or request.method == "OPTIONS":
        return None
    if request.routing_exception is None and not endpoint_is_public(
        request.endpoint, request.method
    ):
        current_login()  # a 401 the client acts on (login again), before anything else
    if request.is_json and request.content_length != 0:
        body = request.get_data(cache=True)
        if json_depth(body) > MAX_JSON_DEPTH:
            raise AppError(
                400,
                "json_too_deep",
                f"提交的内容层级过深（最多 {MAX_JSON_DEPTH} 层），请检查后重试",
                {"max_depth": MAX_JSON_DEPTH},
            )
    return None


class NoCookieSession(SessionInterface):
    """Flask's signed-cookie session is used by nothing here (the caller is named by a token or
    the console's own cookie, server/auth/tokens.py); opening it for every request built a
    signer each time. `flask.session` is the read-only empty one."""

    def open_session(self, app, request):
        return None  # Flask then uses make_null_session

    def save_session(self, app, session, response):
        return None


def init_request_guards(app: Flask) -> None:
    """Registered before the request transaction, so these checks run first."""
    app.session_interface = NoCookieSession()
    app.before_request(_check_request)
