"""What every benchmark shares: throw-away databases, the production-like settings, processes,
percentiles, resident sizes."""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
ADMIN_URL = os.environ.get(
    "BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URI = os.environ.get("BENCH_REDIS_URI", "redis://127.0.0.1:6379/1")
SECRET = "bench-secret-" + "x" * 24
WECHAT_SECRET = "bench-wechat-secret"
APPID = "wx-demo-appid"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- databases -------------------------------------------------------------------------------


def _admin() -> sa.Engine:
    return sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")


def create_database(name: str) -> str:
    engine = _admin()
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return sa.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(name: str) -> None:
    engine = _admin()
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def libpq_url(url: str) -> str:
    """psycopg wants postgresql://, SQLAlchemy postgresql+psycopg://."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def connect(url: str, **kwargs) -> psycopg.Connection:
    return psycopg.connect(libpq_url(url), **kwargs)


# -- the app's production settings -----------------------------------------------------------


def production_env(database_url: str, standin_url: str | None = None, **extra: str) -> dict:
    """Environment of every app process a benchmark starts (documented in bench/README.md)."""
    env = dict(os.environ)
    env.update(
        PARTY_APP_ENV="production",
        PARTY_APP_SECRET_KEY=SECRET,
        PARTY_WECHAT_SECRET=WECHAT_SECRET,
        PARTY_WECHAT_APPID=APPID,
        PARTY_DATABASE_URL=database_url,
        PARTY_RATELIMIT_STORAGE_URI=REDIS_URI,
        PARTY_RATELIMIT_ENABLED="true",
        PYTHONUNBUFFERED="1",
    )
    if standin_url:
        env["PARTY_WECHAT_API_BASE_URL"] = standin_url
    env.update(extra)
    return env


def bench_app(database_url: str, standin_url: str | None = None):
    """The app in this process, with the same settings as the processes."""
    from server import create_app

    config = {
        "APP_ENV": "production",
        "APP_SECRET_KEY": SECRET,
        "WECHAT_SECRET": WECHAT_SECRET,
        "WECHAT_APPID": APPID,
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": REDIS_URI,
    }
    if standin_url:
        config["WECHAT_API_BASE_URL"] = standin_url
    return create_app(config)


# -- processes ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def start(args: list[str], env: dict, logfile: Path) -> subprocess.Popen:
    out = open(logfile, "ab")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(process: subprocess.Popen, timeout: float = 15.0) -> None:
    """End a process this benchmark started (and its children: gunicorn's workers)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(p) for p in path.read_text().split()]
    except FileNotFoundError:
        return []


def rss_mb(pid: int) -> float:
    """Resident set size (VmRSS) of one process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# -- figures --------------------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary_ms(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
        "mean": statistics.fmean(ms) if ms else float("nan"),
        "max": max(ms) if ms else float("nan"),
    }
