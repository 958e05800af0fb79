"""The member's rights, timed: the personal-information export of a member with N records in
every area (target: < 5 s for 1,000), and a certificate's PDF (time and size).

    python -m bench.member_rights                 # SQLite file in /tmp, 1,000 records
    python -m bench.member_rights --pg            # a throw-away PostgreSQL database
    python -m bench.member_rights --records 200   # smaller

It builds the rows with bulk inserts, then asks the real endpoints through Flask's test client
(login, the export's statements, the zip, the audit entry), three times, and prints the median.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

TARGET_SECONDS = 5.0


def _seed(records: int) -> int:
    """One member with `records` activities, each signed up, clocked in by location, with an
    approved hours record, a ledger line and a notice read; returns the member's id."""
    from server.activities.models import Activity, Attendance, HoursRecord, SignUp
    from server.auth.models import User
    from server.extensions import db
    from server.members.models import (
        Building,
        Community,
        EmployerUnit,
        Grid,
        Member,
        Registration,
        Street,
    )
    from server.notices.models import Notice, NoticeRecipient
    from server.points.models import PointEntry
    from server.timeutil import utcnow
    from server.wechat.standin import demo_openid

    street = Street(name="基准街道")
    db.session.add(street)
    db.session.flush()
    community = Community(street_id=street.id, name="基准社区")
    db.session.add(community)
    db.session.flush()
    grid = Grid(community_id=community.id, name="第一网格")
    db.session.add(grid)
    db.session.flush()
    building = Building(community_id=community.id, grid_id=grid.id, name="1号楼")
    unit = EmployerUnit(name="基准单位", party_org_name="基准单位党委")
    user = User(openid=demo_openid("bench-member"), display_name="bench")
    db.session.add_all([building, unit, user])
    db.session.flush()
    member = Member(user_id=user.id, name="王基准", phone="13800000000",
                    employer_unit_id=unit.id, community_id=community.id,
                    building_id=building.id, room="101", privacy_version="2026-11",
                    privacy_agreed_at=utcnow(), location_consent=True)
    db.session.add(member)
    db.session.flush()
    db.session.add(Registration(member_id=member.id, community_id=community.id,
                                building_id=building.id, room="101", status="approved"))
    start = datetime(2023, 1, 1, 1, tzinfo=UTC)
    activities = [
        {"community_id": community.id, "title": f"志愿服务{i}", "category": "environment",
         "address": "社区广场", "organiser": "基准社区党委", "latitude": 31.23,
         "longitude": 121.47, "starts_at": start + timedelta(days=i),
         "ends_at": start + timedelta(days=i, hours=2), "status": "ended",
         "code_secret": uuid.uuid4().hex, "audience_grid_ids": [], "audience_member_types": []}
        for i in range(records)
    ]
    db.session.execute(sa.insert(Activity), activities)
    ids = list(db.session.scalars(sa.select(Activity.id).order_by(Activity.id)))
    db.session.execute(sa.insert(SignUp), [
        {"activity_id": a, "member_id": member.id, "status": "confirmed"} for a in ids])
    db.session.execute(sa.insert(Attendance), [
        {"activity_id": a, "member_id": member.id, "status": "clocked_out",
         "clock_in_at": start + timedelta(days=i), "clock_in_method": "location",
         "clock_in_latitude": 31.2301, "clock_in_longitude": 121.4701,
         "clock_in_accuracy_m": 12.0, "clock_out_at": start + timedelta(days=i, hours=2),
         "clock_out_method": "location"} for i, a in enumerate(ids)])
    db.session.execute(sa.insert(HoursRecord), [
        {"member_id": member.id, "activity_id": a, "community_id": community.id,
         "category": "environment", "hours": Decimal("2.00"),
         "service_date": (start + timedelta(days=i)).date(), "source": "clockin",
         "status": "approved", "activity_name": f"志愿服务{i}", "place": "社区广场",
         "organiser": "基准社区党委"} for i, a in enumerate(ids)])
    db.session.execute(sa.insert(PointEntry), [
        {"member_id": member.id, "community_id": community.id, "amount": 20,
         "hours_centi": 200, "rule_key": "hours:*", "source_type": "hours_record",
         "source_id": str(i), "source_key": f"hours_record:{i}", "revision": 1,
         "activity_id": a, "earned_on": (start + timedelta(days=i)).date(),
         "month": (start + timedelta(days=i)).strftime("%Y-%m")} for i, a in enumerate(ids)])
    db.session.execute(sa.insert(Notice), [
        {"community_id": community.id, "title": f"通知{i}", "body": "请参加", "audience": {},
         "status": "sent", "send_at": start, "kind": "notice"} for i in range(records)])
    notice_ids = list(db.session.scalars(sa.select(Notice.id)))
    db.session.execute(sa.insert(NoticeRecipient), [
        {"notice_id": n, "member_id": member.id, "read_at": start} for n in notice_ids])
    db.session.commit()
    return member.id


def _timed(call, rounds: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(rounds):
        began = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def run(database_url: str, records: int) -> dict[str, object]:
    from server import create_app
    from server.extensions import db
    from server.wechat.standin import StandInServer

    standin = StandInServer(port=0, appid="wx-bench", secret="bench")
    standin.start()
    app = create_app({"APP_ENV": "test", "DATABASE_URL": database_url,
                      "WECHAT_APPID": "wx-bench", "WECHAT_SECRET": "bench",
                      "WECHAT_API_BASE_URL": standin.url, "RATELIMIT_ENABLED": False})
    try:
        with app.app_context():
            db.create_all()
            seeded = time.perf_counter()
            _seed(records)
            seed_seconds = time.perf_counter() - seeded
            client = app.test_client()
            token = client.post("/api/v1/auth/login",
                                json={"code": "demo:bench-member:1"}).json["token"]
            headers = {"Authorization": f"Bearer {token}"}

            def export():
                response = client.get("/api/v1/me/privacy/export", headers=headers)
                assert response.status_code == 200, response.data[:200]
                return response.data

            export_seconds, content = _timed(export)
            rows = len(zipfile.ZipFile(io.BytesIO(content)).read("data.json"))
            certificate_seconds, response = _timed(lambda: client.post(
                "/api/v1/me/certificates", json={"period_end": "2023-03-31"}, headers=headers),
                rounds=1)
            pdf = client.get(f"/api/v1/certificates/{response.json['id']}/pdf", headers=headers)
            db.session.remove()
            db.drop_all()
        return {
            "records per kind": records,
            "seed (s)": round(seed_seconds, 2),
            "export, median of 3 (s)": round(export_seconds, 3),
            "target (s)": TARGET_SECONDS,
            "met": export_seconds < TARGET_SECONDS,
            "zip size (KB)": round(len(content) / 1024, 1),
            "data.json size (KB)": round(rows / 1024, 1),
            f"certificate of {response.json['record_count']} records (s)":
                round(certificate_seconds, 2),
            "certificate PDF size (KB)": round(len(pdf.data) / 1024, 1),
        }
    finally:
        standin.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--pg", action="store_true", help="a throw-away PostgreSQL database")
    args = parser.parse_args()
    if args.pg:
        from tests import pgdb

        name = f"bench_rights_{uuid.uuid4().hex[:8]}"
        url = pgdb.create(name)
        try:
            figures = run(url, args.records)
        finally:
            pgdb.drop(name)
    else:
        with tempfile.TemporaryDirectory() as folder:
            figures = run(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", args.records)
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
