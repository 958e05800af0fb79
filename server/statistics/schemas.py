"""Shapes of the statistics' requests and answers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.schemas import StrictSchema


class StatisticsQuerySchema(StrictSchema):
    scope = fields.String(required=True, validate=validate.OneOf(["community", "street"]))
    scope_id = fields.Integer(required=True)
    period = fields.String(required=True, validate=validate.Regexp(
        r"^\d{4}(-H[12]|-Q[1-4]|-(0[1-9]|1[0-2]))?$",
        error="统计周期应为 2026、2026-H1、2026-Q3 或 2026-11 这样的格式"))


class StatPlaceQuerySchema(StrictSchema):
    scope = fields.String(required=True, validate=validate.OneOf(["community", "street"]))
    scope_id = fields.Integer(required=True)


class StatCommunitySchema(Schema):
    id = fields.Integer()
    name = fields.String()


class StatMeasuresSchema(Schema):
    roster = fields.Integer(metadata={"description": "单位报来名册的在职党员人数"})
    roster_reported = fields.Integer(metadata={"description": "名册中已到本社区报到的人数"})
    reporting_rate = fields.Float(metadata={"description": "报到率（%）"})
    members = fields.Integer(metadata={"description": "报到党员"})
    active_members = fields.Integer(metadata={"description": "本期有服务时长的党员"})
    active_rate = fields.Float()
    hours = fields.Decimal(as_string=True)
    points = fields.Integer()
    activities = fields.Integer()
    buildings = fields.Integer()
    pledged_buildings = fields.Integer()
    pledge_coverage = fields.Float()
    party_days = fields.Integer()
    party_day_attendances = fields.Integer()
    party_day_makeups = fields.Integer()


class StatCommunityMeasuresSchema(StatMeasuresSchema):
    community = fields.Nested(StatCommunitySchema)


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
    measures = fields.List(fields.Nested(StatMeasureSchema))


class StatNotReportedSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    phone = fields.String()
    unit = fields.String()
    community = fields.Nested(StatCommunitySchema)
