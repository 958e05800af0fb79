"""Clock-in burst (党员奉献日): 500 members clock in to one activity at 200 concurrent
connections through the app under gunicorn, beside a bare one-INSERT Flask endpoint under the
same gunicorn settings.

Tokens are issued through the app's own `server.auth.tokens.issue_token` into the database
(the stand-in login is rate-limited per address, as it should be); the rotating code is made
from the activity's secret with `server.activities.qrcode.make_code` at the moment each
request is sent, exactly as the leader's phone shows it.
"""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx

from bench.common import (
    VENV_BIN,
    bench_app,
    children,
    connect,
    free_port,
    log,
    production_env,
    rss_mb,
    start,
    stop,
    summary_ms,
    wait_for_port,
)

MEMBERS = 500
CONCURRENCY = 200
LOW_CONCURRENCY = 2  # one request per sync worker: no waiting in the listen backlog
REQUEST_TIMEOUT = 30.0  # seconds; a request slower than this counts as an error
ROUND_TIMEOUT = 120.0  # a whole round is abandoned after this


def _has_control_socket() -> bool:
    from gunicorn.config import KNOWN_SETTINGS

    return any(setting.name == "control_socket" for setting in KNOWN_SETTINGS)


def gunicorn_args(app: str, port: int, workers: int, worker_class: str, threads: int,
                  access_log: Path) -> list[str]:
    """The production gunicorn command line (bench/README.md documents it)."""
    args = [str(VENV_BIN / "gunicorn"), "--workers", str(workers), "--bind",
            f"127.0.0.1:{port}", "--worker-class", worker_class, "--backlog", "2048",
            "--timeout", "60", "--access-logfile", str(access_log),
            "--access-logformat", "%(s)s %(D)s"]
    if _has_control_socket():  # gunicorn ≥ 25: one control socket per master, not a shared one
        args += ["--control-socket", str(access_log.with_suffix(".ctl"))]
    if worker_class == "gthread":
        args += ["--threads", str(threads)]
    return [*args, app]


@dataclass
class RoundResult:
    name: str
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int | str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> int:
        return self.statuses.get(200, 0)

    @property
    def errors(self) -> int:
        return sum(n for code, n in self.statuses.items() if code != 200)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


async def _fire(name: str, requests: list[tuple[str, dict, callable]],
                concurrency: int) -> RoundResult:
    """Send every request once (bounded: len(requests)), `concurrency` at a time, each on its
    own connection of a pool of `concurrency` connections."""
    result = RoundResult(name)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    semaphore = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=REQUEST_TIMEOUT) as client:

        async def one(url: str, headers: dict, body) -> None:
            async with semaphore:
                started = time.perf_counter()
                try:
                    response = await client.post(url, headers=headers, json=body())
                    status: int | str = response.status_code
                except httpx.HTTPError as error:
                    status = type(error).__name__
                result.latencies.append(time.perf_counter() - started)
                result.statuses[status] = result.statuses.get(status, 0) + 1

        started = time.perf_counter()
        await asyncio.wait_for(
            asyncio.gather(*(one(u, h, b) for u, h, b in requests)), ROUND_TIMEOUT
        )
        result.seconds = time.perf_counter() - started
    return result


async def _warm(base: str, path: str, n: int = 40) -> None:
    # on a busy machine a gunicorn worker takes many seconds to import the app
    async with httpx.AsyncClient(timeout=120) as client:
        await asyncio.gather(*(client.get(base + path) for _ in range(n)))


def prepare_activity(app, member_ids: list[int], community_id: int) -> tuple[int, str]:
    """A published activity happening now with the members signed up (confirmed)."""
    from server.activities.models import Activity, SignUp
    from server.extensions import db
    from server.timeutil import utcnow

    now = utcnow()
    with app.app_context():
        activity = Activity(
            community_id=community_id, title="党员奉献日·压测", category="dedication_day",
            address="幸福路1号", latitude=31.23, longitude=121.47, radius_m=300,
            starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(hours=3),
            status="published", published_at=now, audience_grid_ids=[],
            audience_member_types=[],
        )
        db.session.add(activity)
        db.session.flush()
        db.session.add_all(
            SignUp(activity_id=activity.id, member_id=m, status="confirmed", queued_at=now)
            for m in member_ids
        )
        db.session.commit()
        return activity.id, activity.code_secret


