"""Settings: every key documented, environment overrides, no usable secret outside development."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from server.config import CHOICES, DEFAULTS, ConfigError, load_settings

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"


def documented_keys() -> set[str]:
    text = EXAMPLE.read_text(encoding="utf-8")
    # commented-out keys count as documented: "# migrations_dir = ..."
    uncommented = re.sub(r"^# ([a-z_]+ = )", r"\1", text, flags=re.MULTILINE)
    keys = set()
    for section, values in tomllib.loads(uncommented).items():
        keys |= {f"{section}_{key}".upper() for key in values}
    return keys


def test_config_example_documents_every_setting():
    assert set(DEFAULTS) - documented_keys() == set()


def test_config_example_has_no_setting_the_service_does_not_know():
    assert documented_keys() - set(DEFAULTS) == set()


def test_environment_variables_override_and_keep_their_type(monkeypatch):
    monkeypatch.setenv("PARTY_AUTH_TOKEN_TTL_HOURS", "5")
    monkeypatch.setenv("PARTY_DATABASE_URL", "sqlite:///elsewhere.sqlite3")
    settings = load_settings()
    assert settings["AUTH_TOKEN_TTL_HOURS"] == 5
    assert settings["DATABASE_URL"] == "sqlite:///elsewhere.sqlite3"


def test_a_toml_file_named_by_party_config_is_read(monkeypatch, tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[auth]\ntoken_ttl_hours = 12\n', encoding="utf-8")
    monkeypatch.setenv("PARTY_CONFIG", str(path))
    assert load_settings()["AUTH_TOKEN_TTL_HOURS"] == 12


def test_production_refuses_to_start_with_the_development_secrets():
    with pytest.raises(RuntimeError, match="APP_SECRET_KEY"):
        load_settings({"APP_ENV": "production"})
    with pytest.raises(RuntimeError, match="WECHAT_SECRET"):
        load_settings({"APP_ENV": "production", "APP_SECRET_KEY": "a-real-secret"})
    real = {"APP_ENV": "production", "APP_SECRET_KEY": "a-real-secret", "WECHAT_SECRET": "real"}
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        load_settings(real)  # per-process counters would not hold across app processes
    settings = load_settings({**real, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/1"})
    assert settings["APP_ENV"] == "production"


@pytest.mark.parametrize("pre_ping", [True, False])
def test_the_operator_chooses_whether_postgresql_connections_are_pinged(pre_ping):
    from server import create_app
    from server.extensions import db

    app = create_app({"APP_ENV": "test", "DATABASE_POOL_PRE_PING": pre_ping,
                      "DATABASE_URL": "postgresql+psycopg://party@127.0.0.1:5432/party"})
    with app.app_context():  # the engine is made without connecting
        assert db.engine.pool._pre_ping is pre_ping


@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("PARTY_AUTH_TOKEN_TTL_HOURS", "1.5", "whole number"),
    ("PARTY_RATELIMIT_ENABLED", "maybe", "boolean"),
    ("PARTY_CLOCKIN_MIN_SHARE", "lots", "number"),
])
def test_an_environment_variable_of_the_wrong_type_is_named_with_its_value(monkeypatch, variable,
                                                                           value, expected):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as refused:
        load_settings()
    message = str(refused.value)
    assert variable in message and repr(value) in message and expected in message


def test_every_setting_is_checked_at_start_and_all_problems_are_listed(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    path.write_text('[auth]\ntoken_ttl_hours = 1.5\n[clockin]\nrounding = "sometimes"\n'
                    '[party_day]\nstart_time = "9 am"\n', encoding="utf-8")
    monkeypatch.setenv("PARTY_CONFIG", str(path))
    with pytest.raises(ConfigError) as refused:
        load_settings({"DATABASE_POOL_SIZE": -1})
    message = str(refused.value)
    for name, value, expected in (("AUTH_TOKEN_TTL_HOURS", "1.5", "whole number"),
                                  ("CLOCKIN_ROUNDING", "'sometimes'", "half_hour_down"),
                                  ("PARTY_DAY_START_TIME", "'9 am'", "HH:MM"),
                                  ("DATABASE_POOL_SIZE", "-1", "≥ 0")):
        line = next(line for line in message.splitlines() if name in line)
        assert value in line and expected in line
    assert str(path) in message


def test_the_choices_of_settings_are_those_of_the_rules_they_feed():
    from server.activities.models import MissingClockoutRule, RoundingRule

    assert set(CHOICES["CLOCKIN_ROUNDING"]) == {r.value for r in RoundingRule}
    assert set(CHOICES["CLOCKIN_MISSING_CLOCKOUT_RULE"]) == {r.value for r in MissingClockoutRule}
