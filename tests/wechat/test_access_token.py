"""The access token is shared through the database and refreshed once, however many ask."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from server.extensions import db
from server.timeutil import utcnow
from server.wechat import client as wechat
from server.wechat.models import WechatAccessToken
from server.wechat.standin import demo_openid

OPENID = demo_openid("zhangsan")


def _stored() -> WechatAccessToken | None:
    with db.engine.connect() as conn:
        row = conn.execute(sa.select(WechatAccessToken.__table__)).first()
        conn.rollback()
    return row


def _in_threads(app, count: int, work) -> list:
    barrier = threading.Barrier(count)

    def run(i):
        with app.app_context():
            barrier.wait()
            try:
                return work(i)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_the_first_call_fetches_a_token_and_stores_it(app, standin):
    wechat.send_subscribe_message(OPENID, "t", {"thing1": "通知"})
    row = _stored()
    assert row.appid == app.config["WECHAT_APPID"]
    assert row.access_token and row.expires_at > utcnow()
    assert row.refreshed_count == 1
    assert standin.state.stats()["tokens_issued"] == 1


def test_a_stored_token_is_reused_by_another_process(standin):
    wechat.send_subscribe_message(OPENID, "t", {"thing1": "通知"})
    wechat.forget_cached_tokens()  # as a fresh process would start
    wechat.send_subscribe_message(OPENID, "t", {"thing1": "通知"})
    assert standin.state.stats()["tokens_issued"] == 1


def test_twenty_threads_without_a_token_fetch_it_exactly_once(app, standin):
    # a call that needs the token (a login does not: it takes the appid and secret)
    _in_threads(app, 20, lambda i: wechat.send_subscribe_message(
        demo_openid(f"t{i}"), "t", {"thing1": "通知"}))
    assert len({m["touser"] for m in standin.state.sent()}) == 20
    stats = standin.state.stats()
    assert stats["tokens_issued"] == 1
    assert stats["calls"]["cgi-bin/token"] == 1
    assert _stored().refreshed_count == 1


def test_an_expired_token_is_refreshed_once_and_the_call_succeeds(standin):
    wechat.send_subscribe_message(OPENID, "t", {"thing1": "一"})
    standin.state.expire_tokens()
    wechat.send_subscribe_message(OPENID, "t", {"thing1": "二"})
    assert [m["data"]["thing1"]["value"] for m in standin.state.sent()] == ["一", "二"]
    assert standin.state.stats()["tokens_issued"] == 2
    assert _stored().refreshed_count == 2


def test_twenty_threads_hitting_an_expired_token_refresh_it_once(app, standin):
    wechat.send_subscribe_message(OPENID, "t", {"thing1": "通知"})
    standin.state.expire_tokens()
    _in_threads(
        app, 20, lambda i: wechat.send_subscribe_message(OPENID, "t", {"thing1": f"第{i}条"})
    )
    assert len(standin.state.sent()) == 21
    assert standin.state.stats()["tokens_issued"] == 2


def test_a_token_refreshed_elsewhere_is_adopted_without_fetching_again(app, standin):
    wechat.send_subscribe_message(OPENID, "t", {"thing1": "通知"})
    # another process refreshed: a new token in the row, ours still in this process's memory
    newer = standin.state.issue_token(app.config["WECHAT_APPID"], app.config["WECHAT_SECRET"])
    with db.engine.begin() as conn:
        conn.execute(sa.update(WechatAccessToken).values(access_token=newer["access_token"]))
    standin.state.add_fault("cgi-bin/message/subscribe/send", 40001, times=1)
    wechat.send_subscribe_message(OPENID, "t", {"thing1": "通知"})
    assert standin.state.stats()["tokens_issued"] == 2  # ours and the other process's only
    assert len(standin.state.sent()) == 2


def test_a_token_near_its_expiry_is_refreshed_ahead_of_time(standin):
    wechat.send_subscribe_message(OPENID, "t", {"thing1": "通知"})
    wechat.forget_cached_tokens()
    with db.engine.begin() as conn:
        conn.execute(
            sa.update(WechatAccessToken).values(expires_at=utcnow() + wechat.TOKEN_MARGIN / 2)
        )
    wechat.send_subscribe_message(OPENID, "t", {"thing1": "通知"})
    assert standin.state.stats()["tokens_issued"] == 2


def test_a_refresh_inside_an_open_sqlite_transaction_does_not_wait_on_itself(standin):
    db.session.execute(sa.select(1))  # BEGIN IMMEDIATE: this thread holds the write lock
    wechat.send_subscribe_message(demo_openid("inside"), "t", {"thing1": "通知"})
    assert [m["touser"] for m in standin.state.sent()] == [demo_openid("inside")]
    db.session.commit()
    assert _stored().refreshed_count == 1
