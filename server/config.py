"""Settings: defaults, then a TOML file, then environment variables (for secrets in deployment).

A TOML key `url` in section `[database]` becomes the Flask setting `DATABASE_URL`; the
environment variable `PARTY_DATABASE_URL` overrides it. `config.example.toml` documents each.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any

ENV_PREFIX = "PARTY_"
CONFIG_PATH_VAR = "PARTY_CONFIG"
DEV_SECRET = "dev-only-secret-not-for-production"

DEFAULTS: dict[str, Any] = {
    # [app]
    "APP_ENV": "development",
    "APP_SECRET_KEY": DEV_SECRET,
    "APP_PRIVACY_NOTICE_VERSION": "2026-11",
    "APP_MAX_BODY_BYTES": 8 * 1024 * 1024,
    "APP_TRUSTED_PROXIES": 0,
    "APP_LOG_FORMAT": "text",
    # [database]
    "DATABASE_URL": "sqlite:///party.sqlite3",
    "DATABASE_MIGRATIONS_DIR": str(Path(__file__).resolve().parent.parent / "migrations"),
    "DATABASE_SQLITE_BUSY_TIMEOUT_MS": 30000,
    "DATABASE_POOL_SIZE": 10,
    "DATABASE_POOL_PRE_PING": False,  # server/unavailable.py drops closed connections
    "DATABASE_REPLICA_URL": "",
    "DATABASE_READ_YOUR_WRITES_SECONDS": 5,
    # [auth]
    "AUTH_TOKEN_TTL_HOURS": 72,
    "AUTH_LOGIN_LIMIT_PER_ADDRESS": "30 per minute",
    "AUTH_LOGIN_LIMIT_PER_OPENID": "10 per minute",
    # [ratelimit]
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_ENABLED": True,
    # [redis]
    "REDIS_URL": "",
    # [wechat]
    "WECHAT_APPID": "wx-demo-appid",
    "WECHAT_SECRET": "demo-secret",
    "WECHAT_API_BASE_URL": "http://127.0.0.1:8765/",
    "WECHAT_TIMEOUT_SECONDS": 5,
    "WECHAT_MAX_RETRIES": 2,
    "WECHAT_STANDIN_HOST": "127.0.0.1",
    "WECHAT_STANDIN_PORT": 8765,
    # [idempotency]
    "IDEMPOTENCY_KEEP_HOURS": 48,
    # [scheduler]
    "SCHEDULER_MISFIRE_GRACE_SECONDS": 60,
    # [clockin]
    "CLOCKIN_EARLY_MINUTES": 30,
    "CLOCKIN_LATE_CLOCKOUT_MINUTES": 60,
    "CLOCKIN_QR_WINDOW_SECONDS": 30,
    "CLOCKIN_MAX_ACCURACY_METERS": 100,
    "CLOCKIN_MISSING_CLOCKOUT_RULE": "mark_unconfirmed",
    "CLOCKIN_ROUNDING": "half_hour_down",
    "CLOCKIN_MIN_SHARE": 0.0,
    # [activities]
    "ACTIVITIES_ARCHIVE_AFTER_DAYS": 30,
    # [demo]
    "DEMO_HOST": "127.0.0.1",
    "DEMO_PORT": 5000,
    # [notices]
    "NOTICES_OUTBOX_BATCH_SIZE": 50,
    "NOTICES_SEND_CONCURRENCY": 4,
    "NOTICES_DELIVER_BUDGET_SECONDS": 50,
    "NOTICES_RETRY_BASE_SECONDS": 60,
    "NOTICES_MAX_ATTEMPTS": 5,
    "NOTICES_QUOTA_PAUSE_MINUTES": 60,
    "NOTICES_START_REMINDER_MINUTES": 60,
}


class ConfigError(RuntimeError):
    """A setting the service cannot start with; the message names it, its value and source."""


# settings with a fixed set of values (the enums they feed: activities.models)
CHOICES: dict[str, tuple[str, ...]] = {
    "APP_ENV": ("development", "test", "production", "staging"),
    "APP_LOG_FORMAT": ("text", "json"),
    "CLOCKIN_MISSING_CLOCKOUT_RULE": ("credit_until_end", "mark_unconfirmed"),
    "CLOCKIN_ROUNDING": (
        "none", "quarter_hour_down", "half_hour_down", "half_hour_nearest", "hour_down"
    ),
}
CLOCK_TIMES = ("PARTY_DAY_START_TIME", "PARTY_DAY_END_TIME")
def _is_rate_limit(name: str) -> bool:
    """Settings like AUTH_LOGIN_LIMIT_PER_ADDRESS = "30 per minute" (flask-limiter's notation)."""
    default = DEFAULTS[name]
    return "_LIMIT" in name and isinstance(default, str) and " per " in default
TRUE_WORDS, FALSE_WORDS = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def _kind(default: Any) -> str:
    if isinstance(default, bool):
        return "a boolean (true/false)"
    if isinstance(default, int):
        return "a whole number ≥ 0"
    if isinstance(default, float):
        return "a number ≥ 0"
    return "text"


def _coerce(name: str, raw: str, default: Any) -> Any:
    """Environment variables are strings; give them the type of the default."""
    try:
        if isinstance(default, bool):
            word = raw.strip().lower()
            if word not in TRUE_WORDS | FALSE_WORDS:
                raise ValueError(word)
            return word in TRUE_WORDS
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, (list, dict)):
            return json.loads(raw)
    except ValueError:
        raise ConfigError(
            f"setting {name}: environment variable {ENV_PREFIX}{name}={raw!r} "
            f"is not {_kind(default)}"
        ) from None
    return raw


