"""Browser journeys through the built console: the real Flask server on loopback in a thread, on
the suite's test database, driven by Debian's Chromium through Playwright.

Skipped when Chromium or Playwright is missing, except under CI (tests/run installs both).
Each journey saves screenshots to tests/artifacts/console/ (ignored by git).
"""

from __future__ import annotations

import itertools
import os
import shutil
import threading
import uuid
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from server import console_build
from server.extensions import db

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "console"
HERE = Path(__file__).resolve().parent
TIMEOUT_MS = 15_000
NO_ANIMATIONS = """
document.addEventListener('DOMContentLoaded', () => {
  const style = document.createElement('style');
  style.textContent = '*, *::before, *::after { transition: none !important;'
    + ' animation-duration: 0s !important; animation-delay: 0s !important; }';
  document.head.appendChild(style);
});
"""


def pytest_collection_modifyitems(items):
    # the demo-code login exists only in development; the journeys use it to log in quickly
    development = pytest.mark.settings(APP_ENV="development")
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(development)


def _missing(what: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing, and CI runs the browser journeys (tests/run installs it)")
    pytest.skip(f"{what} is missing: browser journeys skipped")


@pytest.fixture(scope="session")
def _console_dist():
    """The built console: tests/run builds it first; a run of this folder alone builds it here."""
    if console_build.is_stale() and not console_build.build(print):
        _missing("the console build (npm)")
    return console_build.DIST_DIR


@pytest.fixture(scope="session")
def chromium(_console_dist):
    """One headless Chromium for the whole session; each journey opens its own context."""
    if not Path(CHROMIUM).exists():
        _missing("chromium (apt-get install chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright (pip install -e '.[test]')")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()
    playwright.stop()


def release_database() -> None:
    """End the test thread's transaction: on SQLite every transaction (even one begun by reading
    an expired attribute) is BEGIN IMMEDIATE and would hold the server's writes back."""
    db.session.commit()


class _CurrentApp:
    """The WSGI app of the test that runs now: one server (and so one origin, whose assets the
    browser caches) for the whole session, each test's request going to that test's app."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@pytest.fixture(scope="session")
def _server():
    current = _CurrentApp()
    server = make_server("127.0.0.1", 0, current, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", current
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture
def live(app, _server):
    """The app served on 127.0.0.1 (a free port) in a thread: its base URL."""
    release_database()
    url, current = _server
    current.app = app
    yield url
    current.app = None


def _new_context(chromium, url):
    context = chromium.new_context(
        base_url=url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1360, "height": 860},
        accept_downloads=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    # no transitions: Playwright waits for each element to stop moving before it clicks
    context.add_init_script(NO_ANIMATIONS)
    return context


@pytest.fixture(scope="session")
def _shared_context(chromium, _server):
    """One browser context for the session: its cache keeps the console's immutable assets."""
    context = _new_context(chromium, _server[0])
    yield context
    context.close()


@pytest.fixture
def page(_shared_context, live):
    """A page of the shared context, with no cookies: nobody is logged in."""
    _shared_context.clear_cookies()
    page = _shared_context.new_page()
    yield page
    page.close()


@pytest.fixture
def new_page(chromium, live):
    """new_page() → a page in a browser of its own (its own cookies), for a second device."""
    contexts = []

    def _new():
        context = _new_context(chromium, live)
        contexts.append(context)
        return context.new_page()

    yield _new
    for context in contexts:
        context.close()


_codes = itertools.count()


def demo_code(login_name: str) -> str:
    """A fresh demo code for a person (each exact code logs in once)."""
    return f"demo:{login_name}:ui{next(_codes)}-{uuid.uuid4().hex[:6]}"


@pytest.fixture
def console_as(live):
    """console_as(page, "staffA") → the page logged in to the console (demo code, through the
    API, as the login page's form would), showing the first page of that person's menu."""

    def _login(page, login_name: str, path: str = "/console/"):
        release_database()
        response = page.request.post(
            f"{live}/api/v1/console/demo-login", data={"code": demo_code(login_name)}
        )
        assert response.ok, response.text()
        page.goto(path)
        page.get_by_test_id("user-name").wait_for()
        return page

    return _login


@pytest.fixture
def shot(request, database_url):
    """shot(page, "name") saves a full-page screenshot as <database>-<test>-<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    database = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    test = request.node.name.removeprefix("test_")[:60]

    def _shot(page, name: str) -> Path:
        path = ARTIFACTS / f"{database}-{test}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


class ConsoleApi:
    """The API as the logged-in page's own cookies reach it (for setting up a journey)."""

    def __init__(self, page):
        release_database()
        self.request = page.request
        self.csrf = self.request.get("/api/v1/console/session").json()["csrf_token"]

    def get(self, path, **params):
        release_database()
        response = self.request.get(path, params=params or None)
        assert response.ok, response.text()
        return response.json()

    def post(self, path, data=None, multipart=None):
        release_database()
        response = self.request.post(path, data=data if multipart is None else None,
                                     multipart=multipart, headers={"X-CSRF-Token": self.csrf})
        assert response.ok, response.text()
        return response.json()


@pytest.fixture
def console_api():
    return ConsoleApi
