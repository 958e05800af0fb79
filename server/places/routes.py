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
    """我管理的区（区委组织部）

    列出我管理的区。
    """
    return service.my_districts(current_principal())


@blp.route("/org/streets")
class Streets(MethodView):
    @blp.arguments(StreetQuerySchema, location="query")
    @blp.response(200, OrgStreetSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """街道列表（区级管理员）

        列出我管理的街道。
        """
        return paginate(service.streets_query(current_principal(), **query),
                        pagination_parameters)

    @blp.arguments(StreetInSchema)
    @blp.response(201, OrgStreetSchema)
    @blp.alt_response(200, schema=OrgStreetSchema, description="the same street, created before")
    def post(self, body):
        """新建街道（区级管理员）

        在我管理的区内新建街道；同一街道已建过时返回原街道（200）。
        """
        return _created(service.create_street(current_principal(), body))


@blp.route("/org/streets/<int:street_id>")
class StreetItem(MethodView):
    @blp.arguments(StreetPatchSchema)
    @blp.response(200, OrgStreetSchema)
    def patch(self, body, street_id):
        """修改街道（区级管理员）

        重命名或归档街道。
        """
        return service.update_street(current_principal(), street_id, body)

    @blp.response(204)
    def delete(self, street_id):
        """删除街道（区级管理员）

        只能删除没有任何记录引用的街道；否则返回 409 `place_in_use`，请改为归档。
        """
        service.delete_street(current_principal(), street_id)


@blp.route("/org/communities")
class Communities(MethodView):
    @blp.arguments(CommunityQuerySchema, location="query")
    @blp.response(200, OrgCommunitySchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """社区列表（街道、区级管理员）

        列出我负责设置地点的社区。
        """
        return paginate(service.communities_query(current_principal(), **query),
                        pagination_parameters)

    @blp.arguments(CommunityInSchema)
    @blp.response(201, OrgCommunitySchema)
    @blp.alt_response(200, schema=OrgCommunitySchema, description="the same, created before")
    def post(self, body):
        """新建社区（街道、区级管理员）

        在我管理的街道内新建社区；同一社区已建过时返回原社区（200）。
        """
        return _created(service.create_community(current_principal(), body))


@blp.route("/org/communities/<int:community_id>")
class CommunityItem(MethodView):
    @blp.arguments(CommunityPatchSchema)
    @blp.response(200, OrgCommunitySchema)
    def patch(self, body, community_id):
        """修改社区（街道、区级管理员）

        修改社区的名称、地址或归档状态。
        """
        return service.update_community(current_principal(), community_id, body)

    @blp.response(204)
    def delete(self, community_id):
        """删除社区（街道、区级管理员）

        只能删除没有任何记录引用的社区；否则返回 409 `place_in_use`，请改为归档。
        """
        service.delete_community(current_principal(), community_id)


@blp.route("/org/grids")
class Grids(MethodView):
    @blp.arguments(GridQuerySchema, location="query")
    @blp.response(200, OrgGridSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """网格列表（社区工作人员）

        列出网格及其网格员。
        """
        return service.grids_page(current_principal(), pagination_parameters, **query)

    @blp.arguments(GridInSchema)
    @blp.response(201, OrgGridSchema)
    @blp.alt_response(200, schema=OrgGridSchema, description="the same, created before")
    def post(self, body):
        """新建网格（社区工作人员）

        新建网格；指定了网格员时一并设置。同一网格已建过时返回原网格（200）。
        """
        return _created(service.create_grid(current_principal(), body))


@blp.route("/org/grids/<int:grid_id>")
class GridItem(MethodView):
    @blp.arguments(GridPatchSchema)
    @blp.response(200, OrgGridSchema)
    def patch(self, body, grid_id):
        """修改网格（社区工作人员）

        修改网格的名称、户数、网格员或归档状态。
        """
        return service.update_grid(current_principal(), grid_id, body)

    @blp.response(204)
    def delete(self, grid_id):
        """删除网格（社区工作人员）

        只能删除没有任何记录引用的网格；否则返回 409 `place_in_use`，请改为归档。
        """
        service.delete_grid(current_principal(), grid_id)


@blp.route("/org/buildings")
class Buildings(MethodView):
    @blp.arguments(BuildingQuerySchema, location="query")
    @blp.response(200, OrgBuildingSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """楼栋列表（社区工作人员）

        列出楼栋及其 GCJ-02 坐标点。
        """
        return paginate(service.buildings_query(current_principal(), **query),
                        pagination_parameters)

    @blp.arguments(BuildingInSchema)
    @blp.response(201, OrgBuildingSchema)
    @blp.alt_response(200, schema=OrgBuildingSchema, description="the same, created before")
    def post(self, body):
        """新建楼栋（社区工作人员）

        新建楼栋（含 GCJ-02 坐标点）；同一楼栋已建过时返回原楼栋（200）。
        """
        return _created(service.create_building(current_principal(), body))


@blp.route("/org/buildings/<int:building_id>")
class BuildingItem(MethodView):
    @blp.arguments(BuildingPatchSchema)
    @blp.response(200, OrgBuildingSchema)
    def patch(self, body, building_id):
        """修改楼栋（社区工作人员）

        修改楼栋的名称、所属网格、GCJ-02 坐标点或归档状态。
        """
        return service.update_building(current_principal(), building_id, body)

    @blp.response(204)
    def delete(self, building_id):
        """删除楼栋（社区工作人员）

        只能删除没有任何记录引用的楼栋；否则返回 409 `place_in_use`，请改为归档。
        """
        service.delete_building(current_principal(), building_id)


@blp.route("/org/units")
class Units(MethodView):
    @blp.arguments(UnitQuerySchema, location="query")
    @blp.response(200, OrgUnitSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """单位列表（街道管理员）

        列出我所在街道登记的在职党员所在单位。
        """
        return paginate(service.units_query(current_principal(), **query),
                        pagination_parameters)

    @blp.arguments(UnitInSchema)
    @blp.response(201, OrgUnitSchema)
    @blp.alt_response(200, schema=OrgUnitSchema, description="the same, created before")
    def post(self, body):
        """登记单位（街道管理员）

        登记在职党员所在单位；同一单位已登记过时返回原单位（200）。
        """
        return _created(service.create_unit(current_principal(), body))


@blp.route("/org/units/<int:unit_id>")
class UnitItem(MethodView):
    @blp.arguments(UnitPatchSchema)
    @blp.response(200, OrgUnitSchema)
    def patch(self, body, unit_id):
        """修改单位（街道管理员）

        修改单位的名称、党组织名称或归档状态。
        """
        return service.update_unit(current_principal(), unit_id, body)

    @blp.response(204)
    def delete(self, unit_id):
        """删除单位（街道管理员）

        只能删除没有任何记录引用的单位；否则返回 409 `place_in_use`，请改为归档。
        """
        service.delete_unit(current_principal(), unit_id)


@blp.route("/role-grants")
class RoleGrants(MethodView):
    @blp.arguments(GrantQuerySchema, location="query")
    @blp.response(200, RoleGrantSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """角色授权列表（管理员）

        列出我管辖范围内的角色授权，包括授权人和授权时间。
        """
        return grants.grants_page(current_principal(), pagination_parameters, **query)

    @blp.arguments(GrantInSchema)
    @blp.response(201, RoleGrantSchema)
    @blp.alt_response(200, schema=RoleGrantSchema, description="already held")
    def post(self, body):
        """授予角色（管理员）

        在我管辖范围内的地点授予角色（按用户编号或手机号）；对方已有该授权时返回原授权（200）。
        """
        return _created(grants.grant(current_principal(), body))


@blp.route("/role-grants/<int:grant_id>", methods=["DELETE"])
@blp.response(204)
def revoke_grant(grant_id):
    """撤销角色授权（管理员）

    撤销一项角色授权；撤销记入审计日志。
    """
    grants.revoke(current_principal(), grant_id)
