"""What deploy/try-local does through nginx: a member's journey (mini-program API) and a staff
member's (mini-program login, then the console's scan-to-log-in and its API), every request
recorded with its status and request id; and what it reads back from the databases."""

from __future__ import annotations

import ssl
import uuid
from dataclasses import dataclass, field

import httpx
import psycopg


class JourneyFailed(RuntimeError):
    pass


@dataclass
class Seen:
    method: str
    path: str
    status: int | str
    request_id: str | None


@dataclass
class Client:
    """httpx through nginx (HTTPS, our own certificate), every answer noted."""

    base: str
    cert: str
    seen: list[Seen] = field(default_factory=list)
    token: str | None = None
    csrf: str | None = None

    def __post_init__(self):
        context = ssl.create_default_context(cafile=self.cert)
        self.http = httpx.Client(base_url=self.base, verify=context, timeout=30)

    def call(self, method: str, path: str, expect=(200, 201), **kwargs) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if method != "GET":
            headers.setdefault("Idempotency-Key", uuid.uuid4().hex)
            if self.csrf:
                headers["X-CSRF-Token"] = self.csrf
        try:
            response = self.http.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as error:
            self.seen.append(Seen(method, path, type(error).__name__, None))
            raise JourneyFailed(f"{method} {path}: {type(error).__name__} {error}") from error
        self.seen.append(Seen(method, path, response.status_code,
                              response.headers.get("X-Request-ID")))
        if response.status_code not in expect:
            raise JourneyFailed(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response

    def get(self, path: str, **kwargs) -> httpx.Response:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> httpx.Response:
        return self.call("POST", path, **kwargs)

    def login(self, who: str) -> None:
        code = f"demo:{who}:{uuid.uuid4().hex[:10]}"  # a demo code is good once
        self.token = self.post("/api/v1/auth/login", json={"code": code}).json()["token"]


def member_start(member: Client) -> dict:
    """Log in, look around, sign up for the activity under way (a write)."""
    member.login("member001")
    me = member.get("/api/v1/me").json()
    activities = member.get("/api/v1/activities", params={"when": "all"}).json()
    activity = next((a for a in activities if a["title"] == "楼道环境清理"), None)
    if activity is None:
        raise JourneyFailed("the demo activity 楼道环境清理 is not in the member's list")
    signup = member.post(f"/api/v1/activities/{activity['id']}/signup").json()
    if signup.get("status") not in ("confirmed", "waitlisted"):
        raise JourneyFailed(f"sign-up answered {signup}")
    return {"me": me, "activity": activity}


def member_reads_own(member: Client, activity_id: int) -> None:
    """Right after the write: the member's own view shows it (read-your-writes)."""
    detail = member.get(f"/api/v1/activities/{activity_id}").json()
    status = detail.get("my_signup_status")
    if status not in ("confirmed", "waitlisted"):
        raise JourneyFailed(f"own sign-up not visible right after it: {status}")


def staff_login_console(staff: Client, console: Client, who: str) -> dict:
    """Mini-program login, then the console's scan-to-log-in: the browser asks for a ticket,
    the phone confirms it, the browser's next poll logs it in (cookie + CSRF token)."""
    staff.login(who)
    ticket = console.post("/api/v1/console/login-tickets").json()["ticket"]
    staff.post(f"/api/v1/console/login-tickets/{ticket}/confirm")
    poll = console.get(f"/api/v1/console/login-tickets/{ticket}").json()
    if poll["status"] != "confirmed" or not poll.get("session"):
        raise JourneyFailed(f"console login: {poll['status']}")
    console.csrf = poll["session"]["csrf_token"]
    return console.get("/api/v1/console/session").json()


def staff_on_site(staff: Client, console: Client, member: Client, activity: dict) -> dict:
    """The on-site code on the staff member's phone; the member clocks in with it; the roster
    in the console shows it."""
    activity_id, community_id = activity["id"], activity["community_id"]
    console.get(f"/api/v1/communities/{community_id}/activities")
    code = staff.get(f"/api/v1/activities/{activity_id}/onsite-code").json()["code"]
    member.post(f"/api/v1/activities/{activity_id}/clock-in", json={"method": "qr", "code": code})
    roster = console.get(f"/api/v1/activities/{activity_id}/roster").json()
    return roster


def staff_sends_notice(console: Client, community_id: int) -> int:
    body = {"title": "试运行通知", "body": "这是 try-local 发出的一条通知。\n请忽略。",
            "audience": {"type": "community"}}
    return console.post(f"/api/v1/communities/{community_id}/notices", json=body).json()["id"]


def member_sees_notice(member: Client, notice_id: int) -> None:
    mine = member.get("/api/v1/notices/mine").json()
    if not any(n.get("id") == notice_id or n.get("notice_id") == notice_id for n in mine):
        raise JourneyFailed(f"the member does not see notice {notice_id} in 我的通知")


def leaderboard(client: Client, community_id: int, times: int) -> None:
    for _ in range(times):
        client.get("/api/v1/points/leaderboards",
                   params={"scope": "community", "scope_id": community_id})


# -- what each database served -------------------------------------------------------------


def reset_statements(urls: dict[str, str], report: dict) -> dict[str, str | None]:
    """pg_stat_statements_reset() on each instance (the reads so far added up in the report's
    reads_before_resets first); the error text where that is not possible."""
    totals = report.setdefault("reads_before_resets", {})
    for name, reads in reads_per_database(urls).items():
        totals[name] = totals.get(name, 0) + reads
    problems: dict[str, str | None] = {}
    for name, url in urls.items():
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("SELECT pg_stat_statements_reset()")
            problems[name] = None
        except psycopg.Error as error:
            problems[name] = str(error).strip().splitlines()[0]
    return problems


def statement_calls(url: str, table: str) -> int:
    """Calls of the app's statements that read `table`, since the last reset (not ours)."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT coalesce(sum(s.calls), 0) FROM pg_stat_statements s "
            "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = 'party' "
            "AND s.query ILIKE 'SELECT%%' AND s.query ~* %s AND s.query !~* 'pg_stat'",
            (rf"\m{table}\M",)).fetchone()
    return int(row[0])


def reads_per_database(urls: dict[str, str]) -> dict[str, int]:
    """SELECT statements the app ran on each instance since the last reset."""
    out = {}
    for name, url in urls.items():
        with psycopg.connect(url, autocommit=True) as conn:
            out[name] = int(conn.execute(
                "SELECT coalesce(sum(s.calls), 0) FROM pg_stat_statements s "
                "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = 'party' "
                "AND s.query ILIKE 'SELECT%%' AND s.query !~* 'pg_stat'").fetchone()[0])
    return out


def metrics_statements(base: str) -> dict[str, float] | None:
    """party_db_statements_total by database from one app server's /metrics; None when the app
    has no /metrics."""
    try:
        response = httpx.get(f"{base}/metrics", timeout=10)
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    out: dict[str, float] = {}
    for line in response.text.splitlines():
        if line.startswith("party_db_statements_total{"):
            labels, value = line.rsplit(" ", 1)
            database = labels.split('database="', 1)[1].split('"', 1)[0] \
                if 'database="' in labels else "?"
            out[database] = out.get(database, 0.0) + float(value)
    return out


def metrics_total(base: str, name: str) -> float | None:
    """The sum of one metric's samples on a /metrics page; None when there is none."""
    try:
        response = httpx.get(f"{base}/metrics", timeout=10)
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    return sum(float(line.rsplit(" ", 1)[1]) for line in response.text.splitlines()
               if line.startswith(name + "{") or line.startswith(name + " "))
