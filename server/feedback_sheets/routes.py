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
    """反馈单列表（书记、街道管理员）

    社区书记看本社区的反馈单；单位书记看各社区已送达本单位的反馈单；街道管理员看本街道的反馈单。
    """
    return service.sheets(current_principal(), **query)


@blp.route("/generate", methods=["POST"])
@blp.arguments(GenerateInSchema)
@blp.response(200, GeneratedSchema)
def generate(body):
    """生成反馈单草稿（社区书记）

    为本社区有党员的每个单位生成该周期的反馈单草稿；再次生成时，已有反馈单的单位不再新建。
    """
    return service.generate(current_principal(), body["community_id"], body["period"])


@blp.route(SHEET, methods=["GET"])
@blp.response(200, SheetDetailSchema)
def sheet(sheet_id):
    """查看一份反馈单

    每名党员一行；草稿显示当前数据，已签发的显示签发时的数据。
    """
    return service.sheet_detail(current_principal(), sheet_id)


@blp.route(f"{SHEET}.xlsx", methods=["GET"])
@blp.response(200, XLSX_BODY, content_type=XLSX_MIMETYPE)
def sheet_xlsx(sheet_id):
    """导出反馈单 Excel

    以可直接打印的 Excel（A4 横向）导出反馈单。
    """
    content, filename = service.sheet_workbook(current_principal(), sheet_id)
    return xlsx_response(content, filename)


@blp.route(f"{SHEET}/comments/<int:member_id>", methods=["PUT"])
@blp.arguments(SheetCommentInSchema)
@blp.response(200, SheetCommentSchema)
def comment(body, sheet_id, member_id):
    """填写评语（社区书记）

    为草稿反馈单上的一名党员填写评语。
    """
    return service.write_comment(current_principal(), sheet_id, member_id, body["comment"])


@blp.route(f"{SHEET}/sign", methods=["POST"])
@blp.response(200, SheetDetailSchema)
def sign(sheet_id):
    """签发反馈单（社区书记）

    签发反馈单，各行数据按签发时冻结。
    """
    return service.sign(current_principal(), sheet_id)


@blp.route(f"{SHEET}/send", methods=["POST"])
@blp.response(200, SheetDetailSchema)
def send(sheet_id):
    """送达反馈单（社区书记）

    把反馈单送达单位党组织书记。
    """
    return service.send(current_principal(), sheet_id)


@blp.route(f"{SHEET}/remind", methods=["POST"])
@blp.response(200, SheetDetailSchema)
def remind(sheet_id):
    """催办回执（社区书记）

    催办已送达但尚未回执的反馈单，每天最多一次。
    """
    return service.remind(current_principal(), sheet_id)


@blp.route(f"{SHEET}/acknowledge", methods=["POST"])
@blp.response(200, SheetDetailSchema)
def acknowledge(sheet_id):
    """回执（单位书记）

    单位党组织书记确认收到反馈单。
    """
    return service.acknowledge(current_principal(), sheet_id)


@blp.route(f"{SHEET}/grades/<int:member_id>", methods=["PUT"])
@blp.arguments(GradeInSchema)
@blp.response(200, GradeSchema)
def grade(body, sheet_id, member_id):
    """评议等次（社区书记）

    为草稿反馈单上的一名党员评定最终等次；与建议等次不同时须填写理由。
    """
    return service.grade_member(current_principal(), sheet_id, member_id, body["grade"],
                                body["reason"])


@appraisal_blp.route("/thresholds", methods=["GET"])
@appraisal_blp.arguments(ThresholdsQuerySchema, location="query")
@appraisal_blp.response(200, ThresholdsSchema)
def thresholds(query):
    """查看评议积分线

    返回社区或街道各建议等次的积分线。
    """
    return appraisal.get_thresholds(current_principal(), query["scope"], query["scope_id"])


@appraisal_blp.route("/thresholds", methods=["PUT"])
@appraisal_blp.arguments(ThresholdsQuerySchema, location="query")
@appraisal_blp.arguments(ThresholdsInSchema)
@appraisal_blp.response(200, ThresholdsSchema)
def set_thresholds(query, body):
    """设置评议积分线

    设置各建议等次的积分线；建议等次随即更新，已评定的最终等次不变。
    """
    return appraisal.set_thresholds(current_principal(), query["scope"], query["scope_id"], body)
