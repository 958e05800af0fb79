"""A stand-in for the WeChat server API, in memory, for development, the demo and tests.

It follows WeChat's documented contract (errors are {"errcode": N, "errmsg": "..."}) for the
calls this service makes, so the app talks to it through wechatpy's real HTTP client. Test
and demo controls live under `_standin/` (HTTP) and on `StandInServer.state` (Python).
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from flask import Flask, jsonify, request

CODE_TTL_SECONDS = 5 * 60
TOKEN_TTL_SECONDS = 7200
# WeChat keeps the previous access token usable for 5 minutes after a new one is issued
TOKEN_OVERLAP_SECONDS = 5 * 60
DEFAULT_RISKY_WORDS = ("赌博", "诈骗", "六合彩")

ERRMSG = {
    0: "ok",
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40013: "invalid appid",
    40029: "invalid code",
    40125: "invalid appsecret",
    40163: "code been used",
    43101: "user refuse to accept the msg",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit  mustslower  retry next minute",
    47003: "argument invalid!",
}

# subscribe message value limits (subscribeMessage.send): key prefix -> max characters
VALUE_LIMITS = {
    "thing": 20,
    "number": 32,
    "letter": 32,
    "symbol": 5,
    "character_string": 32,
    "phone_number": 17,
    "car_number": 8,
    "phrase": 5,
    "amount": 11,
    "time": 32,
    "date": 32,
    "name": 20,
}
_OPENID = re.compile(r"^o[A-Za-z0-9_-]{5,63}$")


def demo_openid(name: str) -> str:
    """The stable openid behind the demo login code `demo:<name>`."""
    return "odemo_" + hashlib.sha256(f"openid:{name}".encode()).hexdigest()[:22]


def demo_unionid(name: str) -> str:
    return "udemo_" + hashlib.sha256(f"unionid:{name}".encode()).hexdigest()[:22]


def _value_too_long(key: str, value: Any) -> bool:
    if not isinstance(value, str) or value == "":
        return True
    prefix = key.rstrip("0123456789")
    limit = VALUE_LIMITS.get(prefix)
    if limit is None:
        return True  # not a WeChat field type
    if prefix == "name" and not value.isascii():
        limit = 10
    if prefix == "number" and not re.fullmatch(r"[0-9.]+", value):
        return True
    return len(value) > limit


class StandInState:
    """Everything the stand-in remembers, behind one lock."""

    def __init__(self, appid: str, secret: str, clock: Callable[[], float] | None = None):
        self.appid = appid
        self.secret = secret
        # time.time looked up on each call, so time-machine can move it
        self.clock = clock or (lambda: time.time())
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self._codes: dict[str, tuple[str, str | None, float]] = {}
            self._used_codes: set[str] = set()
            self._phone_codes: dict[str, str] = {}
            self._faults: dict[str, deque[int]] = {}
            self._refusals: set[tuple[str, str]] = set()
            self._tokens: dict[str, float] = {}
            self._latest_token: str | None = None
            self._risky_words: list[str] = list(DEFAULT_RISKY_WORDS)
            self._review_words: list[str] = []
            self._sent: list[dict] = []
            self._calls: Counter[str] = Counter()
            self._tokens_issued = 0

    # -- controls (admin API) ---------------------------------------------------------------

    def issue_code(self, openid: str | None = None, unionid: str | None = None) -> str:
        """A wx.login code, valid for 5 minutes and usable once."""
        code = "code_" + secrets.token_urlsafe(16)
        openid = openid or "o" + secrets.token_urlsafe(20)
        with self.lock:
            self._codes[code] = (openid, unionid, self.clock())
        return code

    def issue_phone_code(self, phone: str) -> str:
        code = "phone_" + secrets.token_urlsafe(16)
        with self.lock:
            self._phone_codes[code] = phone
        return code

    def add_fault(self, path: str, errcode: int, times: int = 1) -> None:
        """The next `times` calls to `path` answer `errcode`."""
        with self.lock:
            self._faults.setdefault(path.strip("/"), deque()).extend([int(errcode)] * times)

    def add_refusal(self, openid: str, template_id: str) -> None:
        with self.lock:
            self._refusals.add((openid, template_id))

    def expire_tokens(self) -> None:
        """Every access token issued so far stops working (as if refreshed elsewhere)."""
        with self.lock:
            self._tokens.clear()
            self._latest_token = None

    def set_risky_words(self, words: list[str], review: list[str] | None = None) -> None:
        with self.lock:
            self._risky_words = list(words)
            if review is not None:
                self._review_words = list(review)

    def sent(self) -> list[dict]:
        with self.lock:
            return [dict(message) for message in self._sent]

    def stats(self) -> dict:
        with self.lock:
            return {"calls": dict(self._calls), "tokens_issued": self._tokens_issued}

    # -- the WeChat contract ---------------------------------------------------------------

    def begin_call(self, path: str) -> int | None:
        """Count the call; answer an injected fault if one is due."""
        with self.lock:
            self._calls[path] += 1
            faults = self._faults.get(path)
            if faults:
                return faults.popleft()
        return None

    def _check_app(self, appid: str | None, secret: str | None) -> int:
        if appid != self.appid:
            return 40013
        if secret != self.secret:
            return 40125
        return 0

    def issue_token(self, appid: str | None, secret: str | None, force: bool = True) -> dict:
        errcode = self._check_app(appid, secret)
        if errcode:
            return _error(errcode)
        with self.lock:
            now = self.clock()
            latest = self._latest_token
            if not force and latest and self._tokens.get(latest, 0) > now:
                return {"access_token": latest, "expires_in": int(self._tokens[latest] - now)}
            token = secrets.token_urlsafe(48)
            for old, expires_at in self._tokens.items():
                self._tokens[old] = min(expires_at, now + TOKEN_OVERLAP_SECONDS)
            self._tokens = {t: e for t, e in self._tokens.items() if e > now}
            self._tokens[token] = now + TOKEN_TTL_SECONDS
            self._latest_token = token
            self._tokens_issued += 1
        return {"access_token": token, "expires_in": TOKEN_TTL_SECONDS}

    def token_valid(self, token: str | None) -> bool:
        with self.lock:
            return bool(token) and self._tokens.get(token, 0) > self.clock()

    def code_to_session(self, appid, secret, js_code, grant_type) -> dict:
        errcode = self._check_app(appid, secret)
        if errcode:
            return _error(errcode)
        if grant_type != "authorization_code" or not js_code:
            return _error(40029)
        with self.lock:
            if js_code in self._used_codes:
                return _error(40163)
            name = js_code.split(":")[1] if js_code.startswith("demo:") else ""
            if name:
                self._used_codes.add(js_code)
                return {
                    "openid": demo_openid(name),
                    "session_key": secrets.token_urlsafe(16),
                    "unionid": demo_unionid(name),
                }
            issued = self._codes.pop(js_code, None)
            if issued is None or self.clock() - issued[2] > CODE_TTL_SECONDS:
                return _error(40029)
            self._used_codes.add(js_code)
        openid, unionid, _ = issued
        result = {"openid": openid, "session_key": secrets.token_urlsafe(16)}
        if unionid:
            result["unionid"] = unionid
        return result

    def phone_number(self, code: str | None) -> dict:
        with self.lock:
            phone = self._phone_codes.pop(code or "", None)
        if phone is None:
            return _error(40029)
        pure = phone[-11:] if phone.startswith("+") else phone
        return {
            "errcode": 0,
            "errmsg": "ok",
            "phone_info": {
                "phoneNumber": phone,
                "purePhoneNumber": pure,
                "countryCode": "86",
                "watermark": {"timestamp": int(self.clock()), "appid": self.appid},
            },
        }

    def send_subscribe(self, body: dict) -> dict:
        openid, template_id = body.get("touser"), body.get("template_id")
        if not isinstance(openid, str) or not _OPENID.match(openid):
            return _error(40003)
        data = body.get("data")
        if not template_id or not isinstance(data, dict) or not data:
            return _error(47003)
        for key, field in data.items():
            if not isinstance(field, dict) or _value_too_long(key, field.get("value")):
                return _error(47003)
        with self.lock:
            if (openid, template_id) in self._refusals:
                return _error(43101)
            self._sent.append(
                {
                    "touser": openid,
                    "template_id": template_id,
                    "page": body.get("page"),
                    "data": data,
                    "miniprogram_state": body.get("miniprogram_state"),
                    "lang": body.get("lang"),
                }
            )
        return _error(0)

    def msg_sec_check(self, body: dict) -> dict:
        content = body.get("content")
        if not isinstance(content, str):
            return _error(47003)
        with self.lock:
            risky = any(word and word in content for word in self._risky_words)
            review = any(word and word in content for word in self._review_words)
        suggest, label = ("risky", 20001) if risky else ("review", 20001) if review else (
            "pass",
            100,
        )
        return {
            "errcode": 0,
            "errmsg": "ok",
            "trace_id": secrets.token_hex(8),
            "result": {"suggest": suggest, "label": label},
            "detail": [{"strategy": "content_model", "errcode": 0, "suggest": suggest,
                        "label": label}],
        }


def _error(errcode: int) -> dict:
    return {"errcode": errcode, "errmsg": ERRMSG.get(errcode, "error")}


def _body() -> dict:
    # wechatpy posts JSON without a Content-Type header
    body = request.get_json(force=True, silent=True)
    return body if isinstance(body, dict) else {}


def create_standin_app(
    appid: str, secret: str, state: StandInState | None = None
) -> Flask:
    app = Flask("wechat_standin")
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    state = state or StandInState(appid, secret)
    app.extensions["wechat_standin"] = state

    def guarded(path: str, handler: Callable[[], dict], needs_token: bool = True):
        fault = state.begin_call(path)
        if fault is not None:
            return jsonify(_error(fault))
        if needs_token and not state.token_valid(request.args.get("access_token")):
            return jsonify(_error(40001))
        return jsonify(handler())

    @app.get("/cgi-bin/token")
    def token():
        args = request.args
        if args.get("grant_type") != "client_credential":
            return guarded("cgi-bin/token", lambda: _error(40002), needs_token=False)
        return guarded(
            "cgi-bin/token",
            lambda: state.issue_token(args.get("appid"), args.get("secret")),
            needs_token=False,
        )

    @app.post("/cgi-bin/stable_token")
    def stable_token():
        body = _body()
        return guarded(
            "cgi-bin/stable_token",
            lambda: state.issue_token(
                body.get("appid"), body.get("secret"), force=bool(body.get("force_refresh"))
            ),
            needs_token=False,
        )

    @app.get("/sns/jscode2session")
    def jscode2session():
        args = request.args
        return guarded(
            "sns/jscode2session",
            lambda: state.code_to_session(
                args.get("appid"), args.get("secret"), args.get("js_code"), args.get("grant_type")
            ),
            needs_token=False,
        )

    @app.post("/wxa/business/getuserphonenumber")
    def phone_number():
        body = _body()
        return guarded(
            "wxa/business/getuserphonenumber", lambda: state.phone_number(body.get("code"))
        )

    @app.post("/cgi-bin/message/subscribe/send")
    def subscribe_send():
        body = _body()
        return guarded("cgi-bin/message/subscribe/send", lambda: state.send_subscribe(body))

    @app.post("/wxa/msg_sec_check")
    def msg_sec_check():
        body = _body()
        return guarded("wxa/msg_sec_check", lambda: state.msg_sec_check(body))

    # -- admin API: for tests and the demo, never part of WeChat ----------------------------

    @app.post("/_standin/reset")
    def admin_reset():
        state.reset()
        return jsonify({"ok": True})

    @app.post("/_standin/codes")
    def admin_codes():
        body = _body()
        return jsonify({"code": state.issue_code(body.get("openid"), body.get("unionid"))})

    @app.post("/_standin/phone-codes")
    def admin_phone_codes():
        phone = _body().get("phone")
        if not phone:
            return jsonify({"error": "phone is required"}), 400
        return jsonify({"code": state.issue_phone_code(str(phone))})

    @app.post("/_standin/faults")
    def admin_faults():
        body = _body()
        if not body.get("path") or body.get("errcode") is None:
            return jsonify({"error": "path and errcode are required"}), 400
        state.add_fault(body["path"], int(body["errcode"]), int(body.get("times", 1)))
        return jsonify({"ok": True})

    @app.post("/_standin/refusals")
    def admin_refusals():
        body = _body()
        if not body.get("openid") or not body.get("template_id"):
            return jsonify({"error": "openid and template_id are required"}), 400
        state.add_refusal(body["openid"], body["template_id"])
        return jsonify({"ok": True})

    @app.post("/_standin/expire-tokens")
    def admin_expire_tokens():
        state.expire_tokens()
        return jsonify({"ok": True})

    @app.post("/_standin/risky-words")
    def admin_risky_words():
        body = _body()
        state.set_risky_words(list(body.get("words") or []), body.get("review"))
        return jsonify({"ok": True})

    @app.get("/_standin/sent")
    def admin_sent():
        return jsonify({"sent": state.sent()})

    @app.get("/_standin/stats")
    def admin_stats():
        return jsonify(state.stats())

    return app


class _KeepAliveWSGIHandler(BaseHTTPRequestHandler):
    """A minimal HTTP/1.1 keep-alive front for the stand-in's WSGI app.

    werkzeug's development server closes every connection; a broadcast of 10,000 messages
    would then pay a new connection and a new thread per message.
    """

    protocol_version = "HTTP/1.1"
    timeout = 60  # close idle keep-alive connections eventually
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    wsgi_app: Callable = None  # type: ignore[assignment]

    def log_message(self, format, *args):  # no access log line per request
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        host, port = self.server.server_address[:2]
        environ = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(path, encoding="latin-1"),
            "QUERY_STRING": query,
            "SERVER_NAME": str(host),
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(length),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in self.headers.items():
            key = name.upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                environ[f"HTTP_{key}"] = value
        started: list = []

        def start_response(status, headers, exc_info=None):
            started[:] = [status, headers]
            return lambda data: None

        result = type(self).wsgi_app(environ, start_response)
        try:
            payload = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        status, headers = started
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason)
        for name, value in headers:
            if name.lower() not in ("content-length", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _serve


class _ThreadingServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 resets connections when many clients arrive at once
    request_queue_size = 1024


class StandInServer:
    """The stand-in on a real socket, served from a daemon thread."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        appid: str = "wx-demo-appid",
        secret: str = "demo-secret",
        clock: Callable[[], float] | None = None,
    ):
        self.state = StandInState(appid, secret, clock)
        self.app = create_standin_app(appid, secret, self.state)
        handler = type("StandInHandler", (_KeepAliveWSGIHandler,), {"wsgi_app": self.app})
        self._server = _ThreadingServer((host, port), handler)
        self.host = host
        self.port = self._server.server_port
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def start(self) -> StandInServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.1,), name="wechat-standin", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread (the CLI) until interrupted."""
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()
