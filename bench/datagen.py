"""Data generator: a street or a city of members, their ledger with consistent kept-up balances,
and their activity records, repeatable from a seed, loaded with COPY.

    python -m bench.datagen --size S --seed 7 --database-url postgresql+psycopg://…

The schema comes from the app's migrations (`flask_migrate.upgrade()`); rows are written with
psycopg 3's `cursor.copy()`, secondary indexes of the two big tables are dropped for the load
and built again after, foreign-key triggers are off during the load (the generator keeps every
reference valid itself). Balances are computed by PostgreSQL from the ledger just loaded, with
the same period rules as `server.points.point_rules.periods_of_month`, so `flask points reconcile`
finds nothing to repair.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bench.common import bench_app, connect, log

EPOCH_DAY = date(2025, 12, 1)  # the ledger covers 12 months: 2025-12 … 2026-11
LEDGER_DAYS = 358


@dataclass(frozen=True)
class Size:
    name: str
    streets: int
    communities_per_street: int
    members_per_community: int
    grids_per_community: int
    buildings_per_grid: int
    units: int
    entries_per_member: int
    activities_per_community: int
    attendances: int

    @property
    def communities(self) -> int:
        return self.streets * self.communities_per_street

    @property
    def members(self) -> int:
        return self.communities * self.members_per_community

    @property
    def entries(self) -> int:
        return self.members * self.entries_per_member


SIZES = {
    "S": Size("S", 1, 1, 500, 4, 5, 20, 20, 20, 2_000),
    "M": Size("M", 1, 20, 500, 4, 5, 200, 50, 20, 20_000),
    "L": Size("L", 10, 20, 500, 4, 5, 1_000, 50, 20, 200_000),
}

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁"
            "谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志文斌海波宁"
MEMBER_TYPES = ["in_service"] * 7 + ["direct", "retired", "floating"]
CATEGORIES = ["environment", "civility", "patrol", "elder_help", "publicity", "other"]
NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC).replace(tzinfo=None)  # fixed: repeatable rows


def openid_of(member_id: int) -> str:
    return "obench_" + hashlib.sha256(f"bench:{member_id}".encode()).hexdigest()[:22]


def _ts(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def _row(values) -> str:
    return "\t".join("\\N" if v is None else str(v) for v in values) + "\n"


class Copier:
    """COPY rows into a table in chunks, with progress."""

    def __init__(self, cur, table: str, columns: list[str], total: int | None = None,
                 label: str | None = None):
        self.cur, self.table, self.columns = cur, table, columns
        self.total, self.label = total, label or table
        self.buffer: list[str] = []
        self.count = 0
        self.started = time.monotonic()
        self.next_report = self.started + 5

    def __enter__(self):
        self.copy_cm = self.cur.copy(
            f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN"
        )
        self.copy = self.copy_cm.__enter__()
        return self

    def add(self, values) -> None:
        self.buffer.append(_row(values))
        if len(self.buffer) >= 20_000:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.copy.write("".join(self.buffer).encode())
            self.count += len(self.buffer)
            self.buffer.clear()
        now = time.monotonic()
        if now >= self.next_report:
            self.next_report = now + 5
            of = f"/{self.total:,}" if self.total else ""
            log(f"  {self.label}: {self.count:,}{of} rows, {now - self.started:.0f}s")

    def __exit__(self, *exc):
        self.flush()
        self.copy_cm.__exit__(*exc)
        log(f"  {self.label}: {self.count:,} rows in {time.monotonic() - self.started:.1f}s")


def _secondary_indexes(cur, table: str) -> list[tuple[str, str]]:
    """(drop, create) statements for every index but the primary key, unique constraints
    included, to rebuild them after a bulk load."""
    out = []
    cur.execute(
        """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
           WHERE conrelid = %s::regclass AND contype = 'u'""", (table,))
    constraint_names = set()
    for name, definition in cur.fetchall():
        constraint_names.add(name)
        out.append((f'ALTER TABLE {table} DROP CONSTRAINT "{name}"',
                    f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
    cur.execute(
        """SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s
           AND indexname NOT IN (SELECT conname FROM pg_constraint
                                 WHERE conrelid = %s::regclass AND contype = 'p')""",
        (table, table))
    for name, definition in cur.fetchall():
        if name not in constraint_names:
            out.append((f'DROP INDEX "{name}"', definition))
    return out


def migrate(database_url: str) -> None:
    from flask_migrate import upgrade

    app = bench_app(database_url)
    with app.app_context():
        upgrade()
        from server.extensions import db

        db.engine.dispose()


def generate(database_url: str, size: Size, seed: int = 1) -> dict:
    """Fill a freshly migrated database. Returns counts."""
    rng = random.Random(seed)
    started = time.monotonic()
    log(f"generating size {size.name}: {size.members:,} members, {size.entries:,} ledger "
        f"entries, {size.attendances:,} activity records (seed {seed})")
    with connect(database_url) as conn, conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # no FK triggers during the load
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET maintenance_work_mem = '1GB'")
        _organisation(cur, size, rng)
        members = _members(cur, size, rng)
        activities = _activities(cur, size, rng)
        _attendances(cur, size, rng, activities, members)
        conn.commit()
        _ledger(cur, size, rng, members, activities)
        conn.commit()
        _balances(cur)
        conn.commit()
        for table in ("streets", "communities", "grids", "buildings", "employer_units", "users",
                      "members", "registrations", "activities", "activity_signups",
                      "attendances", "point_entries", "point_balances"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)")
        cur.execute("SET session_replication_role = DEFAULT")
        conn.commit()
    with connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    counts = {}
    with connect(database_url) as conn:
        for table in ("members", "point_entries", "point_balances", "attendances", "activities"):
            counts[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    counts["seconds"] = round(time.monotonic() - started, 1)
    log(f"generated in {counts['seconds']}s: {counts}")
    return counts


def _organisation(cur, size: Size, rng: random.Random) -> None:
    with Copier(cur, "streets", ["id", "name"]) as c:
        for s in range(1, size.streets + 1):
            c.add((s, f"第{s}街道"))
    with Copier(cur, "communities", ["id", "street_id", "name", "address"]) as c:
        for cid in range(1, size.communities + 1):
            street = (cid - 1) // size.communities_per_street + 1
            c.add((cid, street, f"第{cid}社区", f"幸福路{cid}号"))
    with Copier(cur, "grids", ["id", "community_id", "name", "households"]) as c:
        gid = 0
        for cid in range(1, size.communities + 1):
            for g in range(1, size.grids_per_community + 1):
                gid += 1
                c.add((gid, cid, f"第{g}网格", rng.randint(200, 800)))
    with Copier(cur, "buildings", ["id", "community_id", "grid_id", "name"]) as c:
        bid = 0
        for cid in range(1, size.communities + 1):
            for g in range(size.grids_per_community):
                gid = (cid - 1) * size.grids_per_community + g + 1
                for b in range(1, size.buildings_per_grid + 1):
                    bid += 1
                    c.add((bid, cid, gid, f"{g + 1}-{b}号楼"))
    with Copier(cur, "employer_units", ["id", "name", "party_org_name"]) as c:
        for u in range(1, size.units + 1):
            c.add((u, f"第{u}单位", f"第{u}单位党支部"))


def _members(cur, size: Size, rng: random.Random) -> list[tuple[int, int, int, int]]:
    """Users, members (id = user id) and their approved registrations; returns
    (member_id, community_id, building_id, unit_id) per member."""
    buildings_per_community = size.grids_per_community * size.buildings_per_grid
    members = []
    for mid in range(1, size.members + 1):
        cid = (mid - 1) // size.members_per_community + 1
        bid = (cid - 1) * buildings_per_community + rng.randrange(buildings_per_community) + 1
        members.append((mid, cid, bid, rng.randint(1, size.units)))
    created = _ts(NOW - timedelta(days=400))
    with Copier(cur, "users", ["id", "openid", "display_name", "created_at"],
                size.members) as c:
        for mid, *_ in members:
            c.add((mid, openid_of(mid), "", created))
    with Copier(cur, "members",
                ["id", "user_id", "name", "phone", "member_type", "employer_unit_id",
                 "community_id", "building_id", "room", "privacy_version", "privacy_agreed_at",
                 "location_consent", "location_consent_at", "hide_from_public_boards",
                 "created_at"], size.members) as c:
        for mid, cid, bid, uid in members:
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
            c.add((mid, mid, name, f"139{mid:08d}", rng.choice(MEMBER_TYPES), uid, cid, bid,
                   f"{rng.randint(1, 30)}0{rng.randint(1, 4)}", "2026-11", created, "t",
                   created, "t" if rng.random() < 0.05 else "f", created))
    with Copier(cur, "registrations",
                ["id", "member_id", "community_id", "building_id", "room", "status",
                 "submitted_at", "decided_at"], size.members) as c:
        for mid, cid, bid, _uid in members:
            c.add((mid, mid, cid, bid, "", "approved", created, created))
    return members


def _activities(cur, size: Size, rng: random.Random) -> list[tuple[int, int, datetime, str]]:
    """Ended activities spread over the ledger's year: (id, community, starts_at, category)."""
    out = []
    columns = ["id", "community_id", "title", "category", "content", "address", "latitude",
               "longitude", "radius_m", "starts_at", "ends_at", "organiser", "leader_name",
               "audience_grid_ids", "audience_member_types", "status", "code_secret",
               "created_at", "updated_at", "published_at"]
    with Copier(cur, "activities", columns, size.communities * size.activities_per_community) as c:
        aid = 0
        for cid in range(1, size.communities + 1):
            for _ in range(size.activities_per_community):
                aid += 1
                day = EPOCH_DAY + timedelta(days=rng.randrange(LEDGER_DAYS))
                starts = datetime(day.year, day.month, day.day, 1, 0) + timedelta(
                    hours=rng.randint(0, 6))
                category = rng.choice(CATEGORIES)
                out.append((aid, cid, starts, category))
                c.add((aid, cid, f"志愿服务活动{aid}", category, "", f"幸福路{cid}号",
                       31.2 + rng.random() / 10, 121.4 + rng.random() / 10, 200, _ts(starts),
                       _ts(starts + timedelta(hours=2)), f"第{cid}社区", "", "[]", "[]",
                       "ended", f"{rng.getrandbits(128):032x}", _ts(starts - timedelta(days=7)),
                       _ts(starts), _ts(starts - timedelta(days=7))))
    return out


