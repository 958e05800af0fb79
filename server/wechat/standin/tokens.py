"""The stand-in's access tokens: cgi-bin/token (getAccessToken) and cgi-bin/stable_token
(getStableAccessToken), which are kept apart as WeChat keeps them, and the errors a call
gets for a token that is missing (41001), malformed (40014), expired (42001) or replaced
(40001)."""

from __future__ import annotations

import re
import secrets

from server.wechat.standin.errors import error

TOKEN_TTL_SECONDS = 7200
# WeChat keeps the previous access token usable for 5 minutes after a new one is issued
TOKEN_OVERLAP_SECONDS = 5 * 60
# stable_token: normal mode hands out a new token in the last 5 minutes, so expires_in is
# never under 300; forced refreshes are limited to 20 a day, 30 seconds apart
STABLE_RENEW_SECONDS = 5 * 60
FORCED_REFRESHES_PER_DAY = 20
FORCED_REFRESH_INTERVAL_SECONDS = 30
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]+$")
_SHANGHAI = 8 * 3600


class TokenModel:
    """Mixin of StandInState (uses its lock, clock and app check)."""

    def _reset_tokens(self) -> None:
        self._tokens: dict[str, float] = {}  # token → expires at
        self._stops: dict[str, float] = {}  # replaced token → stops working at
        self._latest_token: str | None = None
        self._stable_token: str | None = None
        self._forced: list[float] = []  # times of forced stable_token refreshes
        self._tokens_issued = 0

    def _new_token(self, now: float) -> str:
        """A new token, valid for 2 hours."""
        token = secrets.token_urlsafe(48)
        self._tokens[token] = now + TOKEN_TTL_SECONDS
        self._tokens_issued += 1
        return token

    def _replace(self, old: str | None, now: float, overlap: float) -> None:
        if old and old in self._tokens:
            self._stops[old] = min(self._stops.get(old, now + overlap), now + overlap)

    def issue_token(self, appid: str | None, secret: str | None) -> dict:
        """getAccessToken: a new token every call; the previous one works 5 more minutes."""
        errcode = self._check_app(appid, secret)
        if errcode:
            return error(errcode)
        with self.lock:
            now = self.clock()
            self._replace(self._latest_token, now, TOKEN_OVERLAP_SECONDS)
            token = self._latest_token = self._new_token(now)
        return {"access_token": token, "expires_in": TOKEN_TTL_SECONDS}

    def issue_stable_token(self, body: dict) -> dict:
        """getStableAccessToken: the same token until its last 5 minutes (normal mode), or a
        new one that ends the previous at once (force_refresh: 20 a day, 30 s apart; sooner
        than that the current one is returned unchanged)."""
        if body.get("grant_type") != "client_credential":
            return error(40002)
        errcode = self._check_app(body.get("appid"), body.get("secret"))
        if errcode:
            return error(errcode)
        force = body.get("force_refresh") is True
        with self.lock:
            now = self.clock()
            current = self._stable_token
            remaining = self._tokens.get(current, 0) - now if current else 0
            usable = current is not None and self._token_errcode(current, now) == 0
            if force:
                day = (now + _SHANGHAI) // 86400
                today = [t for t in self._forced if (t + _SHANGHAI) // 86400 == day]
                if len(today) >= FORCED_REFRESHES_PER_DAY:
                    return error(45009)
                if usable and today and now - today[-1] < FORCED_REFRESH_INTERVAL_SECONDS:
                    return {"access_token": current, "expires_in": int(remaining)}
                self._forced = [*today, now]
                self._replace(current, now, 0)
            elif usable and remaining > STABLE_RENEW_SECONDS:
                return {"access_token": current, "expires_in": int(remaining)}
            else:
                self._replace(current, now, max(remaining, 0))
            token = self._stable_token = self._new_token(now)
        return {"access_token": token, "expires_in": TOKEN_TTL_SECONDS}

    def expire_tokens(self) -> None:
        """Every access token issued so far stops working (as if refreshed elsewhere)."""
        with self.lock:
            now = self.clock()
            for token in self._tokens:
                self._stops[token] = now
            self._latest_token = self._stable_token = None

    def _token_errcode(self, token: str | None, now: float) -> int:
        if not token:
            return 41001
        if not _TOKEN_SHAPE.match(token):
            return 40014
        expires_at = self._tokens.get(token)
        if expires_at is None or self._stops.get(token, now + 1) <= now:
            return 40001
        if expires_at <= now:
            return 42001
        return 0

    def token_errcode(self, token: str | None) -> int:
        """0 when `token` may call; else the errcode WeChat answers."""
        with self.lock:
            return self._token_errcode(token, self.clock())

    def token_valid(self, token: str | None) -> bool:
        return self.token_errcode(token) == 0
