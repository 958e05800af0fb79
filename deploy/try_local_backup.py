"""deploy/try-local's backup and restore: the kit's own scripts, then the counts compared."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import psycopg
from try_local_journeys import JourneyFailed
from try_local_topology import DEPLOY, Postgres, Topology, _pg_bin

KEY_TABLES = ["users", "members", "registrations", "communities", "buildings", "activities",
              "activity_signups", "attendances", "hours_records", "point_entries",
              "point_balances", "notices", "notice_recipients", "subscribe_outbox",
              "audit_entries", "auth_sessions", "idempotency_records"]


def backup_and_restore(top: Topology, report: dict, full: bool, say) -> None:
    """deploy/backup.sh (a dump; the full run a base backup too), deploy/restore.sh into a new
    database, and the key tables counted in both."""
    for name in ("scheduler-1", "scheduler-2"):  # quiet: the counts must be comparable
        top.stop(name)
    backups = top.work / "backups"
    pg_bin = str(Path(_pg_bin("pg_dump")).parent)
    env = dict(os.environ, PG_BIN=pg_bin, PARTY_BACKUP_DIR=str(backups),
               PARTY_BACKUP_DATABASE_URL=top.primary.url(driver="postgresql", user="postgres"),
               PARTY_BACKUP_REPLICATION_URL=(f"postgresql://replicator@127.0.0.1:"
                                             f"{top.primary.port}/postgres"))
    for mode in (["dump", "base"] if full else ["dump"]):
        done = subprocess.run([str(DEPLOY / "backup.sh"), mode], env=env, capture_output=True,
                              text=True, timeout=300)
        if done.returncode:
            raise JourneyFailed(f"backup.sh {mode}: {done.stderr}")
        for line in done.stdout.strip().splitlines():
            say(line)
    dump = sorted((backups / "dump").glob("party-*.dump"))[-1]
    target = top.primary.url("party_restored", "postgres", "postgresql")
    done = subprocess.run([str(DEPLOY / "restore.sh"), str(dump), target], env=env,
                          capture_output=True, text=True, timeout=300)
    if done.returncode:
        raise JourneyFailed(f"restore.sh: {done.stderr}")
    restored = dict(line.split(" ", 1) for line in done.stdout.strip().splitlines())
    with psycopg.connect(top.primary.url(driver="postgresql", user="postgres")) as conn:
        source = {t: str(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])
                  for t in KEY_TABLES}
        source["alembic_version"] = conn.execute(
            "SELECT version_num FROM alembic_version").fetchone()[0]
    report["restore"] = {t: (source[t], restored.get(t)) for t in source}
    different = {t: v for t, v in report["restore"].items() if v[0] != v[1]}
    if different:
        raise JourneyFailed(f"restored counts differ (source, restored): {different}")
    say(f"restored {dump.name} into party_restored: {len(source)} key tables, same counts")
    if full:
        base = sorted(p for p in (backups / "base").iterdir() if p.is_dir())[-1]
        counts = start_from_base_backup(top, base)
        report["restore_base"] = {t: (source[t], counts.get(t)) for t in source}
        different = {t: v for t, v in report["restore_base"].items() if v[0] != v[1]}
        if different:
            raise JourneyFailed(f"base backup's counts differ (source, restored): {different}")
        say(f"base backup {base.name} started as its own server on port "
            f"{top.ports['restored-base']}: same counts")


def start_from_base_backup(top: Topology, base: Path) -> dict[str, str]:
    """The README's "restore a base backup": unpack base.tar.gz and pg_wal.tar.gz into an
    empty folder, start PostgreSQL on it (its own port here), count the key tables."""
    server = Postgres(top.work, "restored-base", top.ports["restored-base"])
    server.dir.mkdir(mode=0o700)
    subprocess.run(["tar", "xzf", str(base / "base.tar.gz"), "-C", str(server.dir)], check=True)
    subprocess.run(["tar", "xzf", str(base / "pg_wal.tar.gz"), "-C", str(server.dir / "pg_wal")],
                   check=True)
    if server.user:
        subprocess.run(["chown", "-R", f"{server.user}:", str(server.dir)], check=True)
    with open(server.dir / "postgresql.conf", "a") as conf:  # later lines win
        conf.write(f"\nport = {server.port}\nunix_socket_directories = '{server.socket_dir}'\n")
    top.restored_base = server
    server.start()
    with psycopg.connect(server.url("party", "postgres", "postgresql")) as conn:
        counts = {t: str(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])
                  for t in KEY_TABLES}
        counts["alembic_version"] = conn.execute(
            "SELECT version_num FROM alembic_version").fetchone()[0]
    return counts
