"""Behind nginx (app.trusted_proxies = 1) rate limits count the real client, whose address is
in X-Forwarded-For; without trusted proxies the header changes nothing."""

from __future__ import annotations

import pytest

LIMITED = {"RATELIMIT_ENABLED": True, "AUTH_LOGIN_LIMIT_PER_ADDRESS": "2 per minute"}


def login_from(client, standin, forwarded_for: str):
    return client.post("/api/v1/auth/login", json={"code": standin.state.issue_code()},
                       headers={"X-Forwarded-For": forwarded_for})


@pytest.mark.settings(APP_TRUSTED_PROXIES=1, **LIMITED)
def test_behind_a_trusted_proxy_the_login_limit_counts_the_forwarded_client(client, standin):
    assert login_from(client, standin, "203.0.113.1").status_code == 200
    assert login_from(client, standin, "203.0.113.1").status_code == 200
    assert login_from(client, standin, "203.0.113.1").status_code == 429
    # another client behind the same nginx is not held back by the first one's attempts
    assert login_from(client, standin, "203.0.113.2").status_code == 200


@pytest.mark.settings(APP_TRUSTED_PROXIES=0, **LIMITED)
def test_without_trusted_proxies_x_forwarded_for_is_ignored(client, standin):
    assert login_from(client, standin, "203.0.113.1").status_code == 200
    assert login_from(client, standin, "203.0.113.2").status_code == 200
    assert login_from(client, standin, "203.0.113.3").status_code == 429
