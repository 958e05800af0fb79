"""deploy/try-local: the whole topology of deploy/ started on this machine, on loopback, and tried.

PostgreSQL primary + streaming replica (pg_basebackup -R), Redis (the machine's, database 7
for rate limits and 8 for the WeChat token, flushed first), the stand-in WeChat API, two app
servers (gunicorn masters with deploy/gunicorn.conf.py), two schedulers, nginx with the kit's
site (HTTPS with a self-signed certificate made here); then journeys through nginx, one app
server stopped mid-journey, a backup restored and counted; then everything stopped.
`--short` (CI) keeps: topology up, the journeys, one app server stopped, the restore's counts.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from pathlib import Path

import psycopg
import redis
from try_local_backup import backup_and_restore
from try_local_edges import check_nginx_edges
from try_local_journeys import (
    Client,
    JourneyFailed,
    leaderboard,
    member_reads_own,
    member_sees_notice,
    member_start,
    metrics_statements,
    metrics_total,
    reads_per_database,
    reset_statements,
    staff_login_console,
    staff_on_site,
    staff_sends_notice,
    statement_calls,
)
from try_local_report import summary
from try_local_topology import ROOT, Topology, _pg_bin

RYW_SECONDS = 3
started_at = time.monotonic()
MIGRATE_AND_SEED = """
from flask_migrate import upgrade
from server import create_app
from server.demo import seed
app = create_app()
with app.app_context():
    upgrade()
    print("migrated", flush=True)
    seed(lambda line: None)
