"""/healthz: is the service up and can it reach its database."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from server.database import database_reachable, dialect_name

blp = Blueprint("health", __name__, description="运行状态")


class HealthSchema(Schema):
    status = fields.String()
    database = fields.String()
    dialect = fields.String()


@blp.get("/healthz")
@blp.doc(security=[{}])
@blp.response(200, HealthSchema)
@blp.alt_response(503, schema=HealthSchema)
def healthz():
    """运行状态

    服务是否在运行、能否连上数据库；连不上时返回 503。
    """
    if not database_reachable():
        return {"status": "degraded", "database": "unreachable", "dialect": dialect_name()}, 503
    return {"status": "ok", "database": "ok", "dialect": dialect_name()}
