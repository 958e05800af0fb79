"""Broadcast (网上动员): a notice to 10,000 members holding a subscribe credit, drained from the
outbox by the scheduler process (`flask --app server scheduler`) through wechatpy to the
stand-in WeChat API running in its own process (`flask --app server wechat-standin`); beside
it, the stand-in's raw accept rate from a plain `requests.Session` keep-alive loop.
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

import requests

from bench.common import (
    APPID,
    VENV_BIN,
    WECHAT_SECRET,
    bench_app,
    connect,
    free_port,
    log,
    production_env,
    rss_mb,
    start,
    stop,
    wait_for_port,
)
from bench.datagen import Copier, _ts, openid_of
from bench.machine import machine_load

RECIPIENTS = 10_000
PAGE = "pages/notices/detail?id=1"  # a page of the mini-program (others are refused: 41030)
RAW_REQUESTS = 3_000  # bounded raw loop
RAW_SECONDS = 20.0
DRAIN_TIMEOUT = 600.0
SEND_PATH = "cgi-bin/message/subscribe/send"


def raw_accept_rate(standin_url: str) -> dict:
    """One client, one keep-alive connection, sends one after the other (what the outbox does)."""
    session = requests.Session()
    session.trust_env = False
    token = session.get(standin_url + "cgi-bin/token", params={
        "grant_type": "client_credential", "appid": APPID, "secret": WECHAT_SECRET},
        timeout=5).json()["access_token"]
    url = f"{standin_url}{SEND_PATH}?access_token={token}"
    body = {"touser": openid_of(1), "template_id": "demo-tpl-notice",
            "data": {"thing1": {"value": "压测通知"}, "thing2": {"value": "第1社区"},
                     "time3": {"value": "2026-11-23 10:00"}, "thing4": {"value": "点击查看详情"}},
            "page": "pages/notices/detail?id=1", "miniprogram_state": "formal", "lang": "zh_CN"}
    for _ in range(50):  # warm up
        session.post(url, json=body, timeout=5)
    sent = errors = 0
    started = time.perf_counter()
    while sent + errors < RAW_REQUESTS and time.perf_counter() - started < RAW_SECONDS:
        answer = session.post(url, json=body, timeout=5).json()
        if answer.get("errcode") == 0:
            sent += 1
        else:
            errors += 1
    seconds = time.perf_counter() - started
    return {"sent": sent, "errors": errors, "seconds": seconds, "rate": sent / seconds}


def client_loop_rate(app, count: int = 2_000) -> dict:
    """The app's own client (server.wechat.client → wechatpy → requests) in a plain loop, no
    outbox and no database: splits the gap between the raw rate and the outbox's."""
    from server.wechat.client import send_subscribe_message

    data = {"thing1": "压测通知", "thing2": "第1社区", "time3": "2026-11-23 10:00",
            "thing4": "点击查看详情"}
    with app.app_context():
        for _ in range(20):
            send_subscribe_message(openid_of(1), "demo-tpl-notice", data, page=PAGE)
        started = time.perf_counter()
        for _ in range(count):
            send_subscribe_message(openid_of(1), "demo-tpl-notice", data, page=PAGE)
        seconds = time.perf_counter() - started
        from server.extensions import db

        db.session.rollback()
        db.engine.dispose()
    return {"sent": count, "seconds": seconds, "rate": count / seconds}


def _fixture(database_url: str, app) -> tuple[int, int, list[int]]:
    """A community of RECIPIENTS members (with openids and one credit each for the notice
    template) and a staff user; returns (community_id, staff_user_id, member_ids)."""
    from server.extensions import db
    from server.notices.demo import seed_templates
    from server.notices.models import SubscribeTemplate

    with app.app_context():
        seed_templates()
        db.session.commit()
        template_id = db.session.query(SubscribeTemplate.id).filter_by(purpose="notice").scalar()
        db.engine.dispose()
    now = _ts(datetime(2026, 11, 1))
    with connect(database_url) as conn, conn.cursor() as cur:
        street_id, = cur.execute("SELECT min(id) FROM streets").fetchone()
        community_id, = cur.execute(
            "INSERT INTO communities (street_id, name, address) VALUES (%s, %s, '') "
            "RETURNING id", (street_id, f"广播社区{int(time.time())}")).fetchone()
        grid_id, = cur.execute("INSERT INTO grids (community_id, name, households) "
                               "VALUES (%s, '广播网格', 0) RETURNING id",
                               (community_id,)).fetchone()
        building_id, = cur.execute("INSERT INTO buildings (community_id, grid_id, name) "
                                   "VALUES (%s, %s, '1号楼') RETURNING id",
                                   (community_id, grid_id)).fetchone()
        first = cur.execute("SELECT COALESCE(max(id), 0) + 1 FROM users").fetchone()[0]
        first = max(first, cur.execute("SELECT COALESCE(max(id), 0) + 1 FROM members")
                    .fetchone()[0])
        ids = list(range(first, first + RECIPIENTS))
        with Copier(cur, "users", ["id", "openid", "display_name", "created_at"]) as c:
            for i in ids:
                c.add((i, openid_of(i), "", now))
        with Copier(cur, "members", ["id", "user_id", "name", "phone", "member_type",
                                     "community_id", "building_id", "room", "location_consent",
                                     "hide_from_public_boards", "created_at"]) as c:
            for i in ids:
                c.add((i, i, f"党员{i}", "", "in_service", community_id, building_id, "", "f",
                       "f", now))
        with Copier(cur, "subscribe_credits",
                    ["member_id", "template_id", "credits", "last_result", "updated_at"]) as c:
            for i in ids:
                c.add((i, template_id, 1, "accept", now))
        for table in ("users", "members"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}) + 1, false)")
        staff_id, = cur.execute(
            "INSERT INTO users (openid, display_name, created_at) VALUES (%s, '广播员', %s) "
            "RETURNING id", (openid_of(10**9 + community_id), now)).fetchone()
        cur.execute("INSERT INTO role_grants (user_id, role, community_id, created_at) "
                    "VALUES (%s, 'community_staff', %s, %s)", (staff_id, community_id, now))
        conn.commit()
        conn.execute("ANALYZE users; ANALYZE members; ANALYZE subscribe_credits")
    return community_id, staff_id, ids