def _attendances(cur, size: Size, rng: random.Random, activities, members) -> None:
    """Sign-ups and clock records (签到/签退), spread evenly over the activities."""
    per_activity = size.attendances // len(activities)
    extra = size.attendances - per_activity * len(activities)
    rows = []
    for index, (aid, cid, starts, _category) in enumerate(activities):
        first = (cid - 1) * size.members_per_community + 1
        count = per_activity + (1 if index < extra else 0)
        for mid in rng.sample(range(first, first + size.members_per_community), count):
            rows.append((aid, mid, starts))
    with Copier(cur, "activity_signups",
                ["id", "activity_id", "member_id", "status", "created_at", "queued_at"],
                len(rows)) as c:
        for n, (aid, mid, starts) in enumerate(rows, 1):
            at = _ts(starts - timedelta(days=2))
            c.add((n, aid, mid, "confirmed", at, at))
    with Copier(cur, "attendances",
                ["id", "activity_id", "member_id", "status", "clock_in_at", "clock_in_method",
                 "clock_out_at", "clock_out_method", "created_at"], len(rows)) as c:
        for n, (aid, mid, starts) in enumerate(rows, 1):
            clock_in = starts + timedelta(seconds=rng.randint(-900, 600))
            clock_out = starts + timedelta(seconds=rng.randint(6000, 8400))
            c.add((n, aid, mid, "clocked_out", _ts(clock_in), "qr", _ts(clock_out), "qr",
                   _ts(clock_in)))


