"""The built web console (console/dist) at /console/: assets cached for good, index.html never."""

from __future__ import annotations

import mimetypes
from pathlib import Path

import click
from flask import Blueprint, Flask, Response, current_app, redirect, request, send_from_directory
from werkzeug.security import safe_join

from server import console_build
from server.errors import AppError

blp = Blueprint("console_static", __name__)

# Vite puts a content hash in every asset's name, so a name never changes meaning
ASSET_MAX_AGE = 365 * 24 * 3600


def dist_dir() -> Path:
    """console/dist, or the setting CONSOLE_DIST_DIR (PARTY_CONSOLE_DIST_DIR) for a build kept
    elsewhere."""
    return Path(current_app.config.get("CONSOLE_DIST_DIR") or console_build.DIST_DIR)


def _public_file(dist: Path, path: str) -> bool:
    # dist/.vite holds the build's manifest: for the build tools, not for browsers
    if not path or any(part.startswith(".") for part in path.split("/")):
        return False
    found = safe_join(str(dist), path)
    return found is not None and Path(found).is_file()


def _asset(dist: Path, path: str) -> Response:
    """A hashed asset, cached for good; gzip-compressed from the build's .gz beside it
    (console/vite.config.js makes them) when the browser accepts it."""
    packed = f"{path}.gz"
    if "gzip" in request.accept_encodings and _public_file(dist, packed):
        response = send_from_directory(
            dist, packed, max_age=ASSET_MAX_AGE,
            mimetype=mimetypes.guess_type(path)[0] or "application/octet-stream")
        response.content_encoding = "gzip"
    else:
        response = send_from_directory(dist, path, max_age=ASSET_MAX_AGE)
    response.vary.add("Accept-Encoding")
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


@blp.get("/console")
def console_root() -> Response:
    return redirect("/console/", code=308)


@blp.get("/console/", defaults={"path": ""})
@blp.get("/console/<path:path>")
def console_file(path: str) -> Response:
    dist = dist_dir()
    if path.startswith("assets/") and _public_file(dist, path):
        return _asset(dist, path)
    if path.startswith("assets/"):
        # an old page asking for an asset of a previous build: a clear 404, never index.html
        raise AppError(404, "not_found", "管理后台已更新，请刷新页面")
    if _public_file(dist, path):
        return send_from_directory(dist, path, max_age=3600)
    # any other path is one of the console's own routes (/console/org …): the app decides
    if not (dist / "index.html").is_file():
        raise AppError(
            503,
            "console_not_built",
            "管理后台尚未构建：请运行 flask --app server console build",
        )
    response = send_from_directory(dist, "index.html", max_age=0, etag=False)
    response.headers["Cache-Control"] = "no-store"
    return response


@click.group("console")
def console_group():
    """The web console (console/): build it for production."""


@console_group.command("build")
def console_build_command():
    """npm ci and npm run build in console/ (needs Node 20): the app then serves /console/."""
    if not console_build.build(click.echo, force=True):
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.register_blueprint(blp)
    app.cli.add_command(console_group)
