"""Lists at size L through HTTP: what a member and a community's staff open every day, at two
page sizes, through the production gunicorn command line. Each request's SQL statements are
counted inside the worker (a SQLAlchemy event listener, `bench/lists_hooks.py`) and must not
grow with the page size; p50 / p99 at the client, one request at a time (no queueing).

Data beside the generated ones, in the last community (the clock-in benchmarks use the first):
a secretary of it and of the one before it, 60 ended activities the first member took part in
(activity log), rosters of 50 and 500 sign-ups, 60 notices to that member, and pending 报到
waiting in the approvals inbox (10 in one community, 100 in the other).
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx

from bench.burst import gunicorn_args, issue_tokens, prepare_activity
from bench.common import (
    bench_app,
    connect,
    free_port,
    log,
    production_env,
    start,
    stop,
    summary_ms,
    wait_for_port,
)

SMALL, LARGE = 10, 50
SAMPLES = 60  # requests per endpoint at the large page (p99 of 60 is the slowest but one)
SMALL_SAMPLES = 10
TARGET_P50_MS = 20.0
HOOKS = Path(__file__).with_name("lists_hooks.py")


def _staff_token(app, community_ids: list[int]) -> str:
    from server.auth.models import Role, User
    from server.auth.service import grant_role
    from server.auth.tokens import issue_token
    from server.extensions import db

    with app.app_context():
        user = User(openid=f"bench-lists-{uuid.uuid4().hex[:12]}", display_name="压测书记")
        db.session.add(user)
        db.session.flush()
        for community_id in community_ids:
            grant_role(user, Role.COMMUNITY_SECRETARY, community_id=community_id)
        token, _ = issue_token(user)
        db.session.commit()
        return token


def _member_history(app, community_id: int, member_id: int, n: int) -> None:
    """n ended activities of the community, the member signed up and clocked out of each."""
    from server.activities.models import Activity, Attendance, SignUp
    from server.extensions import db
    from server.timeutil import utcnow

    now = utcnow()
    with app.app_context():
        for i in range(n):
            starts = now - timedelta(days=i + 1, hours=3)
            activity = Activity(
                community_id=community_id, title=f"楼道清理·压测{i}", category="environment",
                address="幸福路1号", starts_at=starts, ends_at=starts + timedelta(hours=2),
                status="ended", published_at=starts - timedelta(days=3),
                audience_grid_ids=[], audience_member_types=[])
            db.session.add(activity)
            db.session.flush()
            db.session.add(SignUp(activity_id=activity.id, member_id=member_id,
                                  status="confirmed", queued_at=starts - timedelta(days=2)))
            db.session.add(Attendance(
                activity_id=activity.id, member_id=member_id, status="clocked_out",
                clock_in_at=starts, clock_in_method="qr",
                clock_out_at=starts + timedelta(hours=2), clock_out_method="qr"))
        db.session.commit()


def _notices(app, community_id: int, member_id: int, n: int) -> None:
    from server.extensions import db
    from server.notices.models import Notice, NoticeRecipient
    from server.timeutil import utcnow

    now = utcnow()
    with app.app_context():
        for i in range(n):
            notice = Notice(community_id=community_id, title=f"通知{i}",
                            body="本周六上午开展环境整治。",
                            audience={"all": True}, status="sent",
                            send_at=now - timedelta(hours=i), published_at=now - timedelta(hours=i))
            db.session.add(notice)
            db.session.flush()
            db.session.add(NoticeRecipient(notice_id=notice.id, member_id=member_id))
        db.session.commit()


def _pending_registrations(database_url: str, community_id: int, n: int) -> None:
    with connect(database_url) as conn:
        conn.execute(
            "UPDATE registrations SET status = 'submitted', decided_at = NULL WHERE id IN ("
            "SELECT id FROM registrations WHERE community_id = %s ORDER BY id DESC LIMIT %s)",
            (community_id, n))


def prepare(database_url: str) -> dict:
    app = bench_app(database_url)
    with connect(database_url) as conn:
        small_c, large_c = [r[0] for r in conn.execute(
            "SELECT community_id FROM members WHERE community_id IS NOT NULL "
            "GROUP BY community_id HAVING count(*) >= 500 ORDER BY community_id DESC LIMIT 2")]
        members = [r[0] for r in conn.execute(
            "SELECT id FROM members WHERE community_id = %s ORDER BY id LIMIT 500",
            (large_c,))]
    m0 = members[0]
    _member_history(app, large_c, m0, LARGE + 10)
    _notices(app, large_c, m0, LARGE + 10)
    roster_small, _ = prepare_activity(app, members[:LARGE], large_c)
    roster_large, _ = prepare_activity(app, members[:500], large_c)
    _pending_registrations(database_url, small_c, SMALL)
    _pending_registrations(database_url, large_c, 100)
    return {"community": large_c, "small_community": small_c, "member": m0,
            "member_token": issue_tokens(app, [m0])[m0],
            "staff_token": _staff_token(app, [small_c, large_c]),
            "roster": (roster_small, roster_large)}


def endpoints(d: dict) -> list[tuple[str, str, str, str]]:
    """(name, who, path at the small size, path at the large size)."""
    c, m = d["community"], d["member"]

    def paged(path: str) -> tuple[str, str]:
        joiner = "&" if "?" in path else "?"
        return f"{path}{joiner}page_size={SMALL}", f"{path}{joiner}page_size={LARGE}"

    return [
        ("activities (member)", "member", *paged("/api/v1/activities?when=all")),
        ("activities of a community (staff)", "staff",
         *paged(f"/api/v1/communities/{c}/activities")),
        (f"roster ({LARGE} / 500 sign-ups)", "staff",
         *(f"/api/v1/activities/{a}/roster" for a in d["roster"])),
        ("notices of a community (staff)", "staff", *paged(f"/api/v1/communities/{c}/notices")),
        ("my notices (member)", "member", *paged("/api/v1/notices/mine")),
        ("members of a community", "staff", *paged(f"/api/v1/members?community_id={c}")),
        (f"approvals inbox ({SMALL} / 100 pending 报到)", "staff",
         f"/api/v1/desk/inbox?community_id={d['small_community']}",
         f"/api/v1/desk/inbox?community_id={c}"),
        ("my activity log (member)", "member", *paged("/api/v1/me/activity-log")),
        ("a member's activity log (staff)", "staff", *paged(f"/api/v1/members/{m}/activity-log")),
        ("my points entries (member)", "member", *paged("/api/v1/points/me/entries")),
        ("a member's points entries (staff)", "staff",
         *paged(f"/api/v1/points/members/{m}/entries")),
    ]


def _rows(body) -> int:
    if isinstance(body, list):
        return len(body)
    for key in ("items", "entries", "rows", "members"):
        if isinstance(body.get(key), list):
            return len(body[key])
    return -1


def _measure(client: httpx.Client, base: str, path: str, headers: dict, n: int) -> dict:
    seconds, statements, statuses, rows = [], set(), {}, -1
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(base + path, headers=headers)
        seconds.append(time.perf_counter() - started)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        statements.add(int(response.headers.get("X-Bench-Statements", -1)))
        if response.status_code == 200:
            rows = _rows(response.json())
    return {"path": path, "rows": rows, "statements": sorted(statements), "statuses": statuses,
            **summary_ms(seconds)}


def run(database_url: str, work_dir: Path, workers: int = 2) -> dict:
    from bench.machine import machine_load

    log("lists: preparing the data beside the generated ones")
    data = prepare(database_url)
    port = free_port()
    args = gunicorn_args("server:create_app()", port, workers, "sync", 1,
                         work_dir / "lists-access.log")
    args[-1:-1] = ["--config", str(HOOKS)]
    server = start(args, production_env(database_url), work_dir / "lists-app.log")
    base = f"http://127.0.0.1:{port}"
    headers = {"member": {"Authorization": f"Bearer {data['member_token']}"},
               "staff": {"Authorization": f"Bearer {data['staff_token']}"}}
    out: dict = {"workers": workers, "page_sizes": [SMALL, LARGE], "samples": SAMPLES,
                 "target_p50_ms": TARGET_P50_MS, "lists": []}
    whom: dict[str, str] = {}
    try:
        wait_for_port(port)
        with httpx.Client(timeout=60) as client:
            for _ in range(4 * workers):  # every worker has imported the app
                client.get(base + "/api/v1/healthz")
            for name, who, small, large in endpoints(data):
                for path in (small, large):  # warm: first-use caches of both workers
                    _measure(client, base, path, headers[who], 2 * workers)
                load = machine_load()
                whom[large] = who
                row = {"name": name, "load": load, "who": who,
                       "small": _measure(client, base, small, headers[who], SMALL_SAMPLES),
                       "large": _measure(client, base, large, headers[who], SAMPLES)}
                row["constant"] = (len(row["small"]["statements"]) == 1
                                   and row["small"]["statements"] == row["large"]["statements"])
                out["lists"].append(row)
                log(f"lists: {name}: {row['small']['statements']} / "
                    f"{row['large']['statements']} statements for {row['small']['rows']} / "
                    f"{row['large']['rows']} rows; p50 {row['large']['p50']:.1f} ms, p99 "
                    f"{row['large']['p99']:.1f} ms {row['large']['statuses']}"
                    f"{' BUSY ' + ', '.join(load['busiest']) if load['busy'] else ''}")
    finally:
        stop(server)
    cpu = cpu_per_request(database_url, [(r["large"]["path"], headers[r["who"]])
                                         for r in out["lists"]])
    for row in out["lists"]:
        row["large"]["cpu_ms"] = cpu[row["large"]["path"]]
    slowest = max(out["lists"], key=lambda r: r["large"]["p50"])
    if slowest["large"]["p50"] > TARGET_P50_MS:
        out["profile"] = profile(database_url, slowest["large"]["path"],
                                 headers[whom[slowest["large"]["path"]]],
                                 work_dir / "lists-profile.txt")
    return out


def cpu_per_request(database_url: str, calls: list[tuple[str, dict]], n: int = 10) -> dict:
    """The app's own CPU per request (time.process_time of this process, the whole Flask stack
    through the test client; PostgreSQL's work is not in it): what a list costs whatever else
    runs on the machine, where wall-clock latency on a shared machine also counts the time the
    process waits for a core."""
    client = bench_app(database_url).test_client()
    out = {}
    for path, headers in calls:
        for _ in range(3):
            client.get(path, headers=headers)
        started = time.process_time()
        for _ in range(n):
            client.get(path, headers=headers)
        out[path] = (time.process_time() - started) / n * 1000
    return out


def profile(database_url: str, path: str, headers: dict, out_file: Path, n: int = 40) -> dict:
    """pyinstrument over n requests of one list through the whole Flask stack (test client, in
    this process): where a list's time goes when it misses its target."""
    from pyinstrument import Profiler

    client = bench_app(database_url).test_client()
    for _ in range(5):
        client.get(path, headers=headers)
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    profiler.start()
    for _ in range(n):
        client.get(path, headers=headers)
    profiler.stop()
    ms = (time.perf_counter() - started) / n * 1000
    text = profiler.output_text(unicode=False, color=False)
    out_file.write_text(text)
    return {"path": path, "ms_per_request_profiled": ms, "text": text[:8000],
            "cpu_ms_per_request": profiler.last_session.cpu_time / n * 1000,
            "file": str(out_file)}


