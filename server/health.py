"""/healthz: is the service up and can it reach its database."""

from __future__ import annotations

import sqlalchemy as sa
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from server.database import dialect_name
from server.extensions import db

blp = Blueprint("health", __name__, description="运行状态")


class HealthSchema(Schema):
    status = fields.String()
    database = fields.String()
    dialect = fields.String()


@blp.route("/healthz")
@blp.doc(security=[{}])
@blp.response(200, HealthSchema)
@blp.alt_response(503, schema=HealthSchema)
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return {"status": "degraded", "database": "unreachable",
                "dialect": dialect_name()}, 503
    return {"status": "ok", "database": "ok", "dialect": dialect_name()}
