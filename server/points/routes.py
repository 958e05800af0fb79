"""/api/v1 points, stars, leaderboards, feedback sheets (积分、星级、先锋榜与反馈单).

Each view parses with a schema, calls one service function with the caller's Principal
first, and returns what a schema dumps.
"""

from __future__ import annotations

from flask_smorest import Blueprint

from server.auth.scope import current_principal
from server.excel import XLSX_BODY, XLSX_MIMETYPE, xlsx_response
from server.points import awards, service
from server.points.schemas import (
    BoardQuerySchema,
    BoardSchema,
    CommentInSchema,
    CommentSchema,
    CommunitySummarySchema,
    EntrySchema,
    FeedbackRowSchema,
    FeedbackSheetSchema,
    ManualAwardInSchema,
    ManualAwardQuerySchema,
    ManualAwardSchema,
    MemberPointsSchema,
    PeriodQuerySchema,
    RuleInSchema,
    RuleQuerySchema,
    RuleSchema,
    StarLevelsInSchema,
    StarLevelsSchema,
    StarQuerySchema,
    YearQuerySchema,
)
from server.schemas import ReasonSchema

blp = Blueprint("points", __name__, url_prefix="/api/v1", description="积分、星级、先锋榜与反馈单")


# ---------------------------------------------------------------- my points and ledgers


@blp.get("/points/me")
@blp.response(200, MemberPointsSchema)
def my_points():
    """我的积分

    本月、本季度、本半年、本年、累计的积分与时长，以及本年星级。
    """
    return service.my_points(current_principal())


@blp.get("/points/me/entries")
@blp.response(200, EntrySchema(many=True))
@blp.paginate()
def my_entries(pagination_parameters):
    """我的积分明细

    积分台账，最新的在前。
    """
    return service.my_entries(current_principal(), pagination_parameters)


@blp.get("/points/members/<int:member_id>")
@blp.response(200, MemberPointsSchema)
def member_points(member_id):
    """某党员的积分

    本人或其范围内的工作人员、书记可查看。
    """
    return service.member_points(current_principal(), member_id)


@blp.get("/points/members/<int:member_id>/entries")
@blp.response(200, EntrySchema(many=True))
@blp.paginate()
def member_entries(member_id, pagination_parameters):
    """某党员的积分台账

    本人或其范围内的工作人员、书记可查看，最新的在前。
    """
    return service.member_entries(current_principal(), member_id, pagination_parameters)


@blp.post("/points/entries/<int:entry_id>/reverse")
@blp.arguments(ReasonSchema)
@blp.response(201, EntrySchema)
def reverse_entry(data, entry_id):
    """冲正一笔积分（社区书记）

    记一笔相反的新记录，原记录不改不删。
    """
    return service.reverse_entry(current_principal(), entry_id, data["reason"])


# ---------------------------------------------------------------- leaderboards


@blp.get("/points/leaderboards")
@blp.arguments(BoardQuerySchema, location="query")
@blp.response(200, BoardSchema)
def board(query):
    """先锋榜

    按社区、网格、楼栋、单位、街道，按月、季、半年、年、累计排名；并列同名次。
    公开榜单显示脱敏姓名并略过选择不上榜的党员；范围内的工作人员看到全名。
    """
    return service.board(current_principal(), query)


# ---------------------------------------------------------------- rules and stars


@blp.get("/points/rules")
@blp.arguments(RuleQuerySchema, location="query")
@blp.response(200, RuleSchema(many=True))
def list_rules(query):
    """本社区的积分规则

    今天生效的版本及已排定的以后版本（社区自定优先于街道）；本社区党员和工作人员可查看。
    """
    return service.rules_in_force(current_principal(), query["community_id"])


@blp.post("/points/rules")
@blp.arguments(RuleInSchema)
@blp.response(201, RuleSchema)
def add_rule(data):
    """新增积分规则版本（街道管理员或社区书记）

    从生效日期起适用，已得积分不变。
    """
    return service.add_rule(current_principal(), data)


