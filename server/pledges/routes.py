"""/api/v1 pledges (包楼栋承诺) and the fixed party day (固定党员活动日 + 预约补课).

Each view parses with a schema, calls one service function with the caller's Principal
first, and returns what a schema dumps.
"""

from __future__ import annotations

import io

from flask import send_file
from flask_smorest import Blueprint

from server.auth.scope import current_principal
from server.errors import not_found
from server.pledges import (
    areas,
    heads,
    notes,
    service,
    templates,
)
from server.pledges.schemas import (
    AreaInSchema,
    AreaSchema,
    BuildingOptionSchema,
    CoverageSchema,
    HeadInSchema,
    HeadSchema,
    NoteInSchema,
    NoteQuerySchema,
    NoteSchema,
    PledgeBoardSchema,
    PledgeInSchema,
    PledgeQuerySchema,
    PledgeSchema,
    StaffNoteSchema,
    StaffPledgeSchema,
    TemplateInSchema,
    TemplatePatchSchema,
    TemplateSchema,
    YearQuerySchema,
)
from server.responses import created_or_repeated
from server.schemas import ReasonSchema

blp = Blueprint("pledges", __name__, url_prefix="/api/v1", description="包楼栋承诺与固定党员活动日")

IMAGE = {"type": "string", "format": "binary"}


def _image(image):
    if image is None:
        raise not_found("图片")
    response = send_file(io.BytesIO(image.data), mimetype=image.content_type)
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


# --- templates, responsibility areas -------------------------------------------------------


@blp.get("/communities/<int:community_id>/pledge-templates")
@blp.arguments(YearQuerySchema, location="query")
@blp.response(200, TemplateSchema(many=True))
def list_templates(query, community_id):
    """社区的承诺书模板

    本社区党员和工作人员可查看，最新年度在前。
    """
    return templates.list_templates(current_principal(), community_id, query.get("year"))


@blp.post("/communities/<int:community_id>/pledge-templates")
@blp.arguments(TemplateInSchema)
@blp.response(201, TemplateSchema)
@blp.alt_response(200, schema=TemplateSchema, description="同名同年度的承诺书已存在")
def create_template(body, community_id):
    """新建承诺书模板（工作人员）

    同名同年度的模板已存在时返回该模板（200）。
    """
    return created_or_repeated(templates.create_template(current_principal(), community_id, body))


@blp.patch("/pledge-templates/<int:template_id>")
@blp.arguments(TemplatePatchSchema)
@blp.response(200, TemplateSchema)
def update_template(body, template_id):
    """修改承诺书模板（工作人员）

    只改所传字段。
    """
    return templates.update_template(current_principal(), template_id, body)


@blp.get("/communities/<int:community_id>/responsibility-areas")
@blp.response(200, AreaSchema(many=True))
def list_areas(community_id):
    """社区的责任区（工作人员）

    分配给党员的、其所住楼栋以外的楼栋。
    """
    return areas.list_areas(current_principal(), community_id)


@blp.post("/communities/<int:community_id>/responsibility-areas")
@blp.arguments(AreaInSchema)
@blp.response(201, AreaSchema)
@blp.alt_response(200, schema=AreaSchema, description="已分配")
def assign_area(body, community_id):
    """分配责任区（工作人员）

    把楼栋分配给本社区已报到的党员；已分配时返回原记录（200）。
    """
    return created_or_repeated(
        areas.assign_area(
            current_principal(), community_id, body["member_id"], body["building_id"]
        )
    )


@blp.delete("/responsibility-areas/<int:area_id>")
@blp.response(204)
def remove_area(area_id):
    """取消责任区（工作人员）

    记入审计日志。
    """
    areas.remove_area(current_principal(), area_id)


# --- pledges --------------------------------------------------------------------------------


@blp.post("/pledges")
@blp.arguments(PledgeInSchema)
@blp.response(201, PledgeSchema)
@blp.alt_response(200, schema=PledgeSchema, description="同一承诺已签署（重复提交）")
def sign(body):
    """签署包楼栋承诺

    为所住楼栋或责任区签署本年度承诺；手写签名为 PNG，base64 放在
    `signature_png_base64`。重复提交返回同一承诺（200）。
    """
    return created_or_repeated(service.sign_pledge(current_principal(), body))


@blp.get("/pledges/mine")
@blp.response(200, PledgeSchema(many=True))
def my_pledges():
    """我的承诺

    最新年度在前。
    """
    return service.my_pledges(current_principal())


@blp.get("/pledges/buildings")
@blp.response(200, BuildingOptionSchema(many=True))
def my_pledge_buildings():
    """我可承诺的楼栋

    所住楼栋和我的责任区；须已到社区报到并通过审核。
    """
    return areas.pledge_buildings(current_principal())


@blp.get("/pledges/<int:pledge_id>")
@blp.response(200, StaffPledgeSchema)
def pledge(pledge_id):
    """承诺详情

    承诺人本人及负责该楼栋的工作人员可查看。
    """
    return service.get_pledge(current_principal(), pledge_id)


@blp.get("/pledges/<int:pledge_id>/signature.png")
@blp.response(200, IMAGE, content_type="image/png")
def signature(pledge_id):
    """承诺的手写签名

    PNG 图片；承诺人本人及负责该楼栋的工作人员可查看。
    """
    return _image(service.signature_of(current_principal(), pledge_id))