def _publish(app, community_id: int, staff_id: int, standin_url: str) -> tuple[int, datetime]:
    from server.auth.models import User
    from server.auth.scope import Principal
    from server.extensions import db
    from server.notices.service import create_notice

    with app.app_context():
        user = db.session.get(User, staff_id)
        principal = Principal(user=user, grants=list(user.grants))
        # WeChat's text check takes an author who opened the mini-program in the last 2 hours
        requests.post(standin_url + "_standin/visits", json={"openid": user.openid}, timeout=5)
        notice = create_notice(principal, community_id, {
            "title": "关于开展党员奉献日活动的通知", "body": "请各位党员本周六上午到社区报到参加。",
            "audience": {"type": "community"}})
        db.session.commit()
        result = notice.id, notice.published_at
        db.engine.dispose()
    return result


def _outbox(conn, notice_id: int) -> dict:
    row = conn.execute(
        "SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = "
        "'sent'), count(*) FILTER (WHERE status NOT IN ('pending', 'sent')), "
        "count(DISTINCT member_id) FILTER (WHERE status = 'sent'), min(sent_at), max(sent_at) "
        "FROM subscribe_outbox WHERE notice_id = %s", (notice_id,)).fetchone()
    return dict(zip(("pending", "sent", "other", "distinct_sent", "first", "last"), row,
                    strict=True))


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far: the scheduler's per message is a
    figure the other processes on the machine hardly move, unlike its rate."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _drain(database_url: str, notice_id: int, spy_on: int | None = None,
           work_dir: Path | None = None, rss_of: int | None = None) -> dict:
    """Wait until the notice's outbox is drained; with `rss_of` (the scheduler), its peak RSS
    and its CPU time per message sent (from the first sends seen: not its start-up)."""
    started = time.monotonic()
    spies = []
    peak = 0.0
    first: tuple[float, int] | None = None  # the scheduler's CPU seconds, messages sent
    with connect(database_url, autocommit=True) as conn:
        state = _outbox(conn, notice_id)
        while state["pending"] and time.monotonic() - started < max(DRAIN_TIMEOUT,
                                                                   RECIPIENTS / 50):
            time.sleep(0.2 if RECIPIENTS <= 10_000 else 1.0)
            state = _outbox(conn, notice_id)
            if rss_of:
                peak = max(peak, rss_mb(rss_of))
                if first is None and state["sent"]:
                    first = (cpu_seconds(rss_of), state["sent"])
            if spy_on and not spies and state["sent"] > 0:
                from bench.burst import py_spy_record

                spies = py_spy_record([spy_on], 8, work_dir, "broadcast-profile")
    for spy in spies:
        spy.wait(30)
    state["peak_rss_mb"] = peak
    if rss_of and first and state["sent"] > first[1]:
        state["cpu_ms_per_message"] = (1000 * (cpu_seconds(rss_of) - first[0])
                                       / (state["sent"] - first[1]))
    else:
        state["cpu_ms_per_message"] = float("nan")
    return state


def time_split(database_url: str, since: datetime) -> dict:
    """Where the sending job's runs spent their time (server/notices/outbox.py reports it in
    each run's summary): claiming and recording (the outbox's database work), WeChat's calls
    (the client and the stand-in), the sending threads' wait for their answers' writes."""
    totals: dict[str, float] = {}
    with connect(database_url) as conn:
        results = [r for (r,) in conn.execute(
            "SELECT result FROM job_runs WHERE job_name = 'notices_send_subscribe_messages' "
            "AND started_at >= %s AND status = 'done'", (since.replace(tzinfo=None),))]
    for result in results:
        for part in (result or "").split():
            name, _, value = part.partition("=")
            if name.endswith("_s") or name == "sent":
                totals[name] = totals.get(name, 0.0) + float(value)
    return totals