def _problem(name: str, value: Any) -> str | None:
    """What is wrong with `value` for setting `name`, or None."""
    default = DEFAULTS[name]
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    elif isinstance(default, float):
        ok = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
    else:
        ok = isinstance(value, type(default))
    if not ok:
        return f"expected {_kind(default)}"
    if name in CHOICES and value not in CHOICES[name]:
        return "expected one of " + ", ".join(CHOICES[name])
    if name in CLOCK_TIMES and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        return 'expected a time of day "HH:MM"'
    if name == "METRICS_ALLOWED_NETWORKS":
        return _network_problem(value)
    if _is_rate_limit(name):
        from limits import parse

        try:
            parse(value)
        except ValueError:
            return 'expected a rate such as "30 per minute"'
    return None


def _network_problem(value: list) -> str | None:
    for item in value:
        try:
            ipaddress.ip_network(item, strict=False)
        except (TypeError, ValueError):
            return f'expected a list of networks such as "10.0.0.0/8", not {item!r}'
    return None


def _validate(settings: dict[str, Any], sources: dict[str, str]) -> None:
    problems = []
    for name in DEFAULTS:
        problem = _problem(name, settings.get(name))
        if problem:
            value = settings.get(name)
            problems.append(
                f"setting {name} = {value!r} ({type(value).__name__}, from "
                f"{sources.get(name, 'the defaults')}): {problem}"
            )
    if problems:
        raise ConfigError("invalid settings:\n  " + "\n  ".join(problems))


