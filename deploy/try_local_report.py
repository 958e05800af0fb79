"""deploy/try-local's summary: what started, what the clients saw, where requests and reads
went, the restore's counts."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from try_local_topology import Topology


def per_upstream(log: Path, ports: dict[str, int]) -> dict[str, int]:
    """Requests per app server from nginx's access log (a retried request names both)."""
    names = {f"127.0.0.1:{port}": name for name, port in ports.items()}
    counts: Counter = Counter()
    for line in log.read_text().splitlines():
        entry = json.loads(line)
        upstream = entry.get("upstream_addr") or "nginx itself"
        counts[" then ".join(names.get(a.strip(), a.strip()) for a in upstream.split(","))] += 1
    return dict(counts)


def summary(top: Topology, report: dict, started_at: float) -> None:
    print("\n== try-local summary")
    print("started (pid, port):")
    ports = {"nginx": "nginx-https"}
    for name, pid in report.get("started", {}).items():
        port = top.ports.get(ports.get(name, name), "-")
        print(f"  {name:12} pid {pid}  port {port}")
    print(f"journeys through nginx: {'passed' if report.get('passed') else 'FAILED'}"
          f" (client-side statuses {report.get('journey_requests')})")
    print(f"nginx edge checks: {report.get('edges')}")
    print(f"background reads while app servers stopped/reloaded: {report.get('background_reads')}")
    for name, phase in report.get("background_phases", {}).items():
        print(f"  {name:16} {phase}")
    if top.nginx_access_log.exists():
        apps = {n: top.ports[n] for n in ("app-1", "app-2")}
        print(f"requests per app server (nginx upstream log): "
              f"{per_upstream(top.nginx_access_log, apps)}")
    print(f"reads per database (the app's SELECTs in each one's pg_stat_statements, whole run): "
          f"{report.get('reads_per_database')}")
    print(f"party_db_statements_total per app server (/metrics; None: stopped): "
          f"{report.get('metrics')}")
    print(f"party_job_runs_total per scheduler (/metrics): {report.get('scheduler_job_runs')}")
    if report.get("readyz_before_migration"):
        print(f"app-1 /readyz before the migration: {report['readyz_before_migration']}")
    print(f"replica / read-your-writes check: {report.get('replica_check')}")
    if report.get("standin"):
        print(f"stand-in WeChat API: {report['standin']}")
    print("restore (source rows, restored rows):")
    base = report.get("restore_base", {})
    if base:
        print("  (columns: source, restore.sh of the dump, the base backup started as a server)")
    for table, (source, restored) in report.get("restore", {}).items():
        extra = f" {base[table][1] or '-':>8}" if table in base else ""
        print(f"  {table:22} {source:>8} {restored or '-':>8}{extra}")
    print(f"took {time.monotonic() - started_at:.0f} s")
