"""Local fixtures: a minimal app on the suite's database and the stand-in WeChat API on loopback.

Self-contained so the WeChat tests do not depend on the whole app factory; tests/conftest.py
offers the same names (`standin`, `app`) for the other areas.
"""

from __future__ import annotations

import pytest
from flask import Flask

import server.database  # noqa: F401  (SQLite pragmas and BEGIN IMMEDIATE)
from server.config import load_settings
from server.database import engine_options
from server.extensions import db
from server.wechat import client as wechat
from server.wechat import transport
from server.wechat.models import WechatAccessToken
from server.wechat.standin import StandInServer

APPID, SECRET = "wx-test-appid", "test-secret"


@pytest.fixture(scope="module")
def standin():
    server = StandInServer(port=0, appid=APPID, secret=SECRET).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def app(standin, database_url):
    settings = load_settings(
        {
            "APP_ENV": "test",
            "DATABASE_URL": database_url,
            "REDIS_URL": "",
            "WECHAT_APPID": APPID,
            "WECHAT_SECRET": SECRET,
            "WECHAT_API_BASE_URL": standin.url,
            "WECHAT_MAX_RETRIES": 2,
            "WECHAT_TIMEOUT_SECONDS": 5,
        }
    )
    app = Flask(__name__)
    app.config.update(settings)
    app.config.update(
        SQLALCHEMY_DATABASE_URI=database_url,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options(database_url, settings),
    )
    db.init_app(app)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def fresh(app, standin, monkeypatch):
    """Each test starts with no token anywhere and a stand-in that has forgotten everything."""
    standin.state.reset()
    wechat.forget_cached_tokens()
    monkeypatch.setattr(transport, "BUSY_BACKOFF_SECONDS", 0)
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(WechatAccessToken.__table__.delete())
        yield
        db.session.remove()
