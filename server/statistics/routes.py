"""/api/v1/statistics: 数据统计 of a community or a street, its Excel, and who has not reported."""

from __future__ import annotations

from flask_smorest import Blueprint

from server.auth.scope import current_principal
from server.excel import XLSX_BODY, XLSX_MIMETYPE, xlsx_response
from server.statistics import service, workbook
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
    """统计（网格员、工作人员、书记、单位书记、街道和区管理员）

    社区、网格、单位、街道或区在一个周期内的报到率、活跃党员、按月服务时长、按类型的活动数、
    各活动参与人数、星级和积分分布、包楼栋承诺覆盖率和固定党员活动日出勤；
    街道并列比较各社区，区并列比较各街道。
    """
    return service.statistics(current_principal(), **query)


@blp.route("/statistics.xlsx", methods=["GET"])
@blp.arguments(StatisticsQuerySchema, location="query")
@blp.response(200, XLSX_BODY, content_type=XLSX_MIMETYPE)
def statistics_xlsx(query):
    """导出统计 Excel

    以 Excel 导出同样的统计表，并附未报到名单。
    """
    content, filename = workbook.statistics_workbook(current_principal(), **query)
    return xlsx_response(content, filename)


@blp.route("/statistics/not-reported", methods=["GET"])
@blp.arguments(StatPlaceQuerySchema, location="query")
@blp.response(200, StatNotReportedSchema(many=True))
def not_reported(query):
    """未报到名单

    列出单位名单中尚未到居住地社区报到的在职党员。
    """
    return service.not_reported(current_principal(), **query)
