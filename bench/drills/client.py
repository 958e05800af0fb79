"""A client that behaves like the mini-program's request service: the same Idempotency-Key
and body on every retry, a retry on a network error or a 503 (after its Retry-After, else a
growing backoff), at most MAX_ATTEMPTS sends, a timeout per send."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass, field

import httpx

MAX_ATTEMPTS = 12
TIMEOUT = 15.0  # seconds per send: a worker stuck longer than this counts as a hang
BACKOFF_FIRST, BACKOFF_CAP = 0.25, 2.0
# the 503s the service documents; any other 5xx (or a 503 without the JSON shape) is a finding
DOCUMENTED_503 = {"database_unavailable", "wechat_unavailable", "wechat_busy"}


@dataclass
class Outcome:
    """What the client was finally told about one write."""

    key: str
    status: int | str = "not sent"
    code: str | None = None
    attempts: int = 0
    answered_at: float = 0.0  # monotonic

    @property
    def acknowledged(self) -> bool:
        return self.status == 200 or self.status == 201


@dataclass
class Log:
    """Every answer seen, to find the unexpected ones and time the recovery."""

    answers: list[tuple[float, int | str, str | None, float]] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    def seen(self, at: float, status: int | str, code: str | None, seconds: float) -> None:
        self.answers.append((at, status, code, seconds))

    def statuses(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for _, status, code, _ in self.answers:
            name = f"{status} {code}" if code and status != 200 else str(status)
            out[name] = out.get(name, 0) + 1
        return out

    def first_ok_after(self, moment: float) -> float | None:
        oks = [at for at, status, _, _ in self.answers if status in (200, 201) and at > moment]
        return min(oks) if oks else None


def _check(response: httpx.Response, log: Log) -> str | None:
    """The error code of an answer, noting any 5xx the service does not document."""
    if response.status_code < 400:
        return None
    try:
        body = response.json()
        code = body.get("code")
    except ValueError:
        body, code = None, None
    if response.status_code >= 500:
        json_ok = isinstance(body, dict) and {"code", "message", "details"} <= body.keys()
        documented = response.status_code == 503 and code in DOCUMENTED_503 and json_ok
        if code == "database_unavailable" and "Retry-After" not in response.headers:
            documented = False
        if not documented:
            log.unexpected.append(f"{response.status_code} {response.headers.get('content-type')}"
                                  f" {response.text[:120]!r}")
    return code


async def send(client: httpx.AsyncClient, log: Log, method: str, url: str, body: dict | None,
               headers: dict, key: str | None = None) -> Outcome:
    key = key or uuid.uuid4().hex
    headers = {**headers, "Idempotency-Key": key}
    outcome = Outcome(key)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        outcome.attempts = attempt
        started = time.monotonic()
        wait = min(BACKOFF_FIRST * 2 ** (attempt - 1), BACKOFF_CAP)
        try:
            response = await client.request(method, url, json=body, headers=headers)
        except httpx.TransportError as error:  # refused, reset, timed out: retry
            log.seen(time.monotonic(), type(error).__name__, None, time.monotonic() - started)
            outcome.status, outcome.code = type(error).__name__, None
        else:
            code = _check(response, log)
            log.seen(time.monotonic(), response.status_code, code,
                     time.monotonic() - started)
            outcome.status, outcome.code = response.status_code, code
            outcome.answered_at = time.monotonic()
            if response.status_code != 503:
                return outcome
            retry_after = response.headers.get("Retry-After")
            if retry_after and retry_after.isdigit():
                wait = min(float(retry_after), 5.0)
        if attempt < MAX_ATTEMPTS:
            await asyncio.sleep(wait * random.uniform(0.8, 1.2))
    outcome.answered_at = time.monotonic()
    return outcome


async def burst(base: str, jobs: list[tuple[str, str, dict | None, dict]], concurrency: int,
                log: Log) -> list[Outcome]:
    """Send each job (method, path, body, headers) until it is answered, `concurrency` at once."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=0)
    semaphore = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=TIMEOUT) as client:

        async def one(job):
            async with semaphore:
                return await send(client, log, *job)

        return list(await asyncio.gather(*(one(job) for job in jobs)))
