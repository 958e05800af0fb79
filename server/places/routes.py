"""/api/v1/org and /api/v1/role-grants: setting up a street (组织架构) and granting roles."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from server.auth.scope import current_principal
from server.pagination import paginate
from server.places import grants, service
from server.places.schemas import (
    BuildingInSchema,
    BuildingPatchSchema,
    BuildingQuerySchema,
    CommunityInSchema,
    CommunityPatchSchema,
    CommunityQuerySchema,
    DistrictSchema,
    GrantInSchema,
    GrantQuerySchema,
    GridInSchema,
    GridPatchSchema,
    GridQuerySchema,
    OrgBuildingSchema,
    OrgCommunitySchema,
    OrgGridSchema,
    OrgStreetSchema,
    OrgUnitSchema,
    RoleGrantSchema,
    StreetInSchema,
    StreetPatchSchema,
    StreetQuerySchema,
    UnitInSchema,
    UnitPatchSchema,
    UnitQuerySchema,
)

blp = Blueprint("places", __name__, url_prefix="/api/v1", description="组织架构与角色授权")


def _created(result):
    """(row, created) → 201 for a new row, 200 for the same one created before."""
    row, created = result
    return row, 201 if created else 200


@blp.route("/org/districts")
@blp.response(200, DistrictSchema(many=True))
def districts():
    """The districts I administer (区委组织部)."""
    return service.my_districts(current_principal())


@blp.route("/org/streets")
class Streets(MethodView):
    @blp.arguments(StreetQuerySchema, location="query")
    @blp.response(200, OrgStreetSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Streets I administer."""
        return paginate(service.streets_query(current_principal(), **query),
                        pagination_parameters)

    @blp.arguments(StreetInSchema)
    @blp.response(201, OrgStreetSchema)
    @blp.alt_response(200, schema=OrgStreetSchema, description="the same street, created before")
    def post(self, body):
        """Create a street in my district (district admins)."""
        return _created(service.create_street(current_principal(), body))


@blp.route("/org/streets/<int:street_id>")
class StreetItem(MethodView):
    @blp.arguments(StreetPatchSchema)
    @blp.response(200, OrgStreetSchema)
    def patch(self, body, street_id):
        """Rename or archive a street (district admins)."""
        return service.update_street(current_principal(), street_id, body)

    @blp.response(204)
    def delete(self, street_id):
        """Delete a street nothing refers to (else 409 place_in_use: archive it instead)."""
        service.delete_street(current_principal(), street_id)


@blp.route("/org/communities")
class Communities(MethodView):
    @blp.arguments(CommunityQuerySchema, location="query")
    @blp.response(200, OrgCommunitySchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Communities whose places I set up."""
        return paginate(service.communities_query(current_principal(), **query),
                        pagination_parameters)

    @blp.arguments(CommunityInSchema)
    @blp.response(201, OrgCommunitySchema)
    @blp.alt_response(200, schema=OrgCommunitySchema, description="the same, created before")
    def post(self, body):
        """Create a community in my street (street and district admins)."""
        return _created(service.create_community(current_principal(), body))


@blp.route("/org/communities/<int:community_id>")
class CommunityItem(MethodView):
    @blp.arguments(CommunityPatchSchema)
    @blp.response(200, OrgCommunitySchema)
    def patch(self, body, community_id):
        return service.update_community(current_principal(), community_id, body)

    @blp.response(204)
    def delete(self, community_id):
        service.delete_community(current_principal(), community_id)


@blp.route("/org/grids")
class Grids(MethodView):
    @blp.arguments(GridQuerySchema, location="query")
    @blp.response(200, OrgGridSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Grids (网格) with their grid workers."""
        return service.grids_page(current_principal(), pagination_parameters, **query)

    @blp.arguments(GridInSchema)
    @blp.response(201, OrgGridSchema)
    @blp.alt_response(200, schema=OrgGridSchema, description="the same, created before")
    def post(self, body):
        """Create a grid, with its grid worker when one is named."""
        return _created(service.create_grid(current_principal(), body))


@blp.route("/org/grids/<int:grid_id>")
class GridItem(MethodView):
    @blp.arguments(GridPatchSchema)
    @blp.response(200, OrgGridSchema)
    def patch(self, body, grid_id):
        return service.update_grid(current_principal(), grid_id, body)

    @blp.response(204)
    def delete(self, grid_id):
        service.delete_grid(current_principal(), grid_id)


@blp.route("/org/buildings")
class Buildings(MethodView):
    @blp.arguments(BuildingQuerySchema, location="query")
    @blp.response(200, OrgBuildingSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Buildings (楼栋) with their GCJ-02 points."""
        return paginate(service.buildings_query(current_principal(), **query),
                        pagination_parameters)

    @blp.arguments(BuildingInSchema)
    @blp.response(201, OrgBuildingSchema)
    @blp.alt_response(200, schema=OrgBuildingSchema, description="the same, created before")
    def post(self, body):
        return _created(service.create_building(current_principal(), body))


@blp.route("/org/buildings/<int:building_id>")
class BuildingItem(MethodView):
    @blp.arguments(BuildingPatchSchema)
    @blp.response(200, OrgBuildingSchema)
    def patch(self, body, building_id):
        return service.update_building(current_principal(), building_id, body)

    @blp.response(204)
    def delete(self, building_id):
        service.delete_building(current_principal(), building_id)


@blp.route("/org/units")
class Units(MethodView):
    @blp.arguments(UnitQuerySchema, location="query")
    @blp.response(200, OrgUnitSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Employer units (单位) my street registered."""
        return paginate(service.units_query(current_principal(), **query),
                        pagination_parameters)

    @blp.arguments(UnitInSchema)
    @blp.response(201, OrgUnitSchema)
    @blp.alt_response(200, schema=OrgUnitSchema, description="the same, created before")
    def post(self, body):
        return _created(service.create_unit(current_principal(), body))


@blp.route("/org/units/<int:unit_id>")
class UnitItem(MethodView):
    @blp.arguments(UnitPatchSchema)
    @blp.response(200, OrgUnitSchema)
    def patch(self, body, unit_id):
        return service.update_unit(current_principal(), unit_id, body)

    @blp.response(204)
    def delete(self, unit_id):
        service.delete_unit(current_principal(), unit_id)


@blp.route("/role-grants")
class RoleGrants(MethodView):
    @blp.arguments(GrantQuerySchema, location="query")
    @blp.response(200, RoleGrantSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Role grants in my scope, with who granted them and when."""
        return grants.grants_page(current_principal(), pagination_parameters, **query)

    @blp.arguments(GrantInSchema)
    @blp.response(201, RoleGrantSchema)
    @blp.alt_response(200, schema=RoleGrantSchema, description="already held")
    def post(self, body):
        """Grant a role over a place within my scope (by user id or phone)."""
        return _created(grants.grant(current_principal(), body))


@blp.route("/role-grants/<int:grant_id>", methods=["DELETE"])
@blp.response(204)
def revoke_grant(grant_id):
    """Revoke a role (audited)."""
    grants.revoke(current_principal(), grant_id)
