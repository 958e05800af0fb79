"""/api/v1: places for the pickers, reporting (报到) and its approval, members for staff."""

from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import Blueprint

from server.auth.scope import (
    COMMUNITY_MANAGERS,
    current_principal,
    get_visible_member,
)
from server.errors import not_found
from server.excel import XLSX_BODY, XLSX_MIMETYPE, xlsx_response
from server.extensions import db
from server.members import service
from server.members.models import Building, Community, EmployerUnit, Grid
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
from server.pagination import paginate
from server.schemas import ReasonSchema

blp = Blueprint("members", __name__, url_prefix="/api/v1", description="社区、报到与党员")

@blp.route("/communities")
@blp.response(200, CommunitySchema(many=True))
def communities():
    """Every community, for the report picker."""
    current_principal()
    # archived places (组织架构 in the console) keep their history but leave the pickers
    return db.session.scalars(
        sa.select(Community).where(Community.archived_at.is_(None)).order_by(Community.id))


def _community_or_404(community_id: int) -> Community:
    community = db.session.get(Community, community_id)
    if community is None:
        raise not_found("社区")
    return community


@blp.route("/communities/<int:community_id>/grids")
@blp.response(200, GridSchema(many=True))
def grids(community_id):
    current_principal()
    _community_or_404(community_id)
    return db.session.scalars(
        sa.select(Grid).filter_by(community_id=community_id, archived_at=None).order_by(Grid.id)
    )


@blp.route("/communities/<int:community_id>/buildings")
@blp.response(200, BuildingSchema(many=True))
def buildings(community_id):
    current_principal()
    _community_or_404(community_id)
    return db.session.scalars(
        sa.select(Building).filter_by(community_id=community_id, archived_at=None)
        .order_by(Building.id)
    )


@blp.route("/units")
@blp.response(200, UnitSchema(many=True))
def units():
    """Employer units (单位), for the report picker."""
    current_principal()
    return db.session.scalars(
        sa.select(EmployerUnit).where(EmployerUnit.archived_at.is_(None)).order_by(EmployerUnit.id))


@blp.route("/registrations")
class Registrations(MethodView):
    @blp.arguments(RegistrationQuerySchema, location="query")
    @blp.response(200, RegistrationSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Registrations in the caller's communities or grid, newest first (staff)."""
        statement = service.staff_registrations_query(current_principal(), **query)
        return paginate(statement, pagination_parameters)

    @blp.arguments(RegistrationInSchema)
    @blp.response(201, RegistrationSchema)
    def post(self, body):
        """Report to the community where I live (到社区报到)."""
        return service.submit_registration(current_principal(), body)


@blp.route("/registrations/mine")
@blp.response(200, RegistrationSchema(many=True))
def my_registrations():
    """My registrations, the current one first, history kept."""
    return service.my_registrations(current_principal().member)


@blp.route("/registrations/<int:registration_id>/withdraw", methods=["POST"])
@blp.response(200, RegistrationSchema)
def withdraw(registration_id):
    return service.withdraw_registration(current_principal(), registration_id)


@blp.route("/registrations/<int:registration_id>/approve", methods=["POST"])
@blp.response(200, RegistrationSchema)
def approve(registration_id):
    return service.approve_registration(current_principal(), registration_id)


@blp.route("/registrations/<int:registration_id>/reject", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.response(200, RegistrationSchema)
def reject(body, registration_id):
    return service.reject_registration(current_principal(), registration_id, body["reason"])


@blp.route("/members")
@blp.arguments(MemberQuerySchema, location="query")
@blp.response(200, MemberSchema(many=True))
@blp.paginate()
def members(query, pagination_parameters):
    """Members the caller looks after (staff, grid workers, unit secretaries)."""
    statement = service.staff_members_query(current_principal(), **query)
    return paginate(statement, pagination_parameters)


@blp.route("/members/<int:member_id>")
@blp.response(200, MemberSchema)
def member(member_id):
    return get_visible_member(current_principal(), member_id)


@blp.route("/communities/<int:community_id>/registration-cards.xlsx")
@blp.response(200, XLSX_BODY, content_type=XLSX_MIMETYPE)
def registration_cards(community_id):
    """The community's registration cards (登记卡) as Excel; each export is logged."""
    content, filename = service.registration_cards_xlsx(current_principal(), community_id)
    return xlsx_response(content, filename)


__all__ = ["blp", "COMMUNITY_MANAGERS"]