def issue_tokens(app, member_ids: list[int]) -> dict[int, str]:
    """Session tokens through the app's own token function (one AuthSession row each)."""
    from server.auth.models import User
    from server.auth.tokens import issue_token
    from server.extensions import db
    from server.members.models import Member

    tokens = {}
    with app.app_context():
        for member in db.session.query(Member).filter(Member.id.in_(member_ids)):
            tokens[member.id], _ = issue_token(db.session.get(User, member.user_id))
        db.session.commit()
    return tokens


def _clockin_requests(base: str, activity_id: int, secret: str, tokens: dict[int, str]):
    from server.activities import qrcode
    from server.timeutil import utcnow

    window_seconds = 30

    def code_now():
        now = utcnow()
        return {"method": "qr",
                "code": qrcode.make_code(secret, activity_id,
                                         qrcode.window_of(now, window_seconds))}

    url = f"{base}/api/v1/activities/{activity_id}/clock-in"
    return [
        (url, {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
         code_now)
        for token in tokens.values()
    ]


def _bare_requests(base: str, activity_id: int, member_ids: list[int]):
    return [
        (f"{base}/bare/{activity_id}", {"Idempotency-Key": uuid.uuid4().hex},
         (lambda m=m: {"member_id": m}))
        for m in member_ids
    ]


def _server_times(access_log: Path, skip: int) -> list[float]:
    """Seconds each request spent inside a worker (gunicorn %(D)s), after `skip` lines."""
    lines = access_log.read_text().splitlines()[skip:]
    out = []
    for line in lines:
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("200", "201"):
            out.append(int(parts[1]) / 1e6)
    return out


def _line_count(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def py_spy_record(pids: list[int], seconds: int, out_dir: Path, label: str) -> list:
    """Start py-spy on each pid (raw collapsed stacks); returns the processes."""
    import subprocess

    procs = []
    for pid in pids:
        out = out_dir / f"{label}-{pid}.txt"
        procs.append(subprocess.Popen(
            [str(VENV_BIN / "py-spy"), "record", "--pid", str(pid), "--duration", str(seconds),
             "--rate", "250", "--format", "raw", "--output", str(out), "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return procs


def median_round(rounds: list[dict]) -> dict:
    """The round whose clock-in rate is the median (each round is a bare + clock-in pair)."""
    ordered = sorted(rounds, key=lambda r: r["clockin"]["rate"])
    return ordered[len(ordered) // 2]


def run(database_url: str, work_dir: Path, rounds: int = 3, workers: int = 2,
        worker_class: str = "sync", threads: int = 4, profile: bool | str = "auto") -> dict:
    app = bench_app(database_url)
    with connect(database_url) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_bare (id bigserial PRIMARY KEY, "
            "member_id integer NOT NULL, activity_id integer NOT NULL, "
            "created_at timestamp NOT NULL DEFAULT (now() at time zone 'utc'))")
        community_id, = conn.execute(
            "SELECT community_id FROM members WHERE community_id IS NOT NULL "
            "GROUP BY community_id HAVING count(*) >= %s ORDER BY community_id LIMIT 1",
            (MEMBERS,)).fetchone()
        member_ids = [r[0] for r in conn.execute(
            "SELECT id FROM members WHERE community_id = %s ORDER BY id LIMIT %s",
            (community_id, MEMBERS))]
    log(f"burst: issuing {len(member_ids)} tokens through server.auth.tokens.issue_token")
    tokens = issue_tokens(app, member_ids)

    app_port, bare_port = free_port(), free_port()
    app_log, bare_log = work_dir / "gunicorn-app-access.log", work_dir / "gunicorn-bare-access.log"
    env = production_env(database_url, BENCH_BARE_DATABASE_URL=database_url)
    servers = {
        "app": start(gunicorn_args("server:create_app()", app_port, workers, worker_class,
                                   threads, app_log), env, work_dir / "gunicorn-app.log"),
        "bare": start(gunicorn_args("bench.bare_app:create_app()", bare_port, workers,
                                    worker_class, threads, bare_log), env,
                      work_dir / "gunicorn-bare.log"),
    }
    app_base, bare_base = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{bare_port}"
    out: dict = {"rounds": [], "workers": workers, "worker_class": worker_class,
                 "threads": threads if worker_class == "gthread" else 1,
                 "concurrency": CONCURRENCY, "members": len(member_ids)}
    try:
        wait_for_port(app_port)
        wait_for_port(bare_port)
        asyncio.run(_warm(app_base, "/api/v1/healthz"))
        asyncio.run(_warm(bare_base, "/healthz"))
        activity_ids = []
        for n in range(rounds):
            bare_activity = 900_000 + n
            skip = _line_count(bare_log)
            bare = asyncio.run(_fire("bare", _bare_requests(bare_base, bare_activity, member_ids),
                                     CONCURRENCY))
            time.sleep(0.5)
            bare_server = _server_times(bare_log, skip)
            activity_id, secret = prepare_activity(app, member_ids, community_id)
            activity_ids.append(activity_id)
            skip = _line_count(app_log)
            clock = asyncio.run(_fire("clock-in", _clockin_requests(
                app_base, activity_id, secret, tokens), CONCURRENCY))
            time.sleep(0.5)
            clock_server = _server_times(app_log, skip)
            log(f"burst round {n + 1}: bare {bare.rate:.0f}/s {bare.statuses}; clock-in "
                f"{clock.rate:.0f}/s {clock.statuses}")
            out["rounds"].append({
                "bare": {"rate": bare.rate, "statuses": bare.statuses, "seconds": bare.seconds,
                         **summary_ms(bare.latencies),
                         "server": summary_ms(bare_server)},
                "clockin": {"rate": clock.rate, "statuses": clock.statuses,
                            "seconds": clock.seconds, "activity_id": activity_id,
                            **summary_ms(clock.latencies),
                            "server": summary_ms(clock_server)},
            })
        # one more clock-in round at low concurrency (no queueing in the backlog): what a
        # request costs when the server keeps up; informational, its rows are checked too
        activity_id, secret = prepare_activity(app, member_ids, community_id)
        activity_ids.append(activity_id)
        low = asyncio.run(_fire("clock-in low", _clockin_requests(
            app_base, activity_id, secret, tokens), LOW_CONCURRENCY))
        out["low_concurrency"] = {"concurrency": LOW_CONCURRENCY, "rate": low.rate,
                                  "statuses": low.statuses, "activity_id": activity_id,
                                  **summary_ms(low.latencies)}
        log(f"burst at {LOW_CONCURRENCY} connections: {low.rate:.0f}/s, p99 "
            f"{out['low_concurrency']['p99']:.0f} ms {low.statuses}")
        workers_pids = children(servers["app"].pid)
        out["worker_rss_mb"] = {pid: rss_mb(pid) for pid in workers_pids}
        out["bare_worker_rss_mb"] = {pid: rss_mb(pid) for pid in children(servers["bare"].pid)}
        with connect(database_url) as conn:
            out["attendance_check"] = [
                dict(zip(("activity_id", "rows", "distinct_members", "doubled"), row,
                         strict=True))
                for row in conn.execute(
                    "SELECT activity_id, count(*), count(DISTINCT member_id), "
                    "count(*) - count(DISTINCT member_id) FROM attendances "
                    "WHERE activity_id = ANY(%s) GROUP BY activity_id ORDER BY activity_id",
                    (activity_ids,))
            ]
        median = median_round(out["rounds"])
        if profile == "auto":
            profile = (median["clockin"]["rate"] < 0.5 * median["bare"]["rate"]
                       or median["clockin"]["p99"] > 100)
        if profile:
            out["profile"] = _profile_round(app, member_ids, community_id, tokens, app_base,
                                            workers_pids, work_dir)
    finally:
        for process in servers.values():
            stop(process)
    return out


def _profile_round(app, member_ids, community_id, tokens, app_base, pids, work_dir) -> dict:
    """One more burst (its own activity) with py-spy sampling both workers."""
    activity_id, secret = prepare_activity(app, member_ids, community_id)
    spies = py_spy_record(pids, 8, work_dir, "burst-profile")
    time.sleep(1.0)
    clock = asyncio.run(_fire("clock-in (profiled)", _clockin_requests(
        app_base, activity_id, secret, tokens), CONCURRENCY))
    for spy in spies:
        spy.wait(30)
    return {"rate": clock.rate, "files": [str(work_dir / f"burst-profile-{p}.txt")
                                          for p in pids]}


if __name__ == "__main__":
    import argparse
    import json
    import tempfile

    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--profile", action="store_true", default="auto")
    a = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="bench-burst-"))
    print(json.dumps(run(a.database_url, directory, a.rounds, worker_class=a.worker_class,
                         threads=a.threads, profile=a.profile), indent=1, default=str))
    print(directory, secrets.token_hex(2))
