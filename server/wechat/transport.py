"""How the app reaches WeChat: keep-alive HTTP pools, wechatpy's client with the shared
token, and one call with bounded retries (busy: backoff; a refused token: refresh once)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import requests
from flask import current_app
from requests.adapters import HTTPAdapter
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from server.wechat.errors import INVALID_TOKEN_ERRCODES, WeChatError
from server.wechat.token_store import DatabaseTokenStore, RedisTokenStore, TokenStore, shared_token

BUSY_BACKOFF_SECONDS = 0.1  # after errcode -1, wait this times the attempt number

_lock = threading.Lock()
_sessions: dict[str, requests.Session] = {}


def new_http_session(base_url: str, pool_size: int) -> requests.Session:
    session = requests.Session()
    # proxies from the environment never apply to loopback (the stand-in), and looking them
    # up costs more than the call itself
    session.trust_env = urlsplit(base_url).hostname not in ("127.0.0.1", "localhost")
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _http_session(base_url: str) -> requests.Session:
    """One keep-alive connection pool per WeChat base URL, shared by all threads."""
    with _lock:
        session = _sessions.get(base_url)
        if session is None:
            session = _sessions[base_url] = new_http_session(base_url, 64)
        return session


_thread_clients = threading.local()


class AppWeChatClient(WeChatClient):
    """wechatpy's client, pointed at the configured base URL, with the shared token."""

    def __init__(self, appid: str, secret: str, base_url: str, timeout: float,
                 store: TokenStore, http: requests.Session | None = None):
        super().__init__(appid, secret, timeout=timeout, auto_retry=False)
        self.base_url = base_url
        self.API_BASE_URL = base_url + "cgi-bin/"
        self.wxa.API_BASE_URL = base_url
        self._http = http or _http_session(base_url)
        self._store = store

    def for_this_thread(self) -> AppWeChatClient:
        """A copy with its own keep-alive connection, for a sending thread (same token)."""
        copies = _thread_clients.__dict__.setdefault("copies", {})
        copy = copies.get(id(self))
        if copy is None or copy[0] is not self:
            twin = AppWeChatClient(self.appid, self.secret, self.base_url, self.timeout,
                                   self._store, http=new_http_session(self.base_url, 1))
            copy = copies[id(self)] = (self, twin)
        return copy[1]

    def fetch_access_token(self) -> dict:
        """The HTTP call itself; only ever made under the token lock."""
        response = self._http.get(
            self.base_url + "cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid,
                    "secret": self.secret},
            timeout=self.timeout,
        )
        try:
            response.raise_for_status()
        except requests.RequestException as error:
            raise WeChatClientException(
                None, None, client=self, request=error.request, response=error.response
            ) from error
        return self._handle_result(response)

    @property
    def access_token(self) -> str:
        return shared_token(self._store, self.fetch_access_token)

    def refresh_token_after_failure(self, failed: str | None) -> None:
        """A refused token: refresh, unless someone already replaced the token that failed."""
        shared_token(self._store, self.fetch_access_token, failed=failed or self.access_token)


_clients: dict[tuple, AppWeChatClient] = {}


def app_client() -> AppWeChatClient:
    """The client for the current settings (built once: wechatpy's constructor is not cheap)."""
    config = current_app.config
    base_url = config["WECHAT_API_BASE_URL"]
    if not base_url.endswith("/"):
        base_url += "/"
    key = (
        config["WECHAT_APPID"],
        config["WECHAT_SECRET"],
        base_url,
        float(config["WECHAT_TIMEOUT_SECONDS"]),
        config.get("REDIS_URL") or "",
    )
    with _lock:
        client = _clients.get(key)
    if client is None:
        appid, secret, _, timeout, redis_url = key
        store = RedisTokenStore(redis_url, appid) if redis_url else DatabaseTokenStore(appid)
        client = AppWeChatClient(appid, secret, base_url, timeout, store)
        with _lock:
            client = _clients.setdefault(key, client)
    return client


def token_in(error: WeChatClientException) -> str | None:
    """The access token of the call WeChat refused (to refresh only if it is still current)."""
    request = getattr(error, "request", None)
    url = getattr(request, "url", None)
    if not url:
        return None
    return (parse_qs(urlsplit(url).query).get("access_token") or [None])[0]


def call(
    request: Callable[[AppWeChatClient], dict],
    client: AppWeChatClient | None = None,
    busy_retries: int | None = None,
    refresh_token: bool = True,
) -> dict:
    """Make one WeChat call: retry -1 (busy) a bounded number of times, and a refused token
    once after refreshing it (unless refresh_token is False: then it is raised like anything
    else). Raises WeChatError for anything else.

    Without `client` and `busy_retries` this needs the app context (the settings)."""
    client = client or app_client()
    if busy_retries is None:
        busy_retries = int(current_app.config["WECHAT_MAX_RETRIES"])
    busy_attempts = 0
    refreshed = not refresh_token
    while True:
        try:
            return request(client)
        except WeChatClientException as error:
            errcode = error.errcode
            if errcode == -1 and busy_attempts < busy_retries:
                busy_attempts += 1
                time.sleep(BUSY_BACKOFF_SECONDS * busy_attempts)
                continue
            if errcode in INVALID_TOKEN_ERRCODES and not refreshed:
                refreshed = True
                client.refresh_token_after_failure(token_in(error))
                continue
            raise WeChatError(errcode, str(error.errmsg)) from error
        except requests.RequestException as error:
            raise WeChatError(None, f"{type(error).__name__}: {error}") from error