def _flatten(toml: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for section, values in toml.items():
        if isinstance(values, dict):
            for key, value in values.items():
                flat[f"{section}_{key}".upper()] = value
        else:
            flat[section.upper()] = values
    return flat


def load_settings(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every setting, checked: a wrong type or value stops the start with a ConfigError that
    names the setting, the value, where it came from and what is expected."""
    settings = dict(DEFAULTS)
    sources: dict[str, str] = {}
    path = os.environ.get(CONFIG_PATH_VAR) or (
        "config.toml" if Path("config.toml").exists() else None
    )
    if path:
        try:
            from_file = _flatten(tomllib.loads(Path(path).read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path}: {exc}") from None
        settings.update(from_file)
        sources.update(dict.fromkeys(from_file, f"config file {path}"))
    for key, value in os.environ.items():
        if key.startswith(ENV_PREFIX) and key != CONFIG_PATH_VAR:
            name = key[len(ENV_PREFIX):]
            settings[name] = _coerce(name, value, settings.get(name, ""))
            sources[name] = f"environment variable {key}"
    if overrides:
        settings.update(overrides)
        sources.update(dict.fromkeys(overrides, "create_app(config=…)"))
    _validate(settings, sources)
    _check_secrets(settings)
    return settings


def _check_secrets(settings: dict[str, Any]) -> None:
    if settings["APP_ENV"] == "development" or settings["APP_ENV"] == "test":
        return
    if settings["APP_SECRET_KEY"] in ("", DEV_SECRET):
        raise ConfigError(
            "APP_SECRET_KEY must be set (PARTY_APP_SECRET_KEY) outside development"
        )
    if settings["WECHAT_SECRET"] in ("", DEFAULTS["WECHAT_SECRET"]):
        raise ConfigError("WECHAT_SECRET must be set (PARTY_WECHAT_SECRET) outside development")
    if settings["RATELIMIT_ENABLED"] and settings["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        # per-process counters: behind a proxy with N app processes a limit becomes N times
        # looser, and each restart forgets it
        raise ConfigError(
            "RATELIMIT_STORAGE_URI must be shared storage (PARTY_RATELIMIT_STORAGE_URI, e.g. "
            "redis://127.0.0.1:6379/1) outside development"
        )
    if settings["DATABASE_REPLICA_URL"] and not settings["REDIS_URL"]:
        # read-your-writes marks live in Redis, shared by every app server (server/replica.py)
        raise ConfigError(
            "DATABASE_REPLICA_URL needs REDIS_URL (PARTY_REDIS_URL) outside development: "
            "read-your-writes is remembered there for every app server"
        )

# [pledges] (appended by the pledges area)
DEFAULTS.update(
    {
        "PLEDGES_SIGNATURE_MAX_BYTES": 256 * 1024,
        "PLEDGES_SIGNATURE_MAX_PIXELS": 2_000_000,
        "PLEDGES_PHOTO_MAX_BYTES": 3 * 1024 * 1024,
        "PLEDGES_PHOTO_MAX_PIXELS": 24_000_000,
    }
)
# [party_day] (appended by the pledges area)
DEFAULTS.update(
    {
        "PARTY_DAY_DEFAULT_DAY": 15,
        "PARTY_DAY_DEFAULT_WINDOW_DAYS": 1,
        "PARTY_DAY_MAX_WINDOW_DAYS": 2,
        "PARTY_DAY_START_TIME": "09:00",
        "PARTY_DAY_END_TIME": "17:00",
        "PARTY_DAY_CREATE_AHEAD_DAYS": 20,
        "PARTY_DAY_RADIUS_M": 300,
        "PARTY_DAY_DEDICATION_DAYS_PER_YEAR": 2,
    }
)
# [console] and [imports] (appended by the console area)
DEFAULTS.update(
    {
        "CONSOLE_IDLE_MINUTES": 30,
        "CONSOLE_ABSOLUTE_HOURS": 12,
        "CONSOLE_TICKET_SECONDS": 120,
        "CONSOLE_TICKET_LIMIT_PER_ADDRESS": "20 per minute",
        "IMPORTS_MAX_BYTES": 5 * 1024 * 1024,
        "IMPORTS_MAX_ROWS": 20000,
    }
)
# [certificates] and [privacy] (appended by the member-rights area)
DEFAULTS.update(
    {
        "CERTIFICATES_VERIFY_BASE_URL": "http://127.0.0.1:5000/verify",
        "CERTIFICATES_VERIFY_LIMIT": "10 per minute",
        "CERTIFICATES_FONT_PATH": "",
        "CERTIFICATES_TITLE_FONT_PATH": "",
        "PRIVACY_DELETION_COOLING_OFF_DAYS": 7,
        "PRIVACY_LOCATION_KEEP_DAYS": 30,
        "PRIVACY_ACCESS_LOG_KEEP_DAYS": 183,
    }
)
# [appraisal] (appended by the secretaries area): the default points thresholds of the suggested
# grade (评议等次) for a year; a street or a community sets its own in the console. A half-year
# or quarter is held to the share of the year it covers.
DEFAULTS.update(
    {
        "APPRAISAL_EXCELLENT_POINTS": 100,
        "APPRAISAL_QUALIFIED_POINTS": 40,
        "APPRAISAL_BASIC_POINTS": 10,
    }
)
# [metrics] (appended by the deploy area): who may read /metrics (server/metrics.py)
DEFAULTS.update(
    {
        "METRICS_SCHEDULER_PORT": 0,
        "METRICS_SCHEDULER_ADDRESS": "127.0.0.1",
        "METRICS_ALLOWED_NETWORKS": [
            "127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
        ],
    }
)
