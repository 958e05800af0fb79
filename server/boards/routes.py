"""/api/v1/boards: a board of my scope as Excel, and the printable honour board (荣誉榜) PDF."""

from __future__ import annotations

import io

from flask import send_file
from flask_smorest import Blueprint

from server.auth.scope import current_principal
from server.boards import service
from server.boards.schemas import BoardDownloadQuerySchema, HonourBoardQuerySchema
from server.excel import XLSX_BODY, XLSX_MIMETYPE, xlsx_response

blp = Blueprint("boards", __name__, url_prefix="/api/v1/boards", description="先锋榜与荣誉榜")
PDF_BODY = {"format": "binary", "type": "string"}


@blp.route("/leaderboard.xlsx", methods=["GET"])
@blp.arguments(BoardDownloadQuerySchema, location="query")
@blp.response(200, XLSX_BODY, content_type=XLSX_MIMETYPE)
def leaderboard_xlsx(query):
    """导出先锋榜 Excel（工作人员、书记）

    以 Excel 导出我管辖范围的先锋榜，显示全名；并列者名次相同。
    """
    content, filename = service.board_workbook(current_principal(), **query)
    return xlsx_response(content, filename)


@blp.route("/honour-board.pdf", methods=["GET"])
@blp.arguments(HonourBoardQuerySchema, location="query")
@blp.response(200, PDF_BODY, content_type="application/pdf")
def honour_board(query):
    """荣誉榜 PDF（工作人员）

    供公告栏张贴的荣誉榜：排名靠前的党员，姓名显示方式与公开榜单相同。
    """
    content, filename = service.honour_board_pdf(current_principal(), **query)
    return send_file(io.BytesIO(content), mimetype="application/pdf", as_attachment=True,
                     download_name=filename)