def _ledger(cur, size: Size, rng: random.Random, members, activities) -> None:
    """积分台账: entries_per_member lines per member over 12 months, mostly hours."""
    indexes = _secondary_indexes(cur, "point_entries")
    for drop, _create in indexes:
        cur.execute(drop)
    columns = ["id", "member_id", "community_id", "amount", "hours_centi", "rule_key",
               "source_type", "source_id", "source_key", "revision", "activity_id", "earned_on",
               "month", "created_at"]
    by_community: dict[int, list[int]] = {}
    for aid, cid, _starts, _category in activities:
        by_community.setdefault(cid, []).append(aid)
    days = [EPOCH_DAY + timedelta(days=d) for d in range(LEDGER_DAYS)]
    day_text = [(d.isoformat(), f"{d.year:04d}-{d.month:02d}", d.isoformat() + " 10:00:00")
                for d in days]
    hours_choices = (100, 150, 200, 200, 250, 300, 400)
    kinds = [f"hours:{c}" for c in CATEGORIES]
    randrange, random_ = rng.randrange, rng.random
    eid = 0
    with Copier(cur, "point_entries", columns, size.entries) as c:
        for mid, cid, _bid, _uid in members:
            own_activities = by_community[cid]
            for _ in range(size.entries_per_member):
                eid += 1
                iso, month, created = day_text[randrange(LEDGER_DAYS)]
                roll = random_()
                if roll < 0.8:
                    hours = hours_choices[randrange(7)]
                    amount, rule_key = hours // 10, kinds[randrange(6)]
                    activity = own_activities[randrange(len(own_activities))]
                    source_type = "hours_record"
                elif roll < 0.9:
                    hours, amount, rule_key, activity = 0, 5, "party_day:*", None
                    source_type = "party_day"
                elif roll < 0.97:
                    hours, amount, rule_key, activity = 0, 3, "pledge_note:*", None
                    source_type = "pledge_note"
                else:
                    hours, amount, rule_key = 0, -5, "absence:*"
                    activity = own_activities[randrange(len(own_activities))]
                    source_type = "signup"
                c.buffer.append(
                    f"{eid}\t{mid}\t{cid}\t{amount}\t{hours}\t{rule_key}\t{source_type}\t{eid}\t"
                    f"bench:{eid}\t1\t{activity if activity is not None else chr(92) + 'N'}\t"
                    f"{iso}\t{month}\t{created}\n"
                )
                if len(c.buffer) >= 20_000:
                    c.flush()
    log(f"  rebuilding {len(indexes)} indexes of point_entries")
    t0 = time.monotonic()
    for _drop, create in indexes:
        cur.execute(create)
    log(f"  indexes rebuilt in {time.monotonic() - t0:.1f}s")


