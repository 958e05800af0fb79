"""Several gunicorn workers: /metrics adds up every worker's counts, whichever worker answers
(prometheus_client's multiprocess mode, set up as deploy/gunicorn.conf.py does)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from server.extensions import db
from tests.deploy.conftest import closed_port

GUNICORN_CONF = '''
import os
os.environ["PROMETHEUS_MULTIPROC_DIR"] = {folder!r}

def child_exit(server, worker):
    from prometheus_client import multiprocess
    multiprocess.mark_process_dead(worker.pid)
'''
LINE = 'party_http_requests_total{endpoint="/healthz",method="GET",status="200"}'


def _count(text: str) -> float:
    for line in text.splitlines():
        if line.startswith(LINE + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@pytest.fixture
def two_workers(tmp_path: Path, _schema):
    database = tmp_path / "party.sqlite3"
    engine = sa.create_engine(f"sqlite:///{database}")
    db.metadata.create_all(engine)
    engine.dispose()
    folder = tmp_path / "prometheus"
    folder.mkdir()
    conf = tmp_path / "gunicorn.conf.py"
    conf.write_text(GUNICORN_CONF.format(folder=str(folder)))
    port = closed_port()
    env = {**os.environ, "PARTY_APP_ENV": "test", "PARTY_DATABASE_URL": f"sqlite:///{database}",
           "PARTY_RATELIMIT_ENABLED": "false"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(conf), "-w", "2", "-b",
         f"127.0.0.1:{port}", "server:create_app()"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(base + "/healthz", timeout=10)
            break
        except requests.RequestException:
            time.sleep(0.2)
    yield base, folder
    server.terminate()
    server.wait(timeout=30)


def test_every_workers_requests_are_counted_whoever_answers(two_workers):
    base, folder = two_workers
    before = _count(requests.get(base + "/metrics", timeout=5).text)
    for _ in range(20):
        with requests.Session() as fresh:  # a new connection each time: any worker may take it
            assert fresh.get(base + "/healthz", timeout=5).status_code == 200
    answers = {_count(requests.get(base + "/metrics", timeout=5).text) for _ in range(6)}
    assert answers == {before + 20}
    assert any(folder.glob("counter_*.db"))
