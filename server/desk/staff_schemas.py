"""What the desk's records, changes, member-page and 一卡一薄 endpoints accept and answer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.activities.schemas import HoursRecordSchema
from server.members.models import MemberType, RegistrationStatus
from server.members.schemas import MemberSchema
from server.schemas import Id, LocalDateTime, StrictSchema


class ActivityChangeSchema(Schema):
    audit_id = fields.Integer()
    at = LocalDateTime()
    by = fields.String()
    field = fields.String()
    field_label = fields.String()
    old = fields.String()
    new = fields.String()
    announced = fields.Boolean(metadata={"description": "已报名的党员会收到这项变更的通知"})


class DeskHoursRecordSchema(HoursRecordSchema):
    member_name = fields.String()
    created_by = fields.String()
    approved_by = fields.String()
    mine = fields.Boolean(metadata={"description": "我录入的（不能由我审核）"})


class PeriodQuerySchema(StrictSchema):
    date_from = fields.Date()
    date_to = fields.Date()


class HoursPerMemberQuerySchema(PeriodQuerySchema):
    activity_id = Id()


class MemberHoursSchema(Schema):
    member_id = fields.Integer()
    name = fields.String()
    member_type = fields.String()
    hours = fields.Decimal(as_string=True)
    records = fields.Integer()


class HoursPerMemberSchema(Schema):
    rows = fields.List(fields.Nested(MemberHoursSchema))
    members = fields.Integer()
    total_hours = fields.Decimal(as_string=True)


class YearQuerySchema(StrictSchema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class SummaryPledgeSchema(Schema):
    year = fields.Integer()
    building_name = fields.String()
    status = fields.String()
    items = fields.List(fields.String())
    signed_at = LocalDateTime()


class SummaryPartyDaySchema(Schema):
    month = fields.String()
    attended = fields.Boolean()
    source = fields.String(allow_none=True)


class SummaryRegistrationSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    status_label = fields.String()
    building_name = fields.String()
    room = fields.String()
    submitted_at = LocalDateTime()
    decided_at = LocalDateTime(allow_none=True)


class MemberSummarySchema(Schema):
    member_id = fields.Integer()
    year = fields.Integer()
    hours_year = fields.Decimal(as_string=True)
    hours_all = fields.Decimal(as_string=True)
    points_year = fields.Integer()
    points_all = fields.Integer()
    stars = fields.Integer(allow_none=True)
    pledges = fields.List(fields.Nested(SummaryPledgeSchema))
    party_days = fields.List(fields.Nested(SummaryPartyDaySchema))
    party_days_attended = fields.Integer()
    party_days_missed = fields.Integer()
    registrations = fields.List(fields.Nested(SummaryRegistrationSchema))


class DeskMemberQuerySchema(StrictSchema):
    community_id = Id()
    grid_id = Id()
    building_id = Id()
    unit_id = Id()
    member_type = fields.String(validate=validate.OneOf([t.value for t in MemberType]))
    name = fields.String(validate=validate.Length(max=50))
    registration = fields.String(validate=validate.OneOf([s.value for s in RegistrationStatus]))
    stars = fields.Integer(validate=validate.Range(min=0, max=5),
                           metadata={"description": "本年星级；0 为尚未评星"})
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class DeskMemberSchema(MemberSchema):
    stars = fields.Integer(allow_none=True)
