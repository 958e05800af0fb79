"""gunicorn settings of one app server (one master): `gunicorn -c deploy/gunicorn.conf.py
'server:create_app()'`. Every value can be set from the environment (deploy/party.env.example);
deploy/README.md explains the choices.

- Workers: 2 × cores + 1, at most 12 (PARTY_GUNICORN_WORKERS overrides). A sync worker handles
  one request at a time and waits on PostgreSQL for most of it, so more workers than cores keep
  the cores busy; bench/ measured 2 workers on 2 cores with PostgreSQL on the same machine.
  Each worker is ~120–150 MB resident and holds at most one connection to each database.
- Worker class: sync (what bench/ and the fault drills measured). nginx buffers requests and
  answers, so slow clients never hold a worker.
- Timeouts: a worker silent for 60 s is killed (below nginx's proxy_read_timeout of 75 s, so
  nginx sees gunicorn's answer, not its own timeout); on SIGTERM or a reload, running requests
  get 30 s to finish (graceful_timeout; systemd's TimeoutStopSec is 45 s).
- No preload: each worker imports the app itself. A reload (SIGHUP, `systemctl reload
  party-app@PORT`) then starts workers on the new code while the old ones finish, and no
  database connection is ever made in the master and shared by forked workers. It costs the
  import once per worker (a few seconds of CPU at start).
- max_requests with jitter: each worker is replaced after ~2000 requests, not all at once.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


_host = os.environ.get("PARTY_GUNICORN_HOST", "127.0.0.1")
_port = os.environ.get("PARTY_GUNICORN_PORT", "8000")
bind = os.environ.get("PARTY_GUNICORN_BIND") or f"{_host}:{_port}"

workers = _int("PARTY_GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 12))
worker_class = os.environ.get("PARTY_GUNICORN_WORKER_CLASS", "sync")
threads = _int("PARTY_GUNICORN_THREADS", 1)  # gthread only
timeout = _int("PARTY_GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("PARTY_GUNICORN_GRACEFUL_TIMEOUT", 30)
# non-sync workers only: longer than nginx's upstream keepalive_timeout (60 s), so nginx never
# reuses a connection gunicorn is closing
keepalive = 75
backlog = 2048
max_requests = _int("PARTY_GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("PARTY_GUNICORN_MAX_REQUESTS_JITTER", 200)
preload_app = False

# "-" = stdout/stderr (journald under systemd)
accesslog = os.environ.get("PARTY_GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("PARTY_GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("PARTY_GUNICORN_LOG_LEVEL", "info")
# one JSON line a request: the request id nginx set, the time inside the worker (ms), the pid
access_log_format = (
    '{"time":"%(t)s","request_id":"%({x-request-id}i)s","remote_addr":"%(h)s",'
    '"method":"%(m)s","path":"%(U)s","status":%(s)s,"bytes":"%(B)s","duration_ms":%(M)s,'
    '"pid":"%(p)s"}'
)

# gunicorn >= 25 opens a control socket, by default one path per user: two masters on one
# machine would share it. Each master gets its own (ignored by older gunicorn).
_runtime = os.environ.get("PARTY_RUNTIME_DIR") or os.environ.get("RUNTIME_DIRECTORY") \
    or tempfile.gettempdir()
control_socket = os.path.join(_runtime, f"gunicorn-{bind.replace(':', '-')}.ctl")

proc_name = f"party-app-{bind}"


# -- Prometheus: the workers' metrics in one folder per master -------------------------------


def on_starting(server):
    """Once per master, before any worker: a fresh, empty folder for prometheus_client's
    multiprocess files (never the previous run's counts). The workers inherit the variable.
    Not run again on a reload, so the counts survive `systemctl reload`."""
    base = os.environ.get("PARTY_METRICS_DIR") or _runtime
    os.makedirs(base, exist_ok=True)
    folder = tempfile.mkdtemp(prefix=f"metrics-{bind.replace(':', '-')}-", dir=base)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    server.log.info("prometheus multiprocess folder: %s", folder)


def child_exit(server, worker):
    """A worker ended: its live gauges no longer count (its counters stay in the totals)."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    try:
        from prometheus_client import multiprocess
    except ImportError:  # an app version without /metrics
        return
    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder and os.path.basename(folder).startswith("metrics-"):
        shutil.rmtree(folder, ignore_errors=True)