"""


def say(message: str) -> None:
    print(f"[try-local {time.monotonic() - started_at:5.1f}s] {message}", flush=True)


def replica_supported() -> bool:
    from server.config import DEFAULTS

    return "DATABASE_REPLICA_URL" in DEFAULTS


def app_env(top: Topology, redis_uri: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTY_")}
    env.update(
        PARTY_APP_ENV="production", PARTY_APP_SECRET_KEY="try-local-" + "s" * 40,
        PARTY_WECHAT_APPID="wx-demo-appid", PARTY_WECHAT_SECRET="try-local-wechat-secret",
        PARTY_WECHAT_API_BASE_URL=f"http://127.0.0.1:{top.ports['standin']}/",
        PARTY_DATABASE_URL=top.primary.url(),
        PARTY_DATABASE_REPLICA_URL=top.replica.url(),
        PARTY_DATABASE_READ_YOUR_WRITES_SECONDS=str(RYW_SECONDS),
        PARTY_RATELIMIT_STORAGE_URI=f"{redis_uri}/7", PARTY_REDIS_URL=f"{redis_uri}/8",
        PARTY_APP_TRUSTED_PROXIES="1", PARTY_APP_LOG_FORMAT="json",
        PARTY_METRICS_ALLOWED_NETWORKS='["127.0.0.1/32"]',
        PARTY_CERTIFICATES_VERIFY_BASE_URL=f"https://127.0.0.1:{top.ports['nginx-https']}/verify",
        PYTHONUNBUFFERED="1",
    )
    return env


def bring_up(top: Topology, args, report: dict) -> None:
    top.check_ports()
    say(f"work folder {top.work}")
    top.primary.init_primary()
    psql = [_pg_bin("psql"), "-h", "127.0.0.1", "-p", str(top.primary.port), "-U", "postgres",
            "-Xq"]
    top.primary.run(*psql, "-c", "CREATE ROLE replicator LOGIN REPLICATION",
                    "-c", "CREATE ROLE party LOGIN",
                    "-c", "CREATE DATABASE party OWNER party TEMPLATE template0 ENCODING 'UTF8'")
    top.primary.run(*psql, "-d", "party", "-c", "CREATE EXTENSION pg_stat_statements")
    say(f"PostgreSQL primary on 127.0.0.1:{top.primary.port}")
    top.replica.init_replica(top.primary, "try_local_replica")
    say(f"PostgreSQL replica on 127.0.0.1:{top.replica.port} (pg_basebackup -R, slot "
        "try_local_replica)")
    for number in (7, 8):
        redis.Redis.from_url(f"{args.redis}/{number}").flushdb()
    say(f"Redis {args.redis}: database 7 (rate limits) and 8 (WeChat token) flushed")
    top.env = app_env(top, args.redis)
    # the app servers boot while the database is migrated: until it is, they are not ready
    for name in ("app-1", "app-2"):
        top.start_app_server(name, args.workers)
    top.start("standin", [str(Path(sys.executable).parent / "flask"), "--app", "server",
                          "wechat-standin", "--port", str(top.ports["standin"])])
    if not args.short:
        status, text = top.first_answer("app-1", "/readyz")
        report["readyz_before_migration"] = f"{status} {text[:160]}"
        say(f"app-1 /readyz before the migration: {report['readyz_before_migration']}")
    flask = str(Path(sys.executable).parent / "flask")
    if args.short:
        # one process for both (each Python start costs seconds on a busy machine): what
        # `flask db upgrade` and `flask seed-demo` call
        seeding = top.start("migrate-seed", [sys.executable, "-c", MIGRATE_AND_SEED])
        top.wait_for_line("migrate-seed", "migrated", seeding)
    else:
        top.flask("db", "upgrade")
        seeding = top.start("seed-demo", [flask, "--app", "server", "seed-demo"])
    say("flask --app server db upgrade: done; seeding the demo data meanwhile")
    for index in (1, 2):  # each with its own metrics port
        top.start(f"scheduler-{index}", [flask, "--app", "server", "scheduler"],
                  dict(top.env, PARTY_METRICS_SCHEDULER_PORT=str(top.ports[f"scheduler-{index}"])))
    checks = {name: top.wait_ready(name) for name in ("app-1", "app-2")}
    if seeding.wait(300):
        raise RuntimeError(f"seeding failed: see the seed log in {top.work}")
    say("demo data seeded (server/demo.py, what flask --app server seed-demo runs)")
    say(f"app servers ready ({', '.join(f'{n}: {p}' for n, p in checks.items())})")
    from server.config import DEFAULTS

    dist = Path(os.environ.get("PARTY_CONSOLE_DIST_DIR") or ROOT / "console" / "dist")
    if not (dist / "index.html").is_file() and not args.short:
        say("building the console (flask --app server console build)")
        top.flask("console", "build")
    report["console_built"] = (dist / "index.html").is_file()
    report["max_body"] = int(top.env.get("PARTY_APP_MAX_BODY_BYTES")
                             or DEFAULTS["APP_MAX_BODY_BYTES"])
    top.start_nginx(dist, report["max_body"])
    say(f"nginx on https://127.0.0.1:{top.ports['nginx-https']} (http "
        f"{top.ports['nginx-http']} redirects)")
    report["started"] = top.pids()


def check_databases(top: Topology, member: Client, reader: Client, community_id: int,
                    activity_id: int, reader_since: float, report: dict) -> None:
    """Leaderboards from the replica; a member's reads right after a write from the primary."""
    urls = {"primary": top.primary.url(driver="postgresql", user="postgres"),
            "replica": top.replica.url(driver="postgresql", user="postgres")}
    if not replica_supported():
        report["replica_check"] = "not available (this app version has no database.replica_url)"
        say(f"replica check: {report['replica_check']}")
        return
    problems = reset_statements(urls, report)
    if any(problems.values()):
        raise JourneyFailed(f"pg_stat_statements_reset: {problems}")
    # the member just wrote: their reads go to the primary, the leaderboard too
    member.post(f"/api/v1/activities/{activity_id}/signup")
    member_reads_own(member, activity_id)
    leaderboard(member, community_id, 1)
    after_write = {n: statement_calls(u, "point_balances") for n, u in urls.items()}
    own = {n: statement_calls(u, "activity_signups") for n, u in urls.items()}
    # the reader has not written for longer than the read-your-writes window
    time.sleep(max(0.0, reader_since + RYW_SECONDS + 0.5 - time.monotonic()))
    reset_statements(urls, report)
    leaderboard(reader, community_id, 5)
    board = {n: statement_calls(u, "point_balances") for n, u in urls.items()}
    report["replica_check"] = {
        "leaderboard x5 (reader, no recent write)": board,
        "member right after a write: leaderboard": after_write,
        "member right after a write: own sign-up": own,
    }
    failures = []
    if board["replica"] < 5 or board["primary"] != 0:
        failures.append(f"leaderboard reads not from the replica: {board}")
    if after_write["primary"] < 1 or after_write["replica"] != 0:
        failures.append(f"member's read after a write not from the primary: {after_write}")
    if own["replica"] != 0:
        failures.append(f"member's own sign-up read on the replica: {own}")
    if failures:
        raise JourneyFailed("; ".join(failures))
    say(f"replica check passed: {json.dumps(report['replica_check'], ensure_ascii=False)}")


