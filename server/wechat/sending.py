"""Subscribe messages (订阅消息): one at a time, or many through a pool of sending threads
with one outcome per message."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app

from server.timeutil import utcnow
from server.wechat.errors import INVALID_TOKEN_ERRCODES, WeChatError
from server.wechat.transport import app_client, call

log = logging.getLogger(__name__)

SUBSCRIBE_SEND = "cgi-bin/message/subscribe/send"


@dataclass(frozen=True)
class SubscribeMessage:
    openid: str
    template_id: str
    data: dict
    page: str | None = None


@dataclass(frozen=True)
class SendOutcome:
    """What became of one message of send_subscribe_messages."""

    attempted: bool  # False: not sent because an earlier answer said stop
    error: WeChatError | None = None  # None (and attempted): WeChat accepted it
    answered_at: datetime | None = None
    seconds: float = 0.0  # spent on WeChat's call (retries included)

    @property
    def sent(self) -> bool:
        return self.attempted and self.error is None


NOT_ATTEMPTED = SendOutcome(attempted=False)


def subscribe_body(message: SubscribeMessage) -> dict:
    """The JSON WeChat takes; `data` values may be plain strings."""
    body: dict[str, Any] = {
        "touser": message.openid,
        "template_id": message.template_id,
        "data": {
            key: value if isinstance(value, dict) else {"value": value}
            for key, value in message.data.items()
        },
        "miniprogram_state": current_app.config.get("WECHAT_MINIPROGRAM_STATE", "formal"),
        "lang": "zh_CN",
    }
    if message.page:
        body["page"] = message.page
    return body


def send_subscribe_message(
    openid: str, template_id: str, data: dict, page: str | None = None
) -> None:
    """Send one subscribe message. `data` values may be plain strings.

    Raises WeChatError: 43101 the member has no subscription left, 40003 bad openid, 40037
    unknown template, 41030 a page not in the mini-program, 47003 a value over WeChat's
    limits, 45009 daily quota, -1 busy after retries, None unreachable.
    """
    body = subscribe_body(SubscribeMessage(openid, template_id, data, page))
    call(lambda client: client.wxa._post(SUBSCRIBE_SEND, data=body))


Answered = Callable[[int, SendOutcome], None]


def send_subscribe_messages(
    messages: Sequence[SubscribeMessage],
    pool: Executor | None = None,
    stop_on: Collection[int] = (),
    first_alone: bool = False,
    on_answer: Answered | None = None,
    stop: threading.Event | None = None,
) -> list[SendOutcome]:
    """Send many subscribe messages, several at a time through `pool`'s threads (one after
    the other without it); one outcome per message, in order.

    Each message is tried as send_subscribe_message tries one (busy retried with backoff),
    except that a refused token is refreshed once for the whole lot, by the calling thread,
    and the messages it refused are sent once more. Once an answer's errcode is in `stop_on`
    (WeChat's quota), the messages not yet started are not sent at all. `first_alone`: the
    first message goes before any other is started (a probe: when WeChat answers stop, no
    other message is on its way).

    `on_answer(index, outcome)` is called with each message's final outcome in the thread
    that sent it, before that thread sends anything else: the caller records the answer
    there, so that a crash leaves at most one answered-but-unrecorded message per thread.
    If it raises, nothing more is started and the error reaches the caller. `stop`: once the
    caller sets it, no further message starts (those on their way still get their outcome).
    """
    client = app_client()
    busy_retries = int(current_app.config["WECHAT_MAX_RETRIES"])
    bodies = [subscribe_body(m) for m in messages]
    outcomes: list[SendOutcome] = [NOT_ATTEMPTED] * len(messages)
    stop = stop or threading.Event()

    def answered(index: int, outcome: SendOutcome) -> None:
        if on_answer is None:
            return
        try:
            on_answer(index, outcome)
        except BaseException:
            stop.set()
            raise

    def send(index: int, token: str, final: bool) -> SendOutcome:
        if stop.is_set():
            return NOT_ATTEMPTED
        params = {"access_token": token}
        started = time.perf_counter()
        try:
            call(
                lambda c: c.wxa._post(SUBSCRIBE_SEND, data=bodies[index], params=params),
                client=client.for_this_thread(),
                busy_retries=busy_retries,
                refresh_token=False,
            )
            error = None
        except WeChatError as refused:
            error = refused
        except Exception as trouble:  # like a network error: retried later by the caller
            log.warning("subscribe send to %s failed: %r", messages[index].openid, trouble)
            error = WeChatError(None, repr(trouble)[:200])
        if error is not None and error.errcode in stop_on:
            stop.set()
        outcome = SendOutcome(True, error, utcnow(), time.perf_counter() - started)
        if final or error is None or error.errcode not in INVALID_TOKEN_ERRCODES:
            answered(index, outcome)
        return outcome

    def send_all(indexes: list[int], token: str, final: bool) -> None:
        if pool is None or len(indexes) < 2:
            answers = (send(i, token, final) for i in indexes)
        else:
            answers = pool.map(send, indexes, [token] * len(indexes), [final] * len(indexes))
        for index, outcome in zip(indexes, answers, strict=True):
            outcomes[index] = outcome

    # a token WeChat will not give (quota, IP allow-list, frozen secret) raises WeChatError
    # before anything is sent
    token = call(lambda c: c.access_token, client=client, busy_retries=busy_retries,
                 refresh_token=False)
    indexes = list(range(len(messages)))
    if first_alone:
        send_all(indexes[:1], token, final=False)
        indexes = indexes[1:]
    send_all(indexes, token, final=False)
    refused_token = [
        i for i, outcome in enumerate(outcomes)
        if outcome.error is not None and outcome.error.errcode in INVALID_TOKEN_ERRCODES
    ]
    if refused_token and not stop.is_set():
        client.refresh_token_after_failure(token)
        send_all(refused_token, client.access_token, final=True)
    else:
        for index in refused_token:
            answered(index, outcomes[index])
    return outcomes
