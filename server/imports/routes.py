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
    """The template to fill in: headers, an example row, drop-down lists."""
    content, filename = service.template_xlsx(current_principal(), kind, query)
    return xlsx_response(content, filename)


@blp.route("/imports")
class Imports(MethodView):
    @blp.arguments(ImportQuerySchema, location="query")
    @blp.response(200, ImportSummarySchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Imports in my scope, newest first."""
        return paginate(service.batches_query(current_principal(), **query),
                        pagination_parameters)

    @blp.arguments(ImportFormSchema, location="form")
    @blp.arguments(ImportFileSchema, location="files")
    @blp.response(201, ImportPreviewSchema)
    def post(self, form, files):
        """Upload a filled-in template: the preview of every row's errors; nothing imported."""
        upload = files["file"]
        kind = form.pop("kind")
        return service.preview(current_principal(), kind, form, upload.filename or "",
                               upload.read())


@blp.route("/imports/<int:batch_id>")
@blp.response(200, ImportPreviewSchema)
def get_import(batch_id):
    return service.get_batch(current_principal(), batch_id)


@blp.route("/imports/<int:batch_id>/confirm", methods=["POST"])
@blp.response(200, ImportPreviewSchema)
def confirm_import(batch_id):
    """Import the previewed file, all rows in one transaction."""
    return service.confirm(current_principal(), batch_id)


@blp.route("/roster-entries")
@blp.arguments(RosterQuerySchema, location="query")
@blp.response(200, UnitRosterEntrySchema(many=True))
@blp.paginate()
def roster_entries(query, pagination_parameters):
    """In-service members the units listed (在职党员名单), with whether each has reported."""
    return service.roster_page(current_principal(), pagination_parameters, **query)
