"""Serving the built console at /console/, and knowing when the build is stale (no browser)."""

from __future__ import annotations

import gzip
import os

import pytest

from server import console_build


@pytest.fixture
def dist(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text('<script type="module" src="/console/assets/index-abc.js">'
                                         "</script>", encoding="utf-8")
    (tmp_path / "assets" / "index-abc.js").write_text("console.log(1)", encoding="utf-8")
    (tmp_path / "favicon.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / ".vite").mkdir()
    (tmp_path / ".vite" / "manifest.json").write_text("{}", encoding="utf-8")
    return tmp_path


@pytest.fixture
def console_client(app, dist):
    app.config["CONSOLE_DIST_DIR"] = str(dist)
    return app.test_client()


@pytest.mark.parametrize("path", ["/console/", "/console/org", "/console/grants/7"])
def test_every_console_route_answers_the_never_cached_index_page(console_client, path):
    response = console_client.get(path)
    assert response.status_code == 200
    assert b"/console/assets/index-abc.js" in response.data
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_hashed_assets_are_cached_for_a_year_and_never_change(console_client):
    response = console_client.get("/console/assets/index-abc.js")
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_browser_that_accepts_gzip_gets_the_builds_compressed_copy(console_client, dist):
    (dist / "assets" / "index-abc.js.gz").write_bytes(gzip.compress(b"console.log(1)"))

    packed = console_client.get("/console/assets/index-abc.js",
                                headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == b"console.log(1)"
    assert packed.mimetype == "text/javascript"
    assert "immutable" in packed.headers["Cache-Control"]
    assert "Accept-Encoding" in packed.headers["Vary"]

    plain = console_client.get("/console/assets/index-abc.js")
    assert "Content-Encoding" not in plain.headers
    assert plain.data == b"console.log(1)"
    assert "Accept-Encoding" in plain.headers["Vary"]


def test_a_missing_asset_is_a_404_not_the_index_page(console_client):
    response = console_client.get("/console/assets/index-old.js")
    assert response.status_code == 404
    assert response.json["code"] == "not_found"


def test_the_build_manifest_and_paths_outside_the_build_are_not_served(console_client):
    manifest = console_client.get("/console/.vite/manifest.json")
    assert b"index-abc.js" in manifest.data  # the index page, not the manifest
    assert b"[project]" not in console_client.get("/console/..%2f..%2fpyproject.toml").data


def test_the_bare_address_leads_to_the_console(console_client):
    response = console_client.get("/console")
    assert response.status_code == 308 and response.headers["Location"].endswith("/console/")


def test_without_a_build_the_console_says_how_to_build_it(app, client, tmp_path):
    app.config["CONSOLE_DIST_DIR"] = str(tmp_path)
    response = client.get("/console/")
    assert response.status_code == 503
    assert response.json["code"] == "console_not_built"
    assert "flask --app server console build" in response.json["message"]


def test_the_build_is_stale_when_missing_or_older_than_any_source(tmp_path):
    console = tmp_path / "console"
    (console / "src").mkdir(parents=True)
    source = console / "src" / "main.js"
    source.write_text("", encoding="utf-8")
    assert console_build.is_stale(console)

    (console / "dist").mkdir()
    index = console / "dist" / "index.html"
    index.write_text("", encoding="utf-8")
    os.utime(source, (1_000_000, 1_000_000))
    os.utime(index, (2_000_000, 2_000_000))
    assert not console_build.is_stale(console)

    os.utime(source, (3_000_000, 3_000_000))  # a source edited after the build
    assert console_build.is_stale(console)
