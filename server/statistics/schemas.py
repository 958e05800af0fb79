"""Shapes of the statistics' requests and answers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.schemas import LocalDateTime, StrictSchema

SCOPES = ["community", "street", "grid", "unit", "district"]


class StatisticsQuerySchema(StrictSchema):
    scope = fields.String(required=True, validate=validate.OneOf(SCOPES))
    scope_id = fields.Integer(required=True)
    period = fields.String(required=True, validate=validate.Regexp(
        r"^\d{4}(-H[12]|-Q[1-4]|-(0[1-9]|1[0-2]))?$",
        error="统计周期应为 2026、2026-H1、2026-Q3 或 2026-11 这样的格式"))


class StatPlaceQuerySchema(StrictSchema):
    scope = fields.String(required=True, validate=validate.OneOf(SCOPES))
    scope_id = fields.Integer(required=True)


class StatCommunitySchema(Schema):
    id = fields.Integer()
    name = fields.String()


class StatMeasuresSchema(Schema):
    roster = fields.Integer(allow_none=True,
                            metadata={"description": "单位报来名册的在职党员人数（网格不适用）"})
    roster_reported = fields.Integer(allow_none=True,
                                     metadata={"description": "名册中已到本社区报到的人数"})
    reporting_rate = fields.Float(allow_none=True, metadata={"description": "报到率（%）"})
    members = fields.Integer(metadata={"description": "报到党员"})
    active_members = fields.Integer(metadata={"description": "本期有服务时长的党员"})
    active_rate = fields.Float()
    hours = fields.Decimal(as_string=True)
    points = fields.Integer()
    activities = fields.Integer()
    buildings = fields.Integer(allow_none=True, metadata={"description": "楼栋数（单位不适用）"})
    pledged_buildings = fields.Integer(allow_none=True)
    pledge_coverage = fields.Float(allow_none=True)
    pledged_members = fields.Integer(metadata={"description": "签订包楼栋承诺的党员（网格、单位）"})
    party_days = fields.Integer(allow_none=True)
    party_day_attendances = fields.Integer()
    party_day_makeups = fields.Integer()


class StatCommunityMeasuresSchema(StatMeasuresSchema):
    community = fields.Nested(StatCommunitySchema)


class StatStreetMeasuresSchema(StatMeasuresSchema):
    street = fields.Nested(StatCommunitySchema)


class StatParticipationSchema(Schema):
    activity_id = fields.Integer()
    title = fields.String()
    category = fields.String()
    starts_at = LocalDateTime()
    members = fields.Integer(metadata={"description": "签到的本范围党员人数"})


class StatPointBandSchema(Schema):
    band = fields.String()
    members = fields.Integer()


class StatMonthHoursSchema(Schema):
    month = fields.String()
    hours = fields.Decimal(as_string=True)


class StatTypeCountSchema(Schema):
    category = fields.String()
    label = fields.String()
    activities = fields.Integer()


class StatStarCountSchema(Schema):
    stars = fields.Integer()
    members = fields.Integer()


class StatMeasureSchema(Schema):
    key = fields.String()
    label = fields.String()
    unit = fields.String()


class StatisticsSchema(Schema):
    scope = fields.String()
    scope_id = fields.Integer()
    name = fields.String()
    period = fields.String()
    period_label = fields.String()
    totals = fields.Nested(StatMeasuresSchema)
    hours_by_month = fields.List(fields.Nested(StatMonthHoursSchema))
    activities_by_type = fields.List(fields.Nested(StatTypeCountSchema))
    stars = fields.List(fields.Nested(StatStarCountSchema))
    communities = fields.List(fields.Nested(StatCommunityMeasuresSchema),
                              metadata={"description": "a street's communities side by side"})
    streets = fields.List(fields.Nested(StatStreetMeasuresSchema),
                          metadata={"description": "a district's streets side by side"})
    participation = fields.List(fields.Nested(StatParticipationSchema),
                                metadata={"description": "各活动参与人数（最多 50 场）"})
    points_distribution = fields.List(fields.Nested(StatPointBandSchema))
    measures = fields.List(fields.Nested(StatMeasureSchema))


class StatNotReportedSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    phone = fields.String()
    unit = fields.String()
    community = fields.Nested(StatCommunitySchema)
