"""/api/v1 points, stars, leaderboards, feedback sheets."""

from __future__ import annotations

from flask_smorest import Blueprint

import server.points.service as service
from server.audit.service import record as audit
from server.auth.scope import (
    COMMUNITY_MANAGERS,
    SECRETARIES,
    current_member,
    current_principal,
    feedback_unit_scope,
    get_visible_member,
    require_community,
    sees_full_names_on_board,
)
from server.errors import not_found
from server.excel import XLSX_BODY, XLSX_MIMETYPE, xlsx_response
from server.extensions import db
from server.pagination import paginate
from server.points import feedback
from server.points.leaderboard import leaderboard
from server.points.models import ManualAward, PointRule, StarLevel
from server.points.point_rules import find_rule, month_key, star_levels_for
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
from server.timeutil import local_today

blp = Blueprint("points", __name__, url_prefix="/api/v1", description="积分、星级、先锋榜与反馈单")


# ---------------------------------------------------------------- my points and ledgers


@blp.get("/points/me")
@blp.response(200, MemberPointsSchema)
def my_points():
    """我的积分：本月、本季度、本半年、本年、累计的积分与时长，以及本年星级"""
    return service.member_summary(current_member())


@blp.get("/points/me/entries")
@blp.response(200, EntrySchema(many=True))
@blp.paginate()
def my_entries(pagination_parameters):
    """我的积分明细（台账），最新在前"""
    return paginate(service.ledger_select(current_member().id), pagination_parameters)


@blp.get("/points/members/<int:member_id>")
@blp.response(200, MemberPointsSchema)
def member_points(member_id):
    """某党员的积分（本人或其范围内的工作人员、书记）"""
    return service.member_summary(get_visible_member(current_principal(), member_id))


@blp.get("/points/members/<int:member_id>/entries")
@blp.response(200, EntrySchema(many=True))
@blp.paginate()
def member_entries(member_id, pagination_parameters):
    """某党员的积分台账（本人或其范围内的工作人员、书记）"""
    member = get_visible_member(current_principal(), member_id)
    return paginate(service.ledger_select(member.id), pagination_parameters)


@blp.post("/points/entries/<int:entry_id>/reverse")
@blp.arguments(ReasonSchema)
@blp.response(201, EntrySchema)
def reverse_entry(data, entry_id):
    """冲正一笔积分（社区书记）：记一笔相反的新记录，原记录不改不删"""
    principal = current_principal()
    entry = db.session.get(service.PointEntry, entry_id)
    if entry is None or entry.community_id not in principal.community_ids(SECRETARIES):
        raise not_found("积分记录")
    return service.reverse_source(entry_id, principal.user_id, data["reason"])


# ---------------------------------------------------------------- leaderboards


@blp.get("/points/leaderboards")
@blp.arguments(BoardQuerySchema, location="query")
@blp.response(200, BoardSchema)
def board(query):
    """先锋榜：按社区、网格、楼栋、单位、街道，按月、季、半年、年、累计；并列同名次。
    公开榜单显示脱敏姓名并略过选择不上榜的党员；范围内的工作人员看到全名。"""
    principal = current_principal()
    full = sees_full_names_on_board(principal, query["scope"], query["scope_id"])
    return leaderboard(
        scope=query["scope"],
        scope_id=query["scope_id"],
        period=query.get("period") or month_key(local_today()),
        member_type=query.get("member_type"),
        limit=query["limit"],
        full_names=full,
        me=principal.member,
    )


# ---------------------------------------------------------------- rules and stars


def _require_rule_scope(principal, scope_type: str, scope_id: int) -> None:
    if scope_type == "street":
        if scope_id not in principal.street_ids():
            raise not_found("街道")
    else:
        require_community(principal, scope_id, SECRETARIES)


def _require_reader(principal, community_id: int) -> None:
    member = principal.member
    if member is not None and member.community_id == community_id:
        return
    require_community(principal, community_id, COMMUNITY_MANAGERS)


