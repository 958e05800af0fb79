"""/api/v1 the fixed party day (固定党员活动日), make-up sessions (预约补课) and the street's
dedication day (党员奉献日).

Each view parses with a schema, calls one service function with the caller's Principal
first, and returns what a schema dumps.
"""

from __future__ import annotations

from flask_smorest import Blueprint

from server.auth.scope import current_principal
from server.pledges import (
    dedication,
    makeups,
    party_day,
    party_day_settings,
)
from server.pledges.schemas import (
    AttendanceReportSchema,
    BookingSchema,
    DedicationInSchema,
    DedicationSchema,
    MakeupInSchema,
    MakeupSchema,
    MonthQuerySchema,
    MyPartyDaySchema,
    OptionalMonthQuerySchema,
    PartyDaySchema,
    PartyDaySettingsInSchema,
    PartyDaySettingsSchema,
    StaffBookingSchema,
    YearQuerySchema,
)
from server.responses import created_or_repeated

blp = Blueprint(
    "party_day", __name__, url_prefix="/api/v1", description="固定党员活动日、预约补课与党员奉献日"
)


# --- the fixed party day ---------------------------------------------------------------------


@blp.get("/communities/<int:community_id>/party-day-settings")
@blp.response(200, PartyDaySettingsSchema)
def get_party_day_settings(community_id):
    """社区的党员活动日设置

    每月几号、前后可浮动几天、时间和地点。
    """
    return party_day_settings.get_settings(current_principal(), community_id)


@blp.put("/communities/<int:community_id>/party-day-settings")
@blp.arguments(PartyDaySettingsInSchema)
@blp.response(200, PartyDaySettingsSchema)
def update_party_day_settings(body, community_id):
    """修改党员活动日设置（工作人员）

    每月几号（1–28，默认 15 日）、前后浮动天数（1–2）、时间和地点。
    """
    return party_day_settings.update_settings(current_principal(), community_id, body)


@blp.get("/communities/<int:community_id>/party-days")
@blp.arguments(YearQuerySchema, location="query")
@blp.response(200, PartyDaySchema(many=True))
def party_days(query, community_id):
    """社区的固定党员活动日

    某年每月的活动日及对应活动。
    """
    return party_day.list_party_days(current_principal(), community_id, query.get("year"))


@blp.get("/communities/<int:community_id>/party-day-attendance")
@blp.arguments(MonthQuerySchema, location="query")
@blp.response(200, AttendanceReportSchema)
def attendance(query, community_id):
    """党员活动日出勤情况（工作人员）

    当月已参加（含补课）、已预约补课、两者都没有的党员。
    """
    return party_day.attendance_report(current_principal(), community_id, query["month"])


@blp.get("/party-day/mine")
@blp.arguments(MonthQuerySchema, location="query")
@blp.response(200, MyPartyDaySchema)
def my_party_day(query):
    """我本月的党员活动日

    是否已参加、是否已预约补课。
    """
    return party_day.my_status(current_principal(), query["month"])


@blp.get("/communities/<int:community_id>/makeup-sessions")
@blp.arguments(OptionalMonthQuerySchema, location="query")
@blp.response(200, MakeupSchema(many=True))
def makeup_sessions(query, community_id):
    """社区的补课场次

    可按月份筛选。
    """
    return makeups.list_makeup_sessions(current_principal(), community_id, query.get("month"))


@blp.post("/communities/<int:community_id>/makeup-sessions")
@blp.arguments(MakeupInSchema)
@blp.response(201, MakeupSchema)
def open_makeup_session(body, community_id):
    """开设补课场次（工作人员）

    预约补课：设定名额，党员预约后可到场签到。
    """
    return makeups.create_makeup_session(current_principal(), community_id, body)


@blp.post("/makeup-sessions/<int:session_id>/booking")
@blp.response(201, BookingSchema)
@blp.alt_response(200, schema=BookingSchema, description="已预约（重复提交）")
def book(session_id):
    """预约补课

    名额有限，先到先得；每人每月只能预约一个场次，重复预约返回原预约（200）。
    """
    return created_or_repeated(makeups.book_makeup(current_principal(), session_id))


@blp.delete("/makeup-sessions/<int:session_id>/booking")
@blp.response(200, BookingSchema)
def cancel_booking(session_id):
    """取消补课预约

    空出的名额可由他人预约。
    """
    return makeups.cancel_makeup(current_principal(), session_id)


@blp.get("/makeup-sessions/<int:session_id>/bookings")
@blp.response(200, StaffBookingSchema(many=True))
def bookings(session_id):
    """补课场次的预约名单（工作人员）

    已预约的党员。
    """
    return makeups.session_bookings(current_principal(), session_id)


@blp.get("/streets/<int:street_id>/dedication-days")
@blp.response(200, DedicationSchema(many=True))
def dedication_days(street_id):
    """街道的党员奉献日

    本街道的党员和工作人员可查看。
    """
    return dedication.list_dedication_days(current_principal(), street_id)


@blp.post("/streets/<int:street_id>/dedication-days")
@blp.arguments(DedicationInSchema)
@blp.response(201, DedicationSchema)
@blp.alt_response(200, schema=DedicationSchema, description="当天已设立")
def declare_dedication_day(body, street_id):
    """设立党员奉献日（街道管理员）

    面向全街道党员的活动，由一个社区承办；当天已设立时返回原记录（200）。
    """
    return created_or_repeated(
        dedication.declare_dedication_day(current_principal(), street_id, body)
    )
