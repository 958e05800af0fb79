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
    """The audit log of my scope, newest first, filtered by person, action, place and date."""
    return reader.entries_page(current_principal(), pagination_parameters, **query)


@blp.route("/audit-entries.xlsx")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, XLSX_BODY, content_type=XLSX_MIMETYPE)
def audit_entries_xlsx(query):
    """The same, as Excel (the download is itself recorded in the log)."""
    content, filename = reader.export_xlsx(current_principal(), **query)
    return xlsx_response(content, filename)


@blp.route("/audit-actions")
@blp.response(200, ActionLabelSchema(many=True))
def audit_actions():
    """The actions the log records, with their Chinese names (for the filter's drop-down)."""
    return reader.action_labels(current_principal())
