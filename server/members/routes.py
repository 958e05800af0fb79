"""/api/v1: places for the pickers, reporting (报到) and its approval, members for staff.

Each view parses with a schema, calls one service function with the caller's Principal
first, and returns what a schema dumps.
"""

from __future__ import annotations

from flask_smorest import Blueprint

from server.auth.scope import current_principal
from server.excel import XLSX_BODY, XLSX_MIMETYPE, xlsx_response
from server.members import cards, pickers, service
from server.members.schemas import (
    BuildingSchema,
    CommunitySchema,
    GridSchema,
    MemberQuerySchema,
    MemberSchema,
    RegistrationInSchema,
    RegistrationQuerySchema,
    RegistrationSchema,
    UnitSchema,
)
from server.schemas import ReasonSchema

blp = Blueprint("members", __name__, url_prefix="/api/v1", description="社区、报到与党员")


# --- places, for the pickers --------------------------------------------------------------


@blp.get("/communities")
@blp.response(200, CommunitySchema(many=True))
def communities():
    """全部社区

    供报到时选择社区。
    """
    return pickers.communities(current_principal())


@blp.get("/communities/<int:community_id>/grids")
@blp.response(200, GridSchema(many=True))
def grids(community_id):
    """社区的网格

    供报到和筛选时选择网格。
    """
    return pickers.grids(current_principal(), community_id)


@blp.get("/communities/<int:community_id>/buildings")
@blp.response(200, BuildingSchema(many=True))
def buildings(community_id):
    """社区的楼栋

    供报到时选择所住楼栋。
    """
    return pickers.buildings(current_principal(), community_id)


@blp.get("/units")
@blp.response(200, UnitSchema(many=True))
def units():
    """全部工作单位

    供报到时选择工作单位。
    """
    return pickers.units(current_principal())


# --- reporting (报到) ------------------------------------------------------------------------


@blp.get("/registrations")
@blp.arguments(RegistrationQuerySchema, location="query")
@blp.response(200, RegistrationSchema(many=True))
@blp.paginate()
def registrations(query, pagination_parameters):
    """报到申请（工作人员）

    本人负责的社区或网格的报到申请，最新的在前；可按状态、社区筛选。
    """
    return service.staff_registrations(current_principal(), query, pagination_parameters)


@blp.post("/registrations")
@blp.arguments(RegistrationInSchema)
@blp.response(201, RegistrationSchema)
def submit_registration(body):
    """到社区报到

    向所居住的社区报到，填写姓名、手机号、工作单位和所住楼栋，待社区审核。
    """
    return service.submit_registration(current_principal(), body)


@blp.get("/registrations/mine")
@blp.response(200, RegistrationSchema(many=True))
def my_registrations():
    """我的报到记录

    当前的报到在前，历史记录保留。
    """
    return service.my_registrations(current_principal())


@blp.post("/registrations/<int:registration_id>/withdraw")
@blp.response(200, RegistrationSchema)
def withdraw(registration_id):
    """撤回报到申请

    只有待审核的申请可以撤回。
    """
    return service.withdraw_registration(current_principal(), registration_id)


@blp.post("/registrations/<int:registration_id>/approve")
@blp.response(200, RegistrationSchema)
def approve(registration_id):
    """通过报到申请（工作人员、网格员）

    通过后党员即归属该社区；记入审计日志。
    """
    return service.approve_registration(current_principal(), registration_id)


@blp.post("/registrations/<int:registration_id>/reject")
@blp.arguments(ReasonSchema)
@blp.response(200, RegistrationSchema)
def reject(body, registration_id):
    """退回报到申请（工作人员、网格员）

    须写明原因，党员可修改后重新报到；记入审计日志。
    """
    return service.reject_registration(current_principal(), registration_id, body["reason"])


# --- members (staff) -----------------------------------------------------------------------


@blp.get("/members")
@blp.arguments(MemberQuerySchema, location="query")
@blp.response(200, MemberSchema(many=True))
@blp.paginate()
def members(query, pagination_parameters):
    """党员名单（工作人员、网格员、单位书记）

    本人负责范围内的党员；可按社区、网格、党员类型、姓名筛选。
    """
    return service.staff_members(current_principal(), query, pagination_parameters)


@blp.get("/members/<int:member_id>")
@blp.response(200, MemberSchema)
def member(member_id):
    """党员信息

    本人或其范围内的工作人员、书记可查看。
    """
    return service.get_member(current_principal(), member_id)


@blp.get("/communities/<int:community_id>/registration-cards.xlsx")
@blp.response(200, XLSX_BODY, content_type=XLSX_MIMETYPE)
def registration_cards(community_id):
    """下载社区的在职党员登记卡 Excel（工作人员）

    每次下载都记入审计日志。
    """
    return xlsx_response(*cards.registration_cards_xlsx(current_principal(), community_id))