@blp.get("/points/rules")
@blp.arguments(RuleQuerySchema, location="query")
@blp.response(200, RuleSchema(many=True))
def list_rules(query):
    """本社区的积分规则：今天生效的版本及已排定的以后版本（社区自定优先于街道）"""
    import sqlalchemy as sa

    principal = current_principal()
    community_id = query["community_id"]
    _require_reader(principal, community_id)
    from server.points.point_rules import street_of

    street_id = street_of(community_id)
    today = local_today()
    rows = db.session.scalars(
        sa.select(PointRule).where(
            sa.or_(sa.and_(PointRule.scope_type == "community",
                           PointRule.scope_id == community_id),
                   sa.and_(PointRule.scope_type == "street", PointRule.scope_id == street_id))
        ).order_by(PointRule.kind, PointRule.category, PointRule.effective_from)
    ).all()
    in_force = {
        find_rule(community_id, r.kind, r.category, today) for r in rows
    }
    return [r for r in rows if r in in_force or r.effective_from > today]


@blp.post("/points/rules")
@blp.arguments(RuleInSchema)
@blp.response(201, RuleSchema)
def add_rule(data):
    """新增积分规则版本（街道管理员或社区书记）：从生效日期起适用，已得积分不变"""
    principal = current_principal()
    _require_rule_scope(principal, data["scope_type"], data["scope_id"])
    rule = service.add_rule(user_id=principal.user_id, **data)
    audit(principal.user_id, "points.rule.add", "point_rule", rule.id,
          community_id=data["scope_id"] if data["scope_type"] == "community" else None,
          after={k: str(v) for k, v in data.items()})
    return rule


@blp.get("/points/star-levels")
@blp.arguments(StarQuerySchema, location="query")
@blp.response(200, StarLevelsSchema)
def get_star_levels(query):
    """本社区某年的星级门槛（社区自定，否则沿用街道的）"""
    principal = current_principal()
    _require_reader(principal, query["community_id"])
    levels = star_levels_for(query["community_id"], query["year"])
    scope_type = levels[0].scope_type if levels else "community"
    return {"scope_type": scope_type, "scope_id": levels[0].scope_id if levels else None,
            "year": query["year"], "levels": sorted(levels, key=lambda lv: lv.level),
            "recomputed": 0}


@blp.put("/points/star-levels")
@blp.arguments(StarLevelsInSchema)
@blp.response(200, StarLevelsSchema)
def put_star_levels(data):
    """设置星级门槛（街道管理员或社区书记）：重新计算当年星级，不改积分"""
    import sqlalchemy as sa

    principal = current_principal()
    _require_rule_scope(principal, data["scope_type"], data["scope_id"])
    changed = service.set_star_levels(user_id=principal.user_id, **data)
    audit(principal.user_id, "points.star_levels.set", data["scope_type"], data["scope_id"],
          community_id=data["scope_id"] if data["scope_type"] == "community" else None,
          after={"year": data["year"], "levels": [
              {k: str(v) for k, v in lv.items()} for lv in data["levels"]]})
    levels = db.session.scalars(sa.select(StarLevel).where(
        StarLevel.scope_type == data["scope_type"], StarLevel.scope_id == data["scope_id"],
        StarLevel.year == data["year"]).order_by(StarLevel.level)).all()
    return {"scope_type": data["scope_type"], "scope_id": data["scope_id"],
            "year": data["year"], "levels": levels, "recomputed": changed}


# ---------------------------------------------------------------- manual awards


@blp.post("/points/manual-awards")
@blp.arguments(ManualAwardInSchema)
@blp.response(201, ManualAwardSchema)
def propose_award(data):
    """申请人工加减分（社区工作人员、书记）：写明理由，待另一位书记批准后入账"""
    principal = current_principal()
    member = get_visible_member(principal, data["member_id"])
    if member.community_id not in principal.community_ids(COMMUNITY_MANAGERS):
        raise not_found("党员")
    return service.propose_manual_award(member, data["amount"], data["reason"],
                                        principal.user_id)


@blp.get("/points/manual-awards")
@blp.arguments(ManualAwardQuerySchema, location="query")
@blp.response(200, ManualAwardSchema(many=True))
@blp.paginate()
def list_awards(query, pagination_parameters):
    """人工加减分申请（社区工作人员、书记）"""
    import sqlalchemy as sa

    require_community(current_principal(), query["community_id"], COMMUNITY_MANAGERS)
    statement = sa.select(ManualAward).where(ManualAward.community_id == query["community_id"])
    if query.get("status"):
        statement = statement.where(ManualAward.status == query["status"])
    return paginate(statement.order_by(ManualAward.id.desc()), pagination_parameters)


