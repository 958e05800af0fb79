"""Console fixtures: a browser (its own test client and cookies) logged in by scanning."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

TICKETS = "/api/v1/console/login-tickets"


@dataclass
class Browser:
    """A console browser: cookies of its own, and the CSRF token once logged in."""

    client: object
    csrf: str = ""

    def _headers(self, headers: dict | None, write: bool) -> dict:
        result = dict(headers or {})
        if write and self.csrf:
            result.setdefault("X-CSRF-Token", self.csrf)
        return result

    def get(self, path, **kw):
        return self.client.get(path, headers=self._headers(kw.pop("headers", None), False), **kw)

    def post(self, path, json=None, **kw):
        return self.client.post(path, json=json,
                                headers=self._headers(kw.pop("headers", None), True), **kw)

    def put(self, path, json=None, **kw):
        return self.client.put(path, json=json,
                               headers=self._headers(kw.pop("headers", None), True), **kw)

    def patch(self, path, json=None, **kw):
        return self.client.patch(path, json=json,
                                 headers=self._headers(kw.pop("headers", None), True), **kw)

    def delete(self, path, **kw):
        return self.client.delete(path, headers=self._headers(kw.pop("headers", None), True), **kw)


@pytest.fixture
def browser(app):
    """browser() → a new browser with no cookies."""

    def _new(user_agent: str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
             "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36") -> Browser:
        client = app.test_client()
        client.environ_base["HTTP_USER_AGENT"] = user_agent
        return Browser(client)

    return _new


@pytest.fixture
def console_login(browser, login):
    """console_login("staffA") → a browser logged in as that (already granted) person, by the
    scan flow: the browser asks for a ticket, the phone confirms, the browser polls."""

    def _login(login_name: str) -> Browser:
        b = browser()
        ticket = b.post(TICKETS).json["ticket"]
        phone = login(login_name)
        confirmed = phone.post(f"{TICKETS}/{ticket}/confirm")
        assert confirmed.status_code == 200, confirmed.json
        poll = b.get(f"{TICKETS}/{ticket}")
        assert poll.json["status"] == "confirmed", poll.json
        b.csrf = poll.json["session"]["csrf_token"]
        return b

    return _login
