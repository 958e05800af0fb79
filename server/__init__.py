"""The app factory: settings, extensions, blueprints, error handlers, CLI."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, ValidationError

from server import apidoc, console_static, database, metrics, replica
from server.apidoc import SWAGGER_ASSETS
from server.config import load_settings
from server.errors import register_error_handlers
from server.extensions import api, db, limiter, migrate
from server.guards import init_request_guards
from server.headers import init_security_headers
from server.idempotency import init_request_transactions
from server.requestlog import configure_logging, init_request_log
from server.routing import BuilderOnceRule
from server.schemas import MAX_ID
from server.unavailable import init_database_unavailable


class DatabaseIntConverter(IntegerConverter):
    """<int:…> in URLs: ids a database integer can hold; anything larger is simply not found."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)

    def to_python(self, value: str) -> int:
        try:
            return super().to_python(value)
        except ValidationError:
            # a plain "no match" would let the router answer 405 from a sibling rule with
            # another method (GET /activities/<huge> matched PATCH /activities/<int>)
            raise NotFound() from None


API_SPEC = {
    "API_TITLE": "在职党员社区服务 API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "/docs",
    # Swagger UI's files are served by the app itself (server.apidoc): no CDN needed
    "OPENAPI_SWAGGER_UI_URL": SWAGGER_ASSETS,
    "API_SPEC_OPTIONS": {
        "security": [{"bearerAuth": []}],
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
            }
        },
    },
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.url_rule_class = BuilderOnceRule
    app.url_map.converters["int"] = DatabaseIntConverter
    settings = load_settings(config)
    app.config.update(settings)
    app.config.update(API_SPEC)
    app.config.update(
        SECRET_KEY=settings["APP_SECRET_KEY"],
        SQLALCHEMY_DATABASE_URI=settings["DATABASE_URL"],
        SQLALCHEMY_ENGINE_OPTIONS=database.engine_options(settings["DATABASE_URL"], settings),
        RATELIMIT_STORAGE_URI=settings["RATELIMIT_STORAGE_URI"],
        RATELIMIT_HEADERS_ENABLED=True,
        # Redis (the shared store) down: count in each process's memory until it is back,
        # rather than answer every rate-limited request with a 500 (bench/drills, drill 5)
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        MAX_CONTENT_LENGTH=settings["APP_MAX_BODY_BYTES"],
        JSON_AS_ASCII=False,
    )
    app.json.ensure_ascii = False
    configure_logging(settings["APP_LOG_FORMAT"])
    _trust_proxies(app, settings["APP_TRUSTED_PROXIES"])
    init_request_log(app)  # first: its id is in every later hook's log lines
    metrics.init_metrics(app)

    db.init_app(app)
    _watch_databases(app, settings)
    migrate.init_app(app, db, directory=settings["DATABASE_MIGRATIONS_DIR"])
    limiter.init_app(app)
    api.init_app(app)
    apidoc.prepare(api)
    register_error_handlers(app)
    init_request_guards(app)
    init_request_transactions(app)
    init_database_unavailable(app)
    init_security_headers(app)
    _register_blueprints()
    _connect_receivers()
    console_static.init_app(app)
    _register_member_rights(app)
    apidoc.complete(app, api)
    app.register_blueprint(apidoc.swagger_ui_assets())
    _register_cli(app)
    return app


def _trust_proxies(app: Flask, count: int) -> None:
    """Behind `count` proxies (nginx), X-Forwarded-For/-Proto/-Host of that many hops are
    believed: request.remote_addr (rate limits, logs, /metrics) is the real client."""
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def _watch_databases(app: Flask, settings: dict[str, Any]) -> None:
    """The replica's engine, and both engines' statements and pools counted for /metrics.
    Before the request transactions: read-your-writes marks are set after the commit."""
    replica.init_replica(app, settings)
    with app.app_context():
        metrics.watch_engine(db.engine, "primary")
        database.fold_transaction_edges(db.engine)
    if replica.replica_of(app) is not None:
        metrics.watch_engine(replica.replica_of(app).engine, "replica")


def _connect_receivers() -> None:
    # imported here, like the blueprints (the receivers are the areas')
    from server.receivers import connect_receivers

    connect_receivers()


def _register_blueprints() -> None:
    # imported here: the areas import this package's extensions, so not while it initialises
    from server import health
    from server.activities import records_routes as hours_records
    from server.activities import routes as activities
    from server.audit import routes as audit
    from server.auth import routes as auth
    from server.boards import routes as boards
    from server.console import routes as console
    from server.desk import routes as desk
    from server.desk import staff_routes as desk_staff
    from server.feedback_sheets import routes as feedback_sheets
    from server.imports import routes as imports
    from server.members import routes as members
    from server.notices import routes as notices
    from server.places import routes as places
    from server.pledges import party_day_routes as party_day
    from server.pledges import routes as pledges
    from server.points import routes as points
    from server.statistics import routes as statistics

    for module in (health, auth, members, activities, hours_records, points, pledges, party_day,
                   notices, console, places, imports, audit, desk, desk_staff, feedback_sheets,
                   statistics, boards):
        api.register_blueprint(module.blp)
    api.register_blueprint(feedback_sheets.appraisal_blp)


def _register_member_rights(app: Flask) -> None:
    """Certificates and personal information (issue 18), and the public verification page."""
    from server.certificates import routes as certificates
    from server.privacy import routes as privacy

    api.register_blueprint(certificates.blp)
    api.register_blueprint(privacy.blp)
    app.register_blueprint(certificates.page)


def _register_cli(app: Flask) -> None:
    # imported here, like the blueprints (the commands import the areas)
    from server.cli import register

    register(app)
