"""The processes deploy/try-local starts, each on loopback, in its own temporary folder and on
its own port (18200-18299): a PostgreSQL primary and a streaming replica (initdb; as root they
run as the postgres user), the stand-in WeChat API, app servers (gunicorn with
deploy/gunicorn.conf.py), schedulers, nginx with deploy/nginx/party.conf.template. Everything
started is recorded and ended by `Topology.close`; nothing else is touched."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

DEPLOY = Path(__file__).resolve().parent
ROOT = DEPLOY.parent
sys.path.insert(0, str(ROOT))

from bench.common import wait_for_port  # noqa: E402 - after the path is set
from bench.drills.cluster import _pg_bin  # noqa: E402

VENV_BIN = Path(sys.executable).parent
NGINX_VARIABLES = ("PARTY_SERVER_NAME", "PARTY_LISTEN_HTTPS", "PARTY_LISTEN_HTTP",
                   "PARTY_TLS_CERTIFICATE", "PARTY_TLS_CERTIFICATE_KEY", "PARTY_APP_SERVERS",
                   "PARTY_CONSOLE_DIST", "PARTY_MAX_BODY_BYTES", "PARTY_LOG_DIR")


def render_nginx(template: str, values: dict[str, str]) -> str:
    """What `envsubst '$PARTY_…'` makes of the template: only the kit's names replaced."""
    for name in NGINX_VARIABLES:
        template = template.replace("${" + name + "}", values[name])
    if any("${PARTY_" in line.split("#", 1)[0] for line in template.splitlines()):
        raise ValueError("a ${PARTY_…} placeholder of the nginx template has no value")
    return template


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, good for two days."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True,
                   capture_output=True, timeout=60)
    return cert, key


