"""Everything the stand-in remembers, behind one lock: login codes and who logged in when,
phone codes, injected faults, tokens (tokens.py), subscriptions (subscriptions.py), the
text security check's word lists, and call counts."""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections import Counter, deque
from collections.abc import Callable

from server.wechat.standin.errors import error
from server.wechat.standin.subscriptions import SubscriptionModel
from server.wechat.standin.tokens import TokenModel

CODE_TTL_SECONDS = 5 * 60
# msg_sec_check v2 takes an openid that used the mini-program in the last two hours
RECENT_VISIT_SECONDS = 2 * 3600
SEC_CHECK_MAX_CHARS = 2500
SEC_CHECK_SCENES = (1, 2, 3, 4)  # profile, comment, forum, social log
DEFAULT_RISKY_WORDS = ("赌博", "诈骗", "六合彩")


def demo_openid(name: str) -> str:
    """The stable openid behind the demo login code `demo:<name>`."""
    return "odemo_" + hashlib.sha256(f"openid:{name}".encode()).hexdigest()[:22]


def demo_unionid(name: str) -> str:
    return "udemo_" + hashlib.sha256(f"unionid:{name}".encode()).hexdigest()[:22]


class StandInState(TokenModel, SubscriptionModel):
    """The stand-in's memory; methods named after WeChat's calls answer as WeChat does."""

    openid_shape = re.compile(r"^o[A-Za-z0-9_-]{5,63}$")

    def __init__(self, appid: str, secret: str, clock: Callable[[], float] | None = None):
        self.appid = appid
        self.secret = secret
        # time.time looked up on each call, so time-machine can move it
        self.clock = clock or (lambda: time.time())
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.release_holds()
        with self.lock:
            self._holds: dict[str, list] = {}
            self._codes: dict[str, tuple[str, str | None, float]] = {}
            self._used_codes: set[str] = set()
            self._visits: dict[str, float] = {}  # openid → last login
            self._phone_codes: dict[str, tuple[str, str, float]] = {}
            self._faults: dict[str, deque[int]] = {}
            self._risky_words: list[str] = list(DEFAULT_RISKY_WORDS)
            self._review_words: list[str] = []
            self._calls: Counter[str] = Counter()
            self._sec_checks: list[dict] = []
            self._reset_tokens()
            self._reset_subscriptions()

    # -- controls (admin API) ---------------------------------------------------------------

    def issue_code(self, openid: str | None = None, unionid: str | None = None) -> str:
        """A wx.login code, valid for 5 minutes and usable once."""
        code = "code_" + secrets.token_urlsafe(16)
        openid = openid or "o" + secrets.token_urlsafe(20)
        with self.lock:
            self._codes[code] = (openid, unionid, self.clock())
        return code

    def issue_phone_code(self, phone: str, country_code: str = "86") -> str:
        """A getPhoneNumber code for `phone` (its digits without the country code), valid
        for 5 minutes and usable once."""
        code = "phone_" + secrets.token_urlsafe(16)
        with self.lock:
            self._phone_codes[code] = (phone, country_code, self.clock())
        return code

    def add_fault(self, path: str, errcode: int, times: int = 1) -> None:
        """The next `times` calls to `path` answer `errcode`."""
        with self.lock:
            self._faults.setdefault(path.strip("/"), deque()).extend([int(errcode)] * times)

    def hold_after(self, path: str, answered: int) -> None:
        """After `answered` more calls to `path`, each later call is carried out (a message
        is sent) but its answer is withheld until release_holds(): a caller that dies then
        never learns that WeChat accepted it (crash tests)."""
        with self.lock:
            self._holds[path.strip("/")] = [answered, threading.Event()]

    def release_holds(self) -> None:
        with self.lock:
            holds, self._holds = list(getattr(self, "_holds", {}).values()), {}
        for _, event in holds:
            event.set()

    def withhold_answer(self, path: str) -> None:
        """Called after a call was carried out: wait here while its answer is held."""
        with self.lock:
            hold = self._holds.get(path)
            if hold is None:
                return
            if hold[0] > 0:
                hold[0] -= 1
                return
            event = hold[1]
        event.wait(60)

    def visit(self, openid: str) -> None:
        """The member opened the mini-program now (as a login records it)."""
        with self.lock:
            self._visits[openid] = self.clock()

    def set_risky_words(self, words: list[str], review: list[str] | None = None) -> None:
        with self.lock:
            self._risky_words = list(words)
            if review is not None:
                self._review_words = list(review)

    def sec_checks(self) -> list[dict]:
        """The text checks answered: scene, length and openid of each."""
        with self.lock:
            return [dict(check) for check in self._sec_checks]

    def stats(self) -> dict:
        with self.lock:
            return {"calls": dict(self._calls), "tokens_issued": self._tokens_issued}

    # -- the WeChat contract ---------------------------------------------------------------

    def begin_call(self, path: str) -> int | None:
        """Count the call; answer an injected fault if one is due."""
        with self.lock:
            self._calls[path] += 1
            faults = self._faults.get(path)
            if faults:
                return faults.popleft()
        return None

    def _check_app(self, appid: str | None, secret: str | None) -> int:
        if appid != self.appid:
            return 40013
        if secret != self.secret:
            return 40125
        return 0

    def code_to_session(self, appid, secret, js_code, grant_type) -> dict:
        errcode = self._check_app(appid, secret)
        if errcode:
            return error(errcode)
        if grant_type != "authorization_code" or not js_code:
            return error(40029)
        with self.lock:
            if js_code in self._used_codes:
                return error(40163)
            name = js_code.split(":")[1] if js_code.startswith("demo:") else ""
            if name:
                self._used_codes.add(js_code)
                openid, unionid = demo_openid(name), demo_unionid(name)
            else:
                issued = self._codes.pop(js_code, None)
                if issued is None or self.clock() - issued[2] > CODE_TTL_SECONDS:
                    return error(40029)
                self._used_codes.add(js_code)
                openid, unionid, _ = issued
            self._visits[openid] = self.clock()
        result = {"openid": openid, "session_key": secrets.token_urlsafe(16)}
        if unionid:
            result["unionid"] = unionid
        return result

    def phone_number(self, code: str | None) -> dict:
        with self.lock:
            issued = self._phone_codes.pop(code or "", None)
            if issued is None or self.clock() - issued[2] > CODE_TTL_SECONDS:
                return error(40029)
        pure, country, _ = issued
        return {
            "errcode": 0,
            "errmsg": "ok",
            "phone_info": {
                # a number outside the mainland carries its country code
                "phoneNumber": pure if country == "86" else f"+{country}{pure}",
                "purePhoneNumber": pure,
                "countryCode": int(country),  # a number, as WeChat answers
                "watermark": {"timestamp": int(self.clock()), "appid": self.appid},
            },
        }

    def msg_sec_check(self, body: dict) -> dict:
        """v2 only: version 2, scene 1–4, an openid seen in the last two hours, at most 2,500
        characters."""
        content, openid, scene = body.get("content"), body.get("openid"), body.get("scene")
        if body.get("version") != 2:
            return error(47001, "version must be 2")
        if not isinstance(content, str) or not content or not openid:
            return error(44002)
        if scene not in SEC_CHECK_SCENES:
            return error(40129)
        if len(content) > SEC_CHECK_MAX_CHARS:
            return error(47001, f"content exceeds {SEC_CHECK_MAX_CHARS} characters")
        if not isinstance(openid, str) or not self.openid_shape.match(openid):
            return error(40003)
        with self.lock:
            visited = self._visits.get(openid)
            if visited is None or self.clock() - visited > RECENT_VISIT_SECONDS:
                return error(61010)
            self._sec_checks.append({"scene": scene, "chars": len(content), "openid": openid})
            risky = any(word and word in content for word in self._risky_words)
            review = any(word and word in content for word in self._review_words)
        suggest = "risky" if risky else "review" if review else "pass"
        label = 100 if suggest == "pass" else 20001
        return {
            "errcode": 0,
            "errmsg": "ok",
            "trace_id": secrets.token_hex(8),
            "result": {"suggest": suggest, "label": label},
            "detail": [{"strategy": "content_model", "errcode": 0, "suggest": suggest,
                        "label": label}],
        }