@blp.post("/pledges/<int:pledge_id>/withdraw")
@blp.response(200, PledgeSchema)
def withdraw(pledge_id):
    """撤回承诺

    撤回后不能再记录践诺情况，可重新签署。
    """
    return service.withdraw_pledge(current_principal(), pledge_id)


@blp.get("/communities/<int:community_id>/pledges")
@blp.arguments(PledgeQuerySchema, location="query")
@blp.response(200, StaffPledgeSchema(many=True))
@blp.paginate()
def community_pledges(query, community_id, pagination_parameters):
    """社区的承诺（工作人员）

    网格员只看到本网格的；可按年度、楼栋、状态筛选。
    """
    return service.community_pledges(
        current_principal(), community_id, query, pagination_parameters
    )


@blp.get("/communities/<int:community_id>/pledge-coverage")
@blp.arguments(YearQuerySchema, location="query")
@blp.response(200, CoverageSchema)
def coverage(query, community_id):
    """承诺覆盖情况（工作人员）

    各网格有、无承诺党员的楼栋，以及已报到未承诺的党员。
    """
    return service.coverage(current_principal(), community_id, query.get("year"))


# --- building heads, public board -------------------------------------------------------------


@blp.get("/communities/<int:community_id>/building-heads")
@blp.response(200, HeadSchema(many=True))
def list_heads(community_id):
    """社区的楼栋长（工作人员）

    本社区每栋楼的楼栋长：楼栋、姓名、任命时间。
    """
    return heads.list_heads(current_principal(), community_id)


@blp.put("/buildings/<int:building_id>/head")
@blp.arguments(HeadInSchema)
@blp.response(200, HeadSchema)
def appoint_head(body, building_id):
    """任命楼栋长（工作人员）

    从该楼栋已承诺的党员中任命。
    """
    return heads.appoint_head(current_principal(), building_id, body["member_id"])


@blp.delete("/buildings/<int:building_id>/head")
@blp.response(204)
def remove_head(building_id):
    """免去楼栋长（工作人员）

    记入审计日志。
    """
    heads.remove_head(current_principal(), building_id)


@blp.get("/buildings/<int:building_id>/pledge-board")
@blp.response(200, PledgeBoardSchema)
def board(building_id):
    """楼栋承诺公示栏

    亮身份、亮职责、亮承诺：已承诺党员（姓名脱敏）、承诺事项和楼栋长；不含手机号和房号。
    """
    return heads.public_board(current_principal(), building_id)


# --- fulfilment notes (践诺记录) -----------------------------------------------------------------


@blp.post("/pledges/<int:pledge_id>/notes")
@blp.arguments(NoteInSchema)
@blp.response(201, NoteSchema)
@blp.alt_response(200, schema=NoteSchema, description="相同内容的记录已提交（重复提交）")
def create_note(body, pledge_id):
    """记录践诺情况

    文字及最多 3 张照片（JPEG/PNG，base64）；承诺撤回后不能记录。
    相同内容重复提交返回同一记录（200）。
    """
    return created_or_repeated(notes.create_note(current_principal(), pledge_id, body))


@blp.get("/pledge-notes/mine")
@blp.response(200, NoteSchema(many=True))
@blp.paginate()
def my_notes(pagination_parameters):
    """我的践诺记录

    最新的在前。
    """
    return notes.my_notes(current_principal(), pagination_parameters)


@blp.get("/communities/<int:community_id>/pledge-notes")
@blp.arguments(NoteQuerySchema, location="query")
@blp.response(200, StaffNoteSchema(many=True))
@blp.paginate()
def community_notes(query, community_id, pagination_parameters):
    """社区的践诺记录（工作人员）

    网格员只看到本网格的；可按状态筛选。
    """
    return notes.community_notes(current_principal(), community_id, query, pagination_parameters)


@blp.get("/pledge-notes/<int:note_id>")
@blp.response(200, StaffNoteSchema)
def note(note_id):
    """践诺记录详情

    本人及负责该楼栋的工作人员可查看。
    """
    return notes.get_note(current_principal(), note_id)


@blp.put("/pledge-notes/<int:note_id>")
@blp.arguments(NoteInSchema)
@blp.response(200, NoteSchema)
def resubmit_note(body, note_id):
    """修改被退回的践诺记录

    只有被退回的记录可以修改，修改后重新提交审核；承诺撤回后不能修改。
    """
    return notes.resubmit_note(current_principal(), note_id, body)


@blp.get("/pledge-notes/<int:note_id>/photos/<int:position>")
@blp.response(200, IMAGE, content_type="image/jpeg")
def note_photo(note_id, position):
    """践诺记录的照片

    本人及负责该楼栋的工作人员可查看。
    """
    return _image(notes.note_photo(current_principal(), note_id, position))


@blp.post("/pledge-notes/<int:note_id>/verify")
@blp.response(200, StaffNoteSchema)
def verify_note(note_id):
    """核实践诺记录（工作人员）

    核实后按积分规则计分，只计一次；承诺已撤回的记录不能核实。
    """
    return notes.verify_note(current_principal(), note_id)


@blp.post("/pledge-notes/<int:note_id>/return")
@blp.arguments(ReasonSchema)
@blp.response(200, StaffNoteSchema)
def return_note(body, note_id):
    """退回践诺记录（工作人员）

    须写明原因，党员修改后可重新提交。
    """
    return notes.return_note(current_principal(), note_id, body["reason"])