@blp.get("/points/star-levels")
@blp.arguments(StarQuerySchema, location="query")
@blp.response(200, StarLevelsSchema)
def get_star_levels(query):
    """本社区某年的星级门槛

    社区自定的，否则沿用街道的。
    """
    return service.star_levels(current_principal(), query["community_id"], query["year"])


@blp.put("/points/star-levels")
@blp.arguments(StarLevelsInSchema)
@blp.response(200, StarLevelsSchema)
def put_star_levels(data):
    """设置星级门槛（街道管理员或社区书记）

    重新计算当年星级，不改积分。
    """
    return service.set_star_levels(current_principal(), data)


# ---------------------------------------------------------------- manual awards


@blp.post("/points/manual-awards")
@blp.arguments(ManualAwardInSchema)
@blp.response(201, ManualAwardSchema)
def propose_award(data):
    """申请人工加减分（社区工作人员、书记）

    写明理由，待另一位书记批准后入账。
    """
    return awards.propose_manual_award(current_principal(), data)


@blp.get("/points/manual-awards")
@blp.arguments(ManualAwardQuerySchema, location="query")
@blp.response(200, ManualAwardSchema(many=True))
@blp.paginate()
def list_awards(query, pagination_parameters):
    """人工加减分申请（社区工作人员、书记）

    最新的在前；可按状态筛选。
    """
    return awards.list_manual_awards(current_principal(), query, pagination_parameters)


@blp.post("/points/manual-awards/<int:award_id>/approve")
@blp.response(200, ManualAwardSchema)
def approve_award(award_id):
    """批准人工加减分（社区书记）

    批准人不能是申请人本人。
    """
    return awards.approve_manual_award(current_principal(), award_id)


@blp.post("/points/manual-awards/<int:award_id>/reject")
@blp.arguments(ReasonSchema)
@blp.response(200, ManualAwardSchema)
def reject_award(data, award_id):
    """驳回人工加减分（社区书记）

    须写明原因。
    """
    return awards.reject_manual_award(current_principal(), award_id, data["reason"])


# ---------------------------------------------------------------- feedback sheets


@blp.get("/points/units/<int:unit_id>/feedback")
@blp.arguments(PeriodQuerySchema, location="query")
@blp.response(200, FeedbackSheetSchema)
def unit_feedback(query, unit_id):
    """单位反馈单（单位党组织书记）

    本单位到社区报到党员的活动、时长、积分、星级与评语；每次查看都记入审计日志。
    """
    return service.unit_feedback(current_principal(), unit_id, query["period"])


@blp.get("/points/units/<int:unit_id>/feedback.xlsx")
@blp.arguments(PeriodQuerySchema, location="query")
@blp.response(
    200, XLSX_BODY, content_type=XLSX_MIMETYPE, description="Excel 反馈单（A4 横向打印）"
)
def unit_feedback_xlsx(query, unit_id):
    """下载单位反馈单 Excel（单位党组织书记）

    A4 横向打印；每次下载都记入审计日志。
    """
    return xlsx_response(
        *service.unit_feedback_xlsx(current_principal(), unit_id, query["period"])
    )


@blp.get("/points/communities/<int:community_id>/feedback")
@blp.arguments(PeriodQuerySchema, location="query")
@blp.response(200, FeedbackRowSchema(many=True))
def community_feedback(query, community_id):
    """本社区报到党员的反馈单内容（社区书记）

    用于填写评语。
    """
    return service.community_feedback(current_principal(), community_id, query["period"])


@blp.put("/points/feedback-comments")
@blp.arguments(CommentInSchema)
@blp.response(200, CommentSchema)
def put_comment(data):
    """填写评语（社区党组织书记）

    写入该党员所在社区对其单位的反馈单；修改记入审计日志。
    """
    return service.write_feedback_comment(current_principal(), data)


@blp.get("/points/communities/<int:community_id>/summary")
@blp.arguments(YearQuerySchema, location="query")
@blp.response(200, CommunitySummarySchema)
def community_summary(query, community_id):
    """社区积分概况（书记）

    报到人数、活跃占比、各月时长与积分、星级分布。
    """
    return service.community_summary(current_principal(), community_id, query.get("year"))
