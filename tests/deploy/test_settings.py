"""The deploy settings are checked at start like every other."""

from __future__ import annotations

import pytest

from server.config import ConfigError, load_settings

PRODUCTION = {"APP_ENV": "production", "APP_SECRET_KEY": "s" * 32, "WECHAT_SECRET": "w" * 32,
              "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/1"}


def test_log_format_is_text_or_json():
    with pytest.raises(ConfigError, match="APP_LOG_FORMAT"):
        load_settings({"APP_LOG_FORMAT": "xml"})


def test_allowed_networks_must_be_networks():
    with pytest.raises(ConfigError, match="METRICS_ALLOWED_NETWORKS"):
        load_settings({"METRICS_ALLOWED_NETWORKS": ["10.0.0.0/8", "inside"]})


def test_allowed_networks_come_from_the_environment_as_json(monkeypatch):
    monkeypatch.setenv("PARTY_METRICS_ALLOWED_NETWORKS", '["10.0.0.0/8"]')
    assert load_settings()["METRICS_ALLOWED_NETWORKS"] == ["10.0.0.0/8"]


def test_a_replica_in_production_needs_redis_for_read_your_writes():
    replica = {"DATABASE_REPLICA_URL": "postgresql+psycopg://party@replica/party"}
    with pytest.raises(ConfigError, match="REDIS_URL"):
        load_settings({**PRODUCTION, **replica})
    assert load_settings({**PRODUCTION, **replica, "REDIS_URL": "redis://127.0.0.1:6379/0"})
