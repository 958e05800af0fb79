"""/healthz (liveness), /readyz (readiness) and /metrics (Prometheus), for the operator."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from server import metrics
from server.database import database_reachable, dialect_name
from server.errors import AppError
from server.readiness import UPGRADE_COMMAND, readiness

blp = Blueprint("health", __name__, description="运行状态")


class HealthSchema(Schema):
    status = fields.String()
    database = fields.String()
    dialect = fields.String()


class ReadySchema(Schema):
    status = fields.String(metadata={"description": "ready"})
    checks = fields.Dict(keys=fields.String(), values=fields.String(),
                         metadata={"description": "每项检查的结果：database、schema、redis"})
    schema = fields.Dict(keys=fields.String(), values=fields.Raw(),
                         metadata={"description": "数据库的迁移版本与代码期望的版本"})


METRICS_BODY = {"type": "string", "description": "Prometheus 文本格式"}


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


@blp.get("/readyz")
@blp.doc(security=[{}])
@blp.response(200, ReadySchema)
def readyz():
    """就绪检查

    数据库可连、Redis 可连（配置了 Redis 时）、数据库结构已升级到代码的迁移版本时返回 200，
    负载均衡据此把请求转给本服务；否则返回 503，details.checks 说明哪项未通过。
    """
    ready, checks, schema = readiness()
    if not ready:
        failed = "、".join(name for name, value in checks.items() if value != "ok")
        hint = f"；请运行 {UPGRADE_COMMAND}" if checks.get("schema") == "not_migrated" else ""
        raise AppError(503, "not_ready", f"服务尚未就绪：{failed} 未通过检查{hint}",
                       {"checks": checks, "schema": schema})
    return {"status": "ready", "checks": checks, "schema": schema}


@blp.get("/metrics")
@blp.doc(security=[{}])
@blp.response(200, METRICS_BODY, content_type="text/plain")
def prometheus_metrics():
    """运行指标

    Prometheus 文本格式的指标：按接口的请求数与耗时、发件箱积压、定时任务、数据库连接池与语句数。
    只对内网（metrics.allowed_networks）开放，其他来源返回 404。
    """
    if not metrics.may_read_metrics():
        raise AppError(404, "not_found", "您访问的内容不存在")
    body, content_type = metrics.exposition()
    return Response(body, content_type=content_type)
