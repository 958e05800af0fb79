"""The stand-in on a real socket: a small HTTP/1.1 keep-alive server in a daemon thread."""

from __future__ import annotations

import io
import json
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

from server.wechat.standin.app import create_standin_app
from server.wechat.standin.state import StandInState

# the mini-program's own page list: a subscribe message may only open one of these
APP_JSON = Path(__file__).resolve().parents[3] / "miniprogram" / "app.json"


def miniprogram_pages(app_json: Path = APP_JSON) -> list[str]:
    """The pages of app.json, subpackages included ([] when there is no mini-program)."""
    if not app_json.exists():
        return []
    config = json.loads(app_json.read_text(encoding="utf-8"))
    pages = list(config.get("pages") or [])
    for package in config.get("subpackages") or config.get("subPackages") or []:
        pages += [f"{package['root'].strip('/')}/{page}" for page in package.get("pages", [])]
    return pages


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

    def handle_error(self, request, client_address):
        # a client that went away (a killed worker) is no error of the stand-in's
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


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
