"""The shared access token (接口调用凭证): kept in the database or Redis for every process,
refreshed under a lock by whichever caller first finds it missing or expiring (the others
wait and re-read), and cached in each process for a minute so that a broadcast of thousands
of messages does not read the store once per message.

The token comes from cgi-bin/token (getAccessToken), not cgi-bin/stable_token: every process
already shares one token through the store, fetched by one caller under a lock, and
getAccessToken's five-minute overlap covers the calls in flight when it is replaced.
stable_token would matter once another system fetches tokens for the same appid (its fetches
would then no longer end ours after five minutes): then switch fetch_access_token in
transport.py to it (normal mode, never force_refresh: 20 a day). The stand-in models both.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa

from server.database import insert_or_ignore, is_sqlite
from server.extensions import db
from server.timeutil import utcnow
from server.wechat.models import WechatAccessToken
from server.wechat.sqlite_writers import own_transaction

log = logging.getLogger(__name__)

TOKEN_MARGIN = timedelta(minutes=5)  # refresh this long before WeChat would expire it
PROCESS_CACHE_SECONDS = 60  # how long a process trusts its in-memory copy of the token
REDIS_LOCK_SECONDS = 60

Fetch = Callable[[], dict]


class TokenStore(Protocol):
    cache_key: tuple[str, str]

    def get(self, fetch: Fetch, failed: str | None = None) -> tuple[str, datetime]: ...


def _usable(token: str | None, expires_at: datetime | None, failed: str | None) -> bool:
    return bool(token) and token != failed and expires_at is not None and (
        expires_at - TOKEN_MARGIN > utcnow()
    )


def _expiry(result: dict) -> datetime:
    return utcnow() + timedelta(seconds=int(result.get("expires_in", 7200)))


_process_cache: dict[tuple[str, str], tuple[str, datetime, float]] = {}
_lock = threading.Lock()


def forget_cached_tokens() -> None:
    """Drop this process's in-memory tokens (tests that reset the stand-in call this)."""
    with _lock:
        _process_cache.clear()


class DatabaseTokenStore:
    """The token in the `wechat_access_tokens` row: SELECT … FOR UPDATE on PostgreSQL, the
    BEGIN IMMEDIATE write lock on SQLite."""

    def __init__(self, appid: str):
        self.appid = appid

    @property
    def cache_key(self) -> tuple[str, str]:
        return (f"db:{db.engine.url}", self.appid)

    def get(self, fetch: Fetch, failed: str | None = None) -> tuple[str, datetime]:
        table = WechatAccessToken.__table__
        where = table.c.appid == self.appid
        columns = (table.c.access_token, table.c.expires_at)
        engine = db.engine  # the current app's
        with own_transaction(engine) as conn:
            row = conn.execute(sa.select(*columns).where(where)).first()
            if row is not None and _usable(row.access_token, row.expires_at, failed):
                return row.access_token, row.expires_at
            if not is_sqlite(conn):  # SQLite: the transaction already holds the write lock
                # a row to lock, so that one process fetches while the others wait
                conn.execute(insert_or_ignore(
                    table, {"appid": self.appid, "refreshed_count": 0}, bind=conn))
                row = conn.execute(sa.select(*columns).where(where).with_for_update()).first()
                if _usable(row.access_token, row.expires_at, failed):
                    return row.access_token, row.expires_at
            result = fetch()
            token, expires_at = result["access_token"], _expiry(result)
            if row is None:
                conn.execute(sa.insert(table).values(
                    appid=self.appid, access_token=token, expires_at=expires_at,
                    refreshed_count=1))
            else:
                conn.execute(sa.update(table).where(where).values(
                    access_token=token, expires_at=expires_at,
                    refreshed_count=table.c.refreshed_count + 1))
            log.info("fetched a new WeChat access token for %s", self.appid)
            return token, expires_at


_redis_clients: dict[str, Any] = {}


def _redis_client(url: str, redis_module: Any) -> Any:
    with _lock:
        if url not in _redis_clients:
            _redis_clients[url] = redis_module.Redis.from_url(url)
        return _redis_clients[url]


class RedisTokenStore:
    """The token in Redis through wechatpy's RedisStorage, refreshed under a Redis lock."""

    def __init__(self, url: str, appid: str):
        import redis  # optional: only deployments with REDIS_URL need it
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

    def get(self, fetch: Fetch, failed: str | None = None) -> tuple[str, datetime]:
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
            expires_at = _expiry(result)
            self.storage.set(
                self.key,
                {"token": result["access_token"], "expires_at": expires_at.isoformat()},
                ttl=int(result.get("expires_in", 7200)),
            )
            self.redis.incr(f"wechatpy:{self.appid}:refreshed_count")
            log.info("fetched a new WeChat access token for %s", self.appid)
            return result["access_token"], expires_at


def shared_token(store: TokenStore, fetch: Fetch, failed: str | None = None) -> str:
    """The current token: this process's copy if fresh, else the store's (refreshed once;
    `failed` is a token WeChat just refused, never handed out again)."""
    with _lock:
        cached = _process_cache.get(store.cache_key)
    if cached is not None:
        token, expires_at, checked = cached
        if _usable(token, expires_at, failed) and time.monotonic() - checked < (
            PROCESS_CACHE_SECONDS
        ):
            return token
    token, expires_at = store.get(fetch, failed)
    with _lock:
        _process_cache[store.cache_key] = (token, expires_at, time.monotonic())
    return token