def _profiled_drain(database_url, app, community_id, staff_id, pid, work_dir,
                    standin_url: str) -> list[str]:
    """A second notice to the same members (credits given back), drained while py-spy samples
    the scheduler; its figures are not reported."""
    with connect(database_url) as conn:
        conn.execute("UPDATE subscribe_credits SET credits = 1 WHERE member_id IN "
                     "(SELECT id FROM members WHERE community_id = %s)", (community_id,))
    notice_id, _ = _publish(app, community_id, staff_id, standin_url)
    _drain(database_url, notice_id, spy_on=pid, work_dir=work_dir)
    return [str(p) for p in work_dir.glob("broadcast-profile-*.txt")]


def run(database_url: str, work_dir: Path, profile: bool | str = "auto") -> dict:
    port = free_port()
    standin_url = f"http://127.0.0.1:{port}/"
    env = production_env(database_url, standin_url)
    standin = start([str(VENV_BIN / "flask"), "--app", "server", "wechat-standin", "--port",
                     str(port)], env, work_dir / "standin.log")
    scheduler = None
    # the load before each of the three measures the ratio is made of (ours idle each time)
    out: dict = {"recipients": RECIPIENTS, "loads": {}}
    try:
        wait_for_port(port)
        out["loads"]["raw_before"] = machine_load()
        out["raw"] = raw_accept_rate(standin_url)
        log(f"broadcast: stand-in raw accept rate {out['raw']['rate']:.0f}/s")
        app = bench_app(database_url, standin_url)
        out["client_loop"] = client_loop_rate(app)
        log(f"broadcast: the app's wechatpy client alone {out['client_loop']['rate']:.0f}/s")
        requests.post(standin_url + "_standin/reset", timeout=5)
        community_id, staff_id, _ids = _fixture(database_url, app)
        out["loads"]["drain"] = machine_load()
        notice_id, published_at = _publish(app, community_id, staff_id, standin_url)
        log(f"broadcast: notice {notice_id} published to community {community_id}; "
            f"starting the scheduler")
        scheduler = start([str(VENV_BIN / "flask"), "--app", "server", "scheduler"], env,
                          work_dir / "scheduler.log")
        state = _drain(database_url, notice_id, rss_of=scheduler.pid)
        out["scheduler_cpu_ms_per_message"] = state.pop("cpu_ms_per_message")
        out["scheduler_rss_mb"] = rss_mb(scheduler.pid)
        out["scheduler_peak_rss_mb"] = state.pop("peak_rss_mb")
        out["outbox"] = {k: v for k, v in state.items() if k not in ("first", "last")}
        out["time_split"] = time_split(database_url, published_at)
        if state["first"] and state["last"]:
            span = (state["last"] - state["first"]).total_seconds()
            out["send_seconds"] = span
            out["rate"] = (state["sent"] - 1) / span if span else float("nan")
            out["drain_seconds_from_publish"] = (
                state["last"] - published_at.replace(tzinfo=None)).total_seconds()
        stats = requests.get(standin_url + "_standin/stats", timeout=5).json()
        # the ceiling again after the drain (same stand-in process): the mean of both is used
        out["loads"]["raw_after"] = machine_load()
        out["raw_after"] = raw_accept_rate(standin_url)
        out["raw_rate"] = (out["raw"]["rate"] + out["raw_after"]["rate"]) / 2
        out["standin_calls"] = stats["calls"]
        out["standin_sends"] = stats["calls"].get(SEND_PATH, 0)
        out["standin_tokens_issued"] = stats.get("tokens_issued")
        if profile == "auto":
            profile = out.get("rate", 0) < 0.8 * out["raw_rate"]
        if profile:
            out["profile_files"] = _profiled_drain(database_url, app, community_id, staff_id,
                                                   scheduler.pid, work_dir, standin_url)
        log(f"broadcast: {out.get('rate', 0):.0f}/s, stand-in counted {out['standin_sends']} "
            f"sends, outbox {out['outbox']}")
    finally:
        if scheduler is not None:
            stop(scheduler)
        stop(standin)
    return out


if __name__ == "__main__":
    import argparse
    import json
    import tempfile

    parser = argparse.ArgumentParser(prog="python -m bench.broadcast", description=__doc__)
    parser.add_argument("database_url", help="a generated bench database (bench.datagen)")
    parser.add_argument("--recipients", type=int, default=RECIPIENTS,
                        help="members of the broadcast (the city size: 100000)")
    parser.add_argument("--profile", choices=["auto", "yes", "no"], default="auto",
                        help="a second, profiled drain: when the target is missed (auto)")
    args = parser.parse_args()
    RECIPIENTS = args.recipients
    directory = Path(tempfile.mkdtemp(prefix="bench-broadcast-"))
    load_before = machine_load()
    figures = run(args.database_url, directory,
                  {"auto": "auto", "yes": True, "no": False}[args.profile])
    figures["load"] = {"before": load_before, "after": machine_load()}
    print(json.dumps(figures, indent=1, default=str))
    from bench.report_rows import broadcast_rows

    print("\n".join(f"| {' | '.join(row)} |" for row in broadcast_rows(figures, load_before)))
    print(directory)
