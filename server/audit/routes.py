"""/api/v1/audit-entries: the audit reader (操作日志) for secretaries and admins."""

from __future__ import annotations

from flask_smorest import Blueprint

from server.audit import reader
from server.audit.schemas import ActionLabelSchema, AuditEntrySchema, AuditQuerySchema
from server.auth.scope import current_principal
from server.excel import XLSX_BODY, XLSX_MIMETYPE, xlsx_response

blp = Blueprint("audit", __name__, url_prefix="/api/v1", description="操作日志")


@blp.route("/audit-entries")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditEntrySchema(many=True))
@blp.paginate()
def audit_entries(query, pagination_parameters):
    """审计日志（管理员）

    我管辖范围内的审计日志，最新的在前；可按人员、操作、地点和日期筛选。
    """
    return reader.entries_page(current_principal(), pagination_parameters, **query)


@blp.route("/audit-entries.xlsx")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, XLSX_BODY, content_type=XLSX_MIMETYPE)
def audit_entries_xlsx(query):
    """导出审计日志 Excel（管理员）

    以 Excel 导出同样的审计日志；这次下载本身也记入日志。
    """
    content, filename = reader.export_xlsx(current_principal(), **query)
    return xlsx_response(content, filename)


@blp.route("/audit-actions")
@blp.response(200, ActionLabelSchema(many=True))
def audit_actions():
    """审计操作类型列表

    日志记录的各类操作及其中文名称，供筛选下拉框使用。
    """
    return reader.action_labels(current_principal())