def stop_one_app_server(top: Topology, base: str, member: Client, report: dict,
                        full: bool) -> None:
    """Traffic keeps going (a background reader) while app-1 is stopped with SIGTERM; the
    journey goes on through nginx."""
    background = Client(base, str(top.cert))
    background.token = member.token
    stop = threading.Event()

    timings: list[tuple[float, float, int | str]] = []  # (sent at, seconds, status)

    def keep_reading():
        while not stop.is_set():
            began = time.monotonic()
            try:
                background.get("/api/v1/activities", expect=range(100, 600))
            except JourneyFailed:
                pass
            timings.append((began, time.monotonic() - began, background.seen[-1].status))
            time.sleep(0.02)

    def phase(since: float, until: float) -> dict:
        mine = [(d, status) for at, d, status in timings if since <= at < until]
        return {"reads": len(mine), "failed": sum(status != 200 for _, status in mine),
                "slowest_s": round(max((d for d, _ in mine), default=0.0), 2)}

    thread = threading.Thread(target=keep_reading, daemon=True)
    thread.start()
    time.sleep(0.5)
    marks = [("stop", time.monotonic())]
    seconds = top.stop("app-1")
    say(f"app-1 (port {top.ports['app-1']}) stopped with SIGTERM in {seconds:.1f} s, "
        "traffic still flowing")
    time.sleep(1.0)
    if full:
        # started again as the README says: out of nginx until ready
        marks.append(("drained start", time.monotonic()))
        top.drain("app-1")
        top.start_app_server("app-1", top.workers)
        top.wait_ready("app-1")
        top.drain(None)
        say("app-1 started again (out of nginx until ready); app-2 reloaded with SIGHUP")
        marks.append(("plain reload", time.monotonic()))
        os.kill(top.processes["app-2"].pid, signal.SIGHUP)
        time.sleep(2.0)
        top.wait_ready("app-2")
        say("app-2 reloaded again, the README's way: out of nginx (down), SIGHUP, ready, back")
        marks.append(("drained reload", time.monotonic()))
        top.drain("app-2")
        os.kill(top.processes["app-2"].pid, signal.SIGHUP)
        time.sleep(2.0)
        top.wait_ready("app-2")
        top.drain(None)
        time.sleep(2.0)
    marks.append(("end", time.monotonic()))
    stop.set()
    thread.join(30)
    report["background_reads"] = dict(Counter(s.status for s in background.seen))
    phases = {name: phase(at, marks[i + 1][1]) for i, (name, at) in enumerate(marks[:-1])}
    report["background_phases"] = phases
    say(f"background reads by phase: {phases}")
    # a plain reload makes requests wait for the new workers (why the README drains first):
    # measured and shown, not a failure of the kit
    bad = {name: p for name, p in phases.items() if p["failed"] and name != "plain reload"}
    if bad:
        raise JourneyFailed(f"the background reader saw failures: {bad}")


