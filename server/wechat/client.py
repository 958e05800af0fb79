"""The only place the app talks to WeChat: wechatpy's HTTP client, one shared access token,
bounded retries, and WeChat's error codes turned into errors a member can act on.

The access token (接口调用凭证) is shared by every process: it lives in the
`wechat_access_tokens` row for the appid (or in Redis when REDIS_URL is set), and is fetched
under a lock by whichever caller first finds it missing or expiring; the others wait and
re-read. Each process also keeps it in memory for a minute, so a broadcast of thousands of
messages does not read the database once per message.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
import sqlalchemy as sa
from flask import current_app
from requests.adapters import HTTPAdapter
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from server.errors import AppError
from server.extensions import db
from server.timeutil import utcnow
from server.wechat.models import WechatAccessToken

log = logging.getLogger(__name__)

TOKEN_MARGIN = timedelta(minutes=5)  # refresh this long before WeChat would expire it
PROCESS_CACHE_SECONDS = 60  # how long a process trusts its in-memory copy of the token
BUSY_BACKOFF_SECONDS = 0.1  # after errcode -1, wait this times the attempt number
INVALID_TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
REDIS_LOCK_SECONDS = 60


class WeChatError(Exception):
    """WeChat refused a call (errcode), or could not be reached (errcode None)."""

    def __init__(self, errcode: int | None, errmsg: str):
        super().__init__(f"WeChat error {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg

    @property
    def retryable(self) -> bool:
        """Worth trying again later: WeChat was busy or unreachable."""
        return self.errcode in (-1, None)


# -- the access token ----------------------------------------------------------------------


def _usable(token: str | None, expires_at: datetime | None, failed: str | None) -> bool:
    return bool(token) and token != failed and expires_at is not None and (
        expires_at - TOKEN_MARGIN > utcnow()
    )


_process_cache: dict[tuple[str, str], tuple[str, datetime, float]] = {}
_process_cache_lock = threading.Lock()


def forget_cached_tokens() -> None:
    """Drop this process's in-memory tokens (tests that reset the stand-in call this)."""
    with _process_cache_lock:
        _process_cache.clear()


# SQLite: every transaction is BEGIN IMMEDIATE (server/database.py), so a thread that already
# has one open (a request's) would wait forever on a second connection. Track them per thread.
_open_sqlite = threading.local()


def _open_sqlite_connections() -> dict[int, Connection]:
    if not hasattr(_open_sqlite, "connections"):
        _open_sqlite.connections = {}
    return _open_sqlite.connections