# The periods of a month, as server.points.point_rules.periods_of_month names them.
_PERIODS_SQL = """
    (VALUES (e.month),
            (left(e.month, 4) || '-Q' || ((substr(e.month, 6, 2)::int - 1) / 3 + 1)),
            (left(e.month, 4) || '-H' || CASE WHEN substr(e.month, 6, 2)::int <= 6
                                              THEN 1 ELSE 2 END),
            (left(e.month, 4)),
            ('all')) AS p(period)
"""


def _balances(cur) -> None:
    """Kept-up balances (余额) from the ledger just loaded, with each member's place copied in.
    No star thresholds are generated, so a year's stars are 0 (what reconcile computes)."""
    indexes = _secondary_indexes(cur, "point_balances")
    for drop, _create in indexes:
        cur.execute(drop)
    t0 = time.monotonic()
    cur.execute(f"""
        INSERT INTO point_balances (member_id, period, points, hours_centi, stars, community_id,
            grid_id, building_id, employer_unit_id, street_id, member_type, hidden, updated_at)
        SELECT e.member_id, p.period, sum(e.points), sum(e.hours),
               CASE WHEN length(p.period) = 4 THEN 0 END,
               m.community_id, b.grid_id, m.building_id, m.employer_unit_id, c.street_id,
               m.member_type, m.hide_from_public_boards, %s
        FROM (SELECT member_id, month, sum(amount) AS points, sum(hours_centi) AS hours
              FROM point_entries GROUP BY member_id, month) AS e
        CROSS JOIN LATERAL {_PERIODS_SQL}
        JOIN members m ON m.id = e.member_id
        LEFT JOIN buildings b ON b.id = m.building_id
        LEFT JOIN communities c ON c.id = m.community_id
        GROUP BY e.member_id, p.period, m.community_id, b.grid_id, m.building_id,
                 m.employer_unit_id, c.street_id, m.member_type, m.hide_from_public_boards
        ORDER BY e.member_id, p.period
    """, (_ts(NOW),))
    log(f"  point_balances: {cur.rowcount:,} rows from the ledger in "
        f"{time.monotonic() - t0:.1f}s; rebuilding {len(indexes)} indexes")
    for _drop, create in indexes:
        cur.execute(create)


def main(argv: list[str] | None = None) -> None:
    from bench.common import create_database

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="S")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", help="database name to (re)create (default bench_<size>)")
    args = parser.parse_args(argv)
    url = create_database(args.database or f"bench_{args.size.lower()}")
    migrate(url)
    generate(url, SIZES[args.size], args.seed)
    print(url)


if __name__ == "__main__":
    main()
