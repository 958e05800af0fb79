"""The deployment kit (deploy/) agrees with the app: nginx's site is valid and limits bodies as
the app does, gunicorn gives up before nginx, the environment file holds only real settings
with valid values, the scripts parse. deploy/try-local runs the whole of it (tests/run)."""

from __future__ import annotations

import importlib.util
import os
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from server.config import DEFAULTS, load_settings

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
TEMPLATE = (DEPLOY / "nginx" / "party.conf.template").read_text()
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
# read by deploy/gunicorn.conf.py and the units, not by the app; CONSOLE_DIST_DIR is read with
# a fallback (server/console_static.py), not among the defaults
NOT_APP_SETTINGS = re.compile(r"^PARTY_(GUNICORN_|RUNTIME_DIR$|BACKUP_|CONSOLE_DIST_DIR$)")


def topology_module():
    sys.path.insert(0, str(DEPLOY))
    try:
        spec = importlib.util.spec_from_file_location("try_local_topology",
                                                      DEPLOY / "try_local_topology.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(DEPLOY))


def env_file(name: str) -> dict[str, str]:
    out = {}
    for line in (DEPLOY / name).read_text().splitlines():
        if line and not line.startswith("#"):
            key, value = line.split("=", 1)
            out[key] = value[1:-1] if value[:1] == value[-1:] == "'" else value
    return out


def seconds(directive: str) -> int:
    return int(re.search(rf"^\s*{directive} (\d+)s;", TEMPLATE, re.MULTILINE).group(1))


def test_the_environment_file_names_only_settings_the_app_knows_with_valid_values(monkeypatch):
    env = env_file("party.env.example")
    unknown = [k for k in env if not NOT_APP_SETTINGS.match(k) and k[6:] not in DEFAULTS]
    assert unknown == []
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("PARTY_APP_SECRET_KEY", "x" * 48)  # "change-me" is refused, rightly
    settings = load_settings()
    assert settings["APP_ENV"] == "production"
    assert settings["APP_MAX_BODY_BYTES"] == DEFAULTS["APP_MAX_BODY_BYTES"]


def test_gunicorn_gives_up_before_nginx_and_systemd_waits_for_a_graceful_stop(monkeypatch):
    monkeypatch.setenv("PARTY_GUNICORN_WORKERS", "")
    conf = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert conf["timeout"] < seconds("proxy_read_timeout")
    assert conf["preload_app"] is False
    assert 3 <= conf["workers"] <= 12
    assert conf["max_requests_jitter"] > 0
    unit = (DEPLOY / "systemd" / "party-app@.service").read_text()
    stop = int(re.search(r"^TimeoutStopSec=(\d+)", unit, re.MULTILINE).group(1))
    assert conf["graceful_timeout"] < stop
    assert "deploy/gunicorn.conf.py" in unit


def test_gunicorn_keeps_prometheus_files_per_master(monkeypatch, tmp_path):
    monkeypatch.setenv("PARTY_RUNTIME_DIR", str(tmp_path))
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    conf = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))

    class Server:
        class log:  # noqa: N801 - gunicorn's shape
            @staticmethod
            def info(*_args):
                pass

    conf["on_starting"](Server)
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    assert folder.parent == tmp_path and list(folder.iterdir()) == []
    conf["on_exit"](Server)
    assert not folder.exists()


def test_the_nginx_site_is_valid_and_limits_bodies_as_the_app_does(tmp_path):
    if NGINX is None:
        pytest.skip("nginx is not installed (Debian: apt install nginx)")
    topology = topology_module()
    cert, key = topology.make_certificate(tmp_path)
    args = topology.nginx_files(tmp_path, cert, key, ["127.0.0.1:18298"], tmp_path,
                                DEFAULTS["APP_MAX_BODY_BYTES"], 18296, 18297)
    check = subprocess.run([*args, "-t"], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stderr
    site = (tmp_path / "party.conf").read_text()
    assert f"client_max_body_size {DEFAULTS['APP_MAX_BODY_BYTES']};" in site
    assert "${PARTY_" not in site


def test_the_template_names_its_placeholders_in_the_envsubst_line():
    placeholders = set(re.findall(r"\$\{(PARTY_[A-Z_]+)\}", TEMPLATE))
    topology = topology_module()
    assert placeholders == set(topology.NGINX_VARIABLES)
    readme = (DEPLOY / "README.md").read_text()
    envsubst_line = next(line for line in readme.splitlines() if line.startswith("envsubst"))
    named = {word.strip("'\\") for word in envsubst_line.split()}
    assert {f"${name}" for name in placeholders} <= named


def test_the_nginx_site_limits_the_paths_the_app_serves():
    from server import create_app

    app = create_app({"APP_ENV": "test", "DATABASE_URL": "sqlite://"})
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    clock = {r for r in rules if re.search(r"/clock-(in|out)$", r)}
    assert clock == {"/api/v1/activities/<int:activity_id>/clock-in",
                     "/api/v1/activities/<int:activity_id>/clock-out"}
    assert "location ~ ^/api/v1/activities/[0-9]+/clock-(in|out)$" in TEMPLATE
    assert "/api/v1/auth/login" in rules and "location = /api/v1/auth/login" in TEMPLATE
    assert "/api/v1/console/login-tickets" in rules


@pytest.mark.parametrize("script", ["backup.sh", "restore.sh", "try-local"])
def test_the_scripts_parse(script):
    assert os.access(DEPLOY / script, os.X_OK)
    assert subprocess.run(["bash", "-n", str(DEPLOY / script)]).returncode == 0
