"""Dedication-day burst, open loop (党员奉献日): members arrive at a fixed mean rate (Poisson
arrivals) whatever the server is doing, as on the day, instead of 200 connections that each wait
for their answer. The clock-in and the bare one-INSERT endpoint get the same arrival schedule,
back to back; then both are stepped up in rate to find the highest rate each keeps p99 ≤ 100 ms.

Latency is counted from each request's scheduled arrival, not from when the generator got
round to sending it, so a load generator that falls behind shows as latency (no coordinated
omission); its lag is reported beside the figures.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from pathlib import Path

import httpx

from bench.burst import (
    REQUEST_TIMEOUT,
    RoundResult,
    _bare_requests,
    _clockin_requests,
    gunicorn_args,
    issue_tokens,
    prepare_activity,
)
from bench.common import (
    bench_app,
    connect,
    free_port,
    log,
    percentile,
    production_env,
    start,
    stop,
    summary_ms,
    wait_for_port,
)

BURST_RATE = 50.0  # clock-ins a second
BURST_SECONDS = 60.0
STEP_RATES = (25.0, 50.0, 75.0, 100.0, 150.0, 200.0, 300.0)
STEP_SECONDS = 10.0
P99_TARGET_MS = 100.0
BUSY_PERCENT = 20.0  # another process above this share of a core marks a figure


def other_load() -> dict:
    """The load before a measure, and whether another process took > 20 % of a core then
    (our own servers are idle between measures, so what is busy is someone else's)."""
    from bench.machine import machine_load

    return machine_load()


async def _warm(base: str, path: str, n: int = 20) -> None:
    """Every worker has imported the app and opened its connections before a measure (on a
    busy machine a gunicorn worker takes many seconds to boot)."""
    async with httpx.AsyncClient(timeout=120) as client:
        await asyncio.gather(*(client.get(base + path) for _ in range(n)))


async def _post(url: str, headers: dict, body: dict) -> int:
    """One POST on a connection of its own, HTTP/1.1 with Connection: close (gunicorn's sync
    workers close every connection anyway). Hand-written on asyncio streams: the work per
    request stays constant however many are outstanding, where a pooled client's bookkeeping
    grows with the number of open connections and made the generator the bottleneck."""
    address, _, path = url.removeprefix("http://").partition("/")
    host, _, port = address.partition(":")
    payload = json.dumps(body).encode()
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = (f"POST /{path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json"
               f"\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n{head}\r\n"
               ).encode() + payload
    reader, writer = await asyncio.open_connection(host, int(port or 80))
    try:
        writer.write(request)
        await writer.drain()
        status_line = await reader.readline()
        await reader.read()  # the rest, until the server closes
        return int(status_line.split()[1])
    finally:
        writer.close()


async def _open_loop(name: str, requests: list, rate: float, seed: int) -> dict:
    """Fire each request at its Poisson arrival time, never waiting for earlier answers."""
    result, lags = RoundResult(name), []
    rng = random.Random(seed)
    loop = asyncio.get_running_loop()

    async def one(at: float, url: str, headers: dict, body) -> None:
        await asyncio.sleep(max(0.0, at - loop.time()))
        lags.append(loop.time() - at)
        try:
            status: int | str = await asyncio.wait_for(_post(url, headers, body()),
                                                       REQUEST_TIMEOUT)
        except (OSError, ValueError, IndexError, TimeoutError) as error:
            status = type(error).__name__
        result.latencies.append(loop.time() - at)
        result.statuses[status] = result.statuses.get(status, 0) + 1

    begin = arrival = loop.time() + 0.2
    tasks = []
    for url, headers, body in requests:
        arrival += rng.expovariate(rate)
        tasks.append(asyncio.create_task(one(arrival, url, headers, body)))
    await asyncio.wait_for(asyncio.gather(*tasks), arrival - begin + REQUEST_TIMEOUT + 10)
    result.seconds = loop.time() - begin
    return {"rate_offered": rate, "requests": len(requests), "seconds": result.seconds,
            "statuses": result.statuses, "errors": result.errors,
            **summary_ms(result.latencies),
            "generator_lag_p99_ms": percentile([x * 1000 for x in lags], 99)}


def _activities(app, groups: dict[int, list[int]]) -> list[tuple[int, str, list[int]]]:
    """One activity happening now per community, its members signed up."""
    return [(*prepare_activity(app, members, community_id), members)
            for community_id, members in groups.items()]


def _interleave(lists: list[list]) -> list:
    out = []
    for i in range(max((len(x) for x in lists), default=0)):
        out.extend(x[i] for x in lists if i < len(x))
    return out


def _pair(app, groups, tokens, app_base, bare_base, rate, seconds, seed, bare_activity):
    """The bare endpoint then the clock-in, under the same arrival schedule, back to back."""
    members = sum(len(m) for m in groups.values())
    n = min(members, round(rate * seconds))
    load = other_load()
    member_ids = _interleave(list(groups.values()))[:n]
    bare = asyncio.run(_open_loop("bare", _bare_requests(bare_base, bare_activity, member_ids),
                                  rate, seed))
    requests = _interleave([
        _clockin_requests(app_base, activity_id, secret, {m: tokens[m] for m in ids})
        for activity_id, secret, ids in _activities(app, groups)
    ])[:n]
    clock = asyncio.run(_open_loop("clock-in", requests, rate, seed))
    log(f"open loop {rate:.0f}/s × {n / rate:.0f} s: bare p99 {bare['p99']:.0f} ms, clock-in "
        f"p99 {clock['p99']:.0f} ms {clock['statuses']} (load {load['load1']:.1f}"
        f"{', BUSY ' + ', '.join(load['busiest']) if load['busy'] else ''})")
    return {"rate": rate, "seconds": n / rate, "load": load, "bare": bare, "clockin": clock}


def run(database_url: str, work_dir: Path, workers: int = 2, burst_rate: float = BURST_RATE,
        burst_seconds: float = BURST_SECONDS, step_rates: tuple = STEP_RATES,
        step_seconds: float = STEP_SECONDS, seed: int = 1) -> dict:
    app = bench_app(database_url)
    wanted = round(max([burst_rate * burst_seconds,
                        *(r * step_seconds for r in step_rates)]))
    with connect(database_url) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_bare (id bigserial PRIMARY KEY, "
            "member_id integer NOT NULL, activity_id integer NOT NULL, "
            "created_at timestamp NOT NULL DEFAULT (now() at time zone 'utc'))")
        rows = conn.execute(
            "SELECT community_id, id FROM members WHERE community_id IS NOT NULL "
            "ORDER BY community_id, id LIMIT %s", (wanted,)).fetchall()
    groups: dict[int, list[int]] = {}
    for community_id, member_id in rows:
        groups.setdefault(community_id, []).append(member_id)
    log(f"open loop: {len(rows)} members in {len(groups)} communities, issuing tokens")
    tokens = issue_tokens(app, [m for _, m in rows])

    app_port, bare_port = free_port(), free_port()
    env = production_env(database_url, BENCH_BARE_DATABASE_URL=database_url)
    servers = {
        "app": start(gunicorn_args("server:create_app()", app_port, workers, "sync", 1,
                                   work_dir / "openloop-app-access.log"), env,
                     work_dir / "openloop-app.log"),
        "bare": start(gunicorn_args("bench.bare_app:create_app()", bare_port, workers, "sync",
                                    1, work_dir / "openloop-bare-access.log"), env,
                      work_dir / "openloop-bare.log"),
    }
    app_base, bare_base = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{bare_port}"
    out: dict = {"workers": workers, "members": len(rows), "target_p99_ms": P99_TARGET_MS}
    try:
        wait_for_port(app_port)
        wait_for_port(bare_port)
        asyncio.run(_warm(app_base, "/api/v1/healthz"))
        asyncio.run(_warm(bare_base, "/healthz"))
        started = time.monotonic()
        out["burst"] = _pair(app, groups, tokens, app_base, bare_base, burst_rate,
                             burst_seconds, seed, 800_000)
        steps, best = [], {"bare": 0.0, "clockin": 0.0}
        for index, rate in enumerate(step_rates):
            step = _pair(app, groups, tokens, app_base, bare_base, rate, step_seconds,
                         seed + index + 1, 810_000 + index)
            steps.append(step)
            for side in best:
                if step[side]["p99"] <= P99_TARGET_MS and step[side]["errors"] == 0:
                    best[side] = max(best[side], rate)
            if step["bare"]["p99"] > P99_TARGET_MS and step["clockin"]["p99"] > P99_TARGET_MS:
                break  # both past the target: higher rates only queue more
        out["steps"] = steps
        out["highest_rate_within_target"] = best
        out["fraction_of_bare"] = best["clockin"] / best["bare"] if best["bare"] else None
        out["seconds"] = time.monotonic() - started
    finally:
        for process in servers.values():
            stop(process)
    return out


if __name__ == "__main__":
    import argparse
    import json
    import tempfile

    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("--burst-rate", type=float, default=BURST_RATE)
    parser.add_argument("--burst-seconds", type=float, default=BURST_SECONDS)
    parser.add_argument("--step-seconds", type=float, default=STEP_SECONDS)
    parser.add_argument("--rates", type=float, nargs="*", default=list(STEP_RATES))
    a = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="bench-openloop-"))
    print(json.dumps(run(a.database_url, directory, burst_rate=a.burst_rate,
                         burst_seconds=a.burst_seconds, step_rates=tuple(a.rates),
                         step_seconds=a.step_seconds), indent=1, default=str))