def nginx_files(folder: Path, cert: Path, key: Path, app_servers: list[str], console_dist: Path,
                max_body: int, http_port: int, https_port: int) -> list[str]:
    """The kit's site rendered for loopback, and a main nginx.conf of our own around it (pid,
    logs and temporary files in `folder`); returns nginx's command line without -t/-g."""
    servers = "\n    ".join(f"server {a} max_fails=1 fail_timeout=10s;" for a in app_servers)
    site = render_nginx((DEPLOY / "nginx" / "party.conf.template").read_text(), {
        "PARTY_SERVER_NAME": "localhost 127.0.0.1",
        "PARTY_LISTEN_HTTPS": f"127.0.0.1:{https_port}",
        "PARTY_LISTEN_HTTP": f"127.0.0.1:{http_port}",
        "PARTY_TLS_CERTIFICATE": str(cert), "PARTY_TLS_CERTIFICATE_KEY": str(key),
        "PARTY_APP_SERVERS": servers, "PARTY_CONSOLE_DIST": str(console_dist),
        "PARTY_MAX_BODY_BYTES": str(max_body), "PARTY_LOG_DIR": str(folder),
    })
    (folder / "party.conf").write_text(site)
    user = "user www-data;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(f"    {kind}_temp_path {folder / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (folder / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\nevents {{ worker_connections 1024; }}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n"
        f"    default_type application/octet-stream;\n    access_log off;\n{temp}\n"
        f"    include {folder / 'party.conf'};\n}}\n")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    return [nginx, "-p", str(folder), "-e", str(folder / "error.log"), "-c",
            str(folder / "nginx.conf")]


class Postgres:
    """One PostgreSQL instance of our own (its folder, its port). initdb refuses root: as
    root every server command runs as the postgres user."""

    def __init__(self, work: Path, name: str, port: int):
        self.name, self.port = name, port
        self.dir = work / name
        self.log = work / f"{name}.log"
        self.socket_dir = work
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            pwd.getpwnam(self.user)
        self.started = False

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = list(args)
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=180)
        if check and done.returncode:
            raise RuntimeError(f"{' '.join(args[:2])}: {done.stderr.strip() or done.stdout}")
        return done

    def configure(self, kit_file: str, extra: str = "") -> None:
        """The kit's snippet, then what makes it ours: loopback, our port, small and fast."""
        with open(self.dir / "postgresql.conf", "a") as conf:
            conf.write(f"\ninclude '{DEPLOY / 'postgresql' / kit_file}'\n"
                       f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.socket_dir}'\n"
                       "max_connections = 80\nshared_buffers = 64MB\nfsync = off\n"
                       "synchronous_commit = off\nlog_min_duration_statement = -1\n" + extra)

    def init_primary(self) -> None:
        self.run(_pg_bin("initdb"), "-D", str(self.dir), "-A", "trust", "-U", "postgres",
                 "-E", "UTF8", "--no-sync")
        self.configure("primary.conf")
        self.start()

    def init_replica(self, primary: Postgres, slot: str) -> None:
        # the replica as the kit makes it: pg_basebackup -R (standby.signal, primary_conninfo)
        # through a replication slot (-C -S), as the replication user
        self.run(_pg_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port),
                 "-U", "replicator", "-D", str(self.dir), "-R", "-X", "stream", "-C", "-S", slot,
                 "--checkpoint=fast", "--no-sync")
        self.configure("replica.conf")
        self.start()

    def start(self) -> None:
        self.run(_pg_bin("pg_ctl"), "-D", str(self.dir), "-l", str(self.log), "-w", "-t", "60",
                 "start")
        self.started = True

    def stop(self) -> None:
        if self.started:
            self.run(_pg_bin("pg_ctl"), "-D", str(self.dir), "-m", "fast", "-w", "-t", "60",
                     "stop", check=False)
            self.started = False

    def url(self, database: str = "party", user: str = "party",
            driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://{user}@127.0.0.1:{self.port}/{database}"

    def pid(self) -> int | None:
        try:
            return int((self.dir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None


class Topology:
    def __init__(self, work: Path, base_port: int):
        self.work = work
        self.ports = {
            "primary": base_port + 1, "replica": base_port + 2, "standin": base_port + 10,
            "app-1": base_port + 21, "app-2": base_port + 22,
            "scheduler-1": base_port + 31, "scheduler-2": base_port + 32,
            "restored-base": base_port + 3,
            "nginx-http": base_port + 80, "nginx-https": base_port + 43,
        }
        self.primary = Postgres(work, "primary", self.ports["primary"])
        self.replica = Postgres(work, "replica", self.ports["replica"])
        self.restored_base: Postgres | None = None
        self.processes: dict[str, subprocess.Popen] = {}
        self.env: dict[str, str] = {}

    def check_ports(self) -> None:
        taken = [f"{name} {port}" for name, port in self.ports.items() if not port_free(port)]
        if taken:
            raise RuntimeError(f"ports in use (another try-local running?): {', '.join(taken)}")

    # -- processes ---------------------------------------------------------------------------

    def start(self, name: str, args: list[str], env: dict | None = None) -> subprocess.Popen:
        out = open(self.work / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(args, env=env or self.env, cwd=ROOT, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.processes[name] = process
        return process

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 40.0) -> float:
        """End one process we started (and its children); seconds it took."""
        process = self.processes.get(name)
        started = time.monotonic()
        if process is None or process.poll() is not None:
            return 0.0
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
        return time.monotonic() - started

    def wait_for_line(self, name: str, text: str, process: subprocess.Popen,
                      timeout: float = 300.0) -> None:
        """Until a process we started writes `text` in its log."""
        deadline, log = time.monotonic() + timeout, self.work / f"{name}.log"
        while time.monotonic() < deadline:
            if text in log.read_text(errors="replace"):
                return
            if process.poll() is not None:
                raise RuntimeError(f"{name} ended ({process.returncode}): see {log}")
            time.sleep(0.2)
        raise RuntimeError(f"{name}: no '{text}' after {timeout:.0f} s")

    def flask(self, *args: str) -> subprocess.CompletedProcess:
        done = subprocess.run([str(VENV_BIN / "flask"), "--app", "server", *args], env=self.env,
                              cwd=ROOT, capture_output=True, text=True, timeout=300)
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(args)}: {done.stderr[-2000:]}")
        return done

    def start_app_server(self, name: str, workers: int) -> None:
        port = self.ports[name]
        runtime = self.work / name
        runtime.mkdir(exist_ok=True)
        env = dict(self.env, PARTY_GUNICORN_BIND=f"127.0.0.1:{port}",
                   PARTY_GUNICORN_WORKERS=str(workers), PARTY_RUNTIME_DIR=str(runtime),
                   PARTY_GUNICORN_ACCESS_LOG=str(self.work / f"{name}-access.log"))
        self.start(name, [str(VENV_BIN / "gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py"),
                          "server:create_app()"], env)

    def wait_ready(self, name: str, timeout: float = 120.0) -> str:
        """Until the app server answers /readyz (or /healthz, for an app without /readyz)
        with 200 twice in a row (both workers up); returns which one answered."""
        base = f"http://127.0.0.1:{self.ports[name]}"
        deadline, good = time.monotonic() + timeout, 0
        path = "/readyz"
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                raise RuntimeError(f"{name} exited: see {self.work / (name + '.log')}")
            try:
                status = httpx.get(base + path, timeout=10).status_code
            except httpx.HTTPError:
                status = 0
            if status == 404 and path == "/readyz":
                path = "/healthz"  # this app version has no readiness check
                continue
            good = good + 1 if status == 200 else 0
            if good >= 2:
                return path
            time.sleep(0.3)
        raise RuntimeError(f"{name} not ready ({path}) after {timeout:.0f} s")

    def first_answer(self, name: str, path: str, timeout: float = 120.0) -> tuple[int, str]:
        """The first HTTP answer of a booting app server (whatever its status)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"http://127.0.0.1:{self.ports[name]}{path}", timeout=10)
                return response.status_code, response.text
            except httpx.HTTPError:
                time.sleep(0.3)
        raise RuntimeError(f"{name} did not answer {path} within {timeout:.0f} s")

    def start_nginx(self, console_dist: Path, max_body: int) -> None:
        folder = self.work / "nginx"
        folder.mkdir()
        cert, key = make_certificate(folder)
        self.nginx_inputs = (folder, cert, key, console_dist, max_body)
        args = self.render_nginx_site()
        check = subprocess.run([*args, "-t"], capture_output=True, text=True, timeout=30)
        if check.returncode:
            raise RuntimeError(f"nginx -t: {check.stderr}")
        self.start("nginx", [*args, "-g", "daemon off;"])
        wait_for_port(self.ports["nginx-https"], timeout=60)
        self.cert = cert

    def render_nginx_site(self, down: str | None = None) -> list[str]:
        folder, cert, key, console_dist, max_body = self.nginx_inputs
        servers = [f"127.0.0.1:{self.ports[n]}" + (" down" if n == down else "")
                   for n in ("app-1", "app-2")]
        return nginx_files(folder, cert, key, servers, console_dist, max_body,
                           self.ports["nginx-http"], self.ports["nginx-https"])

    def drain(self, name: str | None) -> None:
        """The README's way to take an app server out of nginx: `down` on its server line and
        nginx reloaded (SIGHUP); None puts every server back."""
        self.render_nginx_site(down=name)
        os.kill(self.processes["nginx"].pid, signal.SIGHUP)
        time.sleep(1.5)  # nginx's new workers take over; the old ones finish their requests

    @property
    def nginx_access_log(self) -> Path:
        return self.work / "nginx" / "party-access.log"

    def pids(self) -> dict[str, int | None]:
        out = {name: p.pid for name, p in self.processes.items() if p.poll() is None}
        out["primary"], out["replica"] = self.primary.pid(), self.replica.pid()
        return out

    def close(self) -> None:
        for name in ["nginx", *[n for n in self.processes if n != "nginx"]]:
            try:
                self.stop(name, timeout=20)
            except Exception as error:  # noqa: BLE001 - keep ending the others
                print(f"could not stop {name}: {error}", file=sys.stderr)
        for server in (self.restored_base, self.replica, self.primary):
            if server is not None:
                server.stop()
