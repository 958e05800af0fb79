"""/api/v1/statistics: 数据统计 of a community or a street, its Excel, and who has not reported."""

from __future__ import annotations

from flask_smorest import Blueprint

from server.auth.scope import current_principal
from server.excel import XLSX_BODY, XLSX_MIMETYPE, xlsx_response
from server.statistics import service
from server.statistics.schemas import (
    StatisticsQuerySchema,
    StatisticsSchema,
    StatNotReportedSchema,
    StatPlaceQuerySchema,
)

blp = Blueprint("statistics", __name__, url_prefix="/api/v1", description="数据统计")


@blp.route("/statistics", methods=["GET"])
@blp.arguments(StatisticsQuerySchema, location="query")
@blp.response(200, StatisticsSchema)
def statistics(query):
    """报到率, active members, hours by month, activities by type, stars, pledge coverage and
    party-day attendance; a street's communities side by side."""
    return service.statistics(current_principal(), **query)


@blp.route("/statistics.xlsx", methods=["GET"])
@blp.arguments(StatisticsQuerySchema, location="query")
@blp.response(200, XLSX_BODY, content_type=XLSX_MIMETYPE)
def statistics_xlsx(query):
    """The same tables as Excel, with the list of those not yet reported."""
    content, filename = service.statistics_workbook(current_principal(), **query)
    return xlsx_response(content, filename)


@blp.route("/statistics/not-reported", methods=["GET"])
@blp.arguments(StatPlaceQuerySchema, location="query")
@blp.response(200, StatNotReportedSchema(many=True))
def not_reported(query):
    """The units' rosters' members who have not yet reported to their community (未报到名单)."""
    return service.not_reported(current_principal(), **query)
