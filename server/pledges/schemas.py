"""Pledges, notes and the party day as the API shows and accepts them.

Images (the hand-drawn signature, note photos) travel base64-encoded inside the JSON body:
one content type for the whole API, and the Idempotency-Key covers them like any field.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.members.schemas import BuildingSchema
from server.schemas import LocalDateTime, StrictSchema, Text

ITEM = fields.String(validate=validate.Length(min=1, max=50))
MONTH = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="月份格式应为 YYYY-MM")
HHMM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="时间格式应为 HH:MM")
BASE64_IMAGE = "base64 编码的图片（可带 data:image/...;base64, 前缀）"


class TemplateInSchema(StrictSchema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    title = fields.String(required=True, validate=validate.Length(min=1, max=100))
    items = fields.List(
        ITEM,
        validate=validate.Length(min=1, max=20),
        metadata={"description": "可承诺事项；不填则为 环境卫生、安全隐患排查、邻里帮扶、政策宣传"},
    )


class TemplatePatchSchema(StrictSchema):
    title = fields.String(validate=validate.Length(min=1, max=100))
    items = fields.List(ITEM, validate=validate.Length(min=1, max=20))


class TemplateSchema(Schema):
    id = fields.Integer()
    community_id = fields.Integer()
    year = fields.Integer()
    title = fields.String()
    items = fields.List(fields.String())


class YearQuerySchema(StrictSchema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class AreaInSchema(StrictSchema):
    member_id = fields.Integer(required=True)
    building_id = fields.Integer(required=True)


class AreaSchema(Schema):
    id = fields.Integer()
    community_id = fields.Integer()
    member_id = fields.Integer()
    member_name = fields.Function(lambda a: a.member.name)
    building = fields.Nested(BuildingSchema)


class PledgeInSchema(StrictSchema):
    template_id = fields.Integer(required=True)
    building_id = fields.Integer(
        metadata={"description": "默认为本人居住楼栋；也可为社区分配的责任区楼栋"}
    )
    items = fields.List(ITEM, required=True, validate=validate.Length(min=1, max=20))
    own_words = Text(multiline=True, load_default="", validate=validate.Length(max=500))
    signature_png_base64 = fields.String(
        required=True,
        metadata={
            "description": "手写签名 PNG，" + BASE64_IMAGE + "；大小和像素受 [pledges] 配置限制",
            "format": "byte",
        },
    )


class PledgeSchema(Schema):
    id = fields.Integer()
    member_id = fields.Integer()
    community_id = fields.Integer()
    building = fields.Nested(BuildingSchema)
    template_id = fields.Integer()
    year = fields.Integer()
    items = fields.List(fields.String())
    own_words = fields.String()
    status = fields.String(metadata={"description": "active | withdrawn"})
    signed_at = LocalDateTime()
    withdrawn_at = LocalDateTime(allow_none=True)
    signature_url = fields.Function(lambda p: f"/api/v1/pledges/{p.id}/signature.png")


class StaffPledgeSchema(PledgeSchema):
    member_name = fields.Function(lambda p: p.member.name)


class PledgeQuerySchema(StrictSchema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    building_id = fields.Integer()
    status = fields.String(validate=validate.OneOf(["active", "withdrawn"]))


class BuildingOptionSchema(BuildingSchema):
    pass


class HeadInSchema(StrictSchema):
    member_id = fields.Integer(required=True)


class HeadSchema(Schema):
    building_id = fields.Integer()
    member_id = fields.Integer()
    member_name = fields.Function(lambda h: h.member.name)
    appointed_at = LocalDateTime()


class PledgeBoardMemberSchema(Schema):
    name = fields.String(metadata={"description": "已脱敏的姓名"})
    is_head = fields.Boolean()
    items = fields.List(fields.String())
    own_words = fields.String()
    signed_at = LocalDateTime()


class PledgeBoardSchema(Schema):
    building = fields.Dict()
    year = fields.Integer()
    head = fields.Dict(allow_none=True)
    members = fields.List(fields.Nested(PledgeBoardMemberSchema))


class NoteInSchema(StrictSchema):
    content = Text(multiline=True, required=True, validate=validate.Length(min=1, max=1000))
    photos = fields.List(
        fields.String(metadata={"format": "byte"}),
        load_default=list,
        validate=validate.Length(max=3),
        metadata={"description": "最多3张 JPEG/PNG 照片，" + BASE64_IMAGE},
    )


class NoteSchema(Schema):
    id = fields.Integer()
    pledge_id = fields.Integer()
    member_id = fields.Integer()
    community_id = fields.Integer()
    building_id = fields.Integer()
    content = fields.String()
    status = fields.String(metadata={"description": "submitted | verified | returned"})
    return_reason = fields.String(allow_none=True)
    created_at = LocalDateTime()
    reviewed_at = LocalDateTime(allow_none=True)
    photo_urls = fields.Function(
        lambda n: [f"/api/v1/pledge-notes/{n.id}/photos/{p.position}" for p in n.photos]
    )


class StaffNoteSchema(NoteSchema):
    member_name = fields.Function(lambda n: n.member.name)


class NoteQuerySchema(StrictSchema):
    status = fields.String(validate=validate.OneOf(["submitted", "verified", "returned"]))


class GridCoverageSchema(Schema):
    grid_id = fields.Integer()
    grid_name = fields.String()
    buildings_total = fields.Integer()
    buildings_covered = fields.Integer()
    uncovered_buildings = fields.List(fields.Dict())


class CoverageSchema(Schema):
    community_id = fields.Integer()
    year = fields.Integer()
    buildings_total = fields.Integer()
    buildings_covered = fields.Integer()
    uncovered_buildings = fields.List(fields.Dict())
    grids = fields.List(fields.Nested(GridCoverageSchema))
    members_not_pledged = fields.List(fields.Dict())


# --- party day ----------------------------------------------------------------------------


class PartyDaySettingsInSchema(StrictSchema):
    day_of_month = fields.Integer(validate=validate.Range(min=1, max=28))
    window_days = fields.Integer(validate=validate.Range(min=1, max=7))
    start_time = fields.String(validate=HHMM)
    end_time = fields.String(validate=HHMM)
    title = fields.String(validate=validate.Length(min=1, max=100))
    address = fields.String(validate=validate.Length(max=200))
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))


class PartyDaySettingsSchema(Schema):
    community_id = fields.Integer()
    day_of_month = fields.Integer()
    window_days = fields.Integer()
    start_time = fields.String()
    end_time = fields.String()
    title = fields.String()
    address = fields.String()
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    is_default = fields.Boolean()


class PartyDaySchema(Schema):
    id = fields.Integer()
    community_id = fields.Integer()
    month = fields.String()
    day = fields.Date()
    window_days = fields.Integer()
    activity_id = fields.Integer()


class MonthQuerySchema(StrictSchema):
    month = fields.String(required=True, validate=MONTH)


class OptionalMonthQuerySchema(StrictSchema):
    month = fields.String(validate=MONTH)


class MakeupInSchema(StrictSchema):
    month = fields.String(required=True, validate=MONTH, metadata={"description": "补的是哪个月"})
    title = fields.String(validate=validate.Length(min=1, max=100))
    content = Text(multiline=True, validate=validate.Length(max=2000))
    address = fields.String(validate=validate.Length(max=200))
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))
    radius_m = fields.Integer(validate=validate.Range(min=20, max=5000))
    starts_at = LocalDateTime(required=True)
    ends_at = LocalDateTime(required=True)
    capacity = fields.Integer(required=True, validate=validate.Range(min=1, max=1000))


class MakeupSchema(Schema):
    id = fields.Integer()
    community_id = fields.Integer()
    month = fields.String()
    title = fields.String()
    address = fields.String()
    starts_at = LocalDateTime()
    ends_at = LocalDateTime()
    capacity = fields.Integer()
    booked_count = fields.Integer()
    places_left = fields.Function(lambda s: max(0, s.capacity - s.booked_count))
    activity_id = fields.Integer()


class BookingSchema(Schema):
    id = fields.Integer()
    session_id = fields.Integer()
    member_id = fields.Integer()
    month = fields.String()
    status = fields.String(metadata={"description": "booked | cancelled"})
    booked_at = LocalDateTime()


class StaffBookingSchema(BookingSchema):
    member_name = fields.Function(lambda b: _member_name(b.member_id))


def _member_name(member_id: int) -> str:
    from server.extensions import db
    from server.members.models import Member

    member = db.session.get(Member, member_id)
    return member.name if member else ""


class MyPartyDaySchema(Schema):
    month = fields.String()
    status = fields.String(metadata={"description": "attended | booked | missing"})
    source = fields.String(allow_none=True)
    party_day = fields.String(allow_none=True)
    activity_id = fields.Integer(allow_none=True)
    makeup_session_id = fields.Integer(allow_none=True)


class AttendanceReportSchema(Schema):
    community_id = fields.Integer()
    month = fields.String()
    party_day = fields.String(allow_none=True)
    activity_id = fields.Integer(allow_none=True)
    attended = fields.List(fields.Dict())
    booked_makeup = fields.List(fields.Dict())
    missing = fields.List(fields.Dict())


class DedicationInSchema(StrictSchema):
    community_id = fields.Integer(required=True, metadata={"description": "承办社区（本街道内）"})
    title = fields.String(required=True, validate=validate.Length(min=1, max=100))
    content = Text(multiline=True, validate=validate.Length(max=2000))
    address = fields.String(validate=validate.Length(max=200))
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))
    radius_m = fields.Integer(validate=validate.Range(min=20, max=5000))
    starts_at = LocalDateTime(required=True)
    ends_at = LocalDateTime(required=True)
    capacity = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=100000))


class DedicationSchema(Schema):
    id = fields.Integer()
    street_id = fields.Integer()
    day = fields.Date()
    title = fields.String()
    activity_id = fields.Integer()