if __name__ == "__main__":
    import argparse
    import json
    import tempfile

    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    a = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="bench-lists-"))
    print(json.dumps(run(a.database_url, directory), indent=1, default=str))


def report_rows(figures: dict) -> list[tuple[str, str, str, str]]:
    """The results table's rows: statements at both page sizes, p50 / p99 at the larger."""
    from bench.cells import mark as _mark
    from bench.cells import ms as _ms
    from bench.machine import load_mark as _busy

    rows = []
    for row in figures["lists"]:
        small, large = row["small"], row["large"]
        constant = row["constant"] and not any(
            str(code) != "200" for side in (small, large) for code in side["statuses"])
        rows.append((
            f"List through HTTP: {row['name']} — SQL statements at {small['rows']} / "
            f"{large['rows']} rows; p50 / p99 at {large['rows']} ({_busy(row['load'])})",
            f"{'/'.join(map(str, small['statements']))} / "
            f"{'/'.join(map(str, large['statements']))}; "
            f"{_ms(large['p50'])} / {_ms(large['p99'])}"
            + (f"; the app's CPU {_ms(large['cpu_ms'])} a request" if "cpu_ms" in large
               else ""),
            f"statements constant, p50 ≤ {figures['target_p50_ms']:.0f} ms",
            f"{_mark(constant)} / {_mark(large['p50'] <= figures['target_p50_ms'])}"))
    return rows


def findings(figures: dict) -> str:
    p = figures.get("profile")
    if not p:
        return ""
    excerpt = "\n".join(p["text"].splitlines()[:90])
    return "\n".join([
        "### Lists through HTTP", "",
        f"pyinstrument over 40 requests of the slowest list, `{p['path']}`, through the whole "
        f"Flask stack in one process (test client, no HTTP): {p['ms_per_request_profiled']:.1f} "
        f"ms a request while profiled" + (
            f", of which {p['cpu_ms_per_request']:.1f} ms of this process's CPU: the rest is "
            f"waiting, for PostgreSQL and for a core (the machine's load is beside each figure "
            f"above)" if "cpu_ms_per_request" in p else "") + ".",
        "", "```", excerpt, "```", ""])
