"""/api/v1/imports and /api/v1/roster-entries: Excel imports with a preview, and the rosters."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from server.auth.scope import current_principal
from server.excel import XLSX_BODY, XLSX_MIMETYPE, xlsx_response
from server.imports import service
from server.imports.schemas import (
    ImportFileSchema,
    ImportFormSchema,
    ImportPlaceSchema,
    ImportPreviewSchema,
    ImportQuerySchema,
    ImportSummarySchema,
    RosterQuerySchema,
    UnitRosterEntrySchema,
)
from server.pagination import paginate

blp = Blueprint("imports", __name__, url_prefix="/api/v1", description="Excel 导入与在职党员名单")


@blp.route("/imports/templates/<any(buildings, units, roster):kind>.xlsx")
@blp.arguments(ImportPlaceSchema, location="query")
@blp.response(200, XLSX_BODY, content_type=XLSX_MIMETYPE)
def template(query, kind):
    """下载导入模板（工作人员）

    返回待填写的 Excel 模板：表头、一行示例和下拉选项。
    """
    content, filename = service.template_xlsx(current_principal(), kind, query)
    return xlsx_response(content, filename)


@blp.route("/imports")
class Imports(MethodView):
    @blp.arguments(ImportQuerySchema, location="query")
    @blp.response(200, ImportSummarySchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """导入记录列表（工作人员）

        列出我管辖范围内的导入，最新的在前。
        """
        return paginate(service.batches_query(current_principal(), **query),
                        pagination_parameters)

    @blp.arguments(ImportFormSchema, location="form")
    @blp.arguments(ImportFileSchema, location="files")
    @blp.response(201, ImportPreviewSchema)
    def post(self, form, files):
        """上传导入文件：预览（工作人员）

        上传填好的模板，返回每一行的错误预览；此时不导入任何数据。
        """
        upload = files["file"]
        kind = form.pop("kind")
        return service.preview(current_principal(), kind, form, upload.filename or "",
                               upload.read())


@blp.route("/imports/<int:batch_id>")
@blp.response(200, ImportPreviewSchema)
def get_import(batch_id):
    """查看一次导入（工作人员）

    返回一次导入的预览：每一行的错误及导入状态。
    """
    return service.get_batch(current_principal(), batch_id)


@blp.route("/imports/<int:batch_id>/confirm", methods=["POST"])
@blp.response(200, ImportPreviewSchema)
def confirm_import(batch_id):
    """确认导入（工作人员）

    导入已预览的文件，所有行在同一事务中导入。
    """
    return service.confirm(current_principal(), batch_id)


@blp.route("/roster-entries")
@blp.arguments(RosterQuerySchema, location="query")
@blp.response(200, UnitRosterEntrySchema(many=True))
@blp.paginate()
def roster_entries(query, pagination_parameters):
    """在职党员名单（街道、社区）

    列出各单位报送的在职党员名单，并标明每人是否已到社区报到。
    """
    return service.roster_page(current_principal(), pagination_parameters, **query)
