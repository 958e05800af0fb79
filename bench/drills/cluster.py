"""The processes a drill starts and breaks: its own PostgreSQL (initdb into a temporary folder,
own port), gunicorn with 2 workers, the scheduler, the stand-in WeChat API behind a small
loopback proxy that can hold every answer back. Every process is ended by `Cluster.close`."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bench.burst import gunicorn_args
from bench.common import (
    VENV_BIN,
    children,
    free_port,
    log,
    production_env,
    start,
    stop,
    wait_for_port,
)


def _pg_bin(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(
        f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if not found:
        raise RuntimeError(f"{name} not found (PATH, /usr/lib/postgresql/*/bin)")
    return found


class OwnPostgres:
    """A PostgreSQL instance of the drill's own, so stopping it touches nobody else's database.
    initdb refuses root: as root it runs as the `postgres` user."""

    def __init__(self, work_dir: Path):
        self.dir = work_dir / "pgdata"
        self.port = free_port()
        self.log = work_dir / "postgres.log"
        self.user = None
        if os.geteuid() == 0:
            self.user = "postgres"
            pwd.getpwnam(self.user)  # KeyError: no such user
        work_dir.chmod(0o777)

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = list(args)
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def init(self) -> None:
        self._run(_pg_bin("initdb"), "-D", str(self.dir), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--no-sync")
        with open(self.dir / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.dir}'\nfsync = off\n"
                       "max_connections = 100\nshared_buffers = 64MB\n")
        self.start()
        self._run(_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
                  "postgres", "drills")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/drills"

    def start(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.dir), "-l", str(self.log), "-w", "-t",
                  "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.dir), "-m", mode, "-w", "-t", "60",
                  "stop", check=False)

    def connections(self) -> int:
        from bench.common import connect

        with connect(self.url) as conn:
            return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                "'drills'").fetchone()[0] - 1


class HoldingProxy:
    """A TCP proxy on loopback in front of the stand-in: `delay` seconds before each new
    connection is passed on (the stand-in "answering after 10 s"); when the stand-in is
    stopped, the connection is refused upstream and closed."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.port = free_port()
        self.delay = 0.0
        self._sock = socket.create_server(("127.0.0.1", self.port), backlog=256)
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        if self.delay:
            time.sleep(self.delay)
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)

        def pump(src: socket.socket, dst: socket.socket) -> None:
            try:
                while data := src.recv(65536):
                    if self.delay:
                        time.sleep(self.delay)
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for s in (src, dst):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        threading.Thread(target=pump, args=(upstream, client), daemon=True).start()
        pump(client, upstream)

    def close(self) -> None:
        self._closed = True
        self._sock.close()


class Cluster:
    """gunicorn (2 sync workers), the scheduler and the stand-in, against `OwnPostgres`."""

    def __init__(self, work_dir: Path, database_url: str, **env: str):
        self.work_dir = work_dir
        self.database_url = database_url
        self.standin_port = free_port()
        self.proxy = HoldingProxy(self.standin_port)
        self.standin_url = f"http://127.0.0.1:{self.standin_port}/"
        self.wechat_url = f"http://127.0.0.1:{self.proxy.port}/"
        self.env = production_env(database_url, self.wechat_url, **env)
        self.app_port = free_port()
        self.base = f"http://127.0.0.1:{self.app_port}"
        self.gunicorn: subprocess.Popen | None = None
        self.schedulers: list[subprocess.Popen] = []
        self._started = 0  # schedulers started so far (each logs to a file of its own)
        self.others: list[subprocess.Popen] = []
        self.standin: subprocess.Popen | None = None

    def start_standin(self) -> None:
        env = dict(self.env, PARTY_WECHAT_API_BASE_URL=self.standin_url)
        self.standin = start([str(VENV_BIN / "flask"), "--app", "server", "wechat-standin",
                              "--port", str(self.standin_port)], env,
                             self.work_dir / "standin.log")
        wait_for_port(self.standin_port)

    def stop_standin(self) -> None:
        if self.standin is not None:
            stop(self.standin)
            self.standin = None

    def start_gunicorn(self) -> None:
        self.gunicorn = self._gunicorn(self.app_port, self.env, "gunicorn")

    def start_other_gunicorn(self, **env: str) -> tuple[subprocess.Popen, str]:
        """A second gunicorn with other settings (its own port), stopped by `close`."""
        port = free_port()
        process = self._gunicorn(port, dict(self.env, **env), "gunicorn-other")
        self.others.append(process)
        return process, f"http://127.0.0.1:{port}"

    def _gunicorn(self, port: int, env: dict, name: str) -> subprocess.Popen:
        args = gunicorn_args("server:create_app()", port, 2, "sync", 1,
                             self.work_dir / f"{name}-access.log")
        # the worker's pid in each access line: which worker served (the replacement too)
        args[args.index("%(s)s %(D)s")] = "%(s)s %(D)s %(p)s"
        process = start(args, env, self.work_dir / f"{name}.log")
        wait_for_port(port, 60)
        base = f"http://127.0.0.1:{port}"
        # forked is not booted: wait until both workers have loaded the app and answer
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with ThreadPoolExecutor(2) as pool:
                answers = list(pool.map(self._healthy, [base, base]))
            if all(answers):
                return process
            time.sleep(0.5)
        raise RuntimeError("gunicorn's workers did not answer /healthz within 120 s")

    def _healthy(self, base: str) -> bool:
        started = time.monotonic()
        try:
            ok = httpx.get(f"{base}/healthz", timeout=30).status_code == 200
        except httpx.HTTPError:
            return False
        return ok and time.monotonic() - started < 1.0

    @property
    def access_log(self) -> Path:
        return self.work_dir / "gunicorn-access.log"

    def served_by(self) -> dict[int, int]:
        """Requests answered per worker pid (from the access log)."""
        out: dict[int, int] = {}
        for line in self.access_log.read_text().splitlines():
            parts = line.split()
            if len(parts) == 3:
                pid = int(parts[2].strip("<>"))
                out[pid] = out.get(pid, 0) + 1
        return out

    def workers(self) -> list[int]:
        return children(self.gunicorn.pid) if self.gunicorn else []

    def start_scheduler(self, **env: str) -> subprocess.Popen:
        process = start([str(VENV_BIN / "flask"), "--app", "server", "scheduler"],
                        dict(self.env, **env),
                        self.work_dir / f"scheduler-{self._started}.log")
        self._started += 1
        self.schedulers.append(process)
        return process

    def kill_worker(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)

    def close(self) -> None:
        for process in [*self.schedulers, *self.others, self.gunicorn, self.standin]:
            if process is not None:
                try:
                    stop(process)
                except Exception as error:  # noqa: BLE001 - keep ending the others
                    log(f"could not stop {process.pid}: {error}")
        self.proxy.close()
