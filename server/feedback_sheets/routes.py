"""/api/v1/feedback-sheets: 反馈单 generated, commented, signed, sent, acknowledged, reminded."""

from __future__ import annotations

from flask_smorest import Blueprint

from server.auth.scope import current_principal
from server.excel import XLSX_BODY, XLSX_MIMETYPE, xlsx_response
from server.feedback_sheets import appraisal, service
from server.feedback_sheets.schemas import (
    GeneratedSchema,
    GenerateInSchema,
    GradeInSchema,
    GradeSchema,
    SheetCommentInSchema,
    SheetCommentSchema,
    SheetDetailSchema,
    SheetQuerySchema,
    SheetSchema,
    ThresholdsInSchema,
    ThresholdsQuerySchema,
    ThresholdsSchema,
)

blp = Blueprint("feedback_sheets", __name__, url_prefix="/api/v1/feedback-sheets",
                description="反馈单：签发、送达与回执")
appraisal_blp = Blueprint("appraisal", __name__, url_prefix="/api/v1/appraisal",
                          description="评议：分数线与评定等次")
SHEET = "/<int:sheet_id>"


@blp.route("", methods=["GET"])
@blp.arguments(SheetQuerySchema, location="query")
@blp.response(200, SheetSchema(many=True))
def sheets(query):
    """The sheets I see: my community's (secretary), my unit's from every community once sent
    (unit secretary), my street's (street admin)."""
    return service.sheets(current_principal(), **query)


@blp.route("/generate", methods=["POST"])
@blp.arguments(GenerateInSchema)
@blp.response(200, GeneratedSchema)
def generate(body):
    """A draft sheet for every unit with members in my community, for the period (again: no
    new sheets for units that have one)."""
    return service.generate(current_principal(), body["community_id"], body["period"])


@blp.route(SHEET, methods=["GET"])
@blp.response(200, SheetDetailSchema)
def sheet(sheet_id):
    """One sheet with a row per member (drafts: today's numbers; signed: as signed)."""
    return service.sheet_detail(current_principal(), sheet_id)


@blp.route(f"{SHEET}.xlsx", methods=["GET"])
@blp.response(200, XLSX_BODY, content_type=XLSX_MIMETYPE)
def sheet_xlsx(sheet_id):
    """The sheet as print-ready Excel (A4 landscape)."""
    content, filename = service.sheet_workbook(current_principal(), sheet_id)
    return xlsx_response(content, filename)


@blp.route(f"{SHEET}/comments/<int:member_id>", methods=["PUT"])
@blp.arguments(SheetCommentInSchema)
@blp.response(200, SheetCommentSchema)
def comment(body, sheet_id, member_id):
    """评语 for one member of a draft sheet."""
    return service.write_comment(current_principal(), sheet_id, member_id, body["comment"])


@blp.route(f"{SHEET}/sign", methods=["POST"])
@blp.response(200, SheetDetailSchema)
def sign(sheet_id):
    """签发 (the rows are frozen as signed)."""
    return service.sign(current_principal(), sheet_id)


@blp.route(f"{SHEET}/send", methods=["POST"])
@blp.response(200, SheetDetailSchema)
def send(sheet_id):
    """送达 the unit's secretary."""
    return service.send(current_principal(), sheet_id)


@blp.route(f"{SHEET}/remind", methods=["POST"])
@blp.response(200, SheetDetailSchema)
def remind(sheet_id):
    """催办 a sent sheet not yet acknowledged (at most once a day)."""
    return service.remind(current_principal(), sheet_id)


@blp.route(f"{SHEET}/acknowledge", methods=["POST"])
@blp.response(200, SheetDetailSchema)
def acknowledge(sheet_id):
    """回执: the unit's secretary confirms receipt."""
    return service.acknowledge(current_principal(), sheet_id)


@blp.route(f"{SHEET}/grades/<int:member_id>", methods=["PUT"])
@blp.arguments(GradeInSchema)
@blp.response(200, GradeSchema)
def grade(body, sheet_id, member_id):
    """评议: the final grade of one member of a draft sheet (a reason when it differs from the
    suggested grade)."""
    return service.grade_member(current_principal(), sheet_id, member_id, body["grade"],
                                body["reason"])


@appraisal_blp.route("/thresholds", methods=["GET"])
@appraisal_blp.arguments(ThresholdsQuerySchema, location="query")
@appraisal_blp.response(200, ThresholdsSchema)
def thresholds(query):
    """The points thresholds of the suggested grades for a community or street."""
    return appraisal.get_thresholds(current_principal(), query["scope"], query["scope_id"])


@appraisal_blp.route("/thresholds", methods=["PUT"])
@appraisal_blp.arguments(ThresholdsQuerySchema, location="query")
@appraisal_blp.arguments(ThresholdsInSchema)
@appraisal_blp.response(200, ThresholdsSchema)
def set_thresholds(query, body):
    """Set them (suggestions follow at once; final grades stay as set)."""
    return appraisal.set_thresholds(current_principal(), query["scope"], query["scope_id"], body)