def journeys(top: Topology, args, report: dict) -> None:
    base = f"https://127.0.0.1:{top.ports['nginx-https']}"
    member, staff, console, reader = (Client(base, str(top.cert)) for _ in range(4))
    check_nginx_edges(top, member, report)
    say("nginx: " + "; ".join(report["edges"]))
    reader.login("member003")
    reader_since = time.monotonic()
    state = member_start(member)
    activity, community_id = state["activity"], state["activity"]["community_id"]
    member_reads_own(member, activity["id"])
    say(f"member001: logged in, read 我的/活动, signed up for 「{activity['title']}」 and saw it")
    session = staff_login_console(staff, console, "staff2")
    say(f"staff2: logged in on the phone, then the console by scan-to-log-in "
        f"({session['user'].get('display_name', '')})")
    stop_one_app_server(top, base, member, report, full=not args.short)
    roster = staff_on_site(staff, console, member, activity)
    say(f"member001 clocked in with the on-site code; the console's roster: "
        f"{json.dumps(roster.get('summary', roster.get('counts', '')), ensure_ascii=False)}")
    notice_id = staff_sends_notice(console, community_id)
    member_sees_notice(member, notice_id)
    member.get("/api/v1/points/me")
    member.get("/api/v1/me/activity-log")
    say(f"staff2 sent notice {notice_id}; member001 sees it in 我的通知")
    check_databases(top, member, reader, community_id, activity["id"], reader_since, report)
    if not args.short:
        # the notice's subscribe messages: none left pending for the schedulers' sending job
        # (every 15 s); demo members gave no subscribe consent, so they end as no_credit
        import httpx

        url = top.primary.url(driver="postgresql", user="postgres")
        for _ in range(40):
            with psycopg.connect(url) as conn:
                outbox = dict(conn.execute("SELECT status, count(*) FROM subscribe_outbox "
                                           "GROUP BY status").fetchall())
            if not outbox.get("pending"):
                break
            time.sleep(1)
        stats = httpx.get(f"http://127.0.0.1:{top.ports['standin']}/_standin/stats").json()
        report["standin"] = {"outbox": outbox, "stand-in calls": stats.get("calls")}
        say(f"the notice's subscribe outbox and the stand-in: {report['standin']}")
    clients = [member, staff, console, reader]
    seen = [s for c in clients for s in c.seen]
    report["journey_requests"] = dict(Counter(str(s.status) for s in seen))
    unexpected = [s for s in seen if isinstance(s.status, str) or s.status >= 500]
    if unexpected:
        raise JourneyFailed(f"failed requests seen by the clients: {unexpected[:5]}")
    report["metrics"] = {name: metrics_statements(f"http://127.0.0.1:{top.ports[name]}")
                         for name in ("app-1", "app-2")}
    report["scheduler_job_runs"] = {
        name: metrics_total(f"http://127.0.0.1:{top.ports[name]}", "party_job_runs_total")
        for name in ("scheduler-1", "scheduler-2")}
    now = reads_per_database({"primary": top.primary.url(driver="postgresql", user="postgres"),
                              "replica": top.replica.url(driver="postgresql", user="postgres")})
    earlier = report.get("reads_before_resets", {})
    report["reads_per_database"] = {n: now[n] + earlier.get(n, 0) for n in now}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="the CI version (≤ 90 s)")
    parser.add_argument("--base-port", type=int, default=18200)
    parser.add_argument("--workers", type=int, help="gunicorn workers per master (default 2; "
                        "--short: 1)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    args.workers = args.workers or (1 if args.short else 2)
    work = Path(tempfile.mkdtemp(prefix="party-try-local-"))
    work.chmod(0o777)  # the postgres user writes its folders and sockets here
    top, report = Topology(work, args.base_port), {}
    top.workers = args.workers

    def ended(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, ended)
    signal.signal(signal.SIGINT, ended)
    status = 1
    try:
        bring_up(top, args, report)
        journeys(top, args, report)
        backup_and_restore(top, report, not args.short, say)
        report["passed"], status = True, 0
    except Exception as error:  # noqa: BLE001 - reported, then everything is stopped
        say(f"FAILED: {type(error).__name__}: {error}")
        if not isinstance(error, JourneyFailed | RuntimeError | AssertionError):
            traceback.print_exc()
        for name in ("app-1", "app-2", "nginx/error"):
            path = work / f"{name}.log"
            if path.exists():
                print(f"-- last lines of {path}:\n" + "\n".join(
                    path.read_text(errors="replace").splitlines()[-15:]))
    finally:
        summary(top, report, started_at)
        top.close()
        say("stopped everything it started")
        if status == 0 and not args.keep:
            import shutil

            shutil.rmtree(work, ignore_errors=True)
        else:
            say(f"work folder kept: {work}")
    return status


if __name__ == "__main__":
    sys.exit(main())
