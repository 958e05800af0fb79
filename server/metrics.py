"""Prometheus metrics: what each request took, statements per database, the pool, the outbox.

Several gunicorn workers: prometheus_client's multiprocess mode, switched on by the environment
variable PROMETHEUS_MULTIPROC_DIR (a folder emptied at each start; gunicorn.conf.py sets it before
the app is imported and calls `multiprocess.mark_process_dead(worker.pid)` in `child_exit`).
Each worker writes its counters there and /metrics adds them up, whichever worker answers.
Without it (one process: `flask run`, tests) the process's own registry is shown.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import time
from functools import lru_cache

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, request
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import event

log = logging.getLogger(__name__)
# the classic text format, which every Prometheus reads
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
REQUESTS = Counter("party_http_requests", "HTTP requests answered",
                   ["method", "endpoint", "status"])
DURATION = Histogram("party_http_request_duration_seconds", "Time to answer a request",
                     ["method", "endpoint"],
                     buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
STATEMENTS = Counter("party_db_statements", "SQL statements sent, by database",
                     ["database"])
POOL_CHECKED_OUT = Gauge("party_db_pool_checked_out", "Connections in use, by database",
                         ["database"], multiprocess_mode="livesum")
POOL_SIZE = Gauge("party_db_pool_size", "Connections each pool keeps (all workers)",
                  ["database"], multiprocess_mode="livesum")
JOB_RUNS = Counter("party_job_runs", "Scheduled job slots run by this process",
                   ["job", "outcome"])


def watch_engine(engine: sa.Engine, database: str) -> None:
    """Count `engine`'s statements and connections in use under the label `database`."""
    statements = STATEMENTS.labels(database)
    checked_out = POOL_CHECKED_OUT.labels(database)
    size = getattr(engine.pool, "size", None)
    if callable(size):
        POOL_SIZE.labels(database).set(size())

    @event.listens_for(engine, "before_cursor_execute")
    def _statement(*_args):
        statements.inc()

    @event.listens_for(engine, "checkout")
    def _checkout(*_args):
        checked_out.inc()

    @event.listens_for(engine, "checkin")
    def _checkin(*_args):
        checked_out.dec()


def _endpoint() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else "<unmatched>"


def _observe(response: Response) -> Response:
    started = g.get("request_started")
    endpoint = _endpoint()
    REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
    if started is not None:
        DURATION.labels(request.method, endpoint).observe(time.perf_counter() - started)
    return response


@lru_cache(maxsize=16)
def _networks(allowed: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(item, strict=False) for item in allowed)


def _inside(address: str | None, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in networks)


def may_read_metrics() -> bool:
    """Both the direct peer and the client ProxyFix believes in (when app.trusted_proxies > 0)
    must be inside `metrics.allowed_networks`: a request relayed by nginx from outside is
    refused, and so is one that reaches the app server directly from outside with a forged
    X-Forwarded-For."""
    networks = _networks(tuple(current_app.config["METRICS_ALLOWED_NETWORKS"]))
    original = request.environ.get("werkzeug.proxy_fix.orig", {})
    peer = original.get("REMOTE_ADDR", request.remote_addr)
    return _inside(peer, networks) and _inside(request.remote_addr, networks)


class _ScrapeTime:
    """What is read from the database when /metrics is read: the outbox's pending messages."""

    def collect(self):
        from server.extensions import db
        from server.notices.models import OutboxStatus, SubscribeOutbox

        backlog = GaugeMetricFamily("party_outbox_backlog",
                                    "Subscribe messages waiting in the outbox")
        try:
            pending = db.session.scalar(
                sa.select(sa.func.count()).select_from(SubscribeOutbox)
                .where(SubscribeOutbox.status == OutboxStatus.PENDING.value))
        except sa.exc.SQLAlchemyError:  # the database out or not migrated: /readyz says which
            db.session.rollback()
            return
        backlog.add_metric([], pending or 0)
        yield backlog


def exposition() -> tuple[bytes, str]:
    """The text of /metrics: every worker's counters (or this process's), then the scrape-time
    gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(_ScrapeTime())
    return generate_latest(registry) + generate_latest(scrape), CONTENT_TYPE


def serve_scheduler_metrics(port: int, address: str) -> None:
    """The scheduler process's own /metrics (party_job_runs_total …) on `address:port`; its
    runs are not the app servers' to count. Port 0: not served."""
    if port > 0:
        start_http_server(port, addr=address)
        log.info("scheduler metrics on http://%s:%d/metrics", address, port)


def init_metrics(app: Flask) -> None:
    app.after_request(_observe)
