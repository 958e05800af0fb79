"""Swagger UI without the internet: its files served by the app itself."""

from __future__ import annotations

from flask import Blueprint, send_from_directory

SWAGGER_ASSETS = "/api/docs/assets/"


def swagger_ui_assets() -> Blueprint:
    """Swagger UI's files, from the swagger-ui-bundle package: many community and government
    networks cannot reach a CDN."""
    from swagger_ui_bundle import swagger_ui_path

    assets = Blueprint("swagger_ui_assets", __name__)

    @assets.route(SWAGGER_ASSETS + "<path:filename>")
    def asset(filename: str):
        return send_from_directory(swagger_ui_path, filename, max_age=86400)

    return assets