@blp.post("/points/manual-awards/<int:award_id>/approve")
@blp.response(200, ManualAwardSchema)
def approve_award(award_id):
    """批准人工加减分（社区书记，且不能是申请人本人）"""
    principal = current_principal()
    return service.approve_manual_award(award_id, principal.user_id,
                                        principal.community_ids(SECRETARIES))


@blp.post("/points/manual-awards/<int:award_id>/reject")
@blp.arguments(ReasonSchema)
@blp.response(200, ManualAwardSchema)
def reject_award(data, award_id):
    """驳回人工加减分（社区书记）"""
    principal = current_principal()
    return service.reject_manual_award(award_id, principal.user_id,
                                       principal.community_ids(SECRETARIES), data["reason"])


# ---------------------------------------------------------------- feedback sheets


@blp.get("/points/units/<int:unit_id>/feedback")
@blp.arguments(PeriodQuerySchema, location="query")
@blp.response(200, FeedbackSheetSchema)
def unit_feedback(query, unit_id):
    """单位反馈单（单位党组织书记）：本单位到社区报到党员的活动、时长、积分、星级与评语"""
    principal = current_principal()
    communities = feedback_unit_scope(principal, unit_id)
    sheet = feedback.unit_sheet(unit_id, query["period"], communities)
    audit(principal.user_id, "export.feedback_sheet", "employer_unit", unit_id,
          after={"period": query["period"], "format": "json", "rows": len(sheet["rows"])})
    return sheet


@blp.get("/points/units/<int:unit_id>/feedback.xlsx")
@blp.arguments(PeriodQuerySchema, location="query")
@blp.response(
    200, XLSX_BODY, content_type=XLSX_MIMETYPE, description="Excel 反馈单（A4 横向打印）"
)
def unit_feedback_xlsx(query, unit_id):
    """下载单位反馈单 Excel（单位党组织书记），每次下载都记入审计日志"""
    principal = current_principal()
    communities = feedback_unit_scope(principal, unit_id)
    sheet = feedback.unit_sheet(unit_id, query["period"], communities)
    audit(principal.user_id, "export.feedback_sheet", "employer_unit", unit_id,
          after={"period": query["period"], "format": "xlsx", "rows": len(sheet["rows"])})
    filename = f"feedback-{unit_id}-{query['period']}.xlsx"
    return xlsx_response(feedback.sheet_xlsx(sheet), filename)


@blp.get("/points/communities/<int:community_id>/feedback")
@blp.arguments(PeriodQuerySchema, location="query")
@blp.response(200, FeedbackRowSchema(many=True))
def community_feedback(query, community_id):
    """本社区报到党员的反馈单内容（社区书记），用于填写评语"""
    require_community(current_principal(), community_id, SECRETARIES)
    return feedback.community_sheet(community_id, query["period"])


@blp.put("/points/feedback-comments")
@blp.arguments(CommentInSchema)
@blp.response(200, CommentSchema)
def put_comment(data):
    """填写评语（社区党组织书记）：写入该党员所在社区对其单位的反馈单"""
    principal = current_principal()
    member = get_visible_member(principal, data["member_id"])
    if member.community_id not in principal.community_ids(SECRETARIES):
        raise not_found("党员")
    comment, before = feedback.write_comment(member, data["period"], data["comment"],
                                             principal.user_id)
    audit(principal.user_id, "points.feedback_comment", "member", member.id,
          community_id=member.community_id, before={"comment": before},
          after={"period": data["period"], "comment": data["comment"]})
    return comment


@blp.get("/points/communities/<int:community_id>/summary")
@blp.arguments(YearQuerySchema, location="query")
@blp.response(200, CommunitySummarySchema)
def community_summary(query, community_id):
    """社区积分概况（书记）：报到人数、活跃占比、各月时长与积分、星级分布"""
    require_community(current_principal(), community_id, SECRETARIES)
    return feedback.community_summary(community_id, query.get("year") or local_today().year)