@event.listens_for(Engine, "begin")
def _note_sqlite_begin(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        _open_sqlite_connections()[id(conn)] = conn


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _note_sqlite_end(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        _open_sqlite_connections().pop(id(conn), None)


@contextmanager
def _token_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction of its own for the token, so a request's transaction is not touched.

    Except on SQLite when this thread already holds the write lock: then nobody else can be
    refreshing, and the token is written in that transaction (lost only if it rolls back).
    """
    if engine.dialect.name == "sqlite":
        for conn in list(_open_sqlite_connections().values()):
            if not conn.closed and conn.in_transaction() and conn.engine.url == engine.url:
                yield conn
                return
    with engine.begin() as conn:
        yield conn


class DatabaseTokenStore:
    """The token in the `wechat_access_tokens` row: SELECT … FOR UPDATE on PostgreSQL, the
    BEGIN IMMEDIATE write lock on SQLite."""

    def __init__(self, appid: str):
        self.appid = appid

    @property
    def cache_key(self) -> tuple[str, str]:
        return (f"db:{db.engine.url}", self.appid)

    def get(self, fetch: Callable[[], dict], failed: str | None = None) -> tuple[str, datetime]:
        table = WechatAccessToken.__table__
        where = table.c.appid == self.appid
        columns = (table.c.access_token, table.c.expires_at)
        engine = db.engine  # the current app's
        dialect = engine.dialect.name
        with _token_transaction(engine) as conn:
            row = conn.execute(sa.select(*columns).where(where)).first()
            if row is not None and _usable(row.access_token, row.expires_at, failed):
                return row.access_token, row.expires_at
            if dialect == "postgresql":
                from sqlalchemy.dialects.postgresql import insert

                conn.execute(
                    insert(table).values(appid=self.appid, refreshed_count=0)
                    .on_conflict_do_nothing()
                )
            if dialect != "sqlite":  # SQLite: the transaction already holds the write lock
                row = conn.execute(sa.select(*columns).where(where).with_for_update()).first()
                if row is not None and _usable(row.access_token, row.expires_at, failed):
                    return row.access_token, row.expires_at
            result = fetch()
            token = result["access_token"]
            expires_at = utcnow() + timedelta(seconds=int(result.get("expires_in", 7200)))
            if row is None:
                conn.execute(
                    sa.insert(table).values(
                        appid=self.appid, access_token=token, expires_at=expires_at,
                        refreshed_count=1,
                    )
                )
            else:
                conn.execute(
                    sa.update(table).where(where).values(
                        access_token=token, expires_at=expires_at,
                        refreshed_count=table.c.refreshed_count + 1,
                    )
                )
            log.info("fetched a new WeChat access token for %s", self.appid)
            return token, expires_at


class RedisTokenStore:
    """The token in Redis through wechatpy's RedisStorage, refreshed under a Redis lock."""

    def __init__(self, url: str, appid: str):
        import redis
        from wechatpy.session.redisstorage import RedisStorage

        self.appid = appid
        self.redis = _redis_client(url, redis)
        self.storage = RedisStorage(self.redis, prefix="wechatpy")
        self.key = f"{appid}_access_token"
        self.cache_key = (f"redis:{url}", appid)

    def _read(self, failed: str | None) -> tuple[str, datetime] | None:
        value = self.storage.get(self.key)
        if not isinstance(value, dict):
            return None
        expires_at = datetime.fromisoformat(value["expires_at"])
        if _usable(value.get("token"), expires_at, failed):
            return value["token"], expires_at
        return None

    def get(self, fetch: Callable[[], dict], failed: str | None = None) -> tuple[str, datetime]:
        found = self._read(failed)
        if found:
            return found
        with self.redis.lock(
            f"wechatpy:{self.appid}:refresh", timeout=REDIS_LOCK_SECONDS, blocking_timeout=30
        ):
            found = self._read(failed)
            if found:
                return found
            result = fetch()
            expires_in = int(result.get("expires_in", 7200))
            expires_at = utcnow() + timedelta(seconds=expires_in)
            self.storage.set(
                self.key,
                {"token": result["access_token"], "expires_at": expires_at.isoformat()},
                ttl=expires_in,
            )
            self.redis.incr(f"wechatpy:{self.appid}:refreshed_count")
            log.info("fetched a new WeChat access token for %s", self.appid)
            return result["access_token"], expires_at


_redis_clients: dict[str, Any] = {}


def _redis_client(url: str, redis_module: Any) -> Any:
    with _process_cache_lock:
        if url not in _redis_clients:
            _redis_clients[url] = redis_module.Redis.from_url(url)
        return _redis_clients[url]




def _shared_token(store, fetch: Callable[[], dict], failed: str | None = None) -> str:
    """The current token: this process's copy if fresh, else the store's (refreshed once)."""
    with _process_cache_lock:
        cached = _process_cache.get(store.cache_key)
    if cached is not None:
        token, expires_at, checked = cached
        if _usable(token, expires_at, failed) and time.monotonic() - checked < (
            PROCESS_CACHE_SECONDS
        ):
            return token
    token, expires_at = store.get(fetch, failed)
    with _process_cache_lock:
        _process_cache[store.cache_key] = (token, expires_at, time.monotonic())
    return token


# -- the wechatpy client -------------------------------------------------------------------

_sessions: dict[str, requests.Session] = {}


def _new_http_session(base_url: str, pool_size: int) -> requests.Session:
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
    with _process_cache_lock:
        session = _sessions.get(base_url)
        if session is None:
            session = _sessions[base_url] = _new_http_session(base_url, 64)
        return session


class AppWeChatClient(WeChatClient):
    """wechatpy's client, pointed at the configured base URL, with the shared token."""

    def __init__(self, appid: str, secret: str, base_url: str, timeout: float, store,
                 http: requests.Session | None = None):
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
                                   self._store, http=_new_http_session(self.base_url, 1))
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
        return _shared_token(self._store, self.fetch_access_token)

    def refresh_token_after_failure(self, failed: str | None) -> None:
        """40001: refresh, unless someone already replaced the token that failed."""
        _shared_token(self._store, self.fetch_access_token, failed=failed or self.access_token)


_clients: dict[tuple, AppWeChatClient] = {}
_thread_clients = threading.local()


def _client() -> AppWeChatClient:
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
    with _process_cache_lock:
        client = _clients.get(key)
    if client is None:
        appid, secret, _, timeout, redis_url = key
        store = RedisTokenStore(redis_url, appid) if redis_url else DatabaseTokenStore(appid)
        client = AppWeChatClient(appid, secret, base_url, timeout, store)
        with _process_cache_lock:
            client = _clients.setdefault(key, client)
    return client


def _token_in(error: WeChatClientException) -> str | None:
    request = getattr(error, "request", None)
    url = getattr(request, "url", None)
    if not url:
        return None
    return (parse_qs(urlsplit(url).query).get("access_token") or [None])[0]


def _call(
    request: Callable[[AppWeChatClient], dict],
    client: AppWeChatClient | None = None,
    busy_retries: int | None = None,
    refresh_token: bool = True,
) -> dict:
    """Make one WeChat call: retry -1 (busy) a bounded number of times, and an invalid
    token once after refreshing it (unless refresh_token is False: then it is raised like
    anything else). Raises WeChatError for anything else.

    Without `client` and `busy_retries` this needs the app context (the settings)."""
    client = client or _client()
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
                client.refresh_token_after_failure(_token_in(error))
                continue
            raise WeChatError(errcode, str(error.errmsg)) from error
        except requests.RequestException as error:
            raise WeChatError(None, f"{type(error).__name__}: {error}") from error


# -- what the app asks of WeChat -----------------------------------------------------------

_COMMON_ERRORS = {
    45011: (429, "wechat_rate_limited", "微信登录过于频繁，请稍后再试"),
    -1: (503, "wechat_busy", "微信服务繁忙，请稍后再试"),
    None: (503, "wechat_unavailable", "暂时无法连接微信服务，请稍后再试"),
}
LOGIN_ERRORS = {
    40029: (401, "wechat_code_invalid", "登录凭证无效，请重新进入小程序登录"),
    40163: (401, "wechat_code_used", "登录凭证已使用，请重新登录"),
    40226: (403, "wechat_user_blocked", "该微信账号存在风险，暂时无法登录，请联系社区工作人员"),
    **_COMMON_ERRORS,
}
PHONE_ERRORS = {
    40029: (422, "wechat_phone_code_invalid", "手机号授权已失效，请重新点击获取手机号"),
    40163: (422, "wechat_phone_code_invalid", "手机号授权已失效，请重新点击获取手机号"),
    **_COMMON_ERRORS,
    45011: (429, "wechat_rate_limited", "获取手机号过于频繁，请稍后再试"),
}


def _as_app_error(error: WeChatError, table: dict) -> AppError:
    known = table.get(error.errcode)
    if known is None:
        # our configuration (appid, secret, token) or an unexpected refusal: not the member's doing
        log.error("WeChat refused: %s %s", error.errcode, error.errmsg)
        known = _COMMON_ERRORS[None]
    status, code, message = known
    return AppError(status, code, message, {"errcode": error.errcode})


def code_to_session(code: str) -> dict:
    """wx.login code → {"openid", "session_key", "unionid" (or None)} (登录凭证校验)."""
    try:
        result = _call(lambda client: client.wxa.code_to_session(code))
    except WeChatError as error:
        raise _as_app_error(error, LOGIN_ERRORS) from error
    return {
        "openid": result["openid"],
        "session_key": result["session_key"],
        "unionid": result.get("unionid"),
    }


def get_phone_number(code: str) -> str:
    """getPhoneNumber button code → the member's phone number (国外号码带区号)."""
    try:
        result = _call(
            lambda client: client.wxa._post(
                "wxa/business/getuserphonenumber", data={"code": code}
            )
        )
    except WeChatError as error:
        raise _as_app_error(error, PHONE_ERRORS) from error
    return result["phone_info"]["phoneNumber"]


SUBSCRIBE_SEND = "cgi-bin/message/subscribe/send"


def _subscribe_body(openid: str, template_id: str, data: dict, page: str | None) -> dict:
    body: dict[str, Any] = {
        "touser": openid,
        "template_id": template_id,
        "data": {
            key: value if isinstance(value, dict) else {"value": value}
            for key, value in data.items()
        },
        "miniprogram_state": current_app.config.get("WECHAT_MINIPROGRAM_STATE", "formal"),
        "lang": "zh_CN",
    }
    if page:
        body["page"] = page
    return body


def send_subscribe_message(
    openid: str, template_id: str, data: dict, page: str | None = None
) -> None:
    """Send one subscribe message (订阅消息). `data` values may be plain strings.

    Raises WeChatError: 43101 the member has no subscription left, 40003 bad openid, 47003
    a value over WeChat's limits, 45009 daily quota, -1 busy after retries, None unreachable.
    """
    body = _subscribe_body(openid, template_id, data, page)
    _call(lambda client: client.wxa._post(SUBSCRIBE_SEND, data=body))


@dataclass(frozen=True)
class SubscribeMessage:
    openid: str
    template_id: str
    data: dict
    page: str | None = None


@dataclass(frozen=True)
class SendOutcome:
    """What became of one message of send_subscribe_messages."""

    attempted: bool  # False: not sent because an earlier answer said stop
    error: WeChatError | None = None  # None (and attempted): WeChat accepted it
    answered_at: datetime | None = None

    @property
    def sent(self) -> bool:
        return self.attempted and self.error is None


NOT_ATTEMPTED = SendOutcome(attempted=False)


def send_subscribe_messages(
    messages: Sequence[SubscribeMessage],
    pool: Executor | None = None,
    stop_on: Collection[int] = (),
    first_alone: bool = False,
) -> list[SendOutcome]:
    """Send many subscribe messages, several at a time through `pool`'s threads (one after
    the other without it); one outcome per message, in order.

    Each message is tried as send_subscribe_message tries one (busy retried with backoff),
    except that an invalid token is refreshed once for the whole lot, by the calling thread,
    and the messages it refused are sent once more. The sending threads never touch the
    database: on SQLite the caller may hold the write lock. Once an answer's errcode is in
    `stop_on` (WeChat's quota), the messages not yet started are not sent at all.
    `first_alone`: the first message goes before any other is started (a probe: when WeChat
    answers stop, no other message is on its way).
    """
    client = _client()
    busy_retries = int(current_app.config["WECHAT_MAX_RETRIES"])
    bodies = [_subscribe_body(m.openid, m.template_id, m.data, m.page) for m in messages]
    outcomes: list[SendOutcome] = [NOT_ATTEMPTED] * len(messages)
    stop = threading.Event()

    def send(index: int, token: str) -> SendOutcome:
        if stop.is_set():
            return NOT_ATTEMPTED
        params = {"access_token": token}
        try:
            _call(
                lambda c: c.wxa._post(SUBSCRIBE_SEND, data=bodies[index], params=params),
                client=client.for_this_thread(),
                busy_retries=busy_retries,
                refresh_token=False,
            )
            error = None
        except WeChatError as refused:
            error = refused
        except Exception as trouble:  # like a network error: retried later by the caller
            log.warning("subscribe send to %s failed: %r", messages[index].openid, trouble)
            error = WeChatError(None, repr(trouble)[:200])
        if error is not None and error.errcode in stop_on:
            stop.set()
        return SendOutcome(True, error, utcnow())

    def send_all(indexes: list[int], token: str) -> None:
        if pool is None or len(indexes) < 2:
            answers = (send(i, token) for i in indexes)
        else:
            answers = pool.map(send, indexes, [token] * len(indexes))
        for index, outcome in zip(indexes, answers, strict=True):
            outcomes[index] = outcome

    token = client.access_token
    indexes = list(range(len(messages)))
    if first_alone:
        send_all(indexes[:1], token)
        indexes = indexes[1:]
    send_all(indexes, token)
    expired = [
        i for i, outcome in enumerate(outcomes)
        if outcome.error is not None and outcome.error.errcode in INVALID_TOKEN_ERRCODES
    ]
    if expired and not stop.is_set():
        client.refresh_token_after_failure(token)
        send_all(expired, client.access_token)
    return outcomes


def msg_sec_check(content: str, openid: str | None = None, scene: int = 1) -> str:
    """Text content security check (内容安全, v2): "pass", "risky" or "review".

    Raises WeChatError when WeChat cannot answer; the caller decides whether to hold the text.
    """
    body: dict[str, Any] = {"content": content, "version": 2, "scene": scene}
    if openid:
        body["openid"] = openid
    result = _call(lambda client: client.wxa._post("wxa/msg_sec_check", data=body))
    return result["result"]["suggest"]
