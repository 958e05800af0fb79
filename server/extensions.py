"""Extensions, created here and bound to the app in the factory."""

from __future__ import annotations

import marshmallow as ma
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_smorest import Api, Blueprint
from flask_smorest.spec import openapi_cli
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase
from webargs.flaskparser import FlaskParser

from server.errors import handle_http_exception
from server.routing_session import RoutingSession

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class JsonErrorApi(Api):
    """flask-smorest, with our error shape instead of its own, and the OpenAPI document written
    once per process: it is the code's (server/apidoc/), the same for every app of the same API
    settings, and writing it was most of the cost of an app (the tests build one per test)."""

    # API settings -> the finished document (the spec and its two plugins)
    _finished: dict[str, tuple] = {}
    document_reused = False

    def handle_http_exception(self, error):
        return handle_http_exception(error)

    def _settings_key(self) -> str:
        prefixes = (f"{self.config_prefix}API_", f"{self.config_prefix}OPENAPI_")
        return repr((sorted((key, repr(value)) for key, value in self._app.config.items()
                            if key.startswith(prefixes)), repr(self._spec_kwargs)))

    def _init_spec(self, **kwargs):
        finished = self._finished.get(self._settings_key())
        self.document_reused = finished is not None
        if finished is None:
            super()._init_spec(**kwargs)
            return
        self.spec, self.flask_plugin, self.ma_plugin = finished
        self._app.cli.add_command(openapi_cli)

    def register_blueprint(self, blp, *, parameters=None, **options):
        if not self.document_reused:
            super().register_blueprint(blp, parameters=parameters, **options)
            return
        # flask-smorest's own registration, without writing the blueprint into the document
        by_name = self._app.extensions["flask-smorest"]["blp_name_to_api"]
        by_name[options.get("name", blp.name)] = self
        self._app.register_blueprint(blp, **options)

    def keep_document(self) -> None:
        """The document is finished (server/apidoc): later apps of the same settings reuse it."""
        self._finished[self._settings_key()] = (self.spec, self.flask_plugin, self.ma_plugin)


class DeclaredLimiter(Limiter):
    """Flask-Limiter, whose check before every request is skipped when nothing applies to every
    request: this app declares its limits on the views that have them (`@limiter.limit`), and
    those are checked by the decorator itself, exactly as before. Resolving an endpoint's limits
    before each request cost 3 % of a clock-in, which has none. Should default, application,
    meta, blueprint or fallback limits ever be configured, every request is checked again."""

    def _limits_every_request(self) -> bool:
        manager = self.limit_manager
        return bool(manager.default_limits or manager.application_limits
                    or getattr(manager, "_blueprint_limits", True)
                    or getattr(self, "_meta_limits", True)
                    or getattr(self, "_in_memory_fallback", True))

    def _check_request_limit(self, callable_name=None, in_middleware=True):
        if in_middleware and callable_name is None and not self._limits_every_request():
            return
        super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)


class SchemaOnceParser(FlaskParser):
    """webargs makes a new instance of an arguments schema for every request when given its class
    (flask-smorest passes the class): 2½ % of a clock-in. Loading keeps no state in the instance
    (flask-smorest's response schemas are shared the same way), so one instance per class."""

    _instances: dict[type, ma.Schema] = {}

    def _get_schema(self, argmap, req):
        if isinstance(argmap, type) and issubclass(argmap, ma.Schema):
            schema = self._instances.get(argmap)
            if schema is None:
                schema = self._instances[argmap] = argmap()
            return schema
        return super()._get_schema(argmap, req)


# every flask-smorest Blueprint parses with it (its documented hook); set before the areas'
# routes are imported, which bind the parser when they are decorated
Blueprint.ARGUMENTS_PARSER = SchemaOnceParser()

db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})
migrate = Migrate(compare_type=True, render_as_batch=True)
api = JsonErrorApi()
limiter = DeclaredLimiter(key_func=get_remote_address, default_limits=[])
