"""With REDIS_URL set, the access token lives in Redis and is refreshed under a Redis lock."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from server.wechat import client as wechat
from server.wechat.standin import demo_openid

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    import redis

    port = _free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path_factory.mktemp("redis"))],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def on_redis(app, redis_url, monkeypatch):
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    return redis.Redis.from_url(redis_url)


def test_twenty_threads_on_redis_fetch_the_token_exactly_once(app, standin, on_redis):
    barrier = threading.Barrier(20)

    def send(i):  # a call that needs the token (a login does not)
        with app.app_context():
            barrier.wait()
            wechat.send_subscribe_message(demo_openid(f"r{i}"), "t", {"thing1": "通知"})

    with ThreadPoolExecutor(20) as pool:
        list(pool.map(send, range(20)))
    assert sorted(m["touser"] for m in standin.state.sent()) == sorted(
        demo_openid(f"r{i}") for i in range(20))
    assert standin.state.stats()["tokens_issued"] == 1
    assert int(on_redis.get(f"wechatpy:{app.config['WECHAT_APPID']}:refreshed_count")) == 1


def test_an_expired_token_on_redis_is_refreshed_once(app, standin, on_redis):
    wechat.send_subscribe_message(demo_openid("a"), "t", {"thing1": "一"})
    standin.state.expire_tokens()
    wechat.send_subscribe_message(demo_openid("a"), "t", {"thing1": "二"})
    assert standin.state.stats()["tokens_issued"] == 2
    assert len(standin.state.sent()) == 2
