"""先锋榜 at city size: top-50 with my rank for a community, a unit and the street, per period,
through `server.points.leaderboard.leaderboard` (in-process, app context) and through the whole
Flask stack (GET /api/v1/points/leaderboards with a real token, in-process test client), beside
the raw indexed SQL read of the same answer (top-50 and the count ahead of me) with psycopg.
"""

from __future__ import annotations

import time

from bench.common import bench_app, connect, log, summary_ms

PERIODS = ("2026-11", "2026-Q4", "2026", "all")
ITERATIONS = 60
WARMUP = 5

RAW_TOP = """SELECT b.member_id, b.points, b.hours_centi, b.stars, m.name
    FROM point_balances b JOIN members m ON m.id = b.member_id
    WHERE b.period = %(period)s AND b.{column} = %(scope_id)s AND b.hidden IS false
    ORDER BY b.points DESC, b.member_id LIMIT 50"""
RAW_MINE = """SELECT points, hours_centi, hidden FROM point_balances
    WHERE member_id = %(member_id)s AND period = %(period)s AND {column} = %(scope_id)s"""
RAW_AHEAD = """SELECT count(*) FROM point_balances
    WHERE period = %(period)s AND {column} = %(scope_id)s AND hidden IS false
      AND points > %(points)s"""
COLUMNS = {"community": "community_id", "unit": "employer_unit_id", "street": "street_id"}


def _targets(conn) -> dict[str, tuple[int, int]]:
    """(scope_id, a member in the middle of that board) per scope."""
    out = {}
    for scope, column in COLUMNS.items():
        scope_id, = conn.execute(
            f"SELECT {column} FROM point_balances WHERE period = 'all' GROUP BY {column} "
            f"ORDER BY count(*) DESC, {column} LIMIT 1").fetchone()
        member_id, = conn.execute(
            f"SELECT member_id FROM point_balances WHERE period = 'all' AND {column} = %s "
            f"AND hidden IS false AND member_id IN (SELECT member_id FROM point_balances "
            f"WHERE period = '{PERIODS[0]}') ORDER BY points DESC, member_id "
            f"OFFSET (SELECT count(*) / 2 FROM point_balances WHERE period = 'all' "
            f"AND {column} = %s) LIMIT 1", (scope_id, scope_id)).fetchone()
        size, = conn.execute(
            f"SELECT count(*) FROM point_balances WHERE period = 'all' AND {column} = %s",
            (scope_id,)).fetchone()
        out[scope] = (scope_id, member_id, size)
    return out


def _raw(conn, scope: str, scope_id: int, member_id: int, period: str) -> None:
    column = COLUMNS[scope]
    params = {"period": period, "scope_id": scope_id, "member_id": member_id}
    rows = conn.execute(RAW_TOP.format(column=column), params).fetchall()
    assert rows, "an empty board measures nothing"
    mine = conn.execute(RAW_MINE.format(column=column), params).fetchone()
    if mine is not None:
        conn.execute(RAW_AHEAD.format(column=column), {**params, "points": mine[0]}).fetchone()


def run(database_url: str, iterations: int = ITERATIONS) -> dict:
    from server.auth.models import User
    from server.auth.tokens import issue_token
    from server.extensions import db
    from server.members.models import Member
    from server.points.leaderboard import leaderboard

    app = bench_app(database_url)
    results: list[dict] = []
    with connect(database_url, autocommit=True) as conn:
        targets = _targets(conn)
        with app.app_context():
            tokens = {}
            for scope, (_sid, member_id, _size) in targets.items():
                member = db.session.get(Member, member_id)
                tokens[scope], _ = issue_token(db.session.get(User, member.user_id))
            db.session.commit()
        client = app.test_client()
        for scope, (scope_id, member_id, size) in targets.items():
            for period in PERIODS:
                raw, service, http = [], [], []
                for i in range(WARMUP + iterations):
                    t0 = time.perf_counter()
                    _raw(conn, scope, scope_id, member_id, period)
                    t1 = time.perf_counter()
                    with app.app_context():
                        me = db.session.get(Member, member_id)  # as the request's principal
                        t2 = time.perf_counter()
                        board = leaderboard(scope=scope, scope_id=scope_id, period=period,
                                            limit=50, full_names=False, me=me)
                        t3 = time.perf_counter()
                        db.session.rollback()
                    assert board["entries"] and board["me"] is not None
                    t4 = time.perf_counter()
                    response = client.get(
                        "/api/v1/points/leaderboards",
                        query_string={"scope": scope, "scope_id": scope_id, "period": period,
                                      "limit": 50},
                        headers={"Authorization": f"Bearer {tokens[scope]}"})
                    t5 = time.perf_counter()
                    assert response.status_code == 200, response.get_data(as_text=True)[:300]
                    if i >= WARMUP:
                        raw.append(t1 - t0)
                        service.append(t3 - t2)
                        http.append(t5 - t4)
                row = {"scope": scope, "scope_id": scope_id, "board_size": size,
                       "period": period, "raw": summary_ms(raw), "service": summary_ms(service),
                       "http": summary_ms(http)}
                row["ratio"] = row["service"]["p50"] / row["raw"]["p50"]
                row["http_ratio"] = row["http"]["p50"] / row["raw"]["p50"]
                log(f"leaderboard {scope}:{scope_id} ({size:,} members) {period}: raw "
                    f"{row['raw']['p50']:.2f} ms, service {row['service']['p50']:.2f} ms "
                    f"(×{row['ratio']:.1f}), HTTP {row['http']['p50']:.2f} ms")
                results.append(row)
        with app.app_context():
            db.engine.dispose()
    return {"boards": results, "iterations": iterations}


def profile_service(database_url: str, scope: str, period: str, out_path) -> str:
    """pyinstrument over repeated service calls of one board (text report)."""
    from pyinstrument import Profiler

    from server.extensions import db
    from server.members.models import Member
    from server.points.leaderboard import leaderboard

    app = bench_app(database_url)
    with connect(database_url, autocommit=True) as conn:
        scope_id, member_id, _size = _targets(conn)[scope]
    profiler = Profiler(interval=0.0005)
    with app.app_context():
        profiler.start()
        for _ in range(100):
            me = db.session.get(Member, member_id)
            leaderboard(scope=scope, scope_id=scope_id, period=period, limit=50, me=me)
            db.session.rollback()
        profiler.stop()
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    out_path.write_text(text)
    return text


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20),
                     indent=1))
