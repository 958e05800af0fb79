"""Security headers on every answer: the console's Content-Security-Policy, nosniff, referrer."""

from __future__ import annotations

from flask import Flask, Response, request

# The console is a built Vue app: scripts only from its own files (never inline), nothing may
# frame it. Inline style attributes stay allowed: TDesign and ECharts set them at run time.
CONSOLE_CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
# JSON and files: nothing to run or load at all
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI at /api/docs: its page starts the UI with an inline script; its files are the
# app's own (server/apidoc/), never a CDN's
DOCS_CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
))


def _policy(path: str) -> str | None:
    if path == "/console" or path.startswith("/console/"):
        return CONSOLE_CSP
    if path.startswith("/api/docs"):
        return DOCS_CSP
    if path.startswith("/api/"):
        return API_CSP
    return None


def _add_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    policy = _policy(request.path)
    if policy is not None:
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def init_security_headers(app: Flask) -> None:
    app.after_request(_add_headers)
